/**
 * Replicas sharing state through Redis (Debian's redis-server, started here): a request replayed
 * to another replica is refused, per-site limits count across replicas, every key expires, and
 * while Redis is down signed requests are refused (503) and readiness fails, never let through.
 */
import type { FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import { signedHeaders } from '../../src/sidecar';
import { startRedis, type RedisServer } from '../harness/redis';
import {
	asSite,
	startHostedRig,
	type HostedRig,
	type Site,
} from './hosted-support';
import { send, SHARED_SECRET, signedCall } from './support';

let redis: RedisServer;
let rig: HostedRig;
let one: FastifyInstance;
let two: FastifyInstance;
let site: Site;

beforeAll( async () => {
	redis = await startRedis();
	rig = await startHostedRig( {
		MFK_REDIS_URL: redis.url,
		MFK_SITE_REQUESTS_PER_MINUTE: '1000',
	} );
	one = rig.app;
	two = await rig.sidecarWith( {} );
	const waitReady = async ( app: FastifyInstance ) => {
		while ( ! app.ctx.state.ready() ) {
			await new Promise( ( r ) => setTimeout( r, 20 ) );
		}
	};
	await waitReady( one );
	await waitReady( two );
	site = await rig.site();
} );

afterAll( async () => {
	await rig?.close();
	await redis?.close();
} );

function signedPing( siteHeaders: Record< string, string >, secret: string ) {
	const raw = JSON.stringify( {} );
	return {
		method: 'POST' as const,
		url: '/v1/ping',
		headers: {
			'content-type': 'application/json',
			...siteHeaders,
			...signedHeaders( secret, {
				method: 'POST',
				path: '/v1/ping',
				body: raw,
			} ),
		},
		payload: raw,
	};
}

test( 'a request replayed to the other replica is refused', async () => {
	const request = signedPing(
		{ 'x-mfk-site': site.siteId, 'x-mfk-key-id': site.enrolment.kid },
		site.enrolment.secret
	);
	expect( ( await send( one, request ) ).status ).toBe( 200 );
	const replayed = await send( two, request );
	expect( replayed.status ).toBe( 401 );
	expect( replayed.body.data.reason ).toBe( 'replay' );
	expect( ( await send( one, request ) ).body.data.reason ).toBe( 'replay' );
} );

test( 'every key in Redis expires: nonces when their timestamp is no longer accepted, windows after a minute', async () => {
	const client = new Redis( redis.url );
	try {
		const keys = await client.keys( 'mfk:*' );
		expect(
			keys.some( ( k ) => k.startsWith( `mfk:nonce:${ site.siteId }:` ) )
		).toBe( true );
		expect( keys ).toContain( `mfk:window:site:${ site.siteId }` );
		for ( const key of keys ) {
			const ttl = await client.pttl( key );
			expect( ttl ).toBeGreaterThan( 0 );
			expect( ttl ).toBeLessThanOrEqual(
				key.includes( ':nonce:' ) ? 2 * 300 * 1000 : 60 * 1000
			);
		}
	} finally {
		client.disconnect();
	}
} );

test( "a site's request limit counts its requests on every replica", async () => {
	const limited = await rig.sidecarWith( {
		MFK_SITE_REQUESTS_PER_MINUTE: '4',
	} );
	const other = await rig.sidecarWith( {
		MFK_SITE_REQUESTS_PER_MINUTE: '4',
	} );
	while ( ! limited.ctx.state.ready() || ! other.ctx.state.ready() ) {
		await new Promise( ( r ) => setTimeout( r, 20 ) );
	}
	const fresh = await rig.site( { app: limited } ); // 1
	const statuses = [];
	for ( const app of [ other, limited, other, limited ] ) {
		statuses.push(
			(
				await signedCall(
					app,
					'/v1/ping',
					{},
					asSite( fresh.enrolment )
				)
			).status
		);
	}
	expect( statuses ).toEqual( [ 200, 200, 200, 429 ] );
} );

test( 'while Redis is down, signed requests are refused with shared_state_unavailable and readiness fails; both recover when it is back', async () => {
	await redis.stop();
	while ( one.ctx.state.ready() ) {
		await new Promise( ( r ) => setTimeout( r, 20 ) );
	}
	const refused = await site.call( '/v1/ping', {} );
	expect( refused.status ).toBe( 503 );
	expect( refused.body.code ).toBe( 'shared_state_unavailable' );
	expect( refused.body.data.retryable ).toBe( true );
	expect( Number( refused.headers.get( 'retry-after' ) ) ).toBeGreaterThan(
		0
	);
	const ready = await send( one, { method: 'GET', url: '/readyz' } );
	expect( ready.status ).toBe( 503 );
	expect( ready.body.checks.sharedState ).toBe( false );
	expect(
		( await send( one, { method: 'GET', url: '/healthz' } ) ).status
	).toBe( 200 );

	await redis.start();
	let answer = await site.call( '/v1/ping', {} );
	while ( answer.status === 503 ) {
		await new Promise( ( r ) => setTimeout( r, 50 ) );
		answer = await site.call( '/v1/ping', {} );
	}
	expect( answer.status ).toBe( 200 );
	await rig.app.ctx.google();
	expect(
		( await send( one, { method: 'GET', url: '/readyz' } ) ).status
	).toBe( 200 );
} );

test( "a single-site sidecar's replicas share replay protection through Redis too", async () => {
	const a = await rig.sidecarWith( {
		MFK_MASTER_KEYS: '',
		MFK_SHARED_SECRET: SHARED_SECRET,
	} );
	const b = await rig.sidecarWith( {
		MFK_MASTER_KEYS: '',
		MFK_SHARED_SECRET: SHARED_SECRET,
	} );
	while ( ! a.ctx.state.ready() || ! b.ctx.state.ready() ) {
		await new Promise( ( r ) => setTimeout( r, 20 ) );
	}
	const request = signedPing( {}, SHARED_SECRET );
	expect( ( await send( a, request ) ).status ).toBe( 200 );
	expect( ( await send( b, request ) ).body.data.reason ).toBe( 'replay' );
} );
