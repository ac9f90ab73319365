/**
 * What the sidecar's replicas must agree on: which nonces were used (replay protection) and how
 * many requests each site made in the current window (per-site limits). In memory for a single
 * replica; in Redis (MFK_REDIS_URL) for any number of replicas behind a load balancer. Both are
 * bounded: the memory store is sized at start, every Redis key expires.
 *
 * Redis also holds the Google quota buckets the replicas share (`reserve`, google/pacing.ts);
 * the memory store has none: a single replica's pacer keeps its buckets itself.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SidecarConfig } from '../config/env';
import type { RateReserver } from '../google/rate-buckets';
import type { ReplayVerdict } from '../signing/replay-guard';
import { MemoryState } from './memory';

export interface WindowVerdict {
	allowed: boolean;
	/** Units consumed in the window so far, this call's included when allowed. */
	used: number;
	/** Until the window resets. */
	retryAfterMs: number;
}

export interface SharedState {
	readonly kind: 'memory' | 'redis';
	/**
	 * Remembers `nonce` within `scope` (the site) until its timestamp is no longer accepted.
	 * Throws SharedStateUnavailable when the store cannot answer.
	 */
	claimNonce: (
		scope: string,
		nonce: string,
		timestampSeconds: number
	) => Promise< ReplayVerdict >;
	/** Takes `cost` units from `key`'s fixed window of `windowMs`, if `limit` allows. */
	consume: (
		key: string,
		cost: number,
		limit: number,
		windowMs: number
	) => Promise< WindowVerdict >;
	/** Google quota buckets shared by the replicas (Redis only). */
	reserve?: RateReserver[ 'reserve' ];
	/** Whether the store answers now (readiness). */
	ready: () => boolean;
	close: () => Promise< void >;
}

/**
 * The store did not answer: the request is refused, never let through unchecked. Recognised by
 * its name (the Redis store is bundled on its own, with its own copy of this class).
 */
export class SharedStateUnavailable extends Error {
	constructor( cause: string ) {
		super( `shared state unavailable: ${ cause }` );
		this.name = 'SharedStateUnavailable';
	}
}

export async function openSharedState(
	config: SidecarConfig,
	log: FastifyBaseLogger
): Promise< SharedState > {
	if ( ! config.redisUrl ) {
		return new MemoryState(
			config.replayCacheMax,
			config.clockSkewSeconds
		);
	}
	// Loaded only when configured: a single replica never pays for the client.
	const { RedisState } = await import( './redis' );
	return new RedisState(
		config.redisUrl,
		config.redisPrefix,
		config.clockSkewSeconds,
		log
	);
}
