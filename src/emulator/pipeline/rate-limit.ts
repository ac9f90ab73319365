/**
 * Google's per-minute limits as token buckets: a limit of L requests/minute refills at L/60 per
 * second and holds at most one second's worth (but at least one request). A full bucket at the
 * start therefore admits N requests in no less than (N - burst) / rate seconds: the quota floor
 * documented in docs/google-emulator.md. Refused requests take nothing from the bucket.
 */

interface Bucket {
	tokens: number;
	updatedAt: number;
}

export class TokenBuckets {
	private readonly buckets = new Map< string, Bucket >();

	constructor(
		private readonly now: () => number = () => performance.now()
	) {}

	static burst( perMinute: number ): number {
		return Math.max( 1, perMinute / 60 );
	}

	private level( key: string, perMinute: number ): Bucket {
		const rate = perMinute / 60000; // per millisecond
		const capacity = TokenBuckets.burst( perMinute );
		const now = this.now();
		let b = this.buckets.get( key );
		if ( ! b ) {
			b = { tokens: capacity, updatedAt: now };
			this.buckets.set( key, b );
		} else {
			b.tokens = Math.min(
				capacity,
				b.tokens + ( now - b.updatedAt ) * rate
			);
			b.updatedAt = now;
		}
		return b;
	}

	/** Whether `cost` tokens are available (without taking them). */
	has( key: string, perMinute: number, cost: number ): boolean {
		return (
			this.level( key, perMinute ).tokens >=
			Math.min( cost, TokenBuckets.burst( perMinute ) )
		);
	}

	take( key: string, perMinute: number, cost: number ): void {
		const b = this.level( key, perMinute );
		b.tokens -= Math.min( cost, TokenBuckets.burst( perMinute ) );
	}

	clear(): void {
		this.buckets.clear();
	}
}

/**
 * The least time Google's limits allow for a workload, starting from full buckets: every user's
 * requests and the project's total must each fit through their bucket.
 * floor = max( (N_project - burst_p) / rate_p, max over users (N_u - burst_u) / rate_u ), in seconds.
 */
export function quotaFloorSeconds(
	requestsPerUser: number[],
	perUserPerMinute: number | null,
	perProjectPerMinute: number | null
): number {
	const bucketTime = ( n: number, perMinute: number ) =>
		Math.max( 0, n - TokenBuckets.burst( perMinute ) ) / ( perMinute / 60 );
	let floor = 0;
	if ( perUserPerMinute !== null ) {
		for ( const n of requestsPerUser ) {
			floor = Math.max( floor, bucketTime( n, perUserPerMinute ) );
		}
	}
	if ( perProjectPerMinute !== null ) {
		floor = Math.max(
			floor,
			bucketTime(
				requestsPerUser.reduce( ( a, b ) => a + b, 0 ),
				perProjectPerMinute
			)
		);
	}
	return floor;
}
