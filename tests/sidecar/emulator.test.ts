/**
 * The Google emulator on its own, driven by the real Google client libraries (as the sidecar
 * uses them) and by plain HTTP: Google's documented behaviour on the paths the product uses,
 * Google's error formats, and the control API.
 */
import { calendar_v3 } from '@googleapis/calendar/build/v3';
import { OAuth2Client } from 'google-auth-library';
import {
	quotaFloorSeconds,
	startEmulator,
	type RunningEmulator,
} from '../../src/emulator';
import { createHttpFetch } from '../../src/sidecar/google/http-fetch';
import { consent } from './support';

const CLIENT_ID = 'demo-client.apps.googleusercontent.com';
const SECRET = 'demo-client-secret';
const REDIRECT = 'http://127.0.0.1/callback';
const EVENTS = 'https://www.googleapis.com/auth/calendar.events';

let google: RunningEmulator;
let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	google = await startEmulator( {
		port: 0,
		clients: `${ CLIENT_ID }:${ SECRET },second-client:second-secret`,
	} );
	calendar = new calendar_v3.Calendar( {
		rootUrl: `${ google.url }/`,
		retry: false,
	} );
} );
afterAll( async () => google.close() );

// The client libraries' default transport imports node-fetch dynamically, which jest cannot do;
// the sidecar's own transport stands in (as in production).
const http = createHttpFetch();
afterAll( () => http.close() );
const oauth = () =>
	new OAuth2Client( {
		transporterOptions: { fetchImplementation: http.fetch as never },
		clientId: CLIENT_ID,
		clientSecret: SECRET,
		redirectUri: REDIRECT,
		endpoints: {
			oauth2AuthBaseUrl: `${ google.url }/o/oauth2/v2/auth`,
			oauth2TokenUrl: `${ google.url }/token`,
			oauth2RevokeUrl: `${ google.url }/revoke`,
		},
	} );
const control = async ( method: string, path: string, body?: unknown ) => {
	const res = await fetch( `${ google.url }/__emulator${ path }`, {
		method,
		...( body !== undefined
			? {
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify( body ),
				}
			: {} ),
	} );
	return { status: res.status, body: await res.json() };
};

/** Connects an account through the consent page; returns an OAuth2Client holding its tokens. */
async function connect(
	email: string,
	scopes = [ 'openid', 'email', EVENTS ]
) {
	const client = oauth();
	const url = client.generateAuthUrl( {
		access_type: 'offline',
		prompt: 'consent',
		scope: scopes,
		state: 'xyz',
		login_hint: email,
	} );
	const code = await consent( url, email );
	const { tokens } = await client.getToken( code );
	client.setCredentials( tokens );
	return { client, tokens };
}

/** The error the client library throws, with Google's parsed answer. */
async function failure(
	p: Promise< unknown >
): Promise< { status: number; reason: string; message: string; body: any } > {
	try {
		await p;
	} catch ( e ) {
		const err = e as {
			status?: number;
			response?: { status: number; data: any };
			message: string;
		};
		return {
			status: err.response?.status ?? 0,
			reason:
				err.response?.data?.error?.errors?.[ 0 ]?.reason ??
				err.response?.data?.error,
			message: err.message,
			body: err.response?.data,
		};
	}
	throw new Error( 'expected a failure' );
}

const slot = ( hour: number ) => ( {
	start: {
		dateTime: `2031-02-03T${ String( hour ).padStart( 2, '0' ) }:00:00+01:00`,
		timeZone: 'Europe/Paris',
	},
	end: {
		dateTime: `2031-02-03T${ String( hour ).padStart( 2, '0' ) }:30:00+01:00`,
		timeZone: 'Europe/Paris',
	},
} );
const meet = ( requestId: string ) => ( {
	createRequest: {
		requestId,
		conferenceSolutionKey: { type: 'hangoutsMeet' },
	},
} );

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

