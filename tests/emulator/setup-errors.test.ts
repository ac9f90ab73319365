/**
 * The Google Cloud project behind a client, as a clinic's setup meets it: the Calendar API
 * disabled, the consent screen in Testing (test users, refresh tokens that expire after 7 days),
 * an Internal app, registered redirect URIs, each answered with Google's own error.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { RunningEmulator } from '../../src/emulator';
import {
	CLIENT_ID,
	connect,
	control,
	failure,
	oauth,
	REDIRECT,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let google: RunningEmulator;
let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { google, calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );
afterEach( async () => {
	await control( 'POST', '/reset' );
} );

/** The refresh token's lifetime Google announces (not in the client library's type). */
const expiresIn = ( tokens: object ) =>
	( tokens as { refresh_token_expires_in?: number } )
		.refresh_token_expires_in;

const project = ( patch: Record< string, unknown > ) =>
	control( 'PATCH', `/clients/${ CLIENT_ID }`, patch );

/** The consent page's decision for `email`: Google's status and the page or redirect. */
async function decide( email: string ) {
	const url = oauth().generateAuthUrl( {
		access_type: 'offline',
		prompt: 'consent',
		scope: [
			'openid',
			'email',
			'https://www.googleapis.com/auth/calendar.events',
		],
		state: 's',
	} );
	const html = await ( await fetch( url ) ).text();
	const request = /name="request" value="([^"]+)"/.exec( html )?.[ 1 ] ?? '';
	const res = await fetch( `${ google.url }/o/oauth2/v2/auth/decision`, {
		method: 'POST',
		body: new URLSearchParams( { request, email, decision: 'allow' } ),
		redirect: 'manual',
	} );
	return {
		status: res.status,
		location: res.headers.get( 'location' ),
		text: await res.text(),
	};
}

describe( 'the project behind an OAuth client', () => {
	test( 'a client starts enabled, External and in production; the control API shows and changes it', async () => {
		const before = await control( 'GET', `/clients/${ CLIENT_ID }` );
		expect( before.body.project ).toMatchObject( {
			calendarApiEnabled: true,
			userType: 'external',
			publishingStatus: 'in_production',
			testUsers: [],
		} );
		expect( before.body ).not.toHaveProperty( 'clientSecret' );
		const bad = await project( {
			publishingStatus: 'draft',
			testUsers: [ 'x' ],
		} );
		expect( bad.status ).toBe( 400 );
		expect( bad.body.error ).toMatch( /publishingStatus.*testUsers/ );
		const after = await project( {
			publishingStatus: 'testing',
			testUsers: [ 'A@Clinic.test' ],
		} );
		expect( after.body.project ).toMatchObject( {
			publishingStatus: 'testing',
			testUsers: [ 'a@clinic.test' ],
		} );
		expect( ( await control( 'GET', '/clients/nobody' ) ).status ).toBe(
			404
		);
	} );

	test( 'Calendar API disabled: 403 accessNotConfigured with SERVICE_DISABLED and the link to enable it; enabling it lets the same token through', async () => {
		const { client } = await connect( 'api-off@clinic.test' );
		await project( {
			calendarApiEnabled: false,
			projectNumber: '123456789012',
		} );
		const f = await failure(
			calendar.events.list( { calendarId: 'primary', auth: client } )
		);
		expect( f.status ).toBe( 403 );
		expect( f.reason ).toBe( 'accessNotConfigured' );
		expect( f.body.error.status ).toBe( 'PERMISSION_DENIED' );
		expect( f.body.error.message ).toContain( 'project 123456789012' );
		expect( f.body.error.details[ 0 ] ).toMatchObject( {
			reason: 'SERVICE_DISABLED',
			metadata: { consumer: 'projects/123456789012' },
		} );
		await project( { calendarApiEnabled: true } );
		const ok = await calendar.events.list( {
			calendarId: 'primary',
			auth: client,
		} );
		expect( ok.status ).toBe( 200 );
	} );

	test( 'in Testing, an account that is not a test user is refused with Error 403 access_denied on Google’s page; a test user gets through', async () => {
		await project( {
			publishingStatus: 'testing',
			testUsers: [ 'tester@clinic.test' ],
		} );
		const refused = await decide( 'other@clinic.test' );
		expect( refused.status ).toBe( 403 );
		expect( refused.location ).toBeNull();
		expect( refused.text ).toContain( 'Error 403: access_denied' );
		const allowed = await decide( 'Tester@clinic.test' );
		expect( allowed.status ).toBe( 302 );
		expect( allowed.location ).toContain( 'code=' );
	} );

	test( 'an Internal app refuses accounts outside its organisation with org_internal', async () => {
		await project( {
			userType: 'internal',
			organizationDomain: 'clinic.test',
		} );
		const refused = await decide( 'someone@gmail.test' );
		expect( refused.status ).toBe( 403 );
		expect( refused.text ).toContain( 'Error 403: org_internal' );
		expect( ( await decide( 'doc@clinic.test' ) ).status ).toBe( 302 );
	} );

	test( 'in Testing, refresh tokens expire after 7 days (emulator clock): invalid_grant; in production they do not', async () => {
		await project( {
			publishingStatus: 'testing',
			testUsers: [ 'week@clinic.test', 'prod@clinic.test' ],
		} );
		const weekly = await connect( 'week@clinic.test' );
		expect( expiresIn( weekly.tokens ) ).toBe( 7 * 86400 );
		await project( { publishingStatus: 'in_production' } );
		const lasting = await connect( 'prod@clinic.test' );
		expect( expiresIn( lasting.tokens ) ).toBeUndefined();

		await control( 'POST', '/clock', { advanceSeconds: 6 * 86400 } );
		await weekly.client.refreshAccessToken();
		const clock = await control( 'POST', '/clock', {
			advanceSeconds: 86400 + 60,
		} );
		expect( clock.body.offsetSeconds ).toBe( 7 * 86400 + 60 );
		const f = await failure( weekly.client.refreshAccessToken() );
		expect( f.status ).toBe( 400 );
		expect( f.reason ).toBe( 'invalid_grant' );
		// The access token a week old has expired too; the published app's refresh token still works.
		await lasting.client.refreshAccessToken();
		expect(
			( await control( 'POST', '/clock', { advanceSeconds: -1 } ) ).status
		).toBe( 400 );
		expect(
			( await control( 'POST', '/clock', { reset: true } ) ).body
		).toMatchObject( { offsetSeconds: 0 } );
	} );

	test( 'redirect URIs are checked per client, character for character', async () => {
		await project( { redirectUris: [ REDIRECT ] } );
		const wrong = await fetch(
			`${ google.url }/o/oauth2/v2/auth?client_id=${ CLIENT_ID }&redirect_uri=${ encodeURIComponent( REDIRECT + '/' ) }&response_type=code&scope=openid`
		);
		expect( wrong.status ).toBe( 400 );
		expect( await wrong.text() ).toContain(
			'Error 400: redirect_uri_mismatch'
		);
		const right = await fetch(
			`${ google.url }/o/oauth2/v2/auth?client_id=${ CLIENT_ID }&redirect_uri=${ encodeURIComponent( REDIRECT ) }&response_type=code&scope=openid`
		);
		expect( right.status ).toBe( 200 );
	} );
} );
