/**
 * What a doctor's changes in Google Calendar look like to the product: incremental sync
 * (`nextSyncToken` / `syncToken`, 410 after invalidation), free/busy, and push channels
 * (events.watch, channels.stop, body-less notifications with Google's headers), with the control
 * routes that edit events "as the doctor in Google" (src/emulator/calendar/sync-tokens.ts,
 * free-busy.ts, channels.ts, control/doctor-edit-routes.ts).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'incremental sync', () => {
	let auth: OAuth2Client;
	const email = 'sync-doctor@example.test';

	beforeAll( async () => {
		auth = ( await connect( email ) ).client;
	} );

	const list = ( params: calendar_v3.Params$Resource$Events$List = {} ) =>
		calendar.events.list( { calendarId: 'primary', auth, ...params } );

	test( 'a full list ends with nextSyncToken; a list with it returns only the changes, deleted events included', async () => {
		for ( const [ id, hour ] of [
			[ 'chg00001', 9 ],
			[ 'chg00002', 10 ],
			[ 'chg00003', 11 ],
		] as const ) {
			await calendar.events.insert( {
				calendarId: 'primary',
				requestBody: { id, ...slot( hour ) },
				auth,
			} );
		}
		const full = ( await list( { maxResults: 2 } ) ).data;
		expect( full.nextPageToken ).toBeDefined();
		expect( full.nextSyncToken ).toBeUndefined();
		const last = (
			await list( { maxResults: 2, pageToken: full.nextPageToken! } )
		).data;
		expect( last.nextSyncToken ).toEqual( expect.any( String ) );

		const nothing = ( await list( { syncToken: last.nextSyncToken! } ) )
			.data;
		expect( nothing.items ).toEqual( [] );

		await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'chg00001',
			requestBody: { summary: 'Renamed' },
			auth,
		} );
		await calendar.events.delete( {
			calendarId: 'primary',
			eventId: 'chg00002',
			auth,
		} );
		const changes = ( await list( { syncToken: last.nextSyncToken! } ) )
			.data;
		expect(
			changes.items?.map( ( e ) => [ e.id, e.status ] ).sort()
		).toEqual( [
			[ 'chg00001', 'confirmed' ],
			[ 'chg00002', 'cancelled' ],
		] );
		// The next token starts after these changes.
		expect(
			( await list( { syncToken: changes.nextSyncToken! } ) ).data.items
		).toEqual( [] );
	} );

	test( 'filters Google refuses with syncToken answer 400, and so does showDeleted=false', async () => {
		const token = ( await list() ).data.nextSyncToken!;
		for ( const params of [
			{ timeMin: '2031-01-01T00:00:00Z' },
			{ timeMax: '2031-12-01T00:00:00Z' },
			{ updatedMin: '2031-01-01T00:00:00Z' },
			{ q: 'x' },
			{ privateExtendedProperty: [ 'a=b' ] },
			{ orderBy: 'updated' },
			{ showDeleted: false },
		] ) {
			expect(
				await failure( list( { syncToken: token, ...params } ) )
			).toMatchObject( { status: 400, reason: 'invalid' } );
		}
		expect(
			await failure( list( { syncToken: 'not-a-token' } ) )
		).toMatchObject( { status: 400, reason: 'invalid' } );
	} );

	test( 'after the tokens are invalidated, a list with an old one is 410 fullSyncRequired; a full list issues a new one', async () => {
		const token = ( await list() ).data.nextSyncToken!;
		expect(
			(
				await control(
					'POST',
					`/calendars/${ email }/sync-tokens/invalidate`
				)
			).status
		).toBe( 200 );
		expect( await failure( list( { syncToken: token } ) ) ).toMatchObject( {
			status: 410,
			reason: 'fullSyncRequired',
		} );
		const fresh = ( await list() ).data.nextSyncToken!;
		expect( ( await list( { syncToken: fresh } ) ).status ).toBe( 200 );
	} );

	test( 'the doctor moving the event, stripping or replacing its Meet in Google: new etag, sequence on moves, seen by sync', async () => {
		const made = (
			await calendar.events.insert( {
				calendarId: 'primary',
				conferenceDataVersion: 1,
				requestBody: {
					id: 'moved0001',
					...slot( 14 ),
					conferenceData: meet( 'moved-req' ),
				},
				auth,
			} )
		).data;
		expect( made.hangoutLink ).toMatch( /^https:\/\/meet\.google\.com\// );
		const token = ( await list() ).data.nextSyncToken!;

		const moved = await control(
			'POST',
			`/calendars/${ email }/events/moved0001/move`,
			slot( 16 )
		);
		expect( moved.status ).toBe( 200 );
		expect( moved.body.sequence ).toBe( made.sequence! + 1 );
		expect( moved.body.etag ).not.toBe( made.etag );
		expect( moved.body.hangoutLink ).toBe( made.hangoutLink );
		const seen = ( await list( { syncToken: token } ) ).data.items!;
		expect( seen.map( ( e ) => e.id ) ).toEqual( [ 'moved0001' ] );
		expect( seen[ 0 ]?.start?.dateTime ).toBe( slot( 16 ).start.dateTime );

		const replaced = await control(
			'POST',
			`/calendars/${ email }/events/moved0001/conference`,
			{ action: 'replace' }
		);
		expect( replaced.body.hangoutLink ).toMatch(
			/^https:\/\/meet\.google\.com\//
		);
		expect( replaced.body.hangoutLink ).not.toBe( made.hangoutLink );
		expect( replaced.body.sequence ).toBe( moved.body.sequence );

		const stripped = await control(
			'POST',
			`/calendars/${ email }/events/moved0001/conference`,
			{ action: 'remove' }
		);
		expect( stripped.body.hangoutLink ).toBeUndefined();
		expect( stripped.body.conferenceData ).toBeUndefined();
		const got = (
			await calendar.events.get( {
				calendarId: 'primary',
				eventId: 'moved0001',
				auth,
			} )
		).data;
		expect( got.hangoutLink ).toBeUndefined();
		expect( got.etag ).toBe( stripped.body.etag );

		expect(
			(
				await control(
					'POST',
					`/calendars/${ email }/events/moved0001/conference`,
					{ action: 'explode' }
				)
			).status
		).toBe( 400 );
		expect(
			(
				await control(
					'POST',
					`/calendars/${ email }/events/nosuchevent/move`,
					slot( 9 )
				)
			).status
		).toBe( 404 );
	} );
} );

describe( 'free/busy', () => {
	const doctor = 'busy-doctor@example.test';
	const colleague = 'busy-colleague@example.test';
	let auth: OAuth2Client;

	const at = ( h: string ) => `2031-03-04T${ h }:00Z`;
	const busy = ( start: string, end: string, extra: object = {} ) =>
		control( 'POST', `/calendars/${ doctor }/busy`, {
			start: { dateTime: at( start ) },
			end: { dateTime: at( end ) },
			...extra,
		} );

	beforeAll( async () => {
		auth = (
			await connect( doctor, [
				'openid',
				'email',
				EVENTS,
				`${ SCOPE }calendar.events.freebusy`,
			] )
		).client;
		const made = await busy( '09:00', '10:00', {
			summary: 'Private dentist',
		} );
		if ( made.status !== 201 ) {
			throw new Error( `busy block not added: ${ made.status }` );
		}
		await busy( '09:30', '11:00' );
		await busy( '13:00', '14:00', { transparency: 'transparent' } );
		await busy( '07:00', '08:30' );
		const cancelled = await busy( '15:00', '16:00' );
		await control(
			'DELETE',
			`/calendars/${ doctor }/events/${ cancelled.body.id }`
		);
	} );

	test( 'busy intervals are merged and clipped to the window; free (transparent) and cancelled events are not busy; no titles', async () => {
		const { data } = await calendar.freebusy.query( {
			requestBody: {
				timeMin: at( '08:00' ),
				timeMax: at( '18:00' ),
				items: [ { id: 'primary' }, { id: doctor } ],
			},
			auth,
		} );
		const expected = [
			{ start: at( '08:00' ), end: at( '08:30' ) },
			{ start: at( '09:00' ), end: at( '11:00' ) },
		];
		expect( data.kind ).toBe( 'calendar#freeBusy' );
		expect( data.calendars?.primary ).toEqual( { busy: expected } );
		expect( data.calendars?.[ doctor ] ).toEqual( { busy: expected } );
		expect( JSON.stringify( data ) ).not.toContain( 'dentist' );
	} );

	test( 'a calendar the caller does not see answers errors notFound, the others still answer; past 50 calendars, tooManyCalendarsRequested', async () => {
		await connect( colleague );
		const { data } = await calendar.freebusy.query( {
			requestBody: {
				timeMin: at( '08:00' ),
				timeMax: at( '18:00' ),
				items: [ { id: colleague }, { id: 'primary' } ],
			},
			auth,
		} );
		expect( data.calendars?.[ colleague ] ).toEqual( {
			busy: [],
			errors: [ { domain: 'global', reason: 'notFound' } ],
		} );
		expect( data.calendars?.primary?.busy ).toHaveLength( 2 );

		const many = Array.from( { length: 51 }, ( _, i ) => ( {
			id: i === 0 ? 'primary' : `cal${ i }@example.test`,
		} ) );
		const big = (
			await calendar.freebusy.query( {
				requestBody: {
					timeMin: at( '08:00' ),
					timeMax: at( '18:00' ),
					items: many,
				},
				auth,
			} )
		).data;
		expect( big.calendars?.primary?.busy ).toHaveLength( 2 );
		expect( big.calendars?.[ 'cal50@example.test' ]?.errors ).toEqual( [
			{ domain: 'global', reason: 'tooManyCalendarsRequested' },
		] );
	} );

	test( 'calendar.events alone is not a free/busy scope; a missing or reversed window is 400', async () => {
		const eventsOnly = ( await connect( 'events-only@example.test' ) )
			.client;
		expect(
			await failure(
				calendar.freebusy.query( {
					requestBody: {
						timeMin: at( '08:00' ),
						timeMax: at( '18:00' ),
						items: [ { id: 'primary' } ],
					},
					auth: eventsOnly,
				} )
			)
		).toMatchObject( { status: 403 } );
		expect(
			await failure(
				calendar.freebusy.query( {
					requestBody: { timeMax: at( '18:00' ), items: [] },
					auth,
				} )
			)
		).toMatchObject( { status: 400, reason: 'required' } );
		expect(
			await failure(
				calendar.freebusy.query( {
					requestBody: {
						timeMin: at( '18:00' ),
						timeMax: at( '08:00' ),
						items: [],
					},
					auth,
				} )
			)
		).toMatchObject( { status: 400, reason: 'timeRangeEmpty' } );
	} );
} );

describe( 'push channels', () => {
	const email = 'watched-doctor@example.test';
	let auth: OAuth2Client;
	let receiver: Server;
	let address: string;
	const received: IncomingHttpHeaders[] = [];
	/** Status the receiver answers (a site that is down answers 503). */
	let answer = 200;
	const waiters: Array< () => void > = [];

	const notifications = async ( count: number ) => {
		const deadline = Date.now() + 10000;
		while ( received.length < count && Date.now() < deadline ) {
			await new Promise< void >( ( resolve ) => {
				waiters.push( resolve );
				setTimeout( resolve, 200 );
			} );
		}
		return received.slice( 0, count );
	};

	beforeAll( async () => {
		auth = ( await connect( email ) ).client;
		receiver = createServer( ( req, res ) => {
			let bytes = 0;
			req.on( 'data', ( c: Buffer ) => ( bytes += c.length ) );
			req.on( 'end', () => {
				if ( answer < 300 ) {
					received.push( {
						...req.headers,
						'x-body-bytes': String( bytes ),
					} );
				}
				res.statusCode = answer;
				res.end();
				waiters.splice( 0 ).forEach( ( w ) => w() );
			} );
		} );
		await new Promise< void >( ( resolve ) =>
			receiver.listen( 0, '127.0.0.1', resolve )
		);
		address = `http://127.0.0.1:${ ( receiver.address() as AddressInfo ).port }/hook`;
		await control( 'PATCH', '/config', { notificationRetryMs: 50 } );
	} );
	afterAll( async () => {
		await new Promise( ( resolve ) => receiver.close( resolve ) );
	} );
	beforeEach( () => {
		received.length = 0;
		answer = 200;
	} );

	const watch = (
		id: string,
		extra: Partial< calendar_v3.Schema$Channel > = {}
	) =>
		calendar.events.watch( {
			calendarId: 'primary',
			requestBody: {
				id,
				type: 'web_hook',
				address,
				token: 'secret-token',
				...extra,
			},
			auth,
		} );

	test( 'a watch answers the channel and sends "sync"; each change sends "exists" with the next message number; stop ends it', async () => {
		const channel = ( await watch( 'channel-one' ) ).data;
		expect( channel ).toMatchObject( {
			kind: 'api#channel',
			id: 'channel-one',
			resourceId: expect.any( String ),
			resourceUri: expect.stringContaining( '/calendar/v3/calendars/' ),
			token: 'secret-token',
		} );
		const expiresIn = Number( channel.expiration ) - Date.now();
		expect( expiresIn ).toBeGreaterThan( 604000 * 1000 );
		expect( expiresIn ).toBeLessThanOrEqual( 604800 * 1000 );

		const [ sync ] = await notifications( 1 );
		expect( sync ).toMatchObject( {
			'x-goog-channel-id': 'channel-one',
			'x-goog-channel-token': 'secret-token',
			'x-goog-resource-id': channel.resourceId,
			'x-goog-resource-uri': channel.resourceUri,
			'x-goog-resource-state': 'sync',
			'x-goog-message-number': '1',
			'x-body-bytes': '0',
		} );
		expect(
			Date.parse( String( sync?.[ 'x-goog-channel-expiration' ] ) )
		).toBeGreaterThan( Date.now() );

		await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: { id: 'pushed001', ...slot( 9 ) },
			auth,
		} );
		await control(
			'POST',
			`/calendars/${ email }/events/pushed001/move`,
			slot( 10 )
		);
		await control( 'DELETE', `/calendars/${ email }/events/pushed001` );
		const all = await notifications( 4 );
		expect(
			all.map( ( h ) => [
				h[ 'x-goog-resource-state' ],
				h[ 'x-goog-message-number' ],
			] )
		).toEqual( [
			[ 'sync', '1' ],
			[ 'exists', '2' ],
			[ 'exists', '3' ],
			[ 'exists', '4' ],
		] );

		await calendar.channels.stop( {
			requestBody: { id: 'channel-one', resourceId: channel.resourceId },
			auth,
		} );
		await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: { id: 'pushed002', ...slot( 11 ) },
			auth,
		} );
		await new Promise( ( r ) => setTimeout( r, 300 ) );
		expect( received ).toHaveLength( 4 );
		expect(
			await failure(
				calendar.channels.stop( {
					requestBody: {
						id: 'channel-one',
						resourceId: channel.resourceId,
					},
					auth,
				} )
			)
		).toMatchObject( { status: 404, reason: 'notFound' } );
	} );

	test( 'a receiver that refuses is sent the same message again with backoff until it accepts', async () => {
		answer = 503;
		const channel = ( await watch( 'channel-retry' ) ).data;
		await new Promise( ( r ) => setTimeout( r, 200 ) );
		answer = 200;
		const [ sync ] = await notifications( 1 );
		expect( sync?.[ 'x-goog-message-number' ] ).toBe( '1' );
		const listed = ( await control( 'GET', '/channels' ) ).body.items.find(
			( c: { id: string } ) => c.id === 'channel-retry'
		);
		expect( listed.deliveries[ 0 ] ).toMatchObject( {
			delivered: true,
			outcome: 200,
		} );
		expect( listed.deliveries[ 0 ].attempts ).toBeGreaterThan( 1 );
		await calendar.channels.stop( {
			requestBody: {
				id: 'channel-retry',
				resourceId: channel.resourceId,
			},
			auth,
		} );
	} );

	test( 'a channel past its expiration (emulator clock) sends nothing more', async () => {
		await watch( 'channel-short', { params: { ttl: '60' } } );
		await notifications( 1 );
		await control( 'POST', '/clock', { advanceSeconds: 61 } );
		await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: { id: 'pushed003', ...slot( 12 ) },
			auth,
		} );
		await new Promise( ( r ) => setTimeout( r, 300 ) );
		expect( received ).toHaveLength( 1 );
		expect(
			( await control( 'GET', '/channels' ) ).body.items.map(
				( c: { id: string } ) => c.id
			)
		).not.toContain( 'channel-short' );
	} );

	test( 'Google refuses a non-HTTPS address (plain http is accepted on loopback only), a reused channel id and a bad type', async () => {
		expect(
			await failure(
				watch( 'channel-http', {
					address: 'http://clinic.example.test/hook',
				} )
			)
		).toMatchObject( { status: 400, reason: 'push.webhookUrlNotHttps' } );
		await watch( 'channel-dup' );
		expect( await failure( watch( 'channel-dup' ) ) ).toMatchObject( {
			status: 400,
			reason: 'channelIdNotUnique',
		} );
		expect(
			await failure( watch( 'channel-type', { type: 'email' } ) )
		).toMatchObject( { status: 400, reason: 'invalid' } );
		expect( await failure( watch( 'x'.repeat( 65 ) ) ) ).toMatchObject( {
			status: 400,
			reason: 'invalid',
		} );
	} );
} );
