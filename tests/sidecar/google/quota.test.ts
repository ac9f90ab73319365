/**
 * Staying under Google's quota: a 429 storm does not turn into a tight retry loop and the quota
 * is respected afterwards; replicas sharing Redis share one budget (Debian's redis-server,
 * started here). Calls are counted at the emulator.
 */
import type { FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import { startRedis, type RedisServer } from '../../harness/redis';
import { RedisState } from '../../../src/sidecar/shared-state/redis';
import { signedCall, startRig, times, type Rig } from '../support';

let rig: Rig;
let doctor: { credential: string; email: string };
let redis: RedisServer;

beforeAll( async () => {
	rig = await startRig();
	doctor = await rig.connect( 'quota@example.test' );
	redis = await startRedis();
} );
afterAll( async () => {
	await rig?.close();
	await redis?.close();
} );
afterEach( async () => {
	await rig.control( 'DELETE', '/faults' );
	await rig.control( 'PATCH', '/config', {
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
} );

let seq = 9000;
const ensure = ( id: string ) => ( {
	op: 'ensure',
	id,
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
	appointmentId: seq++,
	...times( `2031-09-0${ 1 + ( seq % 9 ) }T10:00:00Z` ),
} );

type Counters = {
	total: { calls: number; refused: number };
};
const counters = () => rig.control< Counters >( 'GET', '/counters' );

async function readyApp( env: Record< string, string > ) {
	const app = rig.sidecarWith( env );
	await app.ready();
	while ( ! app.ctx.state.ready() ) {
		await new Promise( ( r ) => setTimeout( r, 20 ) );
	}
	return app;
}

test( 'a 429 storm: calls slow down instead of looping, and the quota holds afterwards', async () => {
	// 600/min for the project: the pacer lets 10 calls a second go at most.
	const app = await readyApp( {
		MFK_GOOGLE_PROJECT_QPM: '600',
		MFK_GOOGLE_QUOTA_PERCENT: '100',
		MFK_RETRY_BUDGET_MS: '3000',
	} );
	try {
		await rig.control( 'DELETE', '/counters' );
		await rig.control( 'POST', '/faults', {
			match: { operation: 'events.*' },
			action: { type: 'error', status: 429, reason: 'rateLimitExceeded' },
			times: 0,
		} );
		const started = Date.now();
		const storm = await signedCall( app, '/v1/batch', {
			operations: Array.from( { length: 20 }, ( _, i ) =>
				ensure( `s${ i }` )
			),
			budgetMs: 3000,
		} );
		const seconds = ( Date.now() - started ) / 1000;
		const during = await counters();
		expect(
			storm.body.results.every(
				( r: { ok: boolean; error?: { code: string } } ) =>
					! r.ok && r.error?.code === 'rate_limited'
			)
		).toBe( true );
		// Never more than the configured quota allows (a burst of 5, then 10/s), however long
		// the storm lasted: retries wait for the (shrinking) budget, they do not loop.
		expect( during.total.calls ).toBeLessThanOrEqual( 5 + 10 * seconds );
		// And fewer than the retries of 20 operations would have made without pacing.
		expect( during.total.calls ).toBeLessThan( 40 );

		// The storm is over; Google's own limit is the configured one.
		await rig.control( 'DELETE', '/faults' );
		await rig.control( 'DELETE', '/counters' );
		await rig.control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: null, perProjectPerMinute: 600 },
		} );
		// Some headroom, so that calls this busy test process delays do not bunch up at Google.
		const slow = await readyApp( {
			MFK_GOOGLE_PROJECT_QPM: '600',
			MFK_GOOGLE_QUOTA_PERCENT: '80',
			MFK_RETRY_BUDGET_MS: '60000',
		} );
		try {
			const after = await signedCall( slow, '/v1/batch', {
				operations: Array.from( { length: 30 }, ( _, i ) =>
					ensure( `a${ i }` )
				),
				budgetMs: 60000,
			} );
			expect(
				after.body.results.every( ( r: { ok: boolean } ) => r.ok )
			).toBe( true );
			const total = ( await counters() ).total;
			expect( total.calls ).toBeGreaterThanOrEqual( 30 );
			expect( total.refused ).toBe( 0 );
		} finally {
			await slow.close();
		}
	} finally {
		await app.close();
	}
} );

