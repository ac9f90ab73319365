/**
 * Per-Google-account (and per-OAuth-project) pacing, shared by every request of this replica.
 * Google answers rate limits per user and per project; when it does, further calls for that key
 * wait instead of hammering, while other accounts keep going. A small cap on calls in flight per
 * account keeps one doctor's backlog from taking every connection. The state is disposable: a
 * restarted replica relearns it from Google's next answer.
 */
import { SidecarError } from '../errors';

interface KeyState {
	pausedUntil: number;
	/** Consecutive rate-limit answers; sets the next pause length. */
	strikes: number;
	inFlight: number;
	waiters: Array< () => void >;
	lastUsed: number;
}

export interface PacerOptions {
	/** Calls in flight per user key. */
	concurrency: number;
	basePauseMs: number;
	maxPauseMs: number;
	now?: () => number;
	random?: () => number;
}

export interface PaceKeys {
	user?: string;
	project?: string;
	/** The site the call is made for (a hosted sidecar shares calls fairly between sites). */
	site?: string;
}

const MAX_KEYS = 50000;

export class Pacer {
	private readonly states = new Map< string, KeyState >();
	private readonly now: () => number;
	private readonly random: () => number;

	constructor( private readonly options: PacerOptions ) {
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
	}

	private state( key: string ): KeyState {
		let s = this.states.get( key );
		if ( ! s ) {
			if ( this.states.size >= MAX_KEYS ) {
				this.prune();
			}
			s = {
				pausedUntil: 0,
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
			}
		}
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
	 * Waits for the pauses to end and for a slot of the user key. While an account is being
	 * throttled (a rate-limit answer since its last success), only one call at a time probes
	 * Google for it. Fails with `rate_limited` when a pause would end after `deadline`. Returns the
	 * function that frees the slot.
	 */
	async acquire( keys: PaceKeys, deadline: number ): Promise< () => void > {
		for (;;) {
			const wait = this.pauseRemaining( keys );
			if ( wait > 0 ) {
				if ( this.now() + wait >= deadline ) {
					throw new SidecarError(
						'rate_limited',
						'Google rate limit reached for this account; retry later.',
						{ retryAfterMs: wait }
					);
				}
				await new Promise( ( resolve ) => setTimeout( resolve, wait ) );
				continue;
			}
			if ( ! keys.user ) {
				return () => {};
			}
			const s = this.state( keys.user );
			if ( s.inFlight < this.limit( s ) ) {
				s.inFlight++;
				return this.releaser( s );
			}
			await this.waitForSlot( s, deadline );
		}
	}

	/** Calls allowed in flight for an account: one while it is being throttled. */
	private limit( s: KeyState ): number {
		return s.strikes > 0 ? 1 : this.options.concurrency;
	}

	/** Whether a call for these keys could start now (no pause, a free slot). */
	available( keys: PaceKeys ): boolean {
		if ( this.pauseRemaining( keys ) > 0 ) {
			return false;
		}
		const s = keys.user ? this.states.get( keys.user ) : undefined;
		return ! s || s.inFlight < this.limit( s );
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
						new SidecarError(
							'rate_limited',
							'Google rate limit reached for this account; retry later.',
							{
								retryAfterMs: Math.max(
									1000,
									this.pauseRemaining( {} )
								),
							}
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
	 * Google said "slow down" for this key: pause it, longer on each consecutive strike (equal
	 * jitter). Answers that arrive while the key is already paused belong to the same burst and do
	 * not lengthen the pause further.
	 */
	penalize( key: string, minPauseMs = 0 ): number {
		const s = this.state( key );
		const now = this.now();
		if ( s.pausedUntil > now && minPauseMs <= s.pausedUntil - now ) {
			return s.pausedUntil - now;
		}
		s.strikes++;
		const ceiling = Math.min(
			this.options.maxPauseMs,
			this.options.basePauseMs * 2 ** Math.min( s.strikes - 1, 20 )
		);
		const pause = Math.max(
			minPauseMs,
			Math.round( ceiling / 2 + ( this.random() * ceiling ) / 2 )
		);
		s.pausedUntil = Math.max( s.pausedUntil, now + pause );
		return pause;
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