describe( 'Calendar API', () => {
	let auth: OAuth2Client;
	let email: string;

	beforeAll( async () => {
		email = 'calendar-owner@example.test';
		auth = ( await connect( email ) ).client;
	} );

	test( 'insert with a client id, conferenceDataVersion=1: a Meet conference', async () => {
		const { data } = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			sendUpdates: 'none',
			requestBody: {
				id: 'abcdefv012345',
				summary: 'S',
				...slot( 9 ),
				conferenceData: meet( 'r-1' ),
			},
			auth,
		} );
		expect( data ).toMatchObject( {
			kind: 'calendar#event',
			id: 'abcdefv012345',
			status: 'confirmed',
			organizer: { email, self: true },
			iCalUID: 'abcdefv012345@google.com',
			hangoutLink: expect.stringMatching(
				/^https:\/\/meet\.google\.com\//
			),
			conferenceData: {
				createRequest: {
					requestId: 'r-1',
					status: { statusCode: 'success' },
				},
				conferenceSolution: {
					key: { type: 'hangoutsMeet' },
					name: 'Google Meet',
				},
				entryPoints: [
					{
						entryPointType: 'video',
						uri: expect.stringMatching(
							/^https:\/\/meet\.google\.com\//
						),
					},
				],
			},
		} );
	} );

	test( 'without conferenceDataVersion=1 the conference request is silently dropped', async () => {
		const { data } = await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: {
				summary: 'No Meet',
				...slot( 10 ),
				conferenceData: meet( 'r-dropped' ),
			},
			auth,
		} );
		expect( data.id ).toMatch( /^[a-v0-9]{5,}$/ );
		expect( data.conferenceData ).toBeUndefined();
		expect( data.hangoutLink ).toBeUndefined();
	} );

	test( 'ids: invalid characters are refused, a taken id is 409 duplicate (also when cancelled)', async () => {
		expect(
			await failure(
				calendar.events.insert( {
					calendarId: 'primary',
					requestBody: { id: 'UPPER_case', ...slot( 11 ) },
					auth,
				} )
			)
		).toMatchObject( {
			status: 400,
			reason: 'invalid',
			message: 'Invalid resource id value.',
		} );
		await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: { id: 'dup00001', ...slot( 11 ) },
			auth,
		} );
		const dup = await failure(
			calendar.events.insert( {
				calendarId: 'primary',
				requestBody: { id: 'dup00001', ...slot( 11 ) },
				auth,
			} )
		);
		expect( dup ).toMatchObject( {
			status: 409,
			reason: 'duplicate',
			message: 'The requested identifier already exists.',
		} );
		expect( dup.body ).toEqual( {
			error: {
				code: 409,
				message: 'The requested identifier already exists.',
				errors: [
					{
						domain: 'global',
						reason: 'duplicate',
						message: 'The requested identifier already exists.',
					},
				],
				status: 'ALREADY_EXISTS',
			},
		} );
		await calendar.events.delete( {
			calendarId: 'primary',
			eventId: 'dup00001',
			auth,
		} );
		expect(
			(
				await failure(
					calendar.events.insert( {
						calendarId: 'primary',
						requestBody: { id: 'dup00001', ...slot( 11 ) },
						auth,
					} )
				)
			).status
		).toBe( 409 );
	} );

	test( 'delete keeps the id as cancelled; a second delete is 410; patch restores', async () => {
		await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			requestBody: {
				id: 'gone0001',
				...slot( 12 ),
				conferenceData: meet( 'r-gone' ),
			},
			auth,
		} );
		const del = await calendar.events.delete( {
			calendarId: 'primary',
			eventId: 'gone0001',
			auth,
		} );
		expect( del.status ).toBe( 204 );
		expect(
			(
				await calendar.events.get( {
					calendarId: 'primary',
					eventId: 'gone0001',
					auth,
				} )
			).data.status
		).toBe( 'cancelled' );
		expect(
			await failure(
				calendar.events.delete( {
					calendarId: 'primary',
					eventId: 'gone0001',
					auth,
				} )
			)
		).toMatchObject( { status: 410, reason: 'deleted' } );
		const restored = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'gone0001',
			requestBody: { status: 'confirmed' },
			auth,
		} );
		expect( restored.data ).toMatchObject( {
			status: 'confirmed',
			hangoutLink: expect.any( String ),
		} );
		expect(
			await failure(
				calendar.events.get( {
					calendarId: 'primary',
					eventId: 'never0001',
					auth,
				} )
			)
		).toMatchObject( { status: 404, reason: 'notFound' } );
		expect(
			await failure(
				calendar.events.delete( {
					calendarId: 'primary',
					eventId: 'never0001',
					auth,
				} )
			)
		).toMatchObject( { status: 404 } );
	} );

	test( 'patch merges objects and replaces arrays; start/end only keeps the conference; sequence counts time changes', async () => {
		const { data: created } = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			requestBody: {
				id: 'patch0001',
				...slot( 13 ),
				attendees: [ { email: 'a@x.test' }, { email: 'b@x.test' } ],
				extendedProperties: { private: { a: '1' } },
				conferenceData: meet( 'r-p' ),
			},
			auth,
		} );
		const { data } = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'patch0001',
			requestBody: {
				...slot( 15 ),
				attendees: [ { email: 'c@x.test' } ],
				extendedProperties: { private: { b: '2' } },
			},
			auth,
		} );
		expect( data ).toMatchObject( {
			...slot( 15 ),
			attendees: [ { email: 'c@x.test' } ],
			extendedProperties: { private: { a: '1', b: '2' } },
			hangoutLink: created.hangoutLink,
			sequence: 1,
		} );
		expect( data.etag ).not.toBe( created.etag );
	} );

	test( 'a repeated requestId is ignored; a new one replaces a failed conference', async () => {
		await control( 'PATCH', '/config', { conferenceOutcome: 'failure' } );
		const { data: failed } = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			requestBody: {
				id: 'conf0001',
				...slot( 16 ),
				conferenceData: meet( 'r-f' ),
			},
			auth,
		} );
		expect( failed.conferenceData?.createRequest?.status?.statusCode ).toBe(
			'failure'
		);
		expect( failed.hangoutLink ).toBeUndefined();
		await control( 'PATCH', '/config', { conferenceOutcome: 'success' } );
		const same = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'conf0001',
			conferenceDataVersion: 1,
			requestBody: { conferenceData: meet( 'r-f' ) },
			auth,
		} );
		expect(
			same.data.conferenceData?.createRequest?.status?.statusCode
		).toBe( 'failure' );
		const fresh = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'conf0001',
			conferenceDataVersion: 1,
			requestBody: { conferenceData: meet( 'r-f2' ) },
			auth,
		} );
		expect( fresh.data ).toMatchObject( {
			hangoutLink: expect.any( String ),
			conferenceData: {
				createRequest: {
					requestId: 'r-f2',
					status: { statusCode: 'success' },
				},
			},
		} );
	} );

	test( 'conferences are pending for the configured delay, then settle', async () => {
		await control( 'PATCH', '/config', { conferenceDelayMs: 300 } );
		try {
			const { data } = await calendar.events.insert( {
				calendarId: 'primary',
				conferenceDataVersion: 1,
				requestBody: {
					id: 'pend0001',
					...slot( 17 ),
					conferenceData: meet( 'r-pend' ),
				},
				auth,
			} );
			expect( data.conferenceData ).toEqual( {
				createRequest: {
					requestId: 'r-pend',
					conferenceSolutionKey: { type: 'hangoutsMeet' },
					status: { statusCode: 'pending' },
				},
			} );
			expect( data.hangoutLink ).toBeUndefined();
			await new Promise( ( r ) => setTimeout( r, 350 ) );
			const later = await calendar.events.get( {
				calendarId: 'primary',
				eventId: 'pend0001',
				auth,
			} );
			expect(
				later.data.conferenceData?.createRequest?.status?.statusCode
			).toBe( 'success' );
		} finally {
			await control( 'PATCH', '/config', { conferenceDelayMs: 0 } );
		}
	} );

	test( 'validation: missing end, empty time range, bad time zone, disallowed conference type', async () => {
		expect(
			await failure(
				calendar.events.insert( {
					calendarId: 'primary',
					requestBody: { start: slot( 9 ).start },
					auth,
				} )
			)
		).toMatchObject( {
			status: 400,
			reason: 'required',
			message: 'Missing end time.',
		} );
		expect(
			await failure(
				calendar.events.insert( {
					calendarId: 'primary',
					requestBody: {
						start: slot( 10 ).start,
						end: slot( 9 ).end,
					},
					auth,
				} )
			)
		).toMatchObject( { status: 400, reason: 'timeRangeEmpty' } );
		expect(
			await failure(
				calendar.events.insert( {
					calendarId: 'primary',
					requestBody: {
						...slot( 9 ),
						start: {
							dateTime: '2031-02-03T09:00:00',
							timeZone: 'Nowhere/Land',
						},
					},
					auth,
				} )
			)
		).toMatchObject( { status: 400 } );
		await control(
			'PUT',
			`/calendars/${ encodeURIComponent( email ) }/conference-types`,
			{ allowedConferenceSolutionTypes: [] }
		);
		try {
			expect(
				await failure(
					calendar.events.insert( {
						calendarId: 'primary',
						conferenceDataVersion: 1,
						requestBody: {
							...slot( 9 ),
							conferenceData: meet( 'r-x' ),
						},
						auth,
					} )
				)
			).toMatchObject( {
				status: 400,
				message: 'Invalid conference type value.',
			} );
		} finally {
			await control(
				'PUT',
				`/calendars/${ encodeURIComponent( email ) }/conference-types`,
				{ allowedConferenceSolutionTypes: [ 'hangoutsMeet' ] }
			);
		}
	} );

	test( 'a local date-time with a zone is placed at the right instant (DST included)', async () => {
		const { data } = await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: {
				id: 'local0001',
				start: {
					dateTime: '2026-03-29T03:30:00',
					timeZone: 'Europe/London',
				},
				end: {
					dateTime: '2026-03-29T04:00:00',
					timeZone: 'Europe/London',
				},
			},
			auth,
		} );
		const list = await calendar.events.list( {
			calendarId: 'primary',
			timeMin: '2026-03-29T02:29:00Z',
			timeMax: '2026-03-29T02:31:00Z',
			auth,
		} );
		expect( list.data.items?.map( ( e ) => e.id ) ).toEqual( [ data.id ] );
	} );

	test( 'list: time window, cancelled only on request, private extended properties, paging', async () => {
		const other = ( await connect( 'lister@example.test' ) ).client;
		for ( let i = 0; i < 5; i++ ) {
			await calendar.events.insert( {
				calendarId: 'primary',
				requestBody: {
					id: `list000${ i }`,
					...slot( 8 + i ),
					extendedProperties: {
						private: { mfkSiteId: 's', n: String( i ) },
					},
				},
				auth: other,
			} );
		}
		await calendar.events.delete( {
			calendarId: 'primary',
			eventId: 'list0004',
			auth: other,
		} );
		const all = await calendar.events.list( {
			calendarId: 'primary',
			auth: other,
		} );
		expect( all.data.items ).toHaveLength( 4 );
		expect(
			(
				await calendar.events.list( {
					calendarId: 'primary',
					showDeleted: true,
					auth: other,
				} )
			).data.items
		).toHaveLength( 5 );
		expect(
			(
				await calendar.events.list( {
					calendarId: 'primary',
					privateExtendedProperty: [ 'n=2' ],
					auth: other,
				} )
			).data.items?.map( ( e ) => e.id )
		).toEqual( [ 'list0002' ] );
		const page1 = await calendar.events.list( {
			calendarId: 'primary',
			maxResults: 3,
			singleEvents: true,
			orderBy: 'startTime',
			auth: other,
		} );
		expect( page1.data.items?.map( ( e ) => e.id ) ).toEqual( [
			'list0000',
			'list0001',
			'list0002',
		] );
		const page2 = await calendar.events.list( {
			calendarId: 'primary',
			maxResults: 3,
			singleEvents: true,
			orderBy: 'startTime',
			pageToken: page1.data.nextPageToken as string,
			auth: other,
		} );
		expect( page2.data.items?.map( ( e ) => e.id ) ).toEqual( [
			'list0003',
		] );
		expect( page2.data.nextPageToken ).toBeUndefined();
		const window = await calendar.events.list( {
			calendarId: 'primary',
			timeMin: '2031-02-03T09:10:00+01:00',
			timeMax: '2031-02-03T10:10:00+01:00',
			auth: other,
		} );
		expect( window.data.items?.map( ( e ) => e.id ) ).toEqual( [
			'list0001',
			'list0002',
		] );
	} );

	test( 'calendars of other accounts do not exist for you', async () => {
		expect(
			await failure(
				calendar.events.list( {
					calendarId: 'lister@example.test',
					auth,
				} )
			)
		).toMatchObject( { status: 404, reason: 'notFound' } );
	} );

	test( 'scopes: calendar.events cannot read calendar settings; calendar.readonly can', async () => {
		expect(
			await failure(
				calendar.calendars.get( { calendarId: 'primary', auth } )
			)
		).toMatchObject( {
			status: 403,
			reason: 'insufficientPermissions',
			message: 'Request had insufficient authentication scopes.',
		} );
		const reader = (
			await connect( 'reader@example.test', [
				'openid',
				EVENTS,
				'https://www.googleapis.com/auth/calendar.readonly',
			] )
		).client;
		const cal = await calendar.calendars.get( {
			calendarId: 'primary',
			auth: reader,
		} );
		expect( cal.data ).toMatchObject( {
			id: 'reader@example.test',
			conferenceProperties: {
				allowedConferenceSolutionTypes: [ 'hangoutsMeet' ],
			},
		} );
		const entry = await calendar.calendarList.get( {
			calendarId: 'primary',
			auth: reader,
		} );
		expect( entry.data ).toMatchObject( {
			kind: 'calendar#calendarListEntry',
			primary: true,
			accessRole: 'owner',
		} );
		const onlyOpenid = (
			await connect( 'openid-only@example.test', [ 'openid' ] )
		).client;
		expect(
			(
				await failure(
					calendar.events.list( {
						calendarId: 'primary',
						auth: onlyOpenid,
					} )
				)
			).status
		).toBe( 403 );
	} );

	test( 'authentication errors', async () => {
		const noAuth = await fetch(
			`${ google.url }/calendar/v3/calendars/primary/events`
		);
		expect( noAuth.status ).toBe( 401 );
		expect( ( await noAuth.json() ).error.errors[ 0 ] ).toMatchObject( {
			reason: 'required',
			location: 'Authorization',
		} );
		const bad = await fetch(
			`${ google.url }/calendar/v3/calendars/primary/events`,
			{ headers: { authorization: 'Bearer nope' } }
		);
		expect( bad.status ).toBe( 401 );
		expect( bad.headers.get( 'www-authenticate' ) ).toContain(
			'invalid_token'
		);
		expect( ( await bad.json() ).error ).toMatchObject( {
			code: 401,
			status: 'UNAUTHENTICATED',
			errors: [ { reason: 'authError', message: 'Invalid Credentials' } ],
		} );
		await control( 'POST', '/tokens/expire', { email } );
		expect(
			(
				await failure(
					calendar.events.list( { calendarId: 'primary', auth } )
				)
			).status
		).toBe( 401 );
		const fresh = await auth.refreshAccessToken();
		auth.setCredentials( fresh.credentials );
		expect(
			( await calendar.events.list( { calendarId: 'primary', auth } ) )
				.status
		).toBe( 200 );
	} );

	test( 'malformed JSON is a Google parse error', async () => {
		const token = ( await auth.getAccessToken() ).token;
		const res = await fetch(
			`${ google.url }/calendar/v3/calendars/primary/events`,
			{
				method: 'POST',
				headers: {
					authorization: `Bearer ${ token }`,
					'content-type': 'application/json',
				},
				body: '{"summary": ',
			}
		);
		expect( res.status ).toBe( 400 );
		expect( ( await res.json() ).error.errors[ 0 ].reason ).toBe(
			'parseError'
		);
	} );
} );

