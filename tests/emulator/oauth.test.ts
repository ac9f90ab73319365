/**
 * The emulator's OAuth 2.0 / OpenID endpoints (src/emulator/oauth/): code and refresh grants,
 * ID tokens and their keys, client authentication, revocation, userinfo and tokeninfo, the
 * authorization endpoint's checks and the consent page, with Google's wording of every error.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { RunningEmulator } from '../../src/emulator';
import {
	CLIENT_ID,
	connect,
	consent,
	control,
	EVENTS,
	failure,
	oauth,
	REDIRECT,
	SECRET,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let google: RunningEmulator;
let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { google, calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'OAuth endpoints', () => {
	test( 'code exchange gives access, refresh and ID tokens; the ID token carries the e-mail', async () => {
		const { tokens } = await connect( 'oauth-one@example.test' );
		expect( tokens.access_token ).toMatch( /^ya29\./ );
		expect( tokens.refresh_token ).toMatch( /^1\/\// );
		expect( tokens.scope?.split( ' ' ) ).toEqual(
			expect.arrayContaining( [
				'openid',
				EVENTS,
				'https://www.googleapis.com/auth/userinfo.email',
			] )
		);
		const claims = JSON.parse(
			Buffer.from(
				( tokens.id_token as string ).split( '.' )[ 1 ] as string,
				'base64url'
			).toString()
		);
		expect( claims ).toMatchObject( {
			iss: 'https://accounts.google.com',
			aud: CLIENT_ID,
			email: 'oauth-one@example.test',
			email_verified: true,
		} );
	} );

	test( 'the ID token verifies against the published keys', async () => {
		const { tokens } = await connect( 'oauth-verify@example.test' );
		const { keys } = await (
			await fetch( `${ google.url }/oauth2/v3/certs` )
		).json();
		const { createPublicKey, createVerify } = await import( 'node:crypto' );
		const [ header, payload, signature ] = (
			tokens.id_token as string
		 ).split( '.' ) as [ string, string, string ];
		const kid = JSON.parse(
			Buffer.from( header, 'base64url' ).toString()
		).kid;
		const key = createPublicKey( {
			key: keys.find( ( k: { kid: string } ) => k.kid === kid ),
			format: 'jwk',
		} );
		expect(
			createVerify( 'RSA-SHA256' )
				.update( `${ header }.${ payload }` )
				.verify( key, Buffer.from( signature, 'base64url' ) )
		).toBe( true );
	} );

	test( 'token endpoint errors as Google words them', async () => {
		const post = async ( params: Record< string, string > ) => {
			const res = await fetch( `${ google.url }/token`, {
				method: 'POST',
				body: new URLSearchParams( params ),
			} );
			return { status: res.status, body: await res.json() };
		};
		expect(
			await post( {
				grant_type: 'refresh_token',
				refresh_token: 'x',
				client_id: 'unknown',
				client_secret: 'x',
			} )
		).toEqual( {
			status: 401,
			body: {
				error: 'invalid_client',
				error_description: 'The OAuth client was not found.',
			},
		} );
		expect(
			await post( {
				grant_type: 'refresh_token',
				refresh_token: 'x',
				client_id: CLIENT_ID,
				client_secret: 'wrong',
			} )
		).toEqual( {
			status: 401,
			body: {
				error: 'invalid_client',
				error_description: 'Unauthorized',
			},
		} );
		expect(
			await post( {
				grant_type: 'refresh_token',
				refresh_token: 'x',
				client_id: CLIENT_ID,
				client_secret: SECRET,
			} )
		).toEqual( {
			status: 400,
			body: {
				error: 'invalid_grant',
				error_description: 'Token has been expired or revoked.',
			},
		} );
		expect(
			await post( {
				grant_type: 'authorization_code',
				code: 'bogus',
				client_id: CLIENT_ID,
				client_secret: SECRET,
				redirect_uri: REDIRECT,
			} )
		).toEqual( {
			status: 400,
			body: {
				error: 'invalid_grant',
				error_description: 'Malformed auth code.',
			},
		} );
		expect(
			(
				await post( {
					grant_type: 'password',
					client_id: CLIENT_ID,
					client_secret: SECRET,
				} )
			).body.error
		).toBe( 'unsupported_grant_type' );
	} );

	test( 'client authentication with HTTP Basic works too', async () => {
		const { tokens } = await connect( 'basic-auth@example.test' );
		const res = await fetch( `${ google.url }/token`, {
			method: 'POST',
			headers: {
				authorization: `Basic ${ Buffer.from( `${ CLIENT_ID }:${ SECRET }` ).toString( 'base64' ) }`,
			},
			body: new URLSearchParams( {
				grant_type: 'refresh_token',
				refresh_token: tokens.refresh_token as string,
			} ),
		} );
		expect( res.status ).toBe( 200 );
		expect( ( await res.json() ).refresh_token ).toBeUndefined(); // no new refresh token on refresh
	} );

	test( 'a refresh token of one client does not work for another', async () => {
		const { tokens } = await connect( 'two-clients@example.test' );
		const res = await fetch( `${ google.url }/token`, {
			method: 'POST',
			body: new URLSearchParams( {
				grant_type: 'refresh_token',
				refresh_token: tokens.refresh_token as string,
				client_id: 'second-client',
				client_secret: 'second-secret',
			} ),
		} );
		expect( await res.json() ).toEqual( {
			error: 'unauthorized_client',
			error_description: 'Unauthorized',
		} );
	} );

	test( 'revoking any token of a grant revokes all of it; revoking again is invalid_token', async () => {
		const { client, tokens } = await connect( 'revoke-me@example.test' );
		await client.revokeToken( tokens.access_token as string );
		const refreshed = await failure( client.refreshAccessToken() );
		expect( refreshed ).toMatchObject( {
			status: 400,
			reason: 'invalid_grant',
		} );
		const again = await fetch(
			`${ google.url }/revoke?token=${ encodeURIComponent( tokens.refresh_token as string ) }`,
			{ method: 'POST' }
		);
		expect( again.status ).toBe( 400 );
		expect( await again.json() ).toEqual( {
			error: 'invalid_token',
			error_description: 'Token expired or revoked',
		} );
		expect(
			(
				await failure(
					calendar.events.list( {
						calendarId: 'primary',
						auth: client,
					} )
				)
			).status
		).toBe( 401 );
	} );

	test( 'without prompt=consent a second grant gets no new refresh token', async () => {
		await connect( 'second-consent@example.test' );
		const client = oauth();
		const code = await consent(
			client.generateAuthUrl( {
				access_type: 'offline',
				scope: [ 'openid', EVENTS ],
			} ),
			'second-consent@example.test'
		);
		const { tokens } = await client.getToken( code );
		expect( tokens.access_token ).toBeDefined();
		expect( tokens.refresh_token ).toBeUndefined();
	} );

	test( 'userinfo and tokeninfo', async () => {
		const { tokens } = await connect( 'who-am-i@example.test' );
		const info = await fetch( `${ google.url }/v1/userinfo`, {
			headers: { authorization: `Bearer ${ tokens.access_token }` },
		} );
		expect( await info.json() ).toEqual( {
			sub: expect.stringMatching( /^\d+$/ ),
			email: 'who-am-i@example.test',
			email_verified: true,
		} );
		expect( ( await fetch( `${ google.url }/v1/userinfo` ) ).status ).toBe(
			401
		);
		const ti = await (
			await fetch(
				`${ google.url }/tokeninfo?access_token=${ tokens.access_token }`
			)
		).json();
		expect( ti ).toMatchObject( {
			aud: CLIENT_ID,
			email: 'who-am-i@example.test',
			scope: expect.stringContaining( EVENTS ),
		} );
	} );

	test( 'the authorization endpoint refuses unknown clients and unregistered redirect URIs', async () => {
		const unknown = await fetch(
			`${ google.url }/o/oauth2/v2/auth?client_id=nobody&redirect_uri=${ encodeURIComponent( REDIRECT ) }&response_type=code&scope=openid`
		);
		expect( unknown.status ).toBe( 401 );
		expect( await unknown.text() ).toContain( 'invalid_client' );
		await control( 'POST', '/clients', {
			clientId: 'strict-client',
			clientSecret: 's',
			redirectUris: [ 'https://clinic.example/cb' ],
		} );
		const mismatch = await fetch(
			`${ google.url }/o/oauth2/v2/auth?client_id=strict-client&redirect_uri=${ encodeURIComponent( 'https://evil.example/cb' ) }&response_type=code&scope=openid`
		);
		expect( mismatch.status ).toBe( 400 );
		expect( await mismatch.text() ).toContain( 'redirect_uri_mismatch' );
		// No open redirect: the error page is shown instead of sending the browser anywhere.
		expect( mismatch.headers.get( 'location' ) ).toBeNull();
	} );

	test( 'the consent page escapes what it shows', async () => {
		const url = `${ google.url }/o/oauth2/v2/auth?client_id=${ CLIENT_ID }&redirect_uri=${ encodeURIComponent( REDIRECT ) }&response_type=code&scope=openid&login_hint=${ encodeURIComponent( '"><script>alert(1)</script>@x.test' ) }`;
		const html = await ( await fetch( url ) ).text();
		expect( html ).not.toContain( '<script>alert(1)</script>' );
		expect( html ).toContain( '&lt;script&gt;' );
	} );
} );
