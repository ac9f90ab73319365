/**
 * Connecting a doctor (consent, code exchange), token refresh, revocation, key rotation.
 */
import { randomBytes } from 'node:crypto';
import { buildApp, loadConfig } from '../../../../src/sidecar';
import {
	CLIENT_ID,
	consent,
	REDIRECT_URI,
	SHARED_SECRET,
	signedCall,
	startRig,
	times,
	type Rig,
} from '../../support';

let rig: Rig;
let seq = 500;

beforeAll( async () => {
	rig = await startRig();
} );
afterAll( async () => rig.close() );

const meeting = (
	credential: string,
	over: Record< string, unknown > = {}
) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential,
	appointmentId: seq++,
	...times( '2031-06-01T10:00:00Z' ),
	...over,
} );
const counters = async () =>
	(
		await rig.control< { counters: Record< string, number > } >(
			'GET',
			'/counters'
		)
	).counters;
const authorizeUrl = async ( state = 'state-123', loginHint?: string ) =>
	(
		await rig.call( '/v1/oauth/authorize-url', {
			siteId: rig.siteId,
			client: rig.client,
			redirectUri: REDIRECT_URI,
			state,
			...( loginHint ? { loginHint } : {} ),
		} )
	).body.url as string;

describe( 'consent and code exchange', () => {
	test( 'the client secret is sealed for the site and never echoed', async () => {
		const answer = await rig.call( '/v1/oauth/client/seal', {
			siteId: rig.siteId,
			clientSecret: 'demo-client-secret',
		} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body.clientSecret ).toMatch( /^mfk1\.k1\./ );
		expect( JSON.stringify( answer.body ) ).not.toContain(
			'demo-client-secret'
		);
	} );

	test( 'the consent URL asks for offline access, forced consent and the least scope', async () => {
		const url = new URL(
			await authorizeUrl( 'state-abc', 'doctor@example.test' )
		);
		expect( `${ url.origin }${ url.pathname }` ).toBe(
			`${ rig.google.url }/o/oauth2/v2/auth`
		);
		expect( Object.fromEntries( url.searchParams ) ).toEqual( {
			response_type: 'code',
			client_id: CLIENT_ID,
			redirect_uri: REDIRECT_URI,
			access_type: 'offline',
			prompt: 'consent',
			include_granted_scopes: 'true',
			scope: 'openid email https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/meetings.space.settings https://www.googleapis.com/auth/meetings.space.readonly',
			state: 'state-abc',
			login_hint: 'doctor@example.test',
		} );
		expect( url.toString() ).not.toContain( 'demo-client-secret' );
	} );

	test( "the emulator's consent page is prefilled from login_hint", async () => {
		const html = await (
			await fetch( await authorizeUrl( 's', 'hinted@example.test' ) )
		).text();
		expect( html ).toMatch(
			/<input id="email" name="email" type="email" value="hinted@example.test"/
		);
		const plain = await ( await fetch( await authorizeUrl( 's' ) ) ).text();
		expect( plain ).toMatch(
			/<input id="email" name="email" type="email" value="doctor@example.test"/
		);
		expect( plain ).toMatch( />Allow<\/button>/ );
		expect( plain ).toMatch( />Deny<\/button>/ );
	} );

	test( 'exchange returns a sealed credential, the account and the scopes', async () => {
		const doctor = await rig.connect( 'Exchange.Doctor@example.test' );
		expect( doctor.email ).toBe( 'exchange.doctor@example.test' );
		expect( doctor.scopes ).toEqual(
			expect.arrayContaining( [
				'https://www.googleapis.com/auth/calendar.events',
				'openid',
			] )
		);
		expect( doctor.credential ).toMatch( /^mfk1\.k1\./ );
		const tokens = (
			await rig.control< { tokens: { token: string }[] } >(
				'GET',
				`/tokens?email=${ encodeURIComponent( doctor.email ) }`
			)
		).tokens;
		for ( const t of tokens ) {
			expect( doctor.credential ).not.toContain( t.token );
		}
	} );

	test( 'a code is single-use; a made-up code is refused', async () => {
		const code = await consent( await authorizeUrl(), 'once@example.test' );
		const exchange = ( c: string ) =>
			rig.call( '/v1/oauth/exchange', {
				siteId: rig.siteId,
				client: rig.client,
				redirectUri: REDIRECT_URI,
				code: c,
			} );
		expect( ( await exchange( code ) ).status ).toBe( 200 );
		const reused = await exchange( code );
		expect( reused.status ).toBe( 400 );
		expect( reused.body ).toMatchObject( {
			code: 'invalid_request',
			data: { googleReason: 'invalid_grant' },
		} );
		expect( ( await exchange( 'made-up' ) ).body.code ).toBe(
			'invalid_request'
		);
	} );

	test( 'the redirect URI must be the one of the consent', async () => {
		const code = await consent(
			await authorizeUrl(),
			'redirect@example.test'
		);
		const answer = await rig.call( '/v1/oauth/exchange', {
			siteId: rig.siteId,
			client: rig.client,
			redirectUri: 'https://evil.example/cb',
			code,
		} );
		expect( answer.body ).toMatchObject( {
			code: 'invalid_request',
			data: { googleReason: 'redirect_uri_mismatch' },
		} );
	} );

	test( 'a wrong client secret is client_invalid', async () => {
		const wrong = (
			await rig.call( '/v1/oauth/client/seal', {
				siteId: rig.siteId,
				clientSecret: 'not-the-secret',
			} )
		).body.clientSecret;
		const code = await consent(
			await authorizeUrl(),
			'client@example.test'
		);
		const answer = await rig.call( '/v1/oauth/exchange', {
			siteId: rig.siteId,
			client: { clientId: CLIENT_ID, clientSecret: wrong },
			redirectUri: REDIRECT_URI,
			code,
		} );
		expect( answer.status ).toBe( 400 );
		expect( answer.body ).toMatchObject( {
			code: 'client_invalid',
			data: { retryable: false },
		} );
	} );

	test( 'a doctor who unticks calendar access gets insufficient_scope, and the useless grant is revoked', async () => {
		const email = 'no-calendar@example.test';
		const code = await consent( await authorizeUrl(), email, [
			'calendar.events',
		] );
		const answer = await rig.call( '/v1/oauth/exchange', {
			siteId: rig.siteId,
			client: rig.client,
			redirectUri: REDIRECT_URI,
			code,
		} );
		expect( answer.status ).toBe( 403 );
		expect( answer.body.code ).toBe( 'insufficient_scope' );
		const tokens = (
			await rig.control< { tokens: { valid: boolean }[] } >(
				'GET',
				`/tokens?email=${ encodeURIComponent( email ) }`
			)
		).tokens;
		expect( tokens.length ).toBeGreaterThan( 0 );
		expect( tokens.every( ( t ) => ! t.valid ) ).toBe( true );
	} );

	test( 'Deny on the consent page sends the doctor back with access_denied and the state', async () => {
		const back = await consent(
			await authorizeUrl( 'state-deny' ),
			'deny@example.test',
			[],
			'deny'
		).then(
			() => new URL( 'about:blank' ),
			( e: { redirect: URL } ) => e.redirect
		);
		expect( back.searchParams.get( 'error' ) ).toBe( 'access_denied' );
		expect( back.searchParams.get( 'state' ) ).toBe( 'state-deny' );
		expect( back.searchParams.get( 'code' ) ).toBeNull();
	} );
} );

