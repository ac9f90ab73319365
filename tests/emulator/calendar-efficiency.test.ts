/**
 * What makes a Google call cheaper, answered as Google answers it: partial responses (`fields`),
 * gzip for clients that ask for it, conditional requests on an event (`If-Match` → 412,
 * `If-None-Match` → 304), and the calls received and refused per account on the control route.
 */
import { gunzipSync } from 'node:zlib';
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { OAuth2Client } from 'google-auth-library';
import type { RunningEmulator } from '../../src/emulator';
import {
	parseFields,
	select,
} from '../../src/emulator/pipeline/partial-response';
import {
	connect,
	control,
	failure,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let google: RunningEmulator;
let calendar: calendar_v3.Calendar;
let auth: OAuth2Client;
let token: string;
const email = 'efficient-doctor@example.test';

beforeAll( async () => {
	( { google, calendar } = await startTestEmulator() );
	const connected = await connect( email );
	auth = connected.client;
	token = connected.tokens.access_token as string;
} );
afterAll( stopTestEmulator );

async function insert( id: string, hour = 9 ) {
	return (
		await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: { id, summary: 'Video consultation', ...slot( hour ) },
			auth,
		} )
	).data;
}

describe( 'partial responses', () => {
	test( "the fields grammar: paths, sub-selections, '*', repeated parents merged", () => {
		const doc = {
			kind: 'calendar#events',
			items: [
				{
					id: 'a',
					status: 'confirmed',
					start: { dateTime: 'x', timeZone: 'z' },
				},
				{ id: 'b', status: 'cancelled' },
			],
			nextPageToken: 't',
		};
		expect(
			select( doc, parseFields( 'items(id),nextPageToken' ) )
		).toEqual( {
			items: [ { id: 'a' }, { id: 'b' } ],
			nextPageToken: 't',
		} );
		expect( select( doc, parseFields( 'items/start/timeZone' ) ) ).toEqual(
			{
				items: [ { start: { timeZone: 'z' } }, {} ],
			}
		);
		expect(
			select( doc, parseFields( 'items(id), items(status)' ) )
		).toEqual( {
			items: [
				{ id: 'a', status: 'confirmed' },
				{ id: 'b', status: 'cancelled' },
			],
		} );
		expect( select( doc, parseFields( '*' ) ) ).toEqual( doc );
		for ( const bad of [
			'',
			'items,',
			'items(id',
			'items)id',
			'/id',
			'a b(',
			'it-ems',
		] ) {
			expect( () => parseFields( bad ) ).toThrow(
				'Invalid field selection'
			);
		}
	} );

	test( 'fields keeps only what is asked, nested and inside arrays', async () => {
		const made = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			fields: 'id,etag,conferenceData(createRequest/status,entryPoints(uri))',
			requestBody: {
				id: 'partial0001',
				...slot( 8 ),
				conferenceData: {
					createRequest: {
						requestId: 'partial0001',
						conferenceSolutionKey: { type: 'hangoutsMeet' },
					},
				},
			},
			auth,
		} );
		expect( Object.keys( made.data ).sort() ).toEqual(
			[ 'conferenceData', 'etag', 'id' ].sort()
		);
		expect( made.data.id ).toBe( 'partial0001' );
		const conference = made.data.conferenceData!;
		expect( Object.keys( conference ).sort() ).toEqual(
			Object.keys( {
				createRequest: 1,
				...( conference.entryPoints ? { entryPoints: 1 } : {} ),
			} ).sort()
		);
		expect( Object.keys( conference.createRequest! ) ).toEqual( [
			'status',
		] );
		for ( const entry of conference.entryPoints ?? [] ) {
			expect( Object.keys( entry ) ).toEqual( [ 'uri' ] );
		}

		const list = await calendar.events.list( {
			calendarId: 'primary',
			fields: 'items(id,status),nextPageToken',
			auth,
		} );
		expect( list.data.items!.length ).toBeGreaterThan( 0 );
		for ( const item of list.data.items! ) {
			expect(
				Object.keys( item ).every(
					( k ) => k === 'id' || k === 'status'
				)
			).toBe( true );
		}
		expect( Object.keys( list.data ) ).not.toContain( 'kind' );
	} );

	test( 'a selection that does not parse is refused before anything is done', async () => {
		const refused = await failure(
			calendar.events.insert( {
				calendarId: 'primary',
				fields: 'id,(etag',
				requestBody: { id: 'partial0002', ...slot( 10 ) },
				auth,
			} )
		);
		expect( refused ).toMatchObject( {
			status: 400,
			reason: 'invalidParameter',
		} );
		expect( refused.body.error.errors[ 0 ] ).toMatchObject( {
			location: 'fields',
			locationType: 'parameter',
		} );
		const missing = await failure(
			calendar.events.get( {
				calendarId: 'primary',
				eventId: 'partial0002',
				auth,
			} )
		);
		expect( missing.status ).toBe( 404 );
	} );
} );

