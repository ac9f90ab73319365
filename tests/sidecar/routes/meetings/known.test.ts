/**
 * Changes to an event WordPress knows (`known`): one call each, conditional on the etag WordPress
 * kept; 404/410 falls back to the creation path; a 412 (changed in Google) follows the conflict
 * rules. Calls are counted at the emulator, per method, around each operation.
 */
import { eventIdFor } from '../../../../src/sidecar';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;
let doctor: { credential: string; email: string };
let nextAppointment = 700;

beforeAll( async () => {
	rig = await startRig();
	doctor = await rig.connect();
} );
afterAll( async () => rig.close() );
afterEach( async () => {
	await rig.control( 'PATCH', '/config', { conferenceDelayMs: 0 } );
} );

type Over = Record< string, unknown >;
type Answer = { status: number; body: any };
const slot = ( appointmentId: number, hour = 9 ) =>
	times(
		`2032-0${ 1 + ( appointmentId % 9 ) }-1${ appointmentId % 10 }T${ String(
			hour
		).padStart( 2, '0' ) }:00:00Z`
	);
const body = ( appointmentId: number, over: Over = {} ) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
	appointmentId,
	...slot( appointmentId ),
	waitMs: 10000,
	...over,
} );
/** What WordPress keeps from an answer and sends back with the next change. */
const knownOf = ( answer: Answer ) => ( {
	eventId: answer.body.eventId,
	etag: answer.body.etag,
	revision: answer.body.revision,
	start: answer.body.start,
	end: answer.body.end,
} );
const ensure = ( appointmentId: number, over: Over = {} ): Promise< Answer > =>
	rig.call( '/v1/meetings/ensure', body( appointmentId, over ) );
const eventPath = ( eventId: string ) =>
	`/calendars/${ encodeURIComponent( doctor.email ) }/events/${ eventId }`;
const stored = ( eventId: string ) =>
	rig.control( 'GET', eventPath( eventId ) );
/** "The doctor edits the event in Google Calendar." */
const editInGoogle = ( eventId: string, patch: object ) =>
	rig.control( 'PATCH', eventPath( eventId ), patch );

/** Google calls per method made while `fn` runs. */
async function calls< T >(
	fn: () => Promise< T >
): Promise< { result: T; made: Record< string, number > } > {
	const read = async () =>
		(
			await rig.control< { counters: Record< string, number > } >(
				'GET',
				'/counters'
			)
		).counters;
	const before = await read();
	const result = await fn();
	const after = await read();
	const made: Record< string, number > = {};
	for ( const [ method, n ] of Object.entries( after ) ) {
		const d = n - ( before[ method ] ?? 0 );
		if ( d > 0 ) {
			made[ method ] = d;
		}
	}
	return { result, made };
}