describe( 'rate limits', () => {
	test( 'per user: 403 userRateLimitExceeded; per project: 429 rateLimitExceeded; refused calls cost nothing', async () => {
		const a = ( await connect( 'limit-a@example.test' ) ).client;
		const b = ( await connect( 'limit-b@example.test' ) ).client;
		await control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: 120, perProjectPerMinute: 180 },
		} ); // user: 2/s burst 2; project: 3/s burst 3
		try {
			const list = ( auth: OAuth2Client ) =>
				calendar.events.list( { calendarId: 'primary', auth } );
			await list( a );
			await list( a );
			expect( await failure( list( a ) ) ).toMatchObject( {
				status: 403,
				reason: 'userRateLimitExceeded',
				message: 'Rate Limit Exceeded',
			} );
			await list( b ); // third request of the project
			const project = await failure( list( b ) );
			expect( project ).toMatchObject( {
				status: 429,
				reason: 'rateLimitExceeded',
			} );
			expect( project.body.error.status ).toBe( 'RESOURCE_EXHAUSTED' );
		} finally {
			await control( 'PATCH', '/config', {
				rateLimits: {
					perUserPerMinute: null,
					perProjectPerMinute: null,
				},
			} );
		}
	} );

	test( 'the quota floor of a workload', () => {
		// 2,000 requests over 40 users, 600/min per user, 10,000/min per project.
		const floor = quotaFloorSeconds(
			new Array( 40 ).fill( 50 ),
			600,
			10000
		);
		expect( floor ).toBeCloseTo(
			( 2000 - 10000 / 60 ) / ( 10000 / 60 ),
			6
		);
		expect( quotaFloorSeconds( [ 100 ], 60, null ) ).toBe( 99 );
		expect( quotaFloorSeconds( [ 5 ], null, null ) ).toBe( 0 );
	} );
} );