describe( 'gzip', () => {
	const get = ( headers: Record< string, string > ) =>
		fetch(
			`${ google.url }/calendar/v3/calendars/primary/events/g00000001`,
			{ headers: { authorization: `Bearer ${ token }`, ...headers } }
		);

	beforeAll( () => insert( 'g00000001' ) );

	test( 'compressed when the client accepts gzip and its User-Agent says gzip', async () => {
		// fetch() would decompress by itself; node:http shows the bytes as sent.
		const http = await import( 'node:http' );
		const raw = await new Promise< {
			encoding?: string;
			body: Buffer;
		} >( ( resolve, reject ) => {
			http.get(
				`${ google.url }/calendar/v3/calendars/primary/events/g00000001`,
				{
					headers: {
						authorization: `Bearer ${ token }`,
						'accept-encoding': 'gzip',
						'user-agent': 'meet-for-kivicare (gzip)',
					},
				},
				( res ) => {
					const chunks: Buffer[] = [];
					res.on( 'data', ( c: Buffer ) => chunks.push( c ) );
					res.on( 'end', () =>
						resolve( {
							encoding: res.headers[ 'content-encoding' ],
							body: Buffer.concat( chunks ),
						} )
					);
				}
			).on( 'error', reject );
		} );
		expect( raw.encoding ).toBe( 'gzip' );
		expect(
			JSON.parse( gunzipSync( raw.body ).toString( 'utf8' ) ).id
		).toBe( 'g00000001' );
	} );

	test( 'not compressed when either half is missing', async () => {
		const noAgent = await get( {
			'accept-encoding': 'gzip',
			'user-agent': 'plain-client',
		} );
		expect( noAgent.headers.get( 'content-encoding' ) ).toBeNull();
		expect( ( await noAgent.json() ).id ).toBe( 'g00000001' );
		const noAccept = await get( {
			'accept-encoding': 'identity',
			'user-agent': 'client (gzip)',
		} );
		expect( noAccept.headers.get( 'content-encoding' ) ).toBeNull();
	} );

	test( 'the Google client library asks for gzip and reads the compressed answer', async () => {
		const seen = await calendar.events.get(
			{ calendarId: 'primary', eventId: 'g00000001', auth },
			{ responseType: 'json' }
		);
		expect( seen.data.id ).toBe( 'g00000001' );
		expect( seen.headers ).toBeDefined();
	} );
} );

describe( 'conditional requests', () => {
	test( 'a change with the etag last seen goes ahead and gets a new etag', async () => {
		const ev = await insert( 'cond000001' );
		const patched = await calendar.events.patch(
			{
				calendarId: 'primary',
				eventId: 'cond000001',
				requestBody: { ...slot( 11 ) },
				auth,
			},
			{ headers: { 'If-Match': ev.etag! } }
		);
		expect( patched.status ).toBe( 200 );
		expect( patched.data.etag ).not.toBe( ev.etag );
	} );

	test( 'a change with a stale etag is 412 conditionNotMet and changes nothing', async () => {
		const ev = await insert( 'cond000002' );
		// Someone else (the doctor, in Google Calendar) moves it.
		const moved = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'cond000002',
			requestBody: { ...slot( 14 ) },
			auth,
		} );
		for ( const change of [
			calendar.events.patch(
				{
					calendarId: 'primary',
					eventId: 'cond000002',
					requestBody: { ...slot( 12 ) },
					auth,
				},
				{ headers: { 'If-Match': ev.etag! } }
			),
			calendar.events.update(
				{
					calendarId: 'primary',
					eventId: 'cond000002',
					requestBody: { ...slot( 12 ) },
					auth,
				},
				{ headers: { 'If-Match': ev.etag! } }
			),
			calendar.events.delete(
				{ calendarId: 'primary', eventId: 'cond000002', auth },
				{ headers: { 'If-Match': ev.etag! } }
			),
		] ) {
			const refused = await failure( change );
			expect( refused ).toMatchObject( {
				status: 412,
				reason: 'conditionNotMet',
			} );
			expect( refused.body.error.errors[ 0 ] ).toMatchObject( {
				location: 'If-Match',
				locationType: 'header',
			} );
		}
		const now = await calendar.events.get( {
			calendarId: 'primary',
			eventId: 'cond000002',
			auth,
		} );
		expect( now.data.etag ).toBe( moved.data.etag );
		expect( now.data.status ).toBe( 'confirmed' );
		expect( now.data.start ).toEqual( moved.data.start );
	} );

	test( 'a read with the current etag in If-None-Match is 304 without a body', async () => {
		const ev = await insert( 'cond000003' );
		const res = await fetch(
			`${ google.url }/calendar/v3/calendars/primary/events/cond000003`,
			{
				headers: {
					authorization: `Bearer ${ token }`,
					'if-none-match': ev.etag!,
				},
			}
		);
		expect( res.status ).toBe( 304 );
		expect( await res.text() ).toBe( '' );
		const changed = await fetch(
			`${ google.url }/calendar/v3/calendars/primary/events/cond000003`,
			{
				headers: {
					authorization: `Bearer ${ token }`,
					'if-none-match': '"0"',
				},
			}
		);
		expect( changed.status ).toBe( 200 );
		expect( changed.headers.get( 'etag' ) ).toBe( ev.etag );
	} );
} );

describe( 'calls received and refused, per account', () => {
	afterEach( () =>
		control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
		} )
	);

	test( 'every API call is counted for its account and in total; refusals apart', async () => {
		// An account of its own: the limit counts the calls of the last minute.
		const counted = 'counted-doctor@example.test';
		const own = ( await connect( counted ) ).client;
		await control( 'DELETE', '/counters' );
		await control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: 3, perProjectPerMinute: null },
		} );
		const results = [];
		for ( let i = 0; i < 5; i++ ) {
			results.push(
				await calendar.events
					.list( { calendarId: 'primary', auth: own } )
					.then( () => 200 )
					.catch( ( e ) => e.response?.status as number )
			);
		}
		const refusedCount = results.filter( ( s ) => s !== 200 ).length;
		// 3 a minute holds one call at a time (a second's worth, at least one): 1 in, 4 refused.
		expect( refusedCount ).toBe( 4 );
		const counters = ( await control( 'GET', '/counters' ) ).body;
		expect( counters.accounts[ counted ] ).toEqual( {
			calls: 5,
			refused: refusedCount,
		} );
		expect( counters.total ).toEqual( { calls: 5, refused: refusedCount } );
		expect( counters.counters[ 'events.list' ] ).toBe( 5 );
	} );
} );
