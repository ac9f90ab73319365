/**
 * Google's per-minute quotas as token buckets, kept by the sidecar so that it stays under them
 * instead of bouncing off them. Each bucket is a GCRA (generic cell rate algorithm): one number
 * per key, the "theoretical arrival time" of the next call. A call may start once every bucket it
 * belongs to (its Google user's, its project's) conforms; the reservation is made at once for
 * all of them and the caller sleeps until its start time, so calls leave in the order they
 * asked, spaced at the quota's rate, with no polling.
 *
 * The same algorithm runs here (one replica, or a replica whose Redis does not answer) and as a
 * Lua script in Redis (shared-state/redis.ts) for replicas sharing one budget.
 */

export interface BucketSpec {
	key: string;
	/** Milliseconds between two calls at the bucket's rate. */
	intervalMs: number;
	/** Calls the bucket lets through at once when it is full (at least 1). */
	burst: number;
}

export interface Reservation {
	/** False when the start time would come after the caller's `maxWaitMs`: nothing was taken. */
	granted: boolean;
	/** Milliseconds until the call may start (the reservation's, or the refusal's hint). */
	waitMs: number;
}

export interface RateReserver {
	reserve: (
		buckets: BucketSpec[],
		cost: number,
		maxWaitMs: number
	) => Promise< Reservation >;
}

const MAX_KEYS = 50000;

/** The buckets of this replica, in memory. */
export class LocalBuckets implements RateReserver {
	/** key → theoretical arrival time of the next call (ms). */
	private readonly tats = new Map< string, number >();

	constructor( private readonly now: () => number = Date.now ) {}

	/**
	 * Milliseconds until `cost` calls in `buckets` could start, without reserving: when the
	 * bucket holds `cost` tokens (a cost above the burst waits for a full bucket).
	 */
	peek( buckets: BucketSpec[], cost = 1 ): number {
		const now = this.now();
		let start = now;
		for ( const b of buckets ) {
			const burst = Math.max( 1, b.burst );
			const tat = Math.max( this.tats.get( b.key ) ?? now, now );
			start = Math.max(
				start,
				tat - ( burst - Math.min( cost, burst ) ) * b.intervalMs
			);
		}
		return start - now;
	}

	reserveNow(
		buckets: BucketSpec[],
		cost: number,
		maxWaitMs: number
	): Reservation {
		const waitMs = this.peek( buckets, cost );
		if ( waitMs > maxWaitMs ) {
			return { granted: false, waitMs };
		}
		const now = this.now();
		if ( this.tats.size >= MAX_KEYS ) {
			this.prune( now );
		}
		const start = now + waitMs;
		for ( const b of buckets ) {
			const tat = Math.max( this.tats.get( b.key ) ?? now, start );
			this.tats.set( b.key, tat + cost * b.intervalMs );
		}
		return { granted: true, waitMs };
	}

	async reserve(
		buckets: BucketSpec[],
		cost: number,
		maxWaitMs: number
	): Promise< Reservation > {
		return this.reserveNow( buckets, cost, maxWaitMs );
	}

	/** Buckets whose time has passed are full again: forgetting them changes nothing. */
	private prune( now: number ): void {
		for ( const [ key, tat ] of this.tats ) {
			if ( tat <= now ) {
				this.tats.delete( key );
			}
		}
	}

	get size(): number {
		return this.tats.size;
	}
}
