/**
 * Who may call the Calendar API (src/emulator/pipeline/api-route.ts, calendar/scopes.ts,
 * calendar/calendar-store.ts): bearer tokens, scopes, other accounts' calendars, Google's
 * authentication and parse errors.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { OAuth2Client } from 'google-auth-library';
import type { RunningEmulator } from '../../src/emulator';
import {
	connect,
	control,
	EVENTS,
	failure,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let google: RunningEmulator;
let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { google, calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'Calendar API: access', () => {
	let auth: OAuth2Client;
	let email: string;

	beforeAll( async () => {
		email = 'calendar-owner@example.test';
		auth = ( await connect( email ) ).client;
	} );

	test( 'calendars of other accounts do not exist for you', async () => {
		await connect( 'lister@example.test' );
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