describe( 'access tokens', () => {
	test( 'the credential caches the access token: no refresh while it is valid', async () => {
		const doctor = await rig.connect();
		const before = ( await counters() )[ 'oauth.token.refresh' ] ?? 0;
		const answer = await rig.call(
			'/v1/meetings/ensure',
			meeting( doctor.credential )
		);
		expect( answer.status ).toBe( 200 );
		expect( answer.body.credential ).toBeUndefined(); // nothing changed
		expect( ( await counters() )[ 'oauth.token.refresh' ] ?? 0 ).toBe(
			before
		);
	} );

	test( 'an access token Google no longer accepts is refreshed once, and the new credential returned', async () => {
		const doctor = await rig.connect();
		await rig.control( 'POST', '/tokens/expire', { email: doctor.email } );
		const before = ( await counters() )[ 'oauth.token.refresh' ] ?? 0;
		const answer = await rig.call(
			'/v1/meetings/ensure',
			meeting( doctor.credential )
		);
		expect( answer.status ).toBe( 200 );
		expect( answer.body.status ).toBe( 'ready' );
		expect( answer.body.credential ).toMatch( /^mfk1\.k1\./ );
		expect( answer.body.credential ).not.toBe( doctor.credential );
		expect( ( await counters() )[ 'oauth.token.refresh' ] ).toBe(
			before + 1
		);

		// The new credential's token is used as is; the old one is refreshed from this replica's cache.
		const next = await rig.call(
			'/v1/meetings/ensure',
			meeting( answer.body.credential )
		);
		expect( next.status ).toBe( 200 );
		expect( next.body.credential ).toBeUndefined();
		const stale = await rig.call(
			'/v1/meetings/ensure',
			meeting( doctor.credential )
		);
		expect( stale.status ).toBe( 200 );
		expect( ( await counters() )[ 'oauth.token.refresh' ] ).toBe(
			before + 1
		);
	} );

	test( 'concurrent calls with an expired token share one refresh', async () => {
		const doctor = await rig.connect();
		await rig.control( 'POST', '/tokens/expire', { email: doctor.email } );
		const before = ( await counters() )[ 'oauth.token.refresh' ] ?? 0;
		const answers = await Promise.all(
			Array.from( { length: 6 }, () =>
				rig.call( '/v1/meetings/ensure', meeting( doctor.credential ) )
			)
		);
		expect( answers.every( ( a ) => a.status === 200 ) ).toBe( true );
		expect( ( await counters() )[ 'oauth.token.refresh' ] ).toBe(
			before + 1
		);
	} );

	test( 'a credential whose cached token has run out is refreshed before the call', async () => {
		await rig.control( 'PATCH', '/config', { accessTokenTtlSeconds: 30 } ); // inside the sidecar's 60 s margin
		try {
			const doctor = await rig.connect();
			const before = ( await counters() )[ 'oauth.token.refresh' ] ?? 0;
			const answer = await rig.call(
				'/v1/meetings/ensure',
				meeting( doctor.credential )
			);
			expect( answer.status ).toBe( 200 );
			expect( answer.body.credential ).toEqual( expect.any( String ) );
			expect( ( await counters() )[ 'oauth.token.refresh' ] ).toBe(
				before + 1
			);
		} finally {
			await rig.control( 'PATCH', '/config', {
				accessTokenTtlSeconds: 3599,
			} );
		}
	} );
} );

