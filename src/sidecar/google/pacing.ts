/**
 * Per-Google-account (and per-OAuth-project) pacing, shared by every request of this replica.
 *
 * - **Quota.** Every Calendar call takes a token from its Google user's bucket and its project's
 *   (rate-buckets.ts), sized from the configured quota (`MFK_GOOGLE_PROJECT_QPM`,
 *   `MFK_GOOGLE_USER_QPM`, used at `MFK_GOOGLE_QUOTA_PERCENT`): a backlog drains at the quota's
 *   rate instead of bouncing off it. With Redis the buckets are shared by the replicas; without
 *   it (or while it does not answer) each replica takes its share (`MFK_REPLICAS`).
 * - **AIMD.** A rate-limit answer that still comes halves that key's rate (at most once per
 *   second: the calls of one burst count once) and the rate grows back additively, as TCP does.
 *   A `Retry-After` pauses the key until then.
 * - **Concurrency.** A small cap on calls in flight per account keeps one doctor's backlog from
 *   taking every connection; while an account is being throttled, one call at a time probes it.
 *
 * Waiting respects the caller's deadline: a call that could not start in time is refused at
 * once with `rate_limited` and a `retryAfterMs`. The state is disposable.
 */
import {
	LocalBuckets,
	type BucketSpec,
	type RateReserver,
} from './rate-buckets';
import {
	DEFAULT_QUOTA,
	MAX_KEYS,
	rateLimited,
	type KeyState,
	type PacerOptions,
	type PaceKeys,
	type QuotaOptions,
} from './pacing-options';

export {
	DEFAULT_QUOTA,
	type PacerOptions,
	type PaceKeys,
	type QuotaOptions,
} from './pacing-options';

export class Pacer {
	private readonly states = new Map< string, KeyState >();
	private readonly now: () => number;
	private readonly sleep: ( ms: number ) => Promise< void >;
	readonly quota: QuotaOptions;
	private readonly local: LocalBuckets;
	private shared: RateReserver | null = null;
	/** Until when (ms) a user's calls are already queued in the shared buckets. */
	private readonly sharedQueuedUntil = new Map< string, number >();

	constructor( private readonly options: PacerOptions ) {
		this.now = options.now ?? Date.now;
		this.sleep =
			options.sleep ??
			( ( ms ) =>
				new Promise( ( resolve ) => setTimeout( resolve, ms ) ) );
		this.quota = { ...DEFAULT_QUOTA, ...options.quota };
		this.local = new LocalBuckets( this.now );
	}

	/** Shares the buckets with the other replicas (Redis); null: this replica's share only. */
	shareThrough( reserver: RateReserver | null ): void {
		this.shared = reserver;
	}

	private state( key: string ): KeyState {
		let s = this.states.get( key );
		if ( ! s ) {
			if ( this.states.size >= MAX_KEYS ) {
				this.prune();
			}
			s = {
				pausedUntil: 0,
				factor: 1,
				factorAt: 0,
				strikes: 0,
				inFlight: 0,
				waiters: [],
				lastUsed: this.now(),
			};
			this.states.set( key, s );
		}
		s.lastUsed = this.now();
		return s;
	}

	private prune(): void {
		const idleBefore = this.now() - 10 * 60 * 1000;
		for ( const [ key, s ] of this.states ) {
			if (
				s.inFlight === 0 &&
				s.waiters.length === 0 &&
				s.pausedUntil < this.now() &&
				s.lastUsed < idleBefore
			) {
				this.states.delete( key );
				this.sharedQueuedUntil.delete( key );
			}
		}
	}

	/**
	 * The AIMD factor of a key now: where the last decrease left it, grown back additively since.
	 */
	factor( key: string ): number {
		const s = this.states.get( key );
		if ( ! s || s.factor >= 1 ) {
			return 1;
		}
		const grown =
			s.factor +
			( this.quota.increasePerSecond *
				Math.max( 0, this.now() - s.factorAt ) ) /
				1000;
		return Math.min( 1, grown );
	}

	/** The buckets a call for `keys` takes a token from; `share` scales them (local budget). */
	buckets( keys: PaceKeys, share: number ): BucketSpec[] {
		const out: BucketSpec[] = [];
		const add = ( key: string | undefined, perMinute: number | null ) => {
			if ( ! key || ! perMinute || perMinute <= 0 ) {
				return;
			}
			const perSecond =
				( perMinute / 60 ) *
				( this.quota.percent / 100 ) *
				share *
				this.factor( key );
			out.push( {
				key,
				intervalMs: 1000 / perSecond,
				burst: Math.max( 1, perSecond * this.quota.burstSeconds ),
			} );
		};
		add( keys.user, this.quota.userPerMinute );
		add( keys.project, this.quota.projectPerMinute );
		return out;
	}

	/** Milliseconds until every key is out of its pause. */
	pauseRemaining( keys: PaceKeys ): number {
		const now = this.now();
		let wait = 0;
		for ( const key of [ keys.user, keys.project ] ) {
			const s = key ? this.states.get( key ) : undefined;
			if ( s && s.pausedUntil > now ) {
				wait = Math.max( wait, s.pausedUntil - now );
			}
		}
		return wait;
	}

