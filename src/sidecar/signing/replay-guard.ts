/**
 * Nonces seen within the acceptance window. A nonce must be remembered as long as its timestamp
 * is acceptable: at most 2 × skew after arrival. Entries arrive in time order, so expiry is a
 * sweep from the front of the Map. When the bound is reached the oldest entries go first.
 */
export class ReplayCache {
	private readonly seen = new Map< string, number >();

	constructor(
		private readonly ttlMs: number,
		private readonly max: number
	) {}

	/** Records the nonce; false when it was already seen (a replay). */
	remember( nonce: string, nowMs: number = Date.now() ): boolean {
		this.sweep( nowMs );
		if ( this.seen.has( nonce ) ) {
			return false;
		}
		if ( this.seen.size >= this.max ) {
			const oldest = this.seen.keys().next();
			if ( ! oldest.done ) {
				this.seen.delete( oldest.value );
			}
		}
		this.seen.set( nonce, nowMs + this.ttlMs );
		return true;
	}

	get size(): number {
		return this.seen.size;
	}

	private sweep( nowMs: number ): void {
		for ( const [ nonce, expiresAt ] of this.seen ) {
			if ( expiresAt > nowMs ) {
				break;
			}
			this.seen.delete( nonce );
		}
	}
}
