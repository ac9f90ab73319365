/**
 * Access tokens this replica obtained recently, keyed by a hash of the refresh token, and the
 * refreshes in flight. Concurrent calls for one doctor (a batch, two replicas' worth of retries)
 * then share one refresh instead of racing Google's token endpoint. Bounded; losing it only costs
 * a refresh.
 */
import type { TokenSet } from './api';

export class TokenCache {
	private readonly tokens = new Map< string, TokenSet >();
	private readonly inflight = new Map< string, Promise< TokenSet > >();

	constructor( private readonly max = 10000 ) {}

	get( handle: string ): TokenSet | undefined {
		const t = this.tokens.get( handle );
		if ( t ) {
			// Re-insert: Map order doubles as least-recently-used order.
			this.tokens.delete( handle );
			this.tokens.set( handle, t );
		}
		return t;
	}

	set( handle: string, t: TokenSet ): void {
		this.tokens.delete( handle );
		if ( this.tokens.size >= this.max ) {
			const oldest = this.tokens.keys().next();
			if ( ! oldest.done ) {
				this.tokens.delete( oldest.value );
			}
		}
		this.tokens.set( handle, t );
	}

	forget( handle: string ): void {
		this.tokens.delete( handle );
	}

	/** Runs `refresh` unless one for the same handle is already running, in which case joins it. */
	refreshOnce(
		handle: string,
		refresh: () => Promise< TokenSet >
	): Promise< TokenSet > {
		const running = this.inflight.get( handle );
		if ( running ) {
			return running;
		}
		const p = refresh().then(
			( t ) => {
				this.inflight.delete( handle );
				this.set( handle, t );
				return t;
			},
			( e: unknown ) => {
				this.inflight.delete( handle );
				this.forget( handle );
				throw e;
			}
		);
		this.inflight.set( handle, p );
		return p;
	}

	get size(): number {
		return this.tokens.size;
	}
}