describe( 'revocation', () => {
	test( 'revoke through the sidecar: Google forgets the grant, later calls are token_revoked', async () => {
		const doctor = await rig.connect();
		const revoked = await rig.call( '/v1/oauth/revoke', {
			siteId: rig.siteId,
			client: rig.client,
			credential: doctor.credential,
		} );
		expect( revoked.body ).toEqual( { revoked: true } );
		const tokens = (
			await rig.control< { tokens: { valid: boolean }[] } >(
				'GET',
				`/tokens?email=${ encodeURIComponent( doctor.email ) }`
			)
		).tokens;
		expect( tokens.every( ( t ) => ! t.valid ) ).toBe( true );
		// Revoking again is success.
		expect(
			(
				await rig.call( '/v1/oauth/revoke', {
					siteId: rig.siteId,
					client: rig.client,
					credential: doctor.credential,
				} )
			).body
		).toEqual( { revoked: true } );
		const after = await rig.call(
			'/v1/meetings/ensure',
			meeting( doctor.credential )
		);
		expect( after.status ).toBe( 401 );
		expect( after.body ).toMatchObject( {
			code: 'token_revoked',
			data: { status: 401, retryable: false },
		} );
	} );

	test( 'revoked in Google (password change, app removed): token_revoked, no retry of invalid_grant', async () => {
		const doctor = await rig.connect();
		await rig.control(
			'POST',
			`/accounts/${ encodeURIComponent( doctor.email ) }/revoke`
		);
		const before = ( await counters() )[ 'oauth.token.refresh' ] ?? 0;
		const answer = await rig.call(
			'/v1/meetings/ensure',
			meeting( doctor.credential )
		);
		expect( answer.status ).toBe( 401 );
		expect( answer.body ).toMatchObject( {
			code: 'token_revoked',
			data: { googleReason: 'invalid_grant' },
		} );
		expect( answer.body.credential ).toBeUndefined();
		expect( ( await counters() )[ 'oauth.token.refresh' ] ).toBe(
			before + 1
		);
	} );

	test( 'refresh tokens of an app in "Testing" status expire: token_revoked', async () => {
		await rig.control( 'PATCH', '/config', {
			refreshTokenTtlSeconds: 1,
			accessTokenTtlSeconds: 1,
		} );
		try {
			const doctor = await rig.connect();
			await new Promise( ( r ) => setTimeout( r, 1100 ) );
			const answer = await rig.call(
				'/v1/meetings/get',
				meeting( doctor.credential )
			);
			expect( answer.body.code ).toBe( 'token_revoked' );
		} finally {
			await rig.control( 'PATCH', '/config', {
				refreshTokenTtlSeconds: null,
				accessTokenTtlSeconds: 3599,
			} );
		}
	} );

	test( 'a credential used with another OAuth client is token_revoked (reconnect needed)', async () => {
		const doctor = await rig.connect();
		const other = {
			clientId: 'another-client.apps.googleusercontent.com',
			clientSecret: rig.client.clientSecret,
		};
		const answer = await rig.call( '/v1/meetings/get', {
			...meeting( doctor.credential ),
			client: other,
		} );
		expect( answer.body.code ).toBe( 'token_revoked' );
	} );
} );

