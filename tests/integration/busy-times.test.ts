/**
 * The doctor's Google busy times block KiviCare slots (php/kivicare/class-mfk-busy-times.php),
 * through KiviCare's REST API (the stand-in answers `kc_external_busy_slots_single` as §10 of the
 * contract says): a busy block hides the slot from the patient and is marked for staff, booking
 * it answers 409, the site's own consultation events are not blocks (editing an appointment at
 * its own time or around it answers 200); a doctor without the scope, or with the feature off,
 * sees no blocks; with Google down a booking answers from the last known busy times and the
 * failure is recorded.
 */
import {
	clearDebugLog,
	harness,
	login,
	phpProblems,
	wpJson,
	type Session,
} from '../harness/testkit';
import { admin, book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	addFault,
	emulatorCounters,
	clearFaults,
	configureMeet,
	consentRedirect,
	drainQueue,
	freshDate,
	mapping,
	redirectUri,
	telemedScenario,
	type Scenario,
} from './support/meet';

/** The doctors work in Tokyo (no daylight saving: +09:00 all year). */
const ZONE = 'Asia/Tokyo';

let withScope: Scenario;
let withoutScope: Scenario;
let patient: Session;
let staff: Session;
let day = '';

/** Connects the scenario's doctor again, allowing busy times (incremental consent). */
async function grantBusy( sc: Scenario ): Promise< void > {
	const state = `busy-${ sc.doctor.id }-${ Date.now() }`;
	const url = await wpJson< string >(
		`$u = MFK_Doctor_Connection::authorization_url( $args['id'], $args['redirect'], $args['state'], MFK_OAuth::ACCESS_BUSY );
		if ( is_wp_error( $u ) ) { throw new RuntimeException( $u->get_error_message() ); }
		return $u;`,
		{ id: sc.doctor.id, redirect: redirectUri(), state }
	);
	expect( new URL( url ).searchParams.get( 'scope' ) ).toContain(
		'calendar.events.freebusy'
	);
	const back = await consentRedirect( url, sc.doctorEmail );
	await wpJson(
		`$r = MFK_Doctor_Connection::connect_from_code( $args['id'], $args['code'], $args['redirect'] );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
		return $r;`,
		{
			id: sc.doctor.id,
			code: back.searchParams.get( 'code' ),
			redirect: redirectUri(),
		}
	);
}