describe( 'replicas sharing Redis share the quota', () => {
	let one: FastifyInstance;
	let two: FastifyInstance;

	beforeAll( async () => {
		const env = {
			MFK_REDIS_URL: redis.url,
			MFK_REDIS_PREFIX: 'quota-test:',
			MFK_GOOGLE_PROJECT_QPM: '600',
			MFK_GOOGLE_QUOTA_PERCENT: '80',
			MFK_RETRY_BUDGET_MS: '60000',
		};
		one = await readyApp( env );
		two = await readyApp( env );
	} );
	afterAll( async () => {
		await one?.close();
		await two?.close();
	} );

	test( 'two replicas together stay under the project quota', async () => {
		await rig.control( 'DELETE', '/counters' );
		await rig.control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: null, perProjectPerMinute: 600 },
		} );
		// Each replica alone would go at 8/s: together, without sharing, 1.6 times the quota.
		const batch = ( prefix: string ) => ( {
			operations: Array.from( { length: 15 }, ( _, i ) =>
				ensure( `${ prefix }${ i }` )
			),
			budgetMs: 60000,
		} );
		const answers = await Promise.all( [
			signedCall( one, '/v1/batch', batch( 'x' ) ),
			signedCall( two, '/v1/batch', batch( 'y' ) ),
		] );
		for ( const a of answers ) {
			expect(
				a.body.results.every( ( r: { ok: boolean } ) => r.ok )
			).toBe( true );
		}
		const total = ( await counters() ).total;
		expect( total.calls ).toBeGreaterThanOrEqual( 30 );
		expect( total.refused ).toBe( 0 );

		// The buckets are Redis keys that expire, named without the doctor's address.
		const client = new Redis( redis.url );
		try {
			const keys = await client.keys( 'quota-test:quota:*' );
			expect( keys.length ).toBeGreaterThan( 0 );
			for ( const key of keys ) {
				expect( key ).not.toContain( 'example.test' );
				expect( await client.pttl( key ) ).toBeGreaterThan( 0 );
			}
		} finally {
			client.disconnect();
		}
	} );

	test( 'the Redis buckets: one timeline for every replica, nothing taken beyond the wait allowed', async () => {
		const log = { warn: () => {}, info: () => {} } as never;
		const a = new RedisState( redis.url, 'gcra-test:', 300, log );
		const b = new RedisState( redis.url, 'gcra-test:', 300, log );
		try {
			while ( ! a.ready() || ! b.ready() ) {
				await new Promise( ( r ) => setTimeout( r, 20 ) );
			}
			const spec = [ { key: 'project:p', intervalMs: 1000, burst: 2 } ];
			expect( ( await a.reserve( spec, 1, 0 ) ).granted ).toBe( true );
			expect( ( await b.reserve( spec, 1, 0 ) ).granted ).toBe( true );
			// The burst is used up, by both replicas together.
			const refused = await a.reserve( spec, 1, 100 );
			expect( refused.granted ).toBe( false );
			expect( refused.waitMs ).toBeGreaterThan( 800 );
			const queued = await b.reserve( spec, 1, 5000 );
			expect( queued.granted ).toBe( true );
			expect( queued.waitMs ).toBeGreaterThan( 800 );
			// The refusal took nothing: the next one queues one interval after the last.
			const next = await a.reserve( spec, 1, 5000 );
			expect( next.waitMs - queued.waitMs ).toBeGreaterThan( 900 );
		} finally {
			await a.close();
			await b.close();
		}
	} );
} );
