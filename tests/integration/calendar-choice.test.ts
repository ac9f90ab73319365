/**
 * The calendar that receives a doctor's consultations (php/connection/class-mfk-doctor-calendar.php,
 * php/rest/class-mfk-rest-calendars.php, MFK_Mappings::record_intent()): primary by default,
 * the calendar choice asked by incremental consent, the "Video consultations" calendar made once
 * even on a double click, new meetings in the chosen calendar while existing ones stay where they
 * are, and a calendar that disappears: a clear failure whose fix (choosing another calendar)
 * moves the meetings that lost it.
 */
import {
	clearDebugLog,
	createUser,
	login,
	phpProblems,
	wpJson,
	type Session,
} from '../harness/testkit';
import { admin, book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	consentRedirect,
	drainQueue,
	freshDate,
	mapping,
	telemedScenario,
	type Scenario,
} from './support/meet';

const NS = 'meet-for-kivicare/v1';
const AUTH = 'https://www.googleapis.com/auth/';

let sc: Scenario;
let doctor: Session;
let patient: Session;
let day = '';

async function emulator( route: string, method = 'GET' ): Promise< any > {
	const { harness } = await import( '../harness/testkit' );
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/${ route }`,
		{
			method,
		}
	);
	return res.json();
}

async function bookAt( time: string ): Promise< number > {
	const booked = await book( patient, {
		appointmentStartDate: day,
		appointmentStartTime: time,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	return booked.body.data.appointment_id as number;
}

/** The doctor's row in the doctors' table, as an administrator sees it. */
async function doctorsRow(): Promise< Record< string, unknown > > {
	const listed = await ( await admin() ).rest( `${ NS }/connections` );
	expect( listed.status ).toBe( 200 );
	return listed.body.doctors.find(
		( d: { doctor_id: number } ) => d.doctor_id === sc.doctor.id
	);
}

/** Live events of a calendar for an appointment. */
async function eventsIn( calendarId: string, appointmentId: number ) {
	return ( await calendarEvents( calendarId ) ).filter(
		( e ) =>
			e.status !== 'cancelled' &&
			e.extendedProperties?.private?.mfkAppointmentId ===
				String( appointmentId )
	);
}

beforeAll( async () => {
	await configureMeet();
	sc = await telemedScenario();
	doctor = await login( sc.doctor );
	patient = await login( sc.patient );
	day = freshDate();
	clearDebugLog();
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

let first = 0;

it( 'by default meetings go to the primary calendar, and the calendar choice is not offered without permission', async () => {
	first = await bookAt( '09:00' );
	await drainQueue();
	expect( await eventsIn( sc.doctorEmail, first ) ).toHaveLength( 1 );

	const listed = await doctor.rest( `${ NS }/connection/calendars` );
	expect( listed.status ).toBe( 200 );
	expect( listed.body ).toEqual( {
		current: {
			id: 'primary',
			summary: 'Your primary calendar',
			primary: true,
		},
		access: { list: false, create: false },
		calendars: [],
	} );
	const made = await doctor.rest(
		`${ NS }/connection/calendar/consultations`,
		{ method: 'POST' }
	);
	expect( made.status ).toBe( 409 );
	expect( made.body.code ).toBe( 'insufficient_scope' );
	const other = await doctor.rest( `${ NS }/connection/calendar`, {
		method: 'POST',
		body: { calendar_id: 'someone@group.calendar.google.com' },
	} );
	expect( other.status ).toBe( 400 );
	expect( other.body.code ).toBe( 'invalid_param' );
	// The doctors' table names the calendar next to the connection.
	expect( await doctorsRow() ).toMatchObject( {
		status: 'active',
		calendar_primary: true,
		calendar_name: null,
	} );
} );

it( 'only the doctor chooses: administrators, clinic admins, receptionists, patients and logged-out visitors are refused', async () => {
	const receptionist = await login(
		await createUser( 'kiviCare_receptionist' )
	);
	const administrator = await login();
	const clinicAdmin = await login( sc.clinicAdmin );
	for ( const session of [
		patient,
		receptionist,
		administrator,
		clinicAdmin,
	] ) {
		expect(
			( await session.rest( `${ NS }/connection/calendars` ) ).status
		).toBe( 403 );
		expect(
			(
				await session.rest( `${ NS }/connection/calendar`, {
					method: 'POST',
					body: { calendar_id: 'primary' },
				} )
			).status
		).toBe( 403 );
	}
	const { harness } = await import( '../harness/testkit' );
	const anonymous = await fetch(
		`${ harness().url }/wp-json/${ NS }/connection/calendars`
	);
	expect( anonymous.status ).toBe( 401 );
} );

it( 'allowing the calendar choice: incremental consent for the same account, then the calendars are listed', async () => {
	const asked = await doctor.rest( `${ NS }/connection/calendar/access`, {
		method: 'POST',
		body: { return_to: '/wp-admin/profile.php#mfk-calendar' },
	} );
	expect( asked.status ).toBe( 200 );
	const url = new URL( asked.body.url );
	expect( url.searchParams.get( 'scope' )?.split( ' ' ) ).toEqual(
		expect.arrayContaining( [
			`${ AUTH }calendar.events`,
			`${ AUTH }calendar.calendarlist.readonly`,
			`${ AUTH }calendar.app.created`,
		] )
	);
	expect( url.searchParams.get( 'include_granted_scopes' ) ).toBe( 'true' );
	// The account connected before, not the WordPress address.
	expect( url.searchParams.get( 'login_hint' ) ).toBe( sc.doctorEmail );
	const back = await consentRedirect( asked.body.url, sc.doctorEmail );
	const callback = await doctor.fetch( back.toString(), {
		redirect: 'manual',
	} );
	expect( callback.status ).toBe( 302 );
	expect( callback.headers.get( 'location' ) ).toMatch(
		/profile\.php\?mfk_connected=1#mfk-calendar$/
	);

	const listed = await doctor.rest( `${ NS }/connection/calendars` );
	expect( listed.body.access ).toEqual( { list: true, create: true } );
	expect( listed.body.calendars ).toEqual( [
		{
			id: sc.doctorEmail,
			summary: sc.doctorEmail,
			primary: true,
			access_role: 'owner',
			consultations: false,
		},
	] );
	// The first meeting is untouched by the new grant.
	expect( await eventsIn( sc.doctorEmail, first ) ).toHaveLength( 1 );
} );

let consultations = '';
let second = 0;

it( 'a double click makes one "Video consultations" calendar; new meetings land in it, existing ones stay', async () => {
	const click = () =>
		doctor.rest( `${ NS }/connection/calendar/consultations`, {
			method: 'POST',
		} );
	const [ a, b ] = await Promise.all( [ click(), click() ] );
	expect( [ a.status, b.status ] ).toEqual( [ 200, 200 ] );
	expect( a.body.current.id ).toBe( b.body.current.id );
	expect( [ a.body.current.created, b.body.current.created ].sort() ).toEqual(
		[ false, true ]
	);
	consultations = a.body.current.id;
	expect( a.body.current ).toMatchObject( {
		summary: 'Video consultations',
		primary: false,
	} );
	const owned = await emulator(
		`accounts/${ encodeURIComponent( sc.doctorEmail ) }/calendars`
	);
	expect(
		owned.items.filter( ( c: any ) => c.summary === 'Video consultations' )
	).toEqual( [
		expect.objectContaining( {
			id: consultations,
			dataOwner: sc.doctorEmail,
			accessRole: 'owner',
		} ),
	] );
	expect(
		( await doctor.rest( `${ NS }/connection/calendars` ) ).body.current
	).toEqual( {
		id: consultations,
		summary: 'Video consultations',
		primary: false,
	} );

	expect( await doctorsRow() ).toMatchObject( {
		calendar_primary: false,
		calendar_name: 'Video consultations',
	} );

	second = await bookAt( '10:00' );
	await drainQueue();
	expect( await eventsIn( consultations, second ) ).toHaveLength( 1 );
	expect( await eventsIn( sc.doctorEmail, second ) ).toHaveLength( 0 );
	expect( await mapping( second ) ).toMatchObject( {
		state: 'ready',
		calendar_id: consultations,
	} );

	// The meeting booked before the choice is rescheduled: it stays in the primary calendar,
	// with its link.
	const before = await mapping( first );
	const moved = await doctor.rest( `${ KC }/appointments/${ first }`, {
		method: 'PUT',
		body: { appointmentStartDate: day, appointmentStartTime: '11:00' },
	} );
	expect( moved.status ).toBe( 200 );
	await drainQueue();
	expect( await mapping( first ) ).toMatchObject( {
		state: 'ready',
		calendar_id: 'primary',
		url: before!.url,
	} );
	expect( await eventsIn( sc.doctorEmail, first ) ).toHaveLength( 1 );
	expect( await eventsIn( consultations, first ) ).toHaveLength( 0 );
} );

it( 'the chosen calendar disappears: the meeting fails with a fix for the doctor; choosing another moves it', async () => {
	await emulator(
		`calendars/${ encodeURIComponent( consultations ) }`,
		'DELETE'
	);
	const third = await bookAt( '12:00' );
	await drainQueue();
	expect( await mapping( third ) ).toMatchObject( {
		state: 'failed',
		last_error_code: 'calendar_not_found',
		calendar_id: consultations,
	} );
	// The meeting already in that calendar is rescheduled: its change fails the same way.
	const moved = await doctor.rest( `${ KC }/appointments/${ second }`, {
		method: 'PUT',
		body: { appointmentStartDate: day, appointmentStartTime: '13:00' },
	} );
	expect( moved.status ).toBe( 200 );
	await drainQueue();
	expect( await mapping( second ) ).toMatchObject( {
		state: 'failed',
		sync_state: 'failed',
		last_error_code: 'calendar_not_found',
	} );
	const seen = await doctor.rest( `${ NS }/appointments/${ third }/meeting` );
	expect( seen.status ).toBe( 200 );
	expect( seen.body.fix ).toEqual( {
		action: 'choose_calendar',
		url: expect.stringMatching( /#mfk-calendar$/ ),
	} );
	expect( seen.body.error.message ).toMatch( /calendar/i );
	const forPatient = await patient.rest(
		`${ NS }/appointments/${ third }/meeting`
	);
	expect( forPatient.body.fix ).toBeUndefined();
	expect( forPatient.body.error ).toBeUndefined();

	// The Meet controls say the same in the doctor's words, and nothing to the patient.
	const page = await wpJson< number >(
		`return wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Consultation', 'post_content' => '[mfk_meet_controls appointment_id="' . (int) $args . '"]' ) );`,
		third
	);
	try {
		const html = async ( session: Session ) =>
			( await session.fetch( `/?page_id=${ page }` ) ).text();
		const forDoctor = await html( doctor );
		expect( forDoctor ).toMatch(
			/<a class="mfk-meet__link" href="[^"]+#mfk-calendar">Choose another calendar<\/a>/
		);
		const seenByPatient = await html( patient );
		const start = seenByPatient.indexOf(
			`data-mfk-appointment="${ third }"`
		);
		expect( start ).toBeGreaterThan( 0 );
		expect(
			seenByPatient.slice(
				start,
				seenByPatient.indexOf( '</li>', start )
			)
		).not.toMatch( /calendar/i );
	} finally {
		await wpJson(
			'return wp_delete_post( $args, true ) ? true : false;',
			page
		);
	}

	// The deleted calendar is no longer offered.
	const listed = await doctor.rest( `${ NS }/connection/calendars` );
	expect(
		listed.body.calendars.map( ( c: { id: string } ) => c.id )
	).toEqual( [ sc.doctorEmail ] );

	const chosen = await doctor.rest( `${ NS }/connection/calendar`, {
		method: 'POST',
		body: { calendar_id: sc.doctorEmail },
	} );
	expect( chosen.status ).toBe( 200 );
	expect( chosen.body.current ).toEqual( {
		id: 'primary',
		summary: 'Your primary calendar',
		primary: true,
		moved: 2,
	} );
	await drainQueue();
	for ( const appointment of [ second, third ] ) {
		expect( await mapping( appointment ) ).toMatchObject( {
			state: 'ready',
			link_state: 'ready',
			sync_state: 'in_step',
			calendar_id: 'primary',
		} );
		expect( await eventsIn( sc.doctorEmail, appointment ) ).toHaveLength(
			1
		);
	}
} );
