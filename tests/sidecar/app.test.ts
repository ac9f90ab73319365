/**
 * The composed app (src/sidecar/app.ts): signing, replay protection, the unsigned operations
 * routes, the error shape and refusal of malformed input on every route, the request log.
 */
import { signedHeaders } from '../../src/sidecar';
import {
	SHARED_SECRET,
	send,
	startRig,
	times,
	type Answer,
	type Rig,
} from './support';

let rig: Rig;
let credential: string;

beforeAll( async () => {
	rig = await startRig();
	credential = ( await rig.connect() ).credential;
} );
afterAll( async () => rig.close() );

const expectError = (
	answer: { status: number; body: any },
	status: number,
	code: string
) => {
	expect( { status: answer.status, code: answer.body?.code } ).toEqual( {
		status,
		code,
	} );
	expect( answer.body.data ).toMatchObject( {
		status,
		retryable: expect.any( Boolean ),
	} );
	expect( typeof answer.body.message ).toBe( 'string' );
};

describe( 'request signing', () => {
	test( 'a correctly signed request is accepted', async () => {
		const answer = await rig.call( '/v1/ping', {} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toEqual( {
			ok: true,
			version: expect.any( String ),
			time: expect.any( Number ),
		} );
	} );

	test( "ping accepts {}, an empty body and PHP's empty array", async () => {
		expect(
			( await rig.call( '/v1/ping', { siteId: rig.siteId } ) ).status
		).toBe( 200 );
		expect( ( await rig.call( '/v1/ping' ) ).status ).toBe( 200 );
		expect( ( await rig.call( '/v1/ping', [] ) ).status ).toBe( 200 );
		expect( ( await rig.call( '/v1/ping', [ 1 ] ) ).status ).toBe( 400 );
	} );

	test( 'unsigned, wrong secret, stale and future timestamps are refused', async () => {
		const unsigned = await rig.send( {
			method: 'POST',
			url: '/v1/ping',
			headers: { 'content-type': 'application/json' },
			payload: '{}',
		} );
		expect( unsigned.status ).toBe( 401 );
		expect( unsigned.body.message ).toMatch( /missing/ );

		expectError(
			await rig.call(
				'/v1/ping',
				{},
				{ secret: 'another-secret-of-sufficient-length-000' }
			),
			401,
			'unauthorized'
		);
		const stale = String( Math.floor( Date.now() / 1000 ) - 301 );
		const staleAnswer = await rig.call(
			'/v1/ping',
			{},
			{
				headers: signedHeaders( SHARED_SECRET, {
					method: 'POST',
					path: '/v1/ping',
					body: '{}',
					timestamp: stale,
				} ),
			}
		);
		expectError( staleAnswer, 401, 'unauthorized' );
		expect( staleAnswer.body.message ).toMatch( /clock skew/ );
		const future = String( Math.floor( Date.now() / 1000 ) + 301 );
		expectError(
			await rig.call(
				'/v1/ping',
				{},
				{
					headers: signedHeaders( SHARED_SECRET, {
						method: 'POST',
						path: '/v1/ping',
						body: '{}',
						timestamp: future,
					} ),
				}
			),
			401,
			'unauthorized'
		);
	} );

	test( 'a replayed request is refused, even with a valid signature', async () => {
		const headers = {
			'content-type': 'application/json',
			...signedHeaders( SHARED_SECRET, {
				method: 'POST',
				path: '/v1/ping',
				body: '{}',
			} ),
		};
		const first = await rig.send( {
			method: 'POST',
			url: '/v1/ping',
			headers,
			payload: '{}',
		} );
		expect( first.status ).toBe( 200 );
		const again = await rig.send( {
			method: 'POST',
			url: '/v1/ping',
			headers,
			payload: '{}',
		} );
		expect( again.status ).toBe( 401 );
		expect( again.body.message ).toMatch( /replay/ );
	} );

	test( 'replay memory that is full refuses new requests; it never forgets a live nonce', async () => {
		// The smallest replay memory: 1,000 live nonces guaranteed (2,000 slots).
		const small = rig.sidecarWith( { MFK_REPLAY_CACHE_MAX: '1000' } );
		try {
			const ping = () => {
				const headers = {
					'content-type': 'application/json',
					...signedHeaders( SHARED_SECRET, {
						method: 'POST',
						path: '/v1/ping',
						body: '{}',
					} ),
				};
				return {
					headers,
					answer: send( small, {
						method: 'POST',
						url: '/v1/ping',
						headers,
						payload: '{}',
					} ),
				};
			};
			const first = ping();
			expect( ( await first.answer ).status ).toBe( 200 );
			let accepted = 1;
			let refused: Answer | undefined;
			while ( ! refused && accepted < 2000 ) {
				const answer = await ping().answer;
				if ( answer.status === 200 ) {
					accepted++;
				} else {
					refused = answer;
				}
			}
			expect( accepted ).toBeGreaterThanOrEqual( 1000 );
			expect( refused?.status ).toBe( 429 );
			expect( refused?.body ).toMatchObject( {
				code: 'rate_limited',
				data: { retryable: true, retryAfterMs: expect.any( Number ) },
			} );
			expect( refused?.headers.get( 'retry-after' ) ).toBe( '1' );
			const replayed = await send( small, {
				method: 'POST',
				url: '/v1/ping',
				headers: first.headers,
				payload: '{}',
			} );
			expect( replayed.status ).toBe( 401 );
			expect( replayed.body.message ).toMatch( /replay/ );
		} finally {
			await small.close();
		}
	} );

	test( 'the signature covers body, path and method', async () => {
		const headers = signedHeaders( SHARED_SECRET, {
			method: 'POST',
			path: '/v1/ping',
			body: '{}',
		} );
		const res = await rig.send( {
			method: 'POST',
			url: '/v1/ping',
			headers: { 'content-type': 'application/json', ...headers },
			payload: '{"x":1}',
		} );
		expect( res.status ).toBe( 401 );
		const other = signedHeaders( SHARED_SECRET, {
			method: 'POST',
			path: '/v1/oauth/client/seal',
			body: '{}',
		} );
		const moved = await rig.send( {
			method: 'POST',
			url: '/v1/ping',
			headers: { 'content-type': 'application/json', ...other },
			payload: '{}',
		} );
		expect( moved.status ).toBe( 401 );
	} );

	test( 'a refused signature reveals nothing about the request body', async () => {
		const answer = await rig.call(
			'/v1/meetings/ensure',
			{ nonsense: true },
			{ secret: 'another-secret-of-sufficient-length-000' }
		);
		expectError( answer, 401, 'unauthorized' );
		expect( JSON.stringify( answer.body ) ).not.toMatch(
			/siteId|required/
		);
	} );
} );

describe( 'unsigned endpoints', () => {
	test( 'healthz, readyz and metrics answer without a signature', async () => {
		const health = await rig.send( { method: 'GET', url: '/healthz' } );
		expect( health.status ).toBe( 200 );
		expect( health.body ).toEqual( {
			status: 'ok',
			mode: 'single-site',
			version: expect.any( String ),
			uptimeSeconds: expect.any( Number ),
		} );

		await rig.context.google();
		const ready = await rig.send( { method: 'GET', url: '/readyz' } );
		expect( ready.status ).toBe( 200 );
		const body = ready.body;
		expect( body ).toEqual( {
			ready: true,
			checks: {
				sharedSecret: true,
				sharedState: true,
				sealKey: true,
				googleClient: true,
				googleEndpoints: {
					apiRoot: `${ rig.google.url }/`,
					oauthToken: `${ rig.google.url }/token`,
				},
			},
		} );
		expect( JSON.stringify( body ) ).not.toContain( SHARED_SECRET );

		const metrics = await rig.send( { method: 'GET', url: '/metrics' } );
		expect( metrics.headers.get( 'content-type' ) ).toMatch(
			/^text\/plain/
		);
		const text: string = metrics.body;
		expect( text ).toMatch(
			/^mfk_http_requests_total\{code="ok",method="POST",route="\/v1\/ping"\} \d+$/m
		);
		expect( text ).toMatch(
			/^mfk_auth_failures_total\{reason="replay"\} \d+$/m
		);
		expect( text ).toMatch(
			/^mfk_google_calls_total\{method="oauth.exchange",outcome="ok"\} 1$/m
		);
		expect( text ).toMatch( /^process_resident_memory_bytes \d+$/m );
		expect( text ).toMatch(
			/^mfk_http_request_duration_seconds_bucket\{route="\/v1\/ping",le="\+Inf"\} \d+$/m
		);
	} );

	test( 'without a metrics token, metrics are answered on loopback only', async () => {
		const local = await rig.send( {
			method: 'GET',
			url: '/metrics',
			remoteAddress: '127.0.0.1',
		} );
		expect( local.status ).toBe( 200 );
		expect( local.headers.get( 'www-authenticate' ) ).toBeNull();
		const mapped = await rig.send( {
			method: 'GET',
			url: '/metrics',
			remoteAddress: '::ffff:127.0.0.1',
		} );
		expect( mapped.status ).toBe( 200 );
		const remote = await rig.send( {
			method: 'GET',
			url: '/metrics',
			remoteAddress: '10.1.2.3',
		} );
		expectError( remote, 401, 'unauthorized' );
		expect( remote.body.message ).toMatch( /MFK_METRICS_TOKEN/ );
		expect( JSON.stringify( remote.body ) ).not.toContain(
			'mfk_http_requests_total'
		);
	} );

	test( 'with a metrics token: 401 without it or with a wrong one, 200 with it, from anywhere', async () => {
		const token = 'prometheus-scrape-token-0123456789';
		const app = rig.sidecarWith( { MFK_METRICS_TOKEN: token } );
		try {
			const scrape = ( headers: Record< string, string > ) =>
				send( app, {
					method: 'GET',
					url: '/metrics',
					remoteAddress: '10.1.2.3',
					headers,
				} );
			for ( const headers of [
				{} as Record< string, string >,
				{ authorization: 'Bearer wrong-token-0123456789abcdef' },
				{ authorization: `Bearer ${ token }x` },
				{ authorization: `Bearer ${ token.slice( 0, -1 ) }` },
				{
					authorization: `Basic ${ Buffer.from( `u:${ token }` ).toString( 'base64' ) }`,
				},
				{ authorization: token },
			] ) {
				const refused = await scrape( headers );
				expectError( refused, 401, 'unauthorized' );
				expect( refused.headers.get( 'www-authenticate' ) ).toBe(
					'Bearer realm="mfk-sidecar"'
				);
				expect( JSON.stringify( refused.body ) ).not.toContain( token );
			}
			// Loopback is no exception once a token is configured.
			const local = await send( app, { method: 'GET', url: '/metrics' } );
			expect( local.status ).toBe( 401 );

			const allowed = await scrape( {
				authorization: `Bearer ${ token }`,
			} );
			expect( allowed.status ).toBe( 200 );
			expect( allowed.body ).toMatch(
				/^process_resident_memory_bytes \d+$/m
			);
			// The other unsigned routes stay open.
			expect(
				( await send( app, { method: 'GET', url: '/healthz' } ) ).status
			).toBe( 200 );
		} finally {
			await app.close();
		}
	} );

	test( 'unknown routes are not_found, wrong methods method_not_allowed', async () => {
		expectError(
			await rig.call( '/v1/nothing-here', {} ),
			404,
			'not_found'
		);
		const wrong = await rig.send( {
			method: 'GET',
			url: '/v1/meetings/ensure',
		} );
		expect( wrong.status ).toBe( 405 );
		expect( wrong.headers.get( 'allow' ) ).toBe( 'POST' );
		expect( wrong.body.code ).toBe( 'method_not_allowed' );
	} );

	test( "every answer carries a request id (the caller's, when given)", async () => {
		const answer = await rig.call(
			'/v1/ping',
			{},
			{ headers: { 'x-request-id': 'wp-req-123' } }
		);
		expect( answer.headers.get( 'x-request-id' ) ).toBe( 'wp-req-123' );
		const generated = await rig.call(
			'/v1/ping',
			{},
			{ headers: { 'x-request-id': 'bad id with spaces' } }
		);
		expect( generated.headers.get( 'x-request-id' ) ).toMatch(
			/^[0-9a-f-]{36}$/
		);
	} );
} );

describe( 'malformed input never crashes and gets a clear 4xx', () => {
	const base = () => ( {
		siteId: rig.siteId,
		client: rig.client,
		credential,
		appointmentId: 9001,
		...times( '2031-05-01T09:00:00Z' ),
	} );

	test( 'malformed JSON', async () => {
		const answer = await rig.call( '/v1/meetings/ensure', undefined, {
			rawBody: '{"siteId": "abc", ',
		} );
		expectError( answer, 400, 'invalid_request' );
		expect( answer.body.message ).toMatch( /not valid JSON/ );
	} );

	test.each( [
		'{"__proto__": {"polluted": true}}',
		'{"a": {"constructor": {"prototype": {"polluted": true}}}}',
		// The same key spelled with JSON escapes.
		'{"\\u005f_proto__": {"polluted": true}}',
		'{"__pro\\u0074o__": {"polluted": true}}',
	] )( 'prototype-polluting keys are refused: %s', async ( rawBody ) => {
		const answer = await rig.call( '/v1/ping', undefined, { rawBody } );
		expectError( answer, 400, 'invalid_request' );
		expect( ( {} as Record< string, unknown > ).polluted ).toBeUndefined();
	} );

	test( 'a body that is not JSON', async () => {
		const headers = signedHeaders( SHARED_SECRET, {
			method: 'POST',
			path: '/v1/ping',
			body: 'a=b',
		} );
		const res = await rig.send( {
			method: 'POST',
			url: '/v1/ping',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				...headers,
			},
			payload: 'a=b',
		} );
		expect( res.status ).toBe( 415 );
		expect( res.body.code ).toBe( 'unsupported_media_type' );
	} );

	test( 'an oversized body', async () => {
		const big = JSON.stringify( {
			...base(),
			description: 'x'.repeat( 300 * 1024 ),
		} );
		const answer = await rig.call( '/v1/meetings/ensure', undefined, {
			rawBody: big,
		} );
		expectError( answer, 413, 'payload_too_large' );
	} );

	test.each( [
		[
			'missing fields',
			{},
			[
				'/siteId',
				'/client',
				'/credential',
				'/appointmentId',
				'/start',
				'/end',
			],
		],
		[
			'wrong types',
			{ appointmentId: '42', revision: 'zero', waitMs: true },
			[ '/appointmentId', '/revision', '/waitMs' ],
		],
		[
			'negative appointment id',
			{ appointmentId: -4 },
			[ '/appointmentId' ],
		],
		[
			'fractional appointment id',
			{ appointmentId: 4.5 },
			[ '/appointmentId' ],
		],
		[ 'unsafe integer', { appointmentId: 2 ** 60 }, [ '/appointmentId' ] ],
		[ 'waitMs out of range', { waitMs: 60000 }, [ '/waitMs' ] ],
		[
			'sendUpdates not an option',
			{ sendUpdates: 'everyone' },
			[ '/sendUpdates' ],
		],
		[
			'attendee without e-mail',
			{ attendees: [ { displayName: 'P' } ] },
			[ '/attendees/0/email' ],
		],
		[
			'site id with markup',
			{ siteId: '<script>alert(1)</script>' },
			[ '/siteId' ],
		],
		[
			'end before start',
			{ end: { dateTime: '2031-05-01T08:00:00Z', timeZone: 'UTC' } },
			[ '/end/dateTime' ],
		],
		[
			'unknown time zone',
			{
				start: {
					dateTime: '2031-05-01T09:00:00Z',
					timeZone: 'Atlantis/Capital',
				},
			},
			[ '/start/timeZone' ],
		],
		[
			'date-time without offset',
			{ start: { dateTime: '2031-05-01T09:00:00', timeZone: 'UTC' } },
			[ '/start/dateTime' ],
		],
		[
			'impossible date',
			{ start: { dateTime: '2031-02-30T09:00:00Z', timeZone: 'UTC' } },
			[ '/start/dateTime' ],
		],
		[ 'body not an object', [ 1, 2 ], [ '/' ] ],
	] )( 'ensure with %s', async ( _name, change, paths ) => {
		let body: unknown = change;
		if ( ! Array.isArray( change ) ) {
			body =
				Object.keys( change ).length === 0
					? {}
					: { ...base(), ...change };
		}
		const answer = await rig.call( '/v1/meetings/ensure', body );
		expectError( answer, 400, 'invalid_request' );
		expect(
			answer.body.data.errors.map( ( e: { path: string } ) => e.path )
		).toEqual( expect.arrayContaining( paths ) );
		for ( const e of answer.body.data.errors ) {
			expect( e.message ).toEqual( expect.any( String ) );
		}
	} );

	test.each( [
		[
			'seal without a secret',
			'/v1/oauth/client/seal',
			{ siteId: 'short' },
		],
		[
			'authorize-url with a javascript: redirect',
			'/v1/oauth/authorize-url',
			{
				siteId: 'site-0000-0001',
				client: { clientId: 'x' },
				redirectUri: 'javascript:alert(1)',
				state: '',
			},
		],
		[
			'exchange without code',
			'/v1/oauth/exchange',
			{
				siteId: 'site-0000-0001',
				client: 'nope',
				redirectUri: 'https://x.test/cb',
			},
		],
		[
			'revoke without credential',
			'/v1/oauth/revoke',
			{ siteId: 'site-0000-0001' },
		],
		[
			'connection test with wrong types',
			'/v1/connection/test',
			{
				siteId: 'site-0000-0001',
				client: { clientId: '', clientSecret: '' },
				probe: 'yes',
			},
		],
		[
			'reschedule of appointment 0',
			'/v1/meetings/reschedule',
			{ siteId: 'site-0000-0001', appointmentId: 0 },
		],
		[
			'cancel with null id',
			'/v1/meetings/cancel',
			{ appointmentId: null },
		],
		[ 'get with a numeric site id', '/v1/meetings/get', { siteId: 12 } ],
		[ 'an empty batch', '/v1/batch', { operations: [] } ],
		[
			'a batch of 101 operations',
			'/v1/batch',
			{ operations: new Array( 101 ).fill( { op: 'get', id: 'x' } ) },
		],
		[
			'a batch with an unknown operation',
			'/v1/batch',
			{ operations: [ { op: 'delete-everything', id: '1' } ] },
		],
	] )( 'refuses %s', async ( _name, path, body ) => {
		const answer = await rig.call( path, body );
		expectError( answer, 400, 'invalid_request' );
		expect( answer.body.data.errors.length ).toBeGreaterThan( 0 );
	} );

	test( 'garbage credentials and client secrets are credential_invalid; blobs that do not open, seal_key_unknown', async () => {
		expectError(
			await rig.call( '/v1/meetings/get', {
				...base(),
				credential: 'mfk1.k1.AAAA.BBBB',
			} ),
			400,
			'credential_invalid'
		);
		expectError(
			await rig.call( '/v1/meetings/get', {
				...base(),
				client: { ...rig.client, clientSecret: 'plain-text-secret' },
			} ),
			400,
			'credential_invalid'
		);
		// A credential of another site does not open here: to the keyring it is a blob it cannot
		// authenticate, like one sealed under a replaced key. The client secret is opened first.
		const foreign = await rig.call( '/v1/meetings/get', {
			...base(),
			siteId: '11111111-2222-4333-8444-555555555555',
		} );
		expectError( foreign, 400, 'seal_key_unknown' );
		expect( foreign.body.data ).toMatchObject( {
			sealed: 'client_secret',
			kid: 'k1',
		} );
	} );

	test( 'the sidecar still answers after all of this', async () => {
		expect( ( await rig.call( '/v1/ping', {} ) ).status ).toBe( 200 );
	} );
} );

describe( 'logs', () => {
	test( 'one structured JSON line per request, with no secret in any line', async () => {
		const lines = rig.logs.lines.map(
			( l ) => JSON.parse( l ) as Record< string, unknown >
		);
		const requests = lines.filter( ( l ) => l.msg === 'request' );
		expect( requests.length ).toBeGreaterThan( 20 );
		expect( requests[ 0 ] ).toEqual(
			expect.objectContaining( {
				level: expect.any( Number ),
				reqId: expect.any( String ),
				method: expect.any( String ),
				route: expect.any( String ),
				status: expect.any( Number ),
				code: expect.any( String ),
				ms: expect.any( Number ),
			} )
		);
		const text = rig.logs.text;
		const tokens = (
			await rig.control< { tokens: { token: string }[] } >(
				'GET',
				'/tokens'
			)
		).tokens.map( ( t ) => t.token );
		expect( tokens.length ).toBeGreaterThan( 1 );
		for ( const secret of [
			SHARED_SECRET,
			'demo-client-secret',
			credential,
			rig.client.clientSecret,
			...tokens,
		] ) {
			expect( text ).not.toContain( secret );
		}
	} );
} );