	/**
	 * Takes a token from the buckets of `keys`, in Redis when shared (falling back to this
	 * replica's share when Redis does not answer, never blocking on it). Returns the wait until
	 * the call may start; throws `rate_limited` when that would be after `deadline`.
	 */
	private async reserve(
		keys: PaceKeys,
		deadline: number,
		cost: number
	): Promise< number > {
		if ( ! keys.user && ! keys.project ) {
			return 0; // Not a Calendar call (token endpoint): no quota of ours.
		}
		// A call that need not wait always goes, even with no time left to retry.
		const maxWaitMs = Math.max( 0, deadline - this.now() );
		let reservation;
		if ( this.shared ) {
			try {
				reservation = await this.shared.reserve(
					this.buckets( keys, 1 ),
					cost,
					maxWaitMs
				);
				if ( reservation.granted && keys.user ) {
					this.sharedQueuedUntil.set(
						keys.user,
						this.now() + reservation.waitMs
					);
				}
			} catch ( error ) {
				this.options.onSharedFailure?.( error );
			}
		}
		reservation ??= this.local.reserveNow(
			this.buckets( keys, this.quota.localShare ),
			cost,
			maxWaitMs
		);
		if ( ! reservation.granted ) {
			throw rateLimited( reservation.waitMs );
		}
		return reservation.waitMs;
	}

	/**
	 * Waits for the pauses to end, for a slot of the user key and for the quota's next token.
	 * While an account is being throttled (a rate-limit answer since its last success), only one
	 * call at a time probes Google for it. Fails with `rate_limited` when the call could not
	 * start before `deadline`. Returns the function that frees the slot.
	 */
	async acquire(
		keys: PaceKeys,
		deadline: number,
		/** Calls to Google this slot is for (the parts of a batch request). */
		cost = 1
	): Promise< () => void > {
		for (;;) {
			const wait = this.pauseRemaining( keys );
			if ( wait > 0 ) {
				if ( this.now() + wait >= deadline ) {
					throw rateLimited( wait );
				}
				await this.sleep( wait );
				continue;
			}
			let release = () => {};
			if ( keys.user ) {
				const s = this.state( keys.user );
				if ( s.inFlight >= this.limit( s ) ) {
					await this.waitForSlot( s, deadline );
					continue;
				}
				s.inFlight++;
				release = this.releaser( s );
			}
			try {
				const start = await this.reserve( keys, deadline, cost );
				if ( start > 0 ) {
					await this.sleep( start );
				}
			} catch ( error ) {
				release();
				throw error;
			}
			return release;
		}
	}

	/**
	 * How many calls of one account a batch request may carry so that they do not arrive at
	 * Google faster than the account's share of the quota lets them (at least 1).
	 */
	batchLimit( keys: PaceKeys ): number {
		let limit = 1000;
		for ( const b of this.buckets( keys, this.quota.localShare ) ) {
			limit = Math.min( limit, Math.floor( b.burst ) );
		}
		return Math.max( 1, limit );
	}

	/** Calls allowed in flight for an account: one while it is being throttled. */
	private limit( s: KeyState ): number {
		return s.strikes > 0 ? 1 : this.options.concurrency;
	}

	/**
	 * Whether a call for these keys could start now: no pause, a free slot, and no call of the
	 * account already waiting for the account's next token.
	 */
	available( keys: PaceKeys ): boolean {
		if ( this.pauseRemaining( keys ) > 0 ) {
			return false;
		}
		if ( ! keys.user ) {
			return true;
		}
		const s = this.states.get( keys.user );
		if ( s && s.inFlight >= this.limit( s ) ) {
			return false;
		}
		const userOnly = { user: keys.user };
		if ( this.shared ) {
			return (
				( this.sharedQueuedUntil.get( keys.user ) ?? 0 ) <= this.now()
			);
		}
		return (
			this.local.peek(
				this.buckets( userOnly, this.quota.localShare )
			) <= 0
		);
	}

	/** Operations of one account a batch should run at once. */
	parallelism( user: string ): number {
		const s = this.states.get( user );
		return s ? this.limit( s ) : this.options.concurrency;
	}

	private waitForSlot( s: KeyState, deadline: number ): Promise< void > {
		return new Promise< void >( ( resolve, reject ) => {
			const wake = () => {
				clearTimeout( timer );
				resolve();
			};
			const timer = setTimeout(
				() => {
					s.waiters = s.waiters.filter( ( w ) => w !== wake );
					reject(
						rateLimited(
							Math.max( 1000, this.pauseRemaining( {} ) )
						)
					);
				},
				Math.max( 0, deadline - this.now() )
			);
			s.waiters.push( wake );
		} );
	}

	private releaser( s: KeyState ): () => void {
		let released = false;
		return () => {
			if ( released ) {
				return;
			}
			released = true;
			s.inFlight--;
			// The woken caller checks pause and limit again before it goes.
			s.waiters.shift()?.();
		};
	}

	/**
	 * Google said "slow down" for this key although the pacer kept to the configured quota (the
	 * quota is smaller than configured, or others use the same project): the key's rate is cut
	 * multiplicatively, once per burst of answers, and grows back additively. A `Retry-After`
	 * (`minPauseMs`) pauses the key until then. Returns the pause (0 without Retry-After).
	 */
	penalize( key: string, minPauseMs = 0 ): number {
		const s = this.state( key );
		const now = this.now();
		s.strikes++;
		if (
			now - s.factorAt >= this.quota.decreaseCooldownMs ||
			s.factor >= 1
		) {
			s.factor = Math.max(
				this.quota.minFactor,
				this.factor( key ) * this.quota.decrease
			);
			s.factorAt = now;
		}
		if ( minPauseMs > 0 ) {
			s.pausedUntil = Math.max( s.pausedUntil, now + minPauseMs );
		}
		return Math.max( 0, s.pausedUntil - now );
	}

	succeed( key: string ): void {
		const s = this.states.get( key );
		if ( s && s.strikes > 0 ) {
			s.strikes = 0;
			// Back to full parallelism: let everyone waiting re-check.
			for ( const wake of s.waiters.splice( 0 ) ) {
				wake();
			}
		}
	}

	get size(): number {
		return this.states.size;
	}
}
