/**
 * Calendar events (src/emulator/calendar/): client-chosen ids, delete and restore, patch
 * semantics, validation of times and conference types, and events.list.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { OAuth2Client } from 'google-auth-library';
import {
	connect,
	control,
	failure,
	meet,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'Calendar API: events', () => {
	let auth: OAuth2Client;
	let email: string;

	beforeAll( async () => {
		email = 'calendar-owner@example.test';
		auth = ( await connect( email ) ).client;
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
} );
