/**
 * Shared state in Redis, for replicas behind a load balancer. A nonce is one key set only if it
 * does not exist (`SET … NX PX`), expiring when its timestamp stops being accepted; a window is
 * one counter, incremented and given its expiry in one Lua script. Every key expires, so Redis
 * holds at most what the last window and clock-skew period brought (docs/operations.md: a
 * `maxmemory-policy` that never evicts keys with time left, never `allkeys-*`).
 *
 * When Redis does not answer (down, failing over, too slow), commands fail at once instead of
 * queueing, and the caller refuses the request (503 `shared_state_unavailable`): replicas
 * that cannot see each other's nonces must not accept signed requests.
 */
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import Redis from 'ioredis';
import type { BucketSpec, Reservation } from '../google/rate-buckets';
import type { ReplayVerdict } from '../signing/replay-guard';
import {
	SharedStateUnavailable,
	type SharedState,
	type WindowVerdict,
} from './index';

/** KEYS[1] window counter; ARGV cost, limit, window ms → { used, ms left, allowed } */
const CONSUME = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then ttl = tonumber(ARGV[3]) end
  return { used, ttl, 0 }
end
used = redis.call('INCRBY', KEYS[1], cost)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  ttl = tonumber(ARGV[3])
end
return { used, ttl, 1 }
`;

/**
 * Google quota buckets shared by the replicas (GCRA, see google/rate-buckets.ts), on Redis's
 * clock. KEYS: one per bucket; ARGV: cost, max wait (µs), then per bucket its interval (µs) and
 * tolerance for this cost (µs: (burst − min(cost, burst)) × interval). The calls may start at
 * max over buckets of (tat − tolerance); when that is within the max wait every bucket's tat
 * moves past it, else nothing changes.
 * → { granted 0/1, wait µs }
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local start = now
local tats = {}
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  local earliest = tat - tonumber(ARGV[2 + 2 * i])
  if earliest > start then start = earliest end
end
local wait = start - now
if wait > tonumber(ARGV[2]) then
  return { 0, math.floor(wait) }
end
for i = 1, #KEYS do
  local tat = tats[i]
  if tat < start then tat = start end
  tat = tat + cost * tonumber(ARGV[1 + 2 * i])
  redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
end
return { 1, math.floor(wait) }
`;

/** A command slower than this counts as Redis not answering. */
const COMMAND_TIMEOUT_MS = 1000;

type WithConsume = Redis & {
	mfkConsume: (
		key: string,
		cost: number,
		limit: number,
		windowMs: number
	) => Promise< [ number, number, number ] >;
	mfkReserve: (
		...args: Array< string | number >
	) => Promise< [ number, number ] >;
};

export class RedisState implements SharedState {
	readonly kind = 'redis';
	private readonly redis: WithConsume;
	private lastError = '';

	constructor(
		url: string,
		private readonly prefix: string,
		private readonly skewSeconds: number,
		log: FastifyBaseLogger
	) {
		this.redis = new Redis( url, {
			// Fail fast while disconnected: a request waits for nothing it cannot get.
			enableOfflineQueue: false,
			maxRetriesPerRequest: 1,
			commandTimeout: COMMAND_TIMEOUT_MS,
			connectTimeout: 2000,
			retryStrategy: ( times ) => Math.min( 100 * times, 2000 ),
		} ) as WithConsume;
		this.redis.defineCommand( 'mfkConsume', {
			numberOfKeys: 1,
			lua: CONSUME,
		} );
		this.redis.defineCommand( 'mfkReserve', { lua: RESERVE } );
		this.redis.on( 'error', ( error: Error ) => {
			// Reconnection is automatic; say so once per distinct problem, without the URL.
			if ( error.message !== this.lastError ) {
				this.lastError = error.message;
				log.warn(
					{ err: error.message },
					'shared state (Redis) unavailable'
				);
			}
		} );
		this.redis.on( 'ready', () => {
			if ( this.lastError !== '' ) {
				log.info( 'shared state (Redis) available again' );
			}
			this.lastError = '';
		} );
	}

	private async run< T >( command: () => Promise< T > ): Promise< T > {
		if ( this.redis.status !== 'ready' ) {
			throw new SharedStateUnavailable(
				`Redis is ${ this.redis.status }`
			);
		}
		try {
			return await command();
		} catch ( error ) {
			throw new SharedStateUnavailable( ( error as Error ).message );
		}
	}

	async claimNonce(
		scope: string,
		nonce: string,
		timestampSeconds: number
	): Promise< ReplayVerdict > {
		const ttlMs = Math.max(
			1000,
			( timestampSeconds + this.skewSeconds ) * 1000 - Date.now()
		);
		const set = await this.run( () =>
			this.redis.set(
				`${ this.prefix }nonce:${ scope }:${ nonce }`,
				'1',
				'PX',
				ttlMs,
				'NX'
			)
		);
		return set === 'OK' ? 'fresh' : 'replay';
	}

	async consume(
		key: string,
		cost: number,
		limit: number,
		windowMs: number
	): Promise< WindowVerdict > {
		const [ used, ttl, allowed ] = await this.run( () =>
			this.redis.mfkConsume(
				`${ this.prefix }window:${ key }`,
				cost,
				limit,
				windowMs
			)
		);
		return { allowed: allowed === 1, used, retryAfterMs: ttl };
	}

	/**
	 * Takes `cost` tokens from every bucket at the earliest time they allow, unless that is more
	 * than `maxWaitMs` away. Keys are hashed (a user key names a Google account).
	 */
	async reserve(
		buckets: BucketSpec[],
		cost: number,
		maxWaitMs: number
	): Promise< Reservation > {
		if ( buckets.length === 0 ) {
			return { granted: true, waitMs: 0 };
		}
		const keys = buckets.map(
			( b ) =>
				`${ this.prefix }quota:${ createHash( 'sha256' )
					.update( b.key )
					.digest( 'base64url' )
					.slice( 0, 22 ) }`
		);
		const args = buckets.flatMap( ( b ) => {
			const burst = Math.max( 1, b.burst );
			return [
				Math.round( b.intervalMs * 1000 ),
				Math.round(
					( burst - Math.min( cost, burst ) ) * b.intervalMs * 1000
				),
			];
		} );
		const [ granted, waitUs ] = await this.run( () =>
			this.redis.mfkReserve(
				keys.length,
				...keys,
				cost,
				Math.max( 0, Math.floor( maxWaitMs * 1000 ) ),
				...args
			)
		);
		return { granted: granted === 1, waitMs: waitUs / 1000 };
	}

	ready(): boolean {
		return this.redis.status === 'ready';
	}

	async close(): Promise< void > {
		this.redis.disconnect();
	}
}
