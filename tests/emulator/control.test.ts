/**
 * The control API (src/emulator/control/): behaviour settings, counters, inspection and deletion
 * of events behind Google's back, reset, and a calendar holding thousands of events.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { RunningEmulator } from '../../src/emulator';
import {
	connect,
	control,
	failure,
	meet,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let google: RunningEmulator;
let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { google, calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'control API', () => {
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
