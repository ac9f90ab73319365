/**
 * Shared state of a single replica: the fixed-size replay memory (signing/replay-guard.ts, nonces
 * of every site in one table, each under its site) and fixed windows per key in a map that never
 * holds more than MAX_WINDOWS keys (expired ones go first; when all are live, the oldest).
 */
import { ReplayGuard, type ReplayVerdict } from '../signing/replay-guard';
import type { SharedState, WindowVerdict } from './index';

const MAX_WINDOWS = 20000;

export class MemoryState implements SharedState {
	readonly kind = 'memory';
	private readonly replay: ReplayGuard;
	private readonly windows = new Map<
		string,
		{ until: number; used: number }
	>();

	constructor(
		replayCapacity: number,
		skewSeconds: number,
		private readonly now: () => number = Date.now
	) {
		this.replay = new ReplayGuard( replayCapacity, skewSeconds );
	}

	async claimNonce(
		scope: string,
		nonce: string,
		timestampSeconds: number
	): Promise< ReplayVerdict > {
		return this.replay.check(
			scope === '' ? nonce : `${ scope }/${ nonce }`,
			timestampSeconds,
			this.now()
		);
	}

	async consume(
		key: string,
		cost: number,
		limit: number,
		windowMs: number
	): Promise< WindowVerdict > {
		const now = this.now();
		let w = this.windows.get( key );
		if ( ! w || w.until <= now ) {
			if ( ! w && this.windows.size >= MAX_WINDOWS ) {
				this.evict( now );
			}
			w = { until: now + windowMs, used: 0 };
			this.windows.set( key, w );
		}
		const allowed = w.used + cost <= limit;
		if ( allowed ) {
			w.used += cost;
		}
		return { allowed, used: w.used, retryAfterMs: w.until - now };
	}

	private evict( now: number ): void {
		for ( const [ key, w ] of this.windows ) {
			if ( w.until <= now ) {
				this.windows.delete( key );
			}
		}
		if ( this.windows.size >= MAX_WINDOWS ) {
			// Insertion order: the first key is the oldest window.
			const first = this.windows.keys().next().value;
			if ( first !== undefined ) {
				this.windows.delete( first );
			}
		}
	}

	ready(): boolean {
		return true;
	}

	async close(): Promise< void > {}
}