describe( 'one call per change', () => {
	test( 'booking is one insert; its answer carries the etag', async () => {
		const id = nextAppointment++;
		const { result, made } = await calls( () => ensure( id ) );
		expect( made ).toEqual( { 'events.insert': 1 } );
		expect( result.body ).toMatchObject( {
			status: 'ready',
			created: true,
			etag: ( await stored( result.body.eventId ) ).etag,
		} );
	} );

	test( 'a reschedule of a known event is one conditional patch: same event, same link, new etag', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const moved = slot( id, 14 );
		const { result, made } = await calls( () =>
			ensure( id, { ...moved, known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.patch': 1 } );
		expect( result.status ).toBe( 200 );
		expect( result.body ).toMatchObject( {
			eventId: booked.body.eventId,
			meetUrl: booked.body.meetUrl,
			status: 'ready',
			...moved,
		} );
		expect( result.body.etag ).not.toBe( booked.body.etag );
		const event = await stored( booked.body.eventId );
		expect( event.start.dateTime ).toBe( moved.start.dateTime );
		expect( event.etag ).toBe( result.body.etag );
	} );

	test( 'a summary or attendee change goes in the same one patch', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const { result, made } = await calls( () =>
			ensure( id, {
				...slot( id, 15 ),
				summary: 'Consultation with Dr No',
				attendees: [ { email: 'patient@example.org' } ],
				known: knownOf( booked ),
			} )
		);
		expect( made ).toEqual( { 'events.patch': 1 } );
		expect( result.body.status ).toBe( 'ready' );
		const event = await stored( booked.body.eventId );
		expect( event.summary ).toBe( 'Consultation with Dr No' );
		expect( event.attendees ).toEqual( [
			expect.objectContaining( { email: 'patient@example.org' } ),
		] );
	} );

	test( 'same times, another summary: the read finds the difference and one patch applies it', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const { made } = await calls( () =>
			ensure( id, { summary: 'Renamed', known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.get': 1, 'events.patch': 1 } );
		expect( ( await stored( booked.body.eventId ) ).summary ).toBe(
			'Renamed'
		);
	} );

	test( 'nothing changed (a retry, a pending conference) is one read', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const { result, made } = await calls( () =>
			ensure( id, { known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.get': 1 } );
		expect( result.body ).toMatchObject( {
			meetUrl: booked.body.meetUrl,
			etag: booked.body.etag,
		} );
	} );

	test( 'regenerate is one patch with a new createRequest (polls of the pending conference apart)', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await rig.control( 'PATCH', '/config', { conferenceDelayMs: 300 } );
		const { result, made } = await calls( () =>
			ensure( id, { revision: 1, known: knownOf( booked ) } )
		);
		const { 'events.get': polls = 0, ...writes } = made;
		expect( writes ).toEqual( { 'events.patch': 1 } );
		expect( polls ).toBeLessThanOrEqual( 3 );
		expect( result.body ).toMatchObject( {
			eventId: booked.body.eventId,
			revision: 1,
			status: 'ready',
		} );
		expect( result.body.meetUrl ).not.toBe( booked.body.meetUrl );
		expect(
			( await stored( booked.body.eventId ) ).conferenceData.createRequest
				.requestId
		).toBe( `${ booked.body.eventId }-1` );
	} );

	test( 'cancel of a known event is one conditional delete', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const { result, made } = await calls( () =>
			rig.call(
				'/v1/meetings/cancel',
				body( id, { known: knownOf( booked ) } )
			)
		);
		expect( made ).toEqual( { 'events.delete': 1 } );
		expect( result.body ).toEqual( { cancelled: true, existed: true } );
		expect( ( await stored( booked.body.eventId ) ).status ).toBe(
			'cancelled'
		);
	} );

	test( 'a known id that is not this appointment’s is never patched: the creation path runs', async () => {
		const id = nextAppointment++;
		const other = await ensure( nextAppointment++ );
		const { result, made } = await calls( () =>
			ensure( id, { known: knownOf( other ) } )
		);
		expect( made ).toEqual( { 'events.insert': 1 } );
		expect( result.body.eventId ).toBe( eventIdFor( rig.siteId, id ) );
	} );
} );

describe( 'gone from Google (404/410)', () => {
	test( 'an event purged from Google is created again once, with the same id', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await rig.control(
			'DELETE',
			`${ eventPath( booked.body.eventId ) }?purge=true`
		);
		const moved = slot( id, 15 );
		const { result, made } = await calls( () =>
			ensure( id, { ...moved, known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.patch': 1, 'events.insert': 1 } );
		expect( result.body ).toMatchObject( {
			eventId: booked.body.eventId,
			created: true,
			status: 'ready',
			...moved,
		} );
		const again = await calls( () =>
			ensure( id, { ...moved, known: knownOf( result ) } )
		);
		expect( again.made ).toEqual( { 'events.get': 1 } );
	} );

	test( 'cancel of a purged event is done', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await rig.control(
			'DELETE',
			`${ eventPath( booked.body.eventId ) }?purge=true`
		);
		const answer = await rig.call(
			'/v1/meetings/cancel',
			body( id, { known: knownOf( booked ) } )
		);
		expect( answer.body ).toEqual( { cancelled: true, existed: false } );
	} );
} );

describe( 'changed in Google since WordPress saw it (412)', () => {
	test( 'moved by the doctor: not overwritten, moved_in_google with Google’s time, link kept', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const doctors = slot( id, 16 );
		await editInGoogle( booked.body.eventId, doctors );
		const clinics = slot( id, 11 );
		const { result, made } = await calls( () =>
			ensure( id, { ...clinics, known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.patch': 1, 'events.get': 1 } );
		expect( result.status ).toBe( 409 );
		expect( result.body.code ).toBe( 'moved_in_google' );
		expect( result.body.data ).toMatchObject( {
			retryable: false,
			googleStart: { dateTime: doctors.start.dateTime },
			googleEnd: { dateTime: doctors.end.dateTime },
			etag: expect.any( String ),
		} );
		const event = await stored( booked.body.eventId );
		expect( event.start.dateTime ).toBe( doctors.start.dateTime );
		expect( event.hangoutLink ).toBe( booked.body.meetUrl );
		expect( event.etag ).toBe( result.body.data.etag );
	} );

	test( 'moved by the doctor, found by a read with nothing to change: moved_in_google, not moved back', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const doctors = slot( id, 20 );
		await editInGoogle( booked.body.eventId, doctors );
		const { result, made } = await calls( () =>
			ensure( id, { known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.get': 1 } );
		expect( result.body.code ).toBe( 'moved_in_google' );
		expect( ( await stored( booked.body.eventId ) ).start.dateTime ).toBe(
			doctors.start.dateTime
		);
	} );

	test( 'moved by the doctor to the very time the clinic wants: no conflict', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		const both = slot( id, 13 );
		await editInGoogle( booked.body.eventId, both );
		const answer = await ensure( id, {
			...both,
			known: knownOf( booked ),
		} );
		expect( answer.body ).toMatchObject( { status: 'ready', ...both } );
	} );

	test( 'deleted in Google: restored with the same id and link', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await rig.control( 'DELETE', eventPath( booked.body.eventId ) );
		const moved = slot( id, 12 );
		const { result, made } = await calls( () =>
			ensure( id, { ...moved, known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.patch': 2, 'events.get': 1 } );
		expect( result.body ).toMatchObject( {
			eventId: booked.body.eventId,
			meetUrl: booked.body.meetUrl,
			status: 'ready',
			...moved,
		} );
		expect( ( await stored( booked.body.eventId ) ).status ).toBe(
			'confirmed'
		);
	} );

	test( 'deleted in Google with nothing to change: the read finds it and restores it', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await rig.control( 'DELETE', eventPath( booked.body.eventId ) );
		const { result, made } = await calls( () =>
			ensure( id, { known: knownOf( booked ) } )
		);
		expect( made ).toEqual( { 'events.get': 1, 'events.patch': 1 } );
		expect( result.body ).toMatchObject( {
			status: 'ready',
			meetUrl: booked.body.meetUrl,
		} );
	} );

	test( 'conference removed in Google: repaired, the event keeps the clinic’s change', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await editInGoogle( booked.body.eventId, { conferenceData: null } );
		expect(
			( await stored( booked.body.eventId ) ).hangoutLink
		).toBeUndefined();
		const moved = slot( id, 10 );
		const answer = await ensure( id, {
			...moved,
			known: knownOf( booked ),
		} );
		expect( answer.body ).toMatchObject( {
			status: 'ready',
			meetUrl: expect.stringMatching( /^https:\/\/meet\.google\.com\// ),
			...moved,
		} );
		const event = await stored( booked.body.eventId );
		expect( event.hangoutLink ).toBe( answer.body.meetUrl );
		expect( event.start.dateTime ).toBe( moved.start.dateTime );
	} );

	test( 'conference replaced in Google: its link is adopted, not replaced again', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await editInGoogle( booked.body.eventId, {
			conferenceData: {
				createRequest: {
					requestId: 'made-by-the-doctor',
					conferenceSolutionKey: { type: 'hangoutsMeet' },
				},
			},
		} );
		const theirs = ( await stored( booked.body.eventId ) ).hangoutLink;
		expect( theirs ).not.toBe( booked.body.meetUrl );
		const moved = slot( id, 17 );
		const answer = await ensure( id, {
			...moved,
			known: knownOf( booked ),
		} );
		expect( answer.body ).toMatchObject( {
			status: 'ready',
			meetUrl: theirs,
			...moved,
		} );
	} );

	test( 'only other fields changed: our change is applied again over the fresh etag', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id, { summary: 'Ours' } );
		await editInGoogle( booked.body.eventId, { location: 'Room 4' } );
		const moved = slot( id, 18 );
		const { result, made } = await calls( () =>
			ensure( id, {
				...moved,
				summary: 'Ours',
				known: knownOf( booked ),
			} )
		);
		expect( made ).toEqual( { 'events.patch': 2, 'events.get': 1 } );
		expect( result.body ).toMatchObject( { status: 'ready', ...moved } );
		const event = await stored( booked.body.eventId );
		expect( event ).toMatchObject( {
			location: 'Room 4',
			summary: 'Ours',
			start: { dateTime: moved.start.dateTime },
		} );
	} );

	test( 'cancel over a stale etag still deletes the event (the clinic cancelled it)', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await editInGoogle( booked.body.eventId, { location: 'Room 4' } );
		const { result, made } = await calls( () =>
			rig.call(
				'/v1/meetings/cancel',
				body( id, { known: knownOf( booked ) } )
			)
		);
		expect( made ).toEqual( { 'events.delete': 2, 'events.get': 1 } );
		expect( result.body ).toEqual( { cancelled: true, existed: true } );
		expect( ( await stored( booked.body.eventId ) ).status ).toBe(
			'cancelled'
		);
	} );

	test( 'a change whose answer WordPress never got is not taken for a move in Google', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		// Google applied this reschedule; its answer was lost on the way back to WordPress,
		// which still knows the booking's etag and time.
		const lost = await rig.call(
			'/v1/meetings/reschedule',
			body( id, { ...slot( id, 14 ), known: knownOf( booked ) } )
		);
		expect( lost.status ).toBe( 200 );
		const later = await rig.call(
			'/v1/meetings/reschedule',
			body( id, { ...slot( id, 16 ), known: knownOf( booked ) } )
		);
		expect( later.status ).toBe( 200 );
		expect( later.body.meetUrl ).toBe( booked.body.meetUrl );
		expect( ( await stored( booked.body.eventId ) ).start.dateTime ).toBe(
			slot( id, 16 ).start.dateTime
		);
		// The same through ensure (the queue's path), still from the booking's etag and time.
		const again = await ensure( id, {
			...slot( id, 18 ),
			known: knownOf( booked ),
		} );
		expect( again.status ).toBe( 200 );
		expect( ( await stored( booked.body.eventId ) ).start.dateTime ).toBe(
			slot( id, 18 ).start.dateTime
		);
		// A move made in Google after all that is still one.
		await editInGoogle( booked.body.eventId, slot( id, 7 ) );
		const refused = await rig.call(
			'/v1/meetings/reschedule',
			body( id, { ...slot( id, 20 ), known: knownOf( again ) } )
		);
		expect( refused.body.code ).toBe( 'moved_in_google' );
	} );

	test( 'reschedule over a stale etag after a move in Google is moved_in_google', async () => {
		const id = nextAppointment++;
		const booked = await ensure( id );
		await editInGoogle( booked.body.eventId, slot( id, 19 ) );
		const answer = await rig.call(
			'/v1/meetings/reschedule',
			body( id, { ...slot( id, 8 ), known: knownOf( booked ) } )
		);
		expect( answer.body.code ).toBe( 'moved_in_google' );
		expect( ( await stored( booked.body.eventId ) ).start.dateTime ).toBe(
			slot( id, 19 ).start.dateTime
		);
	} );
} );
