/**
 * Changes made in the doctor's Google Calendar through the sidecar (src/sidecar/calendars/sync.ts,
 * routes/sync/): a push channel opened and stopped, and an incremental sync that answers only
 * this site's events — moved, deleted, conference removed — with a full sync limited to the
 * site's events on a first run and after a 410.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;
let doctor: { credential: string; email: string };
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll( async () => {
	rig = await startRig();
	doctor = await rig.connect( 'sync-doctor@example.test' );
	receiver = createServer( ( req, res ) => {
		let body = '';
		req.on( 'data', ( c ) => ( body += c ) );
		req.on( 'end', () => {
			received.push( { headers: req.headers, body } );
			res.writeHead( 200 ).end();
		} );
	} );
	await new Promise< void >( ( r ) => receiver.listen( 0, '127.0.0.1', r ) );
	receiverUrl = `http://127.0.0.1:${ ( receiver.address() as AddressInfo ).port }/notify`;
} );
afterAll( async () => {
	await new Promise( ( r ) => receiver.close( r ) );
	await rig.close();
} );

const doctorFields = () => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
} );
const cal = () => encodeURIComponent( doctor.email );

async function book( appointmentId: number, start: string ) {
	const answer = await rig.call( '/v1/meetings/ensure', {
		...doctorFields(),
		appointmentId,
		...times( start ),
		waitMs: 10000,
	} );
	expect( answer.status ).toBe( 200 );
	return answer.body as { eventId: string; meetUrl: string };
}

async function counter( method: string ): Promise< number > {
	const { counters } = await rig.control< {
		counters: Record< string, number >;
	} >( 'GET', '/counters' );
	return counters[ method ] ?? 0;
}

const sync = ( over: Record< string, unknown > = {} ) =>
	rig.call( '/v1/calendars/sync', { ...doctorFields(), ...over } );

async function waitFor< T >( fn: () => T | undefined ): Promise< T > {
	for ( let i = 0; i < 200; i++ ) {
		const v = fn();
		if ( v !== undefined ) {
			return v;
		}
		await new Promise( ( r ) => setTimeout( r, 25 ) );
	}
	throw new Error( 'never happened' );
}

describe( 'incremental sync', () => {
	test( 'a first sync is full and limited to this site; later ones answer the changes made in Google', async () => {
		const a = await book( 9101, '2033-03-01T09:00:00Z' );
		const b = await book( 9102, '2033-03-01T10:00:00Z' );
		const c = await book( 9103, '2033-03-01T11:00:00Z' );
		// The doctor's own event, which is not this site's.
		await rig.control( 'POST', `/calendars/${ cal() }/busy`, {
			start: { dateTime: '2033-03-01T12:00:00Z' },
			end: { dateTime: '2033-03-01T13:00:00Z' },
			summary: 'Lunch',
		} );

		const first = await sync();
		expect( first.status ).toBe( 200 );
		expect( first.body.fullSync ).toBe( true );
		expect( first.body.nextSyncToken ).toEqual( expect.any( String ) );
		expect( first.body.nextPageToken ).toBeNull();
		const ids = first.body.events.map( ( e: any ) => e.eventId );
		expect( ids ).toEqual(
			expect.arrayContaining( [ a.eventId, b.eventId, c.eventId ] )
		);
		expect( ids ).toHaveLength( 3 );
		const one = first.body.events.find(
			( e: any ) => e.eventId === a.eventId
		);
		expect( one ).toMatchObject( {
			appointmentId: 9101,
			status: 'confirmed',
			conferenceStatus: 'success',
			meetUrl: a.meetUrl,
		} );
		expect( JSON.stringify( first.body ) ).not.toContain( 'Lunch' );

		// Nothing changed: one Google call, no events.
		const before = await counter( 'events.list' );
		const quiet = await sync( { syncToken: first.body.nextSyncToken } );
		expect( quiet.status ).toBe( 200 );
		expect( quiet.body ).toMatchObject( { events: [], fullSync: false } );
		expect( ( await counter( 'events.list' ) ) - before ).toBe( 1 );

		// The doctor moves one, deletes one, strips the conference of the third.
		await rig.control(
			'POST',
			`/calendars/${ cal() }/events/${ a.eventId }/move`,
			{
				start: { dateTime: '2033-03-02T15:00:00Z' },
				end: { dateTime: '2033-03-02T15:30:00Z' },
			}
		);
		await rig.control(
			'DELETE',
			`/calendars/${ cal() }/events/${ b.eventId }`
		);
		await rig.control(
			'POST',
			`/calendars/${ cal() }/events/${ c.eventId }/conference`,
			{
				action: 'remove',
			}
		);
		await rig.control( 'POST', `/calendars/${ cal() }/busy`, {
			start: { dateTime: '2033-03-03T12:00:00Z' },
			end: { dateTime: '2033-03-03T13:00:00Z' },
		} );

		const changed = await sync( { syncToken: quiet.body.nextSyncToken } );
		expect( changed.status ).toBe( 200 );
		expect( changed.body.fullSync ).toBe( false );
		const byId = Object.fromEntries(
			changed.body.events.map( ( e: any ) => [ e.eventId, e ] )
		);
		expect( Object.keys( byId ).sort() ).toEqual(
			[ a.eventId, b.eventId, c.eventId ].sort()
		);
		expect( Date.parse( byId[ a.eventId ].start.dateTime ) ).toBe(
			Date.parse( '2033-03-02T15:00:00Z' )
		);
		expect( byId[ a.eventId ].sequence ).toBeGreaterThan( 0 );
		expect( byId[ b.eventId ].status ).toBe( 'cancelled' );
		expect( byId[ c.eventId ] ).toMatchObject( {
			status: 'confirmed',
			conferenceStatus: 'none',
			meetUrl: null,
		} );
	} );

	test( 'a token Google no longer accepts (410) gives a full sync of this site, deleted events included', async () => {
		const d = await book( 9201, '2033-04-01T09:00:00Z' );
		const first = await sync();
		await rig.control(
			'DELETE',
			`/calendars/${ cal() }/events/${ d.eventId }`
		);
		await rig.control(
			'POST',
			`/calendars/${ cal() }/sync-tokens/invalidate`
		);
		const again = await sync( { syncToken: first.body.nextSyncToken } );
		expect( again.status ).toBe( 200 );
		expect( again.body.fullSync ).toBe( true );
		expect( again.body.nextSyncToken ).toEqual( expect.any( String ) );
		expect(
			again.body.events.find( ( e: any ) => e.eventId === d.eventId )
		).toMatchObject( { status: 'cancelled', appointmentId: 9201 } );
		// The new token works.
		const next = await sync( { syncToken: again.body.nextSyncToken } );
		expect( next.body ).toMatchObject( { events: [], fullSync: false } );
	} );

	test( 'refuses what is not a sync request before calling Google', async () => {
		const before = await counter( 'events.list' );
		expect( ( await sync( { syncToken: 7 } ) ).status ).toBe( 400 );
		expect(
			(
				await rig.call( '/v1/calendars/sync', {
					siteId: rig.siteId,
					client: rig.client,
				} )
			).status
		).toBe( 400 );
		expect( await counter( 'events.list' ) ).toBe( before );
	} );
} );

describe( 'push channels', () => {
	test( 'a channel opened with a secret token notifies the address; stopping it ends it', async () => {
		const token = 'secret-token-0123456789abcdef';
		const opened = await rig.call( '/v1/calendars/watch', {
			...doctorFields(),
			channelId: 'mfk-channel-test-1',
			token,
			address: receiverUrl,
			ttlSeconds: 3600,
		} );
		expect( opened.status ).toBe( 200 );
		expect( opened.body ).toMatchObject( {
			channelId: 'mfk-channel-test-1',
			resourceId: expect.any( String ),
			expiration: expect.any( Number ),
		} );
		const syncNotice = await waitFor( () =>
			received.find(
				( r ) =>
					r.headers[ 'x-goog-channel-id' ] === 'mfk-channel-test-1' &&
					r.headers[ 'x-goog-resource-state' ] === 'sync'
			)
		);
		expect( syncNotice.headers[ 'x-goog-channel-token' ] ).toBe( token );
		expect( syncNotice.body ).toBe( '' );

		await book( 9301, '2033-05-01T09:00:00Z' );
		await waitFor( () =>
			received.find(
				( r ) =>
					r.headers[ 'x-goog-channel-id' ] === 'mfk-channel-test-1' &&
					r.headers[ 'x-goog-resource-state' ] === 'exists'
			)
		);

		// The same id twice is refused by Google.
		const twice = await rig.call( '/v1/calendars/watch', {
			...doctorFields(),
			channelId: 'mfk-channel-test-1',
			token,
			address: receiverUrl,
		} );
		expect( twice.status ).toBeGreaterThanOrEqual( 400 );

		const stopped = await rig.call( '/v1/calendars/stop-watch', {
			...doctorFields(),
			channelId: 'mfk-channel-test-1',
			resourceId: opened.body.resourceId,
		} );
		expect( stopped.status ).toBe( 200 );
		expect( stopped.body.stopped ).toBe( true );
		const again = await rig.call( '/v1/calendars/stop-watch', {
			...doctorFields(),
			channelId: 'mfk-channel-test-1',
			resourceId: opened.body.resourceId,
		} );
		expect( again.status ).toBe( 200 );
		expect( again.body.stopped ).toBe( false );
	} );

	test( 'a channel token too short to be a secret is refused', async () => {
		const answer = await rig.call( '/v1/calendars/watch', {
			...doctorFields(),
			channelId: 'mfk-channel-test-2',
			token: 'short',
			address: receiverUrl,
		} );
		expect( answer.status ).toBe( 400 );
	} );
} );
