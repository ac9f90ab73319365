/**
 * A doctor's calendars (src/emulator/calendar/calendar-list.ts, calendar-metadata-routes.ts,
 * calendar-store.ts): calendarList.list with paging and `minAccessRole`, calendars.insert owned
 * by the caller, events in any calendar the account may write to, and a deleted calendar.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { OAuth2Client } from 'google-auth-library';
import {
	connect,
	control,
	EVENTS,
	failure,
	meet,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

const SCOPE = 'https://www.googleapis.com/auth/';
const LIST = `${ SCOPE }calendar.calendarlist.readonly`;
const APP_CREATED = `${ SCOPE }calendar.app.created`;

let calendar: calendar_v3.Calendar;
let auth: OAuth2Client;
let eventsOnly: OAuth2Client;
const doctor = 'lists@example.test';
const colleague = 'colleague@example.test';

beforeAll( async () => {
	( { calendar } = await startTestEmulator() );
	auth = (
		await connect( doctor, [
			'openid',
			'email',
			EVENTS,
			LIST,
			APP_CREATED,
		] )
	).client;
	eventsOnly = ( await connect( 'events-only@example.test' ) ).client;
	await connect( colleague );
	for ( const [ id, role ] of [
		[ 'shared-writer@group.calendar.google.com', 'writer' ],
		[ 'shared-reader@group.calendar.google.com', 'reader' ],
		[ 'shared-busy@group.calendar.google.com', 'freeBusyReader' ],
	] ) {
		const made = await control( 'POST', '/calendars', {
			id,
			owner: colleague,
			summary: `Shared ${ role }`,
			sharedWith: { [ doctor ]: role },
		} );
		if ( made.status !== 201 ) {
			throw new Error( `calendar ${ id } not made: ${ made.status }` );
		}
	}
} );
afterAll( stopTestEmulator );

const listAll = async (
	params: calendar_v3.Params$Resource$Calendarlist$List = {}
) => {
	const items: calendar_v3.Schema$CalendarListEntry[] = [];
	let pageToken: string | undefined;
	let pages = 0;
	do {
		const { data } = await calendar.calendarList.list( {
			...params,
			...( pageToken ? { pageToken } : {} ),
			auth,
		} );
		items.push( ...( data.items ?? [] ) );
		pageToken = data.nextPageToken ?? undefined;
		pages++;
	} while ( pageToken );
	return { items, pages };
};

describe( 'calendarList.list and calendars.insert', () => {
	test( 'lists what the account sees with its role, primary first; minAccessRole filters', async () => {
		const { items } = await listAll();
		expect( items.map( ( c ) => [ c.id, c.accessRole ] ) ).toEqual( [
			[ doctor, 'owner' ],
			[ 'shared-writer@group.calendar.google.com', 'writer' ],
			[ 'shared-reader@group.calendar.google.com', 'reader' ],
			[ 'shared-busy@group.calendar.google.com', 'freeBusyReader' ],
		] );
		expect( items[ 0 ] ).toMatchObject( {
			primary: true,
			conferenceProperties: {
				allowedConferenceSolutionTypes: [ 'hangoutsMeet' ],
			},
		} );
		expect( items[ 1 ] ).toMatchObject( { dataOwner: colleague } );
		const writable = await listAll( { minAccessRole: 'writer' } );
		expect( writable.items.map( ( c ) => c.accessRole ) ).toEqual( [
			'owner',
			'writer',
		] );
		expect(
			await failure(
				calendar.calendarList.list( {
					minAccessRole: 'boss',
					auth,
				} )
			)
		).toMatchObject( { status: 400, reason: 'invalidParameter' } );
	} );

	test( 'pages with maxResults and nextPageToken', async () => {
		const { items, pages } = await listAll( { maxResults: 1 } );
		expect( pages ).toBe( 4 );
		expect( items ).toHaveLength( 4 );
		expect( new Set( items.map( ( c ) => c.id ) ).size ).toBe( 4 );
	} );

	test( 'needs a calendar list scope: calendar.events alone is refused', async () => {
		expect(
			await failure( calendar.calendarList.list( { auth: eventsOnly } ) )
		).toMatchObject( { status: 403, reason: 'insufficientPermissions' } );
		expect(
			await failure(
				calendar.calendars.insert( {
					requestBody: { summary: 'Nope' },
					auth: eventsOnly,
				} )
			)
		).toMatchObject( { status: 403, reason: 'insufficientPermissions' } );
	} );

	test( 'calendars.insert makes a calendar the caller owns; events land in it, apart from primary', async () => {
		const { data: created } = await calendar.calendars.insert( {
			requestBody: {
				summary: 'Video consultations',
				description: 'Made for video consultations',
				timeZone: 'Europe/Paris',
			},
			auth,
		} );
		expect( created ).toMatchObject( {
			kind: 'calendar#calendar',
			summary: 'Video consultations',
			description: 'Made for video consultations',
			timeZone: 'Europe/Paris',
			dataOwner: doctor,
		} );
		expect( created.id ).toMatch( /@group\.calendar\.google\.com$/ );
		const id = created.id as string;
		expect( ( await listAll() ).items.map( ( c ) => c.id ) ).toContain(
			id
		);

		const { data: ev } = await calendar.events.insert( {
			calendarId: id,
			conferenceDataVersion: 1,
			requestBody: { id: 'consult0001', ...slot( 9 ), ...meet( 'r-1' ) },
			auth,
		} );
		expect( ev.organizer ).toMatchObject( {
			email: id,
			displayName: 'Video consultations',
		} );
		const inCal = await control( 'GET', `/calendars/${ id }/events` );
		expect( inCal.body.items.map( ( e: { id: string } ) => e.id ) ).toEqual(
			[ 'consult0001' ]
		);
		const inPrimary = await control(
			'GET',
			`/calendars/${ doctor }/events`
		);
		expect( inPrimary.body.count ).toBe( 0 );

		// The owner deletes it in Google Calendar: it is gone for the API too.
		expect(
			( await control( 'DELETE', `/calendars/${ id }` ) ).status
		).toBe( 200 );
		expect(
			await failure(
				calendar.events.insert( {
					calendarId: id,
					requestBody: { id: 'consult0002', ...slot( 10 ) },
					auth,
				} )
			)
		).toMatchObject( { status: 404, reason: 'notFound' } );
	} );

	test( 'events: a writer may add to a shared calendar, a reader may not', async () => {
		const { data } = await calendar.events.insert( {
			calendarId: 'shared-writer@group.calendar.google.com',
			requestBody: { id: 'sharedb0001', ...slot( 11 ) },
			auth,
		} );
		expect( data.id ).toBe( 'sharedb0001' );
		expect(
			await failure(
				calendar.events.insert( {
					calendarId: 'shared-reader@group.calendar.google.com',
					requestBody: { id: 'sharedc0001', ...slot( 11 ) },
					auth,
				} )
			)
		).toMatchObject( { status: 403, reason: 'requiredAccessLevel' } );
	} );
} );