/** A busy event "as the doctor in Google", local Tokyo times on `day`. */
async function busyInGoogle( email: string, from: string, to: string ) {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/calendars/${ encodeURIComponent(
			email
		) }/busy`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify( {
				start: { dateTime: `${ day }T${ from }:00+09:00` },
				end: { dateTime: `${ day }T${ to }:00+09:00` },
				summary: 'Private dentist',
			} ),
		}
	);
	expect( res.status ).toBe( 201 );
}

interface Slot {
	time: string;
	available: boolean;
	is_google_event?: boolean;
	google_event_name?: string;
}

async function slots( session: Session, sc: Scenario ): Promise< Slot[] > {
	const res = await session.rest(
		`${ KC }/appointments/slots?date=${ day }&doctor_id=${ sc.doctor.id }&service_id=${ sc.mappingId }`
	);
	expect( res.status ).toBe( 200 );
	expect( JSON.stringify( res.body ) ).not.toContain( 'dentist' );
	return res.body.data.slots as Slot[];
}

const bookAt = ( sc: Scenario, time: string ) =>
	book( patient, {
		appointmentStartDate: day,
		appointmentStartTime: time,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
		timezone: ZONE,
	} );

const editTo = ( id: number, time: string ) =>
	patient.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: {
			appointmentStartDate: day,
			appointmentStartTime: time,
			timezone: ZONE,
		},
	} );

beforeAll( async () => {
	await configureMeet( { busy_blocks_default: true } );
	withScope = await telemedScenario( { doctorMeta: { timezone: ZONE } } );
	withoutScope = await telemedScenario( {
		doctorMeta: { timezone: ZONE },
	} );
	await grantBusy( withScope );
	patient = await login( withScope.patient );
	staff = await login( withScope.clinicAdmin );
	day = freshDate();
	await busyInGoogle( withScope.doctorEmail, '10:00', '11:00' );
	await busyInGoogle( withoutScope.doctorEmail, '10:00', '11:00' );
	clearDebugLog();
}, 180000 );

afterAll( async () => {
	await clearFaults();
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'hides a busy slot from the patient and marks it for staff, without the event title', async () => {
	const forPatient = ( await slots( patient, withScope ) ).map(
		( s ) => s.time
	);
	expect( forPatient ).toContain( '09:30' );
	expect( forPatient ).not.toContain( '10:00' );
	expect( forPatient ).not.toContain( '10:30' );
	expect( forPatient ).toContain( '11:00' );

	const forStaff = await slots( staff, withScope );
	expect( forStaff.find( ( s ) => s.time === '10:30' ) ).toEqual( {
		time: '10:30',
		available: false,
		is_google_event: true,
		google_event_name: 'Busy on Google Calendar',
	} );
	expect( forStaff.find( ( s ) => s.time === '11:00' ) ).toEqual( {
		time: '11:00',
		available: true,
	} );
} );

it( 'refuses a booking that overlaps a busy block with 409', async () => {
	const res = await bookAt( withScope, '10:15' );
	expect( res.status ).toBe( 409 );
	expect( res.body.message ).toBe( 'Selected time slot is not available.' );
} );

let booked = 0;

it( 'the site’s own consultation event is not a block: editing at its own time or around it answers 200', async () => {
	const res = await bookAt( withScope, '12:00' );
	expect( res.status ).toBe( 201 );
	booked = res.body.data.appointment_id as number;
	await drainQueue();
	expect( ( await mapping( booked ) )!.state ).toBe( 'ready' );

	// Google now has the consultation at 12:00-12:30: busy, but this site's own.
	expect( ( await editTo( booked, '12:00' ) ).status ).toBe( 200 );
	expect( ( await editTo( booked, '12:15' ) ).status ).toBe( 200 );
	const forPatient = ( await slots( patient, withScope ) ).map(
		( s ) => s.time
	);
	expect( forPatient ).toContain( '13:00' );
	// Moving it onto the Google block is still refused.
	expect( ( await editTo( booked, '10:30' ) ).status ).toBe( 409 );
} );

it( 'the month view (kc_external_busy_slots) shows staff the Google block beside the appointments, never its title, and not the site’s own consultation as a block', async () => {
	const month = day.slice( 0, 7 );
	const res = await staff.rest(
		`${ KC }/appointments/calendar?month=${ month }&doctor_id=${ withScope.doctor.id }`
	);
	expect( res.status ).toBe( 200 );
	expect( JSON.stringify( res.body ) ).not.toContain( 'dentist' );
	const events = res.body.data.events as Array< {
		id?: number;
		start: string;
		end: string;
		status: number | string;
		is_google_event?: boolean;
		google_event_name?: string;
	} >;
	expect( events ).toContainEqual( {
		start: `${ day } 10:00:00`,
		end: `${ day } 11:00:00`,
		status: 'google_busy_block',
		is_google_event: true,
		google_event_name: 'Busy on Google Calendar',
	} );
	// The consultation booked above is an appointment, not a Google block.
	expect( events ).toContainEqual(
		expect.objectContaining( { id: booked, start: `${ day } 12:15:00` } )
	);
	expect(
		events.filter( ( e ) => e.is_google_event ).map( ( e ) => e.start )
	).toEqual( [ `${ day } 10:00:00` ] );
} );

it( 'a doctor without the scope sees no blocks, and the feature is off for them', async () => {
	const times = ( await slots( patient, withoutScope ) ).map(
		( s ) => s.time
	);
	expect( times ).toContain( '10:00' );
	const other = await login( withoutScope.patient );
	const res = await book( other, {
		appointmentStartDate: day,
		appointmentStartTime: '10:00',
		doctorId: withoutScope.doctor.id,
		patientId: withoutScope.patient.id,
		serviceId: [ withoutScope.mappingId ],
		status: 1,
		timezone: ZONE,
	} );
	expect( res.status ).toBe( 201 );
	const state = await wpJson< { state: string } >(
		'return MFK_Busy_Times::state( $args );',
		withoutScope.doctor.id
	);
	expect( state.state ).toBe( 'needs_grant' );
} );

it( 'with Google down a booking answers from the last known busy times and the failure is recorded', async () => {
	await wpJson( "delete_option( 'mfk_busy_status' ); return true;" );
	await addFault( {
		match: { operation: 'freebusy.query' },
		action: { type: 'error', status: 503 },
		times: 0,
	} );
	try {
		const res = await bookAt( withScope, '10:00' );
		expect( res.status ).toBe( 409 );
		const status = await wpJson< { code: string; doctor_id: number } >(
			'return MFK_Busy_Times::last_failure();'
		);
		expect( status.doctor_id ).toBe( withScope.doctor.id );
		expect( status.code ).not.toBe( '' );
		const health = await (
			await admin()
		).rest( 'meet-for-kivicare/v1/health' );
		expect( health.body.busy_times_failure ).toEqual( {
			code: status.code,
			at: expect.any( String ),
		} );
	} finally {
		await clearFaults();
		await wpJson( "delete_option( 'mfk_busy_status' ); return true;" );
	}
} );

it( 'the doctor’s switch turns the blocks off', async () => {
	await wpJson(
		'MFK_Busy_Times::set_switch( $args, false ); return true;',
		withScope.doctor.id
	);
	try {
		const times = ( await slots( patient, withScope ) ).map(
			( s ) => s.time
		);
		expect( times ).toContain( '10:00' );
	} finally {
		await wpJson(
			'MFK_Busy_Times::set_switch( $args, true ); return true;',
			withScope.doctor.id
		);
	}
} );

describe( 'the doctor’s panel routes', () => {
	const NS = 'meet-for-kivicare/v1';

	it( 'shows the state and the next days’ blocks in the doctor’s wall time, without titles', async () => {
		const tomorrow = new Date( Date.now() + 86400000 ).toLocaleDateString(
			'en-CA',
			{ timeZone: ZONE }
		);
		const made = await fetch(
			`${ harness().emulatorUrl }/__emulator/calendars/${ encodeURIComponent(
				withScope.doctorEmail
			) }/busy`,
			{
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify( {
					start: { dateTime: `${ tomorrow }T15:00:00+09:00` },
					end: { dateTime: `${ tomorrow }T16:30:00+09:00` },
					summary: 'Private dentist',
				} ),
			}
		);
		expect( made.status ).toBe( 201 );
		const doctor = await login( withScope.doctor );
		const res = await doctor.rest( `${ NS }/connection/busy-times?days=3` );
		expect( res.status ).toBe( 200 );
		expect( res.body ).toEqual( {
			state: 'on',
			switched_on: true,
			scope: 'granted',
			days: 3,
			blocks: [
				{
					start: `${ tomorrow } 15:00:00`,
					end: `${ tomorrow } 16:30:00`,
					name: 'Busy on Google Calendar',
				},
			],
		} );
		expect( JSON.stringify( res.body ) ).not.toContain( 'dentist' );
	} );

	it( 'the switch is the doctor’s own, and a doctor without the scope is offered the grant', async () => {
		const doctor = await login( withScope.doctor );
		const off = await doctor.rest( `${ NS }/connection/busy-times`, {
			method: 'POST',
			body: { enabled: false },
		} );
		expect( off.status ).toBe( 200 );
		expect( off.body.state ).toBe( 'off' );
		const on = await doctor.rest( `${ NS }/connection/busy-times`, {
			method: 'POST',
			body: { enabled: true },
		} );
		expect( on.body.state ).toBe( 'on' );

		const other = await login( withoutScope.doctor );
		const state = await other.rest( `${ NS }/connection/busy-times` );
		expect( state.body ).toMatchObject( {
			state: 'needs_grant',
			blocks: [],
		} );
		const grant = await other.rest(
			`${ NS }/connection/busy-times/access`,
			{
				method: 'POST',
				body: { return_to: `${ harness().url }/wp-admin/` },
			}
		);
		expect( grant.status ).toBe( 200 );
		const url = new URL( grant.body.url );
		expect( url.searchParams.get( 'scope' ) ).toContain(
			'calendar.events.freebusy'
		);
		expect( url.searchParams.get( 'include_granted_scopes' ) ).toBe(
			'true'
		);

		// Patients have no such panel.
		const forPatient = await patient.rest(
			`${ NS }/connection/busy-times`
		);
		expect( forPatient.status ).toBe( 403 );
	} );
} );

it( 'one sidecar call reads several doctors’ busy times for a view, and slot views then find them cached', async () => {
	// A fresh cache generation for the doctor with the scope.
	await wpJson(
		'MFK_Busy_Times::set_switch( $args, true ); return true;',
		withScope.doctor.id
	);
	const read = await wpJson< number >(
		'return MFK_Busy_Prefetch::doctors( $args["ids"], $args["day"], $args["day"] );',
		{ ids: [ withScope.doctor.id, withoutScope.doctor.id ], day }
	);
	// The doctor without the scope is known to lack it: not asked.
	expect( read ).toBe( 1 );
	const before = ( await emulatorCounters() )[ 'freebusy.query' ] ?? 0;
	const times = ( await slots( patient, withScope ) ).map( ( s ) => s.time );
	expect( times ).not.toContain( '10:00' );
	expect( ( await emulatorCounters() )[ 'freebusy.query' ] ?? 0 ).toBe(
		before
	);
} );
