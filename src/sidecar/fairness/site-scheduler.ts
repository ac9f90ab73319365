/**
 * A fair share of this replica's calls to Google between the sites it serves. At most
 * `capacity` calls are in flight; when a call ends and sites are waiting, the freed slot goes to
 * the next waiting site in turn (round robin over sites, first come first served within a site).
 * So a site draining a backlog of thousands of meetings holds at most its share while others
 * wait, and a quiet site's call waits for one slot to free, not for the backlog. Pacing per
 * Google account and project (google/pacing.ts) still applies after this.
 */
import { SidecarError } from '../errors';

interface Waiter {
	grant: () => void;
	timer: ReturnType< typeof setTimeout >;
}

export class SiteScheduler {
	private inFlight = 0;
	/** Sites with waiting calls, in the order they are served. */
	private readonly ring: string[] = [];
	private readonly waiting = new Map< string, Waiter[] >();
	private readonly held = new Map< string, number >();

	constructor( readonly capacity: number ) {}

	/** Waits for a slot for one call of `site`; returns the function that frees it. */
	acquire( site: string, deadline: number ): Promise< () => void > {
		if ( this.inFlight < this.capacity && this.ring.length === 0 ) {
			return Promise.resolve( this.take( site ) );
		}
		return new Promise( ( resolve, reject ) => {
			const waiter: Waiter = {
				grant: () => {
					clearTimeout( waiter.timer );
					resolve( this.take( site ) );
				},
				timer: setTimeout(
					() => {
						this.forget( site, waiter );
						reject(
							new SidecarError(
								'rate_limited',
								'The sidecar is busy with other calls to Google; retry shortly.',
								{ retryAfterMs: 1000 }
							)
						);
					},
					Math.max( 0, deadline - Date.now() )
				),
			};
			// The request being served keeps the process alive, not its deadline.
			waiter.timer.unref();
			const queue = this.waiting.get( site );
			if ( queue ) {
				queue.push( waiter );
			} else {
				this.waiting.set( site, [ waiter ] );
				this.ring.push( site );
			}
		} );
	}

	/** Calls of `site` in flight now. */
	inFlightFor( site: string ): number {
		return this.held.get( site ) ?? 0;
	}

	get active(): number {
		return this.inFlight;
	}

	private take( site: string ): () => void {
		this.inFlight++;
		this.held.set( site, ( this.held.get( site ) ?? 0 ) + 1 );
		let released = false;
		return () => {
			if ( released ) {
				return;
			}
			released = true;
			this.inFlight--;
			const left = ( this.held.get( site ) ?? 1 ) - 1;
			if ( left === 0 ) {
				this.held.delete( site );
			} else {
				this.held.set( site, left );
			}
			this.next();
		};
	}

	/** Hands free slots to the waiting sites in turn. */
	private next(): void {
		while ( this.inFlight < this.capacity && this.ring.length > 0 ) {
			const site = this.ring.shift() as string;
			const queue = this.waiting.get( site ) as Waiter[];
			const waiter = queue.shift() as Waiter;
			if ( queue.length > 0 ) {
				this.ring.push( site );
			} else {
				this.waiting.delete( site );
			}
			waiter.grant();
		}
	}

	private forget( site: string, waiter: Waiter ): void {
		const queue = this.waiting.get( site );
		if ( ! queue ) {
			return;
		}
		const index = queue.indexOf( waiter );
		if ( index >= 0 ) {
			queue.splice( index, 1 );
		}
		if ( queue.length === 0 ) {
			this.waiting.delete( site );
			this.ring.splice( this.ring.indexOf( site ), 1 );
		}
	}
}