describe( 'control API', () => {
	test( 'faults: listed with their remaining uses, consumed, removable; bad specs refused', async () => {
		const created = await control( 'POST', '/faults', {
			match: {
				operation: 'events.get',
				path: '/calendars/[^/]+/events/',
			},
			action: { type: 'error', status: 503 },
			times: 2,
		} );
		expect( created ).toMatchObject( {
			status: 201,
			body: {
				id: expect.any( String ),
				remaining: 2,
				hits: 0,
				when: 'before',
				probability: 1,
			},
		} );
		expect(
			( await control( 'GET', '/faults' ) ).body.faults
		).toHaveLength( 1 );
		expect(
			( await control( 'DELETE', `/faults/${ created.body.id }` ) ).body
		).toEqual( { removed: true } );
		expect( ( await control( 'GET', '/faults' ) ).body.faults ).toEqual(
			[]
		);
		const bad = await control( 'POST', '/faults', {
			action: { type: 'error', status: 200 },
			times: -1,
			when: 'later',
		} );
		expect( bad.status ).toBe( 400 );
		expect( bad.body.error ).toMatch( /action.status.*times.*when/ );
	} );

	test( 'config: validated, partial updates', async () => {
		const bad = await control( 'PATCH', '/config', {
			latencyMs: -5,
			conferenceOutcome: 'maybe',
			nonsense: 1,
		} );
		expect( bad.status ).toBe( 400 );
		expect( bad.body.error ).toMatch(
			/latencyMs.*conferenceOutcome.*nonsense/
		);
		const ok = await control( 'PATCH', '/config', {
			latencyMs: 5,
			latencyJitterMs: 5,
		} );
		expect( ok.body ).toMatchObject( {
			latencyMs: 5,
			latencyJitterMs: 5,
			conferenceOutcome: 'success',
		} );
		await control( 'PATCH', '/config', {
			latencyMs: 0,
			latencyJitterMs: 0,
		} );
	} );

	test( 'counters per operation and status', async () => {
		await control( 'DELETE', '/counters' );
		const auth = ( await connect( 'counted@example.test' ) ).client;
		await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: { id: 'count0001', ...slot( 9 ) },
			auth,
		} );
		await failure(
			calendar.events.insert( {
				calendarId: 'primary',
				requestBody: { id: 'count0001', ...slot( 9 ) },
				auth,
			} )
		);
		const { body } = await control( 'GET', '/counters' );
		expect( body.counters ).toMatchObject( {
			'events.insert': 2,
			'oauth.authorize': 1,
			'oauth.consent': 1,
			'oauth.token.code': 1,
		} );
		expect( body.statuses[ 'events.insert' ] ).toEqual( {
			200: 1,
			409: 1,
		} );
	} );

	test( 'inspection lists cancelled events with their conference; deleting by hand; reset', async () => {
		const owner = 'inspect@example.test';
		const auth = ( await connect( owner ) ).client;
		await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			requestBody: {
				id: 'insp0001',
				...slot( 9 ),
				conferenceData: meet( 'r-i' ),
			},
			auth,
		} );
		expect(
			(
				await control(
					'DELETE',
					`/calendars/${ owner }/events/insp0001`
				)
			).body
		).toEqual( { deleted: true, purged: false } );
		const { body } = await control( 'GET', `/calendars/${ owner }/events` );
		expect( body ).toMatchObject( {
			calendarId: owner,
			count: 1,
			items: [
				{
					id: 'insp0001',
					status: 'cancelled',
					hangoutLink: expect.any( String ),
					conferenceData: { conferenceId: expect.any( String ) },
				},
			],
		} );
		expect(
			(
				await control(
					'GET',
					`/calendars/${ owner }/events?includeCancelled=false`
				)
			).body.count
		).toBe( 0 );
		expect(
			( await control( 'GET', '/calendars/nobody@example.test/events' ) )
				.status
		).toBe( 404 );
		expect( ( await control( 'POST', '/reset' ) ).body ).toEqual( {
			reset: true,
		} );
		expect( ( await control( 'GET', '/accounts' ) ).body.accounts ).toEqual(
			[]
		);
		expect(
			( await control( 'GET', `/calendars/${ owner }/events` ) ).status
		).toBe( 404 );
	} );

	test( 'holds thousands of events: insert, inspect, list in pages', async () => {
		const auth = ( await connect( 'bulk@example.test' ) ).client;
		const token = ( await auth.getAccessToken() ).token;
		const statuses = new Set< number >();
		let next = 0;
		const worker = async () => {
			for ( let i = next++; i < 3000; i = next++ ) {
				const res = await fetch(
					`${ google.url }/calendar/v3/calendars/primary/events?conferenceDataVersion=1`,
					{
						method: 'POST',
						headers: {
							authorization: `Bearer ${ token }`,
							'content-type': 'application/json',
						},
						body: JSON.stringify( {
							id: `bulk${ String( i ).padStart( 6, '0' ) }`,
							start: {
								dateTime: new Date(
									Date.UTC( 2032, 0, 1 ) + i * 3600000
								).toISOString(),
							},
							end: {
								dateTime: new Date(
									Date.UTC( 2032, 0, 1 ) +
										i * 3600000 +
										1800000
								).toISOString(),
							},
							conferenceData: meet( `bulk-${ i }` ),
						} ),
					}
				);
				await res.arrayBuffer();
				statuses.add( res.status );
			}
		};
		await Promise.all( Array.from( { length: 16 }, worker ) );
		expect( statuses ).toEqual( new Set( [ 200 ] ) );
		const { body } = await control(
			'GET',
			'/calendars/bulk@example.test/events'
		);
		expect( body.count ).toBe( 3000 );
		const page = await calendar.events.list( {
			calendarId: 'primary',
			maxResults: 2500,
			singleEvents: true,
			orderBy: 'startTime',
			auth,
		} );
		expect( page.data.items ).toHaveLength( 2500 );
		expect( page.data.items?.[ 0 ]?.id ).toBe( 'bulk000000' );
		const rest = await calendar.events.list( {
			calendarId: 'primary',
			maxResults: 2500,
			singleEvents: true,
			orderBy: 'startTime',
			pageToken: page.data.nextPageToken as string,
			auth,
		} );
		expect( rest.data.items ).toHaveLength( 500 );
	}, 60000 );
} );