describe( 'sealing key rotation', () => {
	test( 'a credential sealed under an older key works and comes back re-sealed under the current one', async () => {
		const doctor = await rig.connect();
		const oldKeys = rig.context.config.sealKeys[ 0 ] as {
			kid: string;
			key: Buffer;
		};
		const rotated = buildApp(
			loadConfig( {
				MFK_SIDECAR_PORT: '0',
				MFK_SHARED_SECRET: SHARED_SECRET,
				MFK_SEAL_KEYS: `k2:${ randomBytes( 32 ).toString( 'base64' ) },k1:${ oldKeys.key.toString( 'base64' ) }`,
				MFK_LOG_LEVEL: 'silent',
				...rig.google.sidecarEnv(),
			} )
		);
		try {
			const res = await signedCall(
				rotated,
				'/v1/meetings/ensure',
				meeting( doctor.credential )
			);
			const answer = res.body;
			expect( res.status ).toBe( 200 );
			expect( answer.credential ).toMatch( /^mfk1\.k2\./ );
			// The re-sealed credential keeps working on the rotated sidecar: no reconnect.
			const again = await signedCall(
				rotated,
				'/v1/meetings/ensure',
				meeting( answer.credential )
			);
			expect( again.status ).toBe( 200 );
			expect( again.body.credential ).toBeUndefined();
			// The client secret sealed under k1 opened too; the sidecar with only k1 cannot open k2 blobs.
			const back = await rig.call( '/v1/meetings/get', {
				...meeting( answer.credential ),
				appointmentId: 1,
			} );
			expect( back.body ).toMatchObject( {
				code: 'seal_key_unknown',
				data: { sealed: 'credential', kid: 'k2' },
			} );
		} finally {
			await rotated.close();
		}
	} );

	test( 'a key replaced under the same id: seal_key_unknown for the client secret and every credential; the check route counts them without Google', async () => {
		const first = await rig.connect();
		const second = await rig.connect();
		const replaced = rig.sidecarWith( {
			MFK_SEAL_KEYS: `k1:${ randomBytes( 32 ).toString( 'base64' ) }`,
		} );
		const before = await counters();
		try {
			const ensure = await signedCall(
				replaced,
				'/v1/meetings/ensure',
				meeting( first.credential )
			);
			expect( ensure.status ).toBe( 400 );
			expect( ensure.body ).toMatchObject( {
				code: 'seal_key_unknown',
				message: expect.stringMatching( /MFK_SEAL_KEYS/ ),
				data: {
					status: 400,
					retryable: false,
					sealed: 'client_secret',
					kid: 'k1',
				},
			} );
			const checked = await signedCall( replaced, '/v1/sealed/check', {
				siteId: rig.siteId,
				clientSecret: rig.client.clientSecret,
				credentials: [ first.credential, second.credential, 'garbage' ],
			} );
			expect( checked.status ).toBe( 200 );
			expect( checked.body ).toEqual( {
				clientSecret: {
					ok: false,
					code: 'seal_key_unknown',
					kid: 'k1',
				},
				credentials: [
					{ ok: false, code: 'seal_key_unknown', kid: 'k1' },
					{ ok: false, code: 'seal_key_unknown', kid: 'k1' },
					{ ok: false, code: 'credential_invalid' },
				],
				currentKid: 'k1',
			} );
		} finally {
			await replaced.close();
		}
		// The sidecar holding the key opens them all, and nobody called Google for any of this.
		const fine = await rig.call( '/v1/sealed/check', {
			siteId: rig.siteId,
			clientSecret: rig.client.clientSecret,
			credentials: [ first.credential ],
		} );
		expect( fine.body ).toEqual( {
			clientSecret: { ok: true, kid: 'k1', stale: false },
			credentials: [ { ok: true, kid: 'k1', stale: false } ],
			currentKid: 'k1',
		} );
		expect( await counters() ).toEqual( before );
	} );

	test( 'the check route is signed and bounded', async () => {
		const unsigned = await rig.send( {
			method: 'POST',
			url: '/v1/sealed/check',
			headers: { 'content-type': 'application/json' },
			payload: JSON.stringify( { siteId: rig.siteId } ),
		} );
		expect( unsigned.status ).toBe( 401 );
		const tooMany = await rig.call( '/v1/sealed/check', {
			siteId: rig.siteId,
			credentials: Array.from( { length: 201 }, () => 'x' ),
		} );
		expect( tooMany.status ).toBe( 400 );
		expect( tooMany.body.code ).toBe( 'invalid_request' );
		const empty = await rig.call( '/v1/sealed/check', {
			siteId: rig.siteId,
		} );
		expect( empty.body ).toEqual( { credentials: [], currentKid: 'k1' } );
	} );
} );
