/**
 * Replay protection in memory of a fixed size. A correctly signed request's nonce is remembered
 * for exactly as long as its timestamp is acceptable (until timestamp + clock skew): within that
 * time the same nonce is always refused. The memory is two typed arrays allocated at start and
 * never grown, whatever the call rate:
 *
 * - each nonce has two candidate buckets of 16 slots (two independent hashes) and a 32-bit tag
 *   (a third hash); a slot holds a tag and the second at which it expires;
 * - a lookup compares the tag with the live slots of both buckets; a new nonce takes a free or
 *   expired slot in the emptier bucket; a live slot is never overwritten;
 * - sized for twice the configured number of nonces, so at that many live nonces the buckets are
 *   half full on average.
 *
 * Guarantee: no false negative, ever (a nonce seen within its window is found: it is in one of its
 * two buckets until it expires). False positives: a new nonce whose tag equals a live one in its
 * buckets is refused as a replay, at most 32 comparisons with a 1 in 2^32 chance each (below
 * 1 in 10^8 per request; WordPress then sends again with a new nonce). When both buckets are
 * full of live nonces, which takes far more live nonces than the configured number, the request
 * is refused ('full') instead of a nonce being forgotten.
 */
import { randomBytes } from 'node:crypto';

const SLOTS_PER_BUCKET = 16;

export type ReplayVerdict = 'fresh' | 'replay' | 'full';

/** A 32-bit hash of an ASCII string (the nonce alphabet), seeded per process. */
function hash32( text: string, seed: number ): number {
	let h = seed;
	for ( let i = 0; i < text.length; i++ ) {
		h = Math.imul( h ^ text.charCodeAt( i ), 0x5bd1e995 );
		h ^= h >>> 15;
	}
	h = Math.imul( h ^ ( h >>> 16 ), 0x85ebca6b );
	h = Math.imul( h ^ ( h >>> 13 ), 0xc2b2ae35 );
	return ( h ^ ( h >>> 16 ) ) >>> 0;
}

export class ReplayGuard {
	private readonly tags: Uint32Array;
	/** Unix second until which the slot's nonce is live; 0: never used. */
	private readonly expiries: Uint32Array;
	private readonly buckets: number;
	private readonly seeds: Uint32Array;

	/**
	 * @param capacity    Live nonces the memory is sized for (MFK_REPLAY_CACHE_MAX).
	 * @param skewSeconds Accepted distance of a timestamp from the clock (MFK_CLOCK_SKEW_SECONDS).
	 * @param seed        12 random bytes (tests pass their own).
	 */
	constructor(
		capacity: number,
		private readonly skewSeconds: number,
		seed: Uint8Array = randomBytes( 12 )
	) {
		this.buckets = Math.max(
			2,
			Math.ceil( ( 2 * capacity ) / SLOTS_PER_BUCKET )
		);
		this.tags = new Uint32Array( this.buckets * SLOTS_PER_BUCKET );
		this.expiries = new Uint32Array( this.buckets * SLOTS_PER_BUCKET );
		this.seeds = new Uint32Array( new Uint8Array( seed ).buffer, 0, 3 );
	}

	/**
	 * Checks and remembers the nonce of a correctly signed request whose timestamp was accepted.
	 * `fresh`: first use, now remembered; `replay`: seen within its window; `full`: cannot be
	 * remembered right now (refuse the request).
	 */
	check(
		nonce: string,
		timestampSeconds: number,
		nowMs: number = Date.now()
	): ReplayVerdict {
		const tag = hash32( nonce, this.seeds[ 2 ] as number ) || 1;
		const first = hash32( nonce, this.seeds[ 0 ] as number ) % this.buckets;
		let second = hash32( nonce, this.seeds[ 1 ] as number ) % this.buckets;
		if ( second === first ) {
			second = ( first + 1 ) % this.buckets;
		}
		const now = nowMs / 1000;
		let best = -1;
		let bestLive = SLOTS_PER_BUCKET;
		for ( const bucket of [ first, second ] ) {
			let live = 0;
			let free = -1;
			for (
				let slot = bucket * SLOTS_PER_BUCKET;
				slot < ( bucket + 1 ) * SLOTS_PER_BUCKET;
				slot++
			) {
				if ( ( this.expiries[ slot ] as number ) >= now ) {
					if ( this.tags[ slot ] === tag ) {
						return 'replay';
					}
					live++;
				} else if ( free < 0 ) {
					free = slot;
				}
			}
			if ( free >= 0 && live < bestLive ) {
				best = free;
				bestLive = live;
			}
		}
		if ( best < 0 ) {
			return 'full';
		}
		this.tags[ best ] = tag;
		this.expiries[ best ] = timestampSeconds + this.skewSeconds;
		return 'fresh';
	}

	/** Bytes of memory the guard holds: fixed at construction. */
	get bytes(): number {
		return this.tags.byteLength + this.expiries.byteLength;
	}

	/** Nonces currently live (for tests and diagnostics: a full scan). */
	live( nowMs: number = Date.now() ): number {
		const now = nowMs / 1000;
		return this.expiries.reduce( ( n, e ) => ( e >= now ? n + 1 : n ), 0 );
	}
}
