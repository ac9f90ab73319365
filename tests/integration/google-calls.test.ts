/**
 * Google calls per change, through WordPress (KiviCare stand-in → plugin → queue → sidecar →
 * emulator), counted at the emulator: booking one insert, reschedule one patch, cancel and
 * delete one delete each, an unchanged re-save none, regenerate one patch (the reads of a
 * pending conference apart, at most three). Faults: an event deleted in Google before a
 * reschedule is restored (or created again once, with the same id); a move made in Google is
 * not overwritten (moved_in_google, the link kept) until the clinic changes the appointment again.
 */
import { harness, login, phpProblems, type Session } from '../harness/testkit';
import { book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	drainQueue,
	emulatorCounters,
	freshDate,
	mapping,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

let sc: Scenario;
let patient: Session;
let doctor: Session;

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 5000 } );
	// Only the requests and the queue runs below call Google: every call is the change's own.
	await setBackgroundSync( false );
	sc = await telemedScenario();
	patient = await login( sc.patient );
	doctor = await login( sc.doctor );
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

afterAll( async () => {
	await setBackgroundSync( true );
	await setSettings( { sync_budget_ms: 3000 } );
} );

/** Google calls per operation made while `fn` runs and the queue then drains. */
async function calls( fn: () => Promise< unknown > ) {
	const before = await emulatorCounters();
	await fn();
	await drainQueue();
	const after = await emulatorCounters();
	const made: Record< string, number > = {};
	for ( const [ op, n ] of Object.entries( after ) ) {
		if ( op.startsWith( 'events.' ) && n > ( before[ op ] ?? 0 ) ) {
			made[ op ] = n - ( before[ op ] ?? 0 );
		}
	}
	// Reads of a conference Google is still creating are counted apart (at most three).
	const { 'events.get': polls = 0, ...writes } = made;
	return { made, writes, polls };
}

async function bookAt( date: string, time = '10:00' ): Promise< number > {
	const res = await book( patient, {
		appointmentStartDate: date,
		appointmentStartTime: time,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	expect( res.status ).toBe( 201 );
	return res.body.data.appointment_id as number;
}

function moveTo( id: number, date: string, time: string ) {
	return doctor.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: { appointmentStartDate: date, appointmentStartTime: time },
	} );
}

async function eventsOf( id: number ) {
	return ( await calendarEvents( sc.doctorEmail ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId === String( id )
	);
}

/** The doctor changes the event in Google Calendar (emulator control routes). */
async function inGoogle(
	method: 'PATCH' | 'DELETE',
	eventId: string,
	body?: object,
	query = ''
) {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/calendars/${ encodeURIComponent(
			sc.doctorEmail
		) }/events/${ eventId }${ query }`,
		{
			method,
			headers: body ? { 'Content-Type': 'application/json' } : undefined,
			body: body ? JSON.stringify( body ) : undefined,
		}
	);
	expect( res.status ).toBe( 200 );
}

it( 'booking, reschedule, unchanged re-save, regenerate, cancel: one call each, none for nothing', async () => {
	const date = freshDate();
	let id = 0;
	const booking = await calls( async () => {
		id = await bookAt( date );
	} );
	expect( booking.writes ).toEqual( { 'events.insert': 1 } );
	expect( booking.polls ).toBeLessThanOrEqual( 3 );
	const booked = ( await mapping( id ) )!;
	expect( booked ).toMatchObject( { state: 'ready', link_state: 'ready' } );
	const [ event ] = await eventsOf( id );
	expect( booked.etag ).toBe( event!.etag );
	expect( booked.synced_revision ).toBe( 0 );

	const reschedule = await calls( () => moveTo( id, date, '15:00' ) );
	expect( reschedule.made ).toEqual( { 'events.patch': 1 } );
	const moved = ( await mapping( id ) )!;
	expect( moved ).toMatchObject( {
		state: 'ready',
		url: booked.url,
		event_id: booked.event_id,
	} );
	expect( ( await eventsOf( id ) )[ 0 ]!.start.dateTime ).not.toBe(
		event!.start.dateTime
	);
	expect( moved.etag ).not.toBe( booked.etag );

	const resave = await calls( () => moveTo( id, date, '15:00' ) );
	expect( resave.made ).toEqual( {} );
	expect( ( await mapping( id ) )!.intent_seq ).toBe( moved.intent_seq );

	const regenerate = await calls( () =>
		doctor.rest(
			`${ KC }/appointments/${ id }/regenerate-video-conference`
		)
	);
	expect( regenerate.writes ).toEqual( { 'events.patch': 1 } );
	expect( regenerate.polls ).toBeLessThanOrEqual( 3 );
	const fresh = ( await mapping( id ) )!;
	expect( fresh ).toMatchObject( {
		state: 'ready',
		revision: booked.revision + 1,
		event_id: booked.event_id,
	} );
	expect( fresh.url ).not.toBe( booked.url );

	const cancel = await calls( () =>
		doctor.rest( `${ KC }/appointments/${ id }/status`, {
			method: 'PUT',
			body: { status: 0 },
		} )
	);
	expect( cancel.made ).toEqual( { 'events.delete': 1 } );
	expect( ( await mapping( id ) )!.state ).toBe( 'cancelled' );
	expect( ( await eventsOf( id ) )[ 0 ]!.status ).toBe( 'cancelled' );
} );

it( 'deleting the appointment is one delete', async () => {
	const id = await bookAt( freshDate() );
	await drainQueue();
	const removal = await calls( () =>
		doctor.rest( `${ KC }/appointments/${ id }`, { method: 'DELETE' } )
	);
	expect( removal.made ).toEqual( { 'events.delete': 1 } );
	expect( ( await eventsOf( id ) )[ 0 ]!.status ).toBe( 'cancelled' );
} );

it( 'an event deleted in Google before a reschedule is restored: same id, same link, one event', async () => {
	const date = freshDate();
	const id = await bookAt( date );
	await drainQueue();
	const booked = ( await mapping( id ) )!;
	await inGoogle( 'DELETE', booked.event_id );

	const reschedule = await calls( () => moveTo( id, date, '16:00' ) );
	// The conditional patch meets 412, the read finds it deleted, one patch restores it.
	expect( reschedule.made ).toEqual( { 'events.patch': 2, 'events.get': 1 } );
	expect( await mapping( id ) ).toMatchObject( {
		state: 'ready',
		url: booked.url,
		event_id: booked.event_id,
	} );
	const events = await eventsOf( id );
	expect( events ).toHaveLength( 1 );
	expect( events[ 0 ]!.status ).toBe( 'confirmed' );
} );

it( 'an event purged from Google before a reschedule is created again once, with the same id', async () => {
	const date = freshDate();
	const id = await bookAt( date );
	await drainQueue();
	const booked = ( await mapping( id ) )!;
	await inGoogle( 'DELETE', booked.event_id, undefined, '?purge=true' );

	const reschedule = await calls( () => moveTo( id, date, '17:00' ) );
	expect( reschedule.writes ).toEqual( {
		'events.patch': 1,
		'events.insert': 1,
	} );
	const row = ( await mapping( id ) )!;
	expect( row ).toMatchObject( {
		state: 'ready',
		event_id: booked.event_id,
	} );
	expect( row.url ).toMatch( /^https:\/\/meet\.google\.com\// );
	expect( await eventsOf( id ) ).toHaveLength( 1 );
} );

it( 'a move made in Google is not overwritten: moved_in_google with Google’s time, the link kept; the clinic’s next change applies', async () => {
	const date = freshDate();
	const id = await bookAt( date );
	await drainQueue();
	const booked = ( await mapping( id ) )!;
	const [ before ] = await eventsOf( id );
	const doctorsStart = `${ date }T06:00:00Z`;
	await inGoogle( 'PATCH', booked.event_id, {
		start: { dateTime: doctorsStart, timeZone: before!.start.timeZone },
		end: {
			dateTime: `${ date }T06:30:00Z`,
			timeZone: before!.end.timeZone,
		},
	} );

	const reschedule = await calls( () => moveTo( id, date, '12:00' ) );
	expect( reschedule.made ).toEqual( { 'events.patch': 1, 'events.get': 1 } );
	const row = ( await mapping( id ) )!;
	expect( row ).toMatchObject( {
		state: 'failed',
		sync_state: 'failed',
		last_error_code: 'moved_in_google',
		link_state: 'ready',
		url: booked.url,
	} );
	expect( row.last_error_message ).toContain( 'moved in Google Calendar' );
	const [ after ] = await eventsOf( id );
	expect( Date.parse( after!.start.dateTime ) ).toBe(
		Date.parse( doctorsStart )
	);
	expect( after!.hangoutLink ).toBe( booked.url );

	// The appointment's Meet panel and REST say so, like any other state.
	const panel = await doctor.rest(
		`meet-for-kivicare/v1/appointments/${ id }/meeting`
	);
	expect( JSON.stringify( panel.body ) ).toContain( 'moved_in_google' );

	// The clinic changes the appointment again, knowing: one patch applies its time.
	const again = await calls( () => moveTo( id, date, '13:00' ) );
	expect( again.made ).toEqual( { 'events.patch': 1 } );
	expect( await mapping( id ) ).toMatchObject( {
		state: 'ready',
		last_error_code: '',
		url: booked.url,
	} );
} );
