/**
 * KiviCare stand-in: installation, setup wizard, login, services, and the booking path of
 * KiviCare 4.3 (`POST kivicare/v1/appointments`, payment success) with the test-only fake
 * telemed provider — transaction, rollback, gates, meeting keys, hooks and booking e-mails.
 */
import {
	clearDebugLog,
	clearMail,
	harness,
	login,
	phpProblems,
	query,
	readMail,
	setOption,
	deleteOption,
	setTimezone,
	waitForMail,
	wpJson,
	type TestUser,
} from '../harness/testkit';
import {
	KC,
	book,
	connectFakeDoctor,
	createDoctor,
	createPatient,
	createService,
	enableFakeProvider,
	ensureClinic,
	fakeCalls,
	resetFakeCalls,
	withoutMeetForKiviCare,
	preserveOptions,
	STAND_IN_TEST_OPTIONS,
	type Clinic,
	runActionScheduler,
} from '../kivicare-stand-in/test-support/standin';

let restoreMeetForKiviCare: () => Promise< void >;
let restoreOptions: () => Promise< void >;
let clinic: Clinic;

beforeAll( async () => {
	restoreOptions = await preserveOptions( STAND_IN_TEST_OPTIONS );
	restoreMeetForKiviCare = await withoutMeetForKiviCare();
	await enableFakeProvider();
	clinic = await ensureClinic();
} );

afterAll( async () => {
	await restoreOptions();
	await restoreMeetForKiviCare();
} );

beforeEach( async () => {
	clearDebugLog();
	// E-mails earlier tests left in Action Scheduler go out now, not in the next test.
	await runActionScheduler();
	clearMail();
	await resetFakeCalls();
} );

afterEach( () => {
	// Every test must leave WordPress's debug log free of PHP warnings and notices.

	expect( phpProblems() ).toEqual( [] );
} );

/** A doctor with a telemed and an in-person service, a patient and their sessions. */
async function practice( {
	connected = true,
	doctorMeta = {},
}: { connected?: boolean; doctorMeta?: Record< string, unknown > } = {} ) {
	const doctor = await createDoctor( clinic.clinicId, { meta: doctorMeta } );
	if ( connected ) {
		await connectFakeDoctor( doctor.id );
	}
	const telemed = await createService( {
		name: 'Video consultation',
		doctors: [ doctor.id ],
		telemed: true,
		duration: 45,
	} );
	const inPerson = await createService( {
		name: 'Check-up',
		doctors: [ doctor.id ],
		duration: 20,
	} );
	const patient = await createPatient();
	return {
		doctor,
		patient,
		telemedId: telemed.mappingIds[ 0 ]!,
		telemedServiceId: telemed.serviceId,
		inPersonId: inPerson.mappingIds[ 0 ]!,
		patientSession: await login( patient ),
		doctorSession: await login( doctor ),
	};
}

function appointmentRows( id: number ) {
	return query< Record< string, any > >(
		'SELECT * FROM wp_kc_appointments WHERE id = ?',
		[ id ]
	);
}

describe( 'installation', () => {
	it( 'is KiviCare 4.3.0 at the real plugin path and fires kivicare_loaded', async () => {
		const state = await wpJson< Record< string, unknown > >(
			`require_once ABSPATH . 'wp-admin/includes/plugin.php';
			$data = get_plugin_data( WP_PLUGIN_DIR . '/kivicare-clinic-management-system/kivicare-clinic-management-system.php', false, false );
			return array(
				'active'  => is_plugin_active( 'kivicare-clinic-management-system/kivicare-clinic-management-system.php' ),
				'name'    => $data['Name'],
				'version' => $data['Version'],
				'const'   => KIVICARE_VERSION,
				'loaded'  => did_action( 'kivicare_loaded' ),
				'classes' => array_map( 'class_exists', array(
					'abstract' => 'App\\abstracts\\KCAbstractTelemedProvider',
					'factory'  => 'App\\baseClasses\\KCTelemedFactory',
					'model'    => 'App\\baseClasses\\KCBaseModel',
				) ),
			);`
		);
		expect( state ).toEqual( {
			active: true,
			name: 'KiviCare – Clinic & Patient Management System (test stand-in)',
			version: '4.3.0',
			const: '4.3.0',
			loaded: 1,
			classes: { abstract: true, factory: true, model: true },
		} );
	} );

	it( 'creates the 4.3 tables with the UTC columns and appointment_timezone', async () => {
		const columns = await query< {
			TABLE_NAME: string;
			COLUMN_NAME: string;
			COLUMN_DEFAULT: string | null;
		} >(
			`SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS
			WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'wp\\_kc\\_%' ORDER BY TABLE_NAME, ORDINAL_POSITION`
		);
		const byTable = ( t: string ) =>
			columns
				.filter( ( c ) => c.TABLE_NAME === t )
				.map( ( c ) => c.COLUMN_NAME );
		expect( byTable( 'wp_kc_appointments' ) ).toEqual( [
			'id',
			'appointment_start_date',
			'appointment_start_time',
			'appointment_end_date',
			'appointment_end_time',
			'visit_type',
			'clinic_id',
			'doctor_id',
			'patient_id',
			'description',
			'status',
			'created_at',
			'appointment_report',
			'appointment_start_utc',
			'appointment_end_utc',
			'created_at_utc',
			'appointment_timezone',
		] );
		expect(
			columns.find( ( c ) => c.COLUMN_NAME === 'appointment_timezone' )
				?.COLUMN_DEFAULT
		).toBe( "'UTC'" );
		expect( byTable( 'wp_kc_appointment_service_mapping' ) ).toEqual( [
			'id',
			'appointment_id',
			'service_id',
			'status',
			'created_at',
		] );
		expect( byTable( 'wp_kc_service_doctor_mapping' ) ).toEqual( [
			'id',
			'service_id',
			'doctor_id',
			'clinic_id',
			'charges',
			'extra',
			'telemed_service',
			'service_name_alias',
			'multiple',
			'image',
			'status',
			'created_at',
			'duration',
		] );
		expect( byTable( 'wp_kc_patient_encounters' ) ).toEqual( [
			'id',
			'encounter_date',
			'clinic_id',
			'doctor_id',
			'patient_id',
			'appointment_id',
			'description',
			'status',
			'added_by',
			'created_at',
			'template_id',
		] );
		for ( const table of [
			'wp_kc_services',
			'wp_kc_clinics',
			'wp_kc_doctor_clinic_mappings',
			'wp_kc_patient_clinic_mappings',
		] ) {
			expect( byTable( table ).length ).toBeGreaterThan( 2 );
		}
		const index = await query(
			"SHOW INDEX FROM wp_kc_appointments WHERE Key_name = 'idx_appointment_start_utc'"
		);
		expect( index ).toHaveLength( 1 );
	} );

	it( 'creates the four KiviCare roles with their capabilities and the mail templates', async () => {
		const state = await wpJson< any >(
			`$roles = array();
			foreach ( array( 'kiviCare_patient', 'kiviCare_doctor', 'kiviCare_receptionist', 'kiviCare_clinic_admin' ) as $r ) {
				$role = get_role( $r );
				$roles[ $r ] = $role ? array(
					'list'   => $role->has_cap( 'kiviCare_appointment_list' ),
					'delete' => $role->has_cap( 'kiviCare_appointment_delete' ),
					'status' => $role->has_cap( 'kiviCare_patient_appointment_status_change' ),
				) : null;
			}
			global $wpdb;
			$templates = $wpdb->get_col( "SELECT post_name FROM {$wpdb->posts} WHERE post_type IN ('kiviCare_mail_tmp','kiviCare_gmeet_tmp') AND post_status = 'publish' ORDER BY post_name" );
			return array( 'roles' => $roles, 'templates' => $templates );`
		);
		expect( state.roles ).toEqual( {
			kiviCare_patient: { list: true, delete: false, status: false },
			kiviCare_doctor: { list: true, delete: true, status: true },
			kiviCare_receptionist: { list: true, delete: true, status: true },
			kiviCare_clinic_admin: { list: true, delete: true, status: true },
		} );
		expect( state.templates ).toEqual(
			expect.arrayContaining( [
				'kivicare_meet_link',
				'kivicare_add_doctor_meet_link',
				'kivicare_book_appointment',
				'kivicare_doctor_book_appointment',
				'kivicare_clinic_book_appointment',
				'kivicare_doctor_gm_event_template',
			] )
		);
	} );

	it( 'reports the telemed gates and add-on versions like includes/functions.php', async () => {
		// The fake defines the gate constant (as an add-on does); the Zoom add-on is absent.
		const gates = await wpJson(
			`return array( isKiviCareGoogleMeetActive(), isKiviCareTelemedActive(), kcGetAddonVersion( 'kivicare-googlemeet' ) );`
		);
		expect( gates ).toEqual( [ true, false, false ] );
	} );
} );

describe( 'setup wizard and login', () => {
	it( 'lets only administrators create the default clinic', async () => {
		const rows = await query< { id: number; clinic_admin_id: number } >(
			'SELECT id, clinic_admin_id FROM wp_kc_clinics'
		);
		expect( rows.map( ( r ) => r.id ) ).toContain( clinic.clinicId );
		expect(
			rows.find( ( r ) => r.id === clinic.clinicId )?.clinic_admin_id
		).toBe( clinic.clinicAdmin.id );

		const admin = await login( clinic.clinicAdmin );
		const res = await admin.rest( `${ KC }/setup-wizard/clinic`, {
			method: 'POST',
			body: {
				name: 'Mine now',
				clinic_admin: { email: clinic.clinicAdmin.email },
			},
		} );
		expect( res.status ).toBe( 403 );
	} );

	it( 'POST auth/login returns a nonce that works on later cookie requests and refuses administrators', async () => {
		const doctor = await createDoctor( clinic.clinicId );
		const res = await fetch( `${ harness().restUrl }${ KC }/auth/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify( {
				username: doctor.login,
				password: doctor.password,
			} ),
		} );
		const body = ( await res.json() ) as any;
		expect( res.status ).toBe( 200 );
		expect( body.status ).toBe( true );
		expect( body.data.nonce ).toMatch( /^[0-9a-f]{10}$/ );
		const cookie = res.headers
			.getSetCookie()
			.map( ( c ) => c.split( ';' )[ 0 ] )
			.join( '; ' );

		const config = await fetch( `${ harness().restUrl }${ KC }/config`, {
			headers: { Cookie: cookie, 'X-WP-Nonce': body.data.nonce },
		} );
		expect( config.status ).toBe( 200 );
		expect( ( ( await config.json() ) as any ).data.user ).toEqual( {
			id: doctor.id,
			role: 'kiviCare_doctor',
		} );

		const adminLogin = await fetch(
			`${ harness().restUrl }${ KC }/auth/login`,
			{
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify( {
					username: harness().admin.login,
					password: harness().admin.password,
				} ),
			}
		);
		expect( adminLogin.status ).toBe( 403 );

		const wrong = await fetch( `${ harness().restUrl }${ KC }/auth/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify( {
				username: doctor.login,
				password: 'nope',
			} ),
		} );
		expect( wrong.status ).toBe( 401 );
	} );
} );

describe( 'doctor services', () => {
	it( 'creates a kc_services row and one mapping per doctor, listed with the mapping id', async () => {
		const a = await createDoctor( clinic.clinicId );
		const b = await createDoctor( clinic.clinicId );
		const created = await createService( {
			name: 'Tele follow-up',
			doctors: [ a.id, b.id ],
			telemed: true,
			duration: 15,
		} );
		expect( created.mappingIds ).toHaveLength( 2 );
		const mappings = await query< any >(
			'SELECT * FROM wp_kc_service_doctor_mapping WHERE service_id = ? ORDER BY id',
			[ created.serviceId ]
		);
		expect(
			mappings.map( ( m ) => [
				m.id,
				m.doctor_id,
				m.clinic_id,
				m.telemed_service,
				m.duration,
			] )
		).toEqual( [
			[ created.mappingIds[ 0 ], a.id, clinic.clinicId, 'yes', 15 ],
			[ created.mappingIds[ 1 ], b.id, clinic.clinicId, 'yes', 15 ],
		] );

		const list = await (
			await login( a )
		).rest( `${ KC }/doctor-services` );
		expect( list.status ).toBe( 200 );
		expect( list.body.data ).toEqual( [
			expect.objectContaining( {
				id: created.mappingIds[ 0 ],
				service_id: created.serviceId,
				name: 'Tele follow-up',
				doctor_id: a.id,
				telemed_service: 'yes',
			} ),
		] );

		// A doctor may only add services for themselves.
		const other = await (
			await login( a )
		).rest( `${ KC }/doctor-services`, {
			method: 'POST',
			body: { name: 'Not mine', doctors: [ b.id ] },
		} );
		expect( other.status ).toBe( 403 );
	} );
} );

describe( 'POST appointments', () => {
	it( 'rejects malformed arguments with 400 and stores nothing', async () => {
		const p = await practice();
		const before = await query< { n: number } >(
			'SELECT COUNT(*) AS n FROM wp_kc_appointments'
		);
		for ( const bad of [
			{
				appointmentStartDate: '2031-02-30',
				appointmentStartTime: '10:00',
			},
			{
				appointmentStartDate: '2031-02-03',
				appointmentStartTime: '10:00:00',
			},
			{
				appointmentStartDate: '2031-02-03',
				appointmentStartTime: '25:00',
			},
			{
				appointmentStartDate: '2031-02-03',
				appointmentStartTime: '10:00',
				timezone: 'Mars/Olympus',
			},
		] ) {
			const res = await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.inPersonId ],
				status: 1,
				...bad,
			} );
			expect( res.status ).toBe( 400 );
		}
		const noService = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [],
			appointmentStartDate: '2031-02-03',
			appointmentStartTime: '10:00',
		} );
		expect( noService.status ).toBe( 400 );
		const after = await query< { n: number } >(
			'SELECT COUNT(*) AS n FROM wp_kc_appointments'
		);
		expect( after[ 0 ]!.n ).toBe( before[ 0 ]!.n );
	} );

	it( 'stores status 0 (Cancelled) when status is omitted, and the status sent otherwise', async () => {
		const p = await practice();
		const omitted = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-02-03',
			appointmentStartTime: '10:00',
		} );
		expect( omitted.status ).toBe( 201 );
		expect(
			( await appointmentRows( omitted.body.data.appointment_id ) )[ 0 ]!
				.status
		).toBe( 0 );

		const booked = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: JSON.stringify( [ p.inPersonId ] ),
			appointmentStartDate: '2031-02-03',
			appointmentStartTime: '11:00',
			status: 1,
		} );
		expect( booked.status ).toBe( 201 );
		expect(
			( await appointmentRows( booked.body.data.appointment_id ) )[ 0 ]!
				.status
		).toBe( 1 );
	} );

	it( 'writes local time, time zone and recomputed UTC columns, service, encounter and patient-clinic rows', async () => {
		const p = await practice( {
			doctorMeta: { timezone: 'Europe/Berlin' },
		} );
		// Doctor's zone applies when the request names none (winter: UTC+1).
		const winter = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-01-15',
			appointmentStartTime: '10:00',
			status: 1,
			description: 'Knee',
		} );
		expect( winter.status ).toBe( 201 );
		const id = winter.body.data.appointment_id;
		const [ row ] = await appointmentRows( id );
		expect( row ).toMatchObject( {
			appointment_start_date: '2031-01-15',
			appointment_start_time: '10:00:00',
			appointment_end_date: '2031-01-15',
			appointment_end_time: '10:20:00',
			appointment_timezone: 'Europe/Berlin',
			appointment_start_utc: '2031-01-15 09:00:00',
			appointment_end_utc: '2031-01-15 09:20:00',
			clinic_id: clinic.clinicId,
			doctor_id: p.doctor.id,
			patient_id: p.patient.id,
			visit_type: String( p.inPersonId ),
			description: 'Knee',
		} );
		expect( row!.created_at_utc ).toMatch(
			/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
		);

		// The request's zone wins (summer: Europe/Berlin is UTC+2, New York UTC-4).
		const summer = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-07-15',
			appointmentStartTime: '16:30',
			timezone: 'America/New_York',
			status: 1,
		} );
		const [ summerRow ] = await appointmentRows(
			summer.body.data.appointment_id
		);
		expect( summerRow ).toMatchObject( {
			appointment_timezone: 'America/New_York',
			appointment_start_utc: '2031-07-15 20:30:00',
			appointment_end_utc: '2031-07-15 20:50:00',
		} );

		const services = await query< any >(
			'SELECT service_id FROM wp_kc_appointment_service_mapping WHERE appointment_id = ?',
			[ id ]
		);
		const mapping = await query< any >(
			'SELECT service_id FROM wp_kc_service_doctor_mapping WHERE id = ?',
			[ p.inPersonId ]
		);
		expect( services ).toEqual( [
			{ service_id: mapping[ 0 ].service_id },
		] );
		const encounters = await query< any >(
			'SELECT encounter_date, clinic_id, doctor_id, patient_id, added_by FROM wp_kc_patient_encounters WHERE appointment_id = ?',
			[ id ]
		);
		expect( encounters ).toEqual( [
			{
				encounter_date: '2031-01-15',
				clinic_id: clinic.clinicId,
				doctor_id: p.doctor.id,
				patient_id: p.patient.id,
				added_by: p.patient.id,
			},
		] );
		const patientClinic = await query(
			'SELECT id FROM wp_kc_patient_clinic_mappings WHERE patient_id = ? AND clinic_id = ?',
			[ p.patient.id, clinic.clinicId ]
		);
		expect( patientClinic ).toHaveLength( 1 );
	} );

	it( 'answers 409 for a taken slot or a time outside the doctor session, but not after a cancellation', async () => {
		const p = await practice();
		const first = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-04',
			appointmentStartTime: '09:00',
			status: 1,
		} );
		expect( first.status ).toBe( 201 );
		const overlap = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-04',
			appointmentStartTime: '09:10',
			status: 1,
		} );
		expect( overlap.status ).toBe( 409 );
		expect( overlap.body.status ).toBe( false );
		const late = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-04',
			appointmentStartTime: '16:50',
			status: 1,
		} );
		expect( late.status ).toBe( 409 );
		// The doctor's session can be widened per doctor.
		await wpJson(
			'return update_user_meta( $args["id"], "kc_standin_session_hours", "00:00-24:00" );',
			{ id: p.doctor.id }
		);
		const night = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-04',
			appointmentStartTime: '23:00',
			status: 1,
		} );
		expect( night.status ).toBe( 201 );

		await p.doctorSession.rest(
			`${ KC }/appointments/${ first.body.data.appointment_id }/status`,
			{ method: 'PUT', body: { status: 0 } }
		);
		const again = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-04',
			appointmentStartTime: '09:10',
			status: 1,
		} );
		expect( again.status ).toBe( 201 );
	} );

	it( 'lets patients book only for themselves and doctors only with themselves', async () => {
		const p = await practice();
		const other = await createPatient();
		const forOther = await book( p.patientSession, {
			doctorId: p.doctor.id,
			patientId: other.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-05',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		expect( forOther.status ).toBe( 403 );
		const otherDoctor = await createDoctor( clinic.clinicId );
		const withOther = await book( await login( otherDoctor ), {
			doctorId: p.doctor.id,
			patientId: p.patient.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-03-05',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		expect( withOther.status ).toBe( 403 );
		const anonymous = await fetch(
			`${ harness().restUrl }${ KC }/appointments`,
			{
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify( {
					doctorId: p.doctor.id,
					patientId: p.patient.id,
					serviceId: [ p.inPersonId ],
					appointmentStartDate: '2031-03-05',
					appointmentStartTime: '10:00',
					status: 1,
				} ),
			}
		);
		expect( anonymous.status ).toBe( 401 );
	} );
} );

describe( 'telemed booking', () => {
	it( 'calls create_meeting inside the transaction with the documented keys (appointment zone for start_time, site zone for timezone)', async () => {
		await setTimezone( 'Asia/Tokyo' );
		try {
			const p = await practice();
			const res = await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.telemedId, p.inPersonId ],
				appointmentStartDate: '2031-01-20',
				appointmentStartTime: '14:15',
				timezone: 'Europe/Lisbon',
				status: 1,
				description: 'Rash',
			} );
			expect( res.status ).toBe( 201 );
			const id = res.body.data.appointment_id;
			const calls = ( await fakeCalls() ).filter(
				( c ) => c.method === 'create_meeting'
			);
			expect( calls ).toHaveLength( 1 );
			expect( calls[ 0 ]!.args[ 0 ] ).toEqual( {
				topic: 'Video consultation',
				type: 'scheduled',
				start_time: '2031-01-20 14:15:00',
				duration: 65,
				timezone: 'Asia/Tokyo',
				password: '',
				waiting_room: false,
				auto_recording: false,
				host_video: true,
				participant_video: true,
				mute_upon_entry: true,
				patient_id: p.patient.id,
				doctor_id: p.doctor.id,
				appointment_id: id,
			} );
			// Inside the open transaction, with the appointment row already written.
			expect( calls[ 0 ]!.in_transaction ).toBe( 1 );
			expect( calls[ 0 ]!.appointment_status ).toBe( 1 );
			// The meeting record saved through save_meeting_record() survives the COMMIT.
			const mapping = await query< any >(
				'SELECT event_id, url, event_url FROM wp_kc_standin_fake_meet_mappings WHERE appointment_id = ?',
				[ id ]
			);
			expect( mapping ).toEqual( [
				{
					event_id: expect.stringMatching(
						new RegExp( `^fake-evt-${ id }-` )
					),
					url: `https://meet.example.test/fake-${ id }`,
					event_url: `https://calendar.example.test/event?eid=fake-${ id }`,
				},
			] );
		} finally {
			await setTimezone( 'UTC' );
		}
	} );

	it( 'fires kc_after_create_appointment($id, $data, $request) before COMMIT', async () => {
		const p = await practice();
		const res = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.telemedId ],
			appointmentStartDate: '2031-01-21',
			appointmentStartTime: '09:30',
			status: 1,
		} );
		const id = res.body.data.appointment_id;
		const calls = await fakeCalls();
		expect( calls.map( ( c ) => c.method ) ).toEqual( [
			'create_meeting',
			'hook:kc_after_create_appointment',
		] );
		const hook = calls[ 1 ]!;
		expect( hook.in_transaction ).toBe( 1 );
		expect( hook.args[ 0 ] ).toBe( id );
		expect( hook.args[ 1 ] ).toMatchObject( {
			id,
			doctorId: p.doctor.id,
			patientId: p.patient.id,
			status: 1,
			serviceId: [ p.telemedId ],
		} );
		expect( hook.args[ 2 ] ).toEqual( {
			request: `/${ KC }/appointments`,
		} );
	} );

	it.each( [
		[ 'false', 'Failed to create telemed meeting' ],
		[ 'empty', 'Failed to create telemed meeting' ],
		[ 'throw', 'Fake provider exception' ],
	] )(
		'rolls everything back with HTTP 500 when create_meeting gives %s',
		async ( mode, reason ) => {
			await enableFakeProvider( { create: mode as 'false' } );
			try {
				const p = await practice();
				const before = await query< { n: number } >(
					'SELECT MAX(id) AS n FROM wp_kc_appointments'
				);
				const res = await book( p.patientSession, {
					doctorId: p.doctor.id,
					serviceId: [ p.telemedId ],
					appointmentStartDate: '2031-01-22',
					appointmentStartTime: '10:00',
					status: 1,
				} );
				expect( res.status ).toBe( 500 );
				expect( res.body ).toEqual( {
					status: false,
					message: `Failed to create appointment: ${ reason }`,
					data: null,
				} );
				const calls = await fakeCalls();
				expect( calls.map( ( c ) => c.method ) ).toEqual( [
					'create_meeting',
				] );
				const id = calls[ 0 ]!.args[ 0 ].appointment_id as number;
				expect( id ).toBeGreaterThan( before[ 0 ]!.n ?? 0 );
				expect( await appointmentRows( id ) ).toEqual( [] );
				expect(
					await query(
						'SELECT id FROM wp_kc_patient_encounters WHERE appointment_id = ?',
						[ id ]
					)
				).toEqual( [] );
				expect(
					await query(
						'SELECT id FROM wp_kc_appointment_service_mapping WHERE appointment_id = ?',
						[ id ]
					)
				).toEqual( [] );
			} finally {
				await enableFakeProvider();
			}
		}
	);

	it( 'treats a WP_Error from create_meeting as success (it is truthy)', async () => {
		await enableFakeProvider( { create: 'wp_error' } );
		try {
			const p = await practice();
			const res = await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.telemedId ],
				appointmentStartDate: '2031-01-23',
				appointmentStartTime: '10:00',
				status: 1,
			} );
			expect( res.status ).toBe( 201 );
			expect(
				await appointmentRows( res.body.data.appointment_id )
			).toHaveLength( 1 );
		} finally {
			await enableFakeProvider();
		}
	} );

	it( 'rolls back database writes made inside create_meeting when a later step fails', async () => {
		await enableFakeProvider( { throw_after_create_hook: true } );
		try {
			const p = await practice();
			const res = await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.telemedId ],
				appointmentStartDate: '2031-01-24',
				appointmentStartTime: '10:00',
				status: 1,
			} );
			expect( res.status ).toBe( 500 );
			const id = ( await fakeCalls() )[ 0 ]!.args[ 0 ]
				.appointment_id as number;
			expect( await appointmentRows( id ) ).toEqual( [] );
			expect(
				await query(
					'SELECT id FROM wp_kc_standin_fake_meet_mappings WHERE appointment_id = ?',
					[ id ]
				)
			).toEqual( [] );
			// Booking mails queued in Action Scheduler rolled back with the booking: none is sent.
			await runActionScheduler();
			expect(
				readMail().filter(
					( m ) =>
						m.to.includes( p.patient.email ) ||
						m.to.includes( p.doctor.email )
				)
			).toEqual( [] );
		} finally {
			await enableFakeProvider();
		}
	} );

	it( 'answers 500 "Telemed provider not found" when no provider accepts the doctor, 400 when no telemed add-on is active', async () => {
		const p = await practice( { connected: false } );
		const noProvider = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.telemedId ],
			appointmentStartDate: '2031-01-25',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		expect( noProvider.status ).toBe( 500 );
		expect( noProvider.body.message ).toBe(
			'Failed to create appointment: Telemed provider not found for the selected doctor'
		);

		// A server-to-server provider is picked for any doctor, connected or not.
		await enableFakeProvider( { auth_type: 'server-to-server' } );
		const s2s = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.telemedId ],
			appointmentStartDate: '2031-01-25',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		expect( s2s.status ).toBe( 201 );

		await enableFakeProvider( { define_gate: false } );
		await connectFakeDoctor( p.doctor.id );
		const before = await query< { n: number } >(
			'SELECT COUNT(*) AS n FROM wp_kc_appointments'
		);
		const gated = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.telemedId ],
			appointmentStartDate: '2031-01-25',
			appointmentStartTime: '12:00',
			status: 1,
		} );
		expect( gated.status ).toBe( 400 );
		expect( gated.body.message ).toBe(
			'Telemed services cannot be booked as telemed addon is not active'
		);
		// In-person services are not gated.
		const inPerson = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-01-25',
			appointmentStartTime: '12:00',
			status: 1,
		} );
		expect( inPerson.status ).toBe( 201 );
		const after = await query< { n: number } >(
			'SELECT COUNT(*) AS n FROM wp_kc_appointments'
		);
		expect( after[ 0 ]!.n ).toBe( before[ 0 ]!.n + 1 );
		await enableFakeProvider();
	} );

	it( 'does not call the provider for a telemed service mapped in another clinic', async () => {
		await setOption( 'kc_standin_pro_active', true );
		try {
			const [ other ] = await query< any >(
				"INSERT INTO wp_kc_clinics (name, email, status, created_at) VALUES ('Branch', 'branch@clinic.test', 1, NOW()) RETURNING id"
			);
			const p = await practice();
			const branchService = await createService( {
				name: 'Branch video',
				doctors: [ p.doctor.id ],
				telemed: true,
				clinics: [ other.id ],
			} );
			const res = await book( p.patientSession, {
				doctorId: p.doctor.id,
				clinicId: clinic.clinicId,
				serviceId: [ branchService.mappingIds[ 0 ]!, p.inPersonId ],
				appointmentStartDate: '2031-01-26',
				appointmentStartTime: '10:00',
				status: 1,
			} );
			expect( res.status ).toBe( 201 );
			expect(
				( await fakeCalls() ).filter(
					( c ) => c.method === 'create_meeting'
				)
			).toEqual( [] );
			// With Pro, clinicId is required.
			const missing = await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.inPersonId ],
				appointmentStartDate: '2031-01-26',
				appointmentStartTime: '11:00',
				status: 1,
			} );
			expect( missing.status ).toBe( 400 );
		} finally {
			await deleteOption( 'kc_standin_pro_active' );
		}
	} );
} );

describe( 'payment gateway bookings', () => {
	it( 'books as Pending without a meeting, then payment-success confirms and creates it with the stored start and duration ≥ 30', async () => {
		const p = await practice();
		// A 20-minute telemed service: the payment path stretches it to 30 minutes.
		const short = await createService( {
			name: 'Quick video',
			doctors: [ p.doctor.id ],
			telemed: true,
			duration: 20,
		} );
		const res = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ short.mappingIds[ 0 ]! ],
			appointmentStartDate: '2031-02-10',
			appointmentStartTime: '15:00',
			timezone: 'Europe/Berlin',
			status: 1,
			paymentGateway: 'stripe',
		} );
		expect( res.status ).toBe( 201 );
		const id = res.body.data.appointment_id;
		expect( res.body.data.status ).toBe( 2 );
		expect( ( await appointmentRows( id ) )[ 0 ]!.status ).toBe( 2 );
		expect( ( await fakeCalls() ).map( ( c ) => c.method ) ).toEqual( [
			'hook:kc_after_create_appointment',
		] );
		await new Promise( ( r ) => setTimeout( r, 300 ) );
		expect( readMail() ).toEqual( [] );

		await resetFakeCalls();
		const paid = await p.patientSession.rest(
			`${ KC }/appointments/payment-success`,
			{ method: 'POST', body: { appointment_id: id, payment_id: 'pi_1' } }
		);
		expect( paid.status ).toBe( 200 );
		expect( ( await appointmentRows( id ) )[ 0 ]!.status ).toBe( 1 );
		const calls = await fakeCalls();
		expect( calls.map( ( c ) => c.method ) ).toEqual( [
			'create_meeting',
			'hook:kc_appointment_payment_completed',
		] );
		expect( calls[ 0 ]!.args[ 0 ] ).toMatchObject( {
			start_time: '2031-02-10 15:00:00',
			duration: 30,
			appointment_id: id,
			topic: 'Quick video',
		} );
		expect( calls[ 0 ]!.in_transaction ).toBe( 1 );
		const payment = await query< any >(
			'SELECT payment_status, payment_mode FROM wp_kc_payments_appointment_mappings WHERE appointment_id = ?',
			[ id ]
		);
		expect( payment ).toEqual( [
			{ payment_status: 'completed', payment_mode: 'stripe' },
		] );

		// kc_appointment_payment_completed queues the booking mails with the link.
		await runActionScheduler();
		const mail = await waitForMail( ( m ) => m.length >= 3 );
		expect( mail.map( ( m ) => m.subject ).sort() ).toEqual( [
			'New appointment at Stand-in Clinic',
			'Video consultation link for Patient Test',
			'Your video consultation link',
		] );
	} );

	it( 'sets status 0 and payment cancelled when the provider throws during payment', async () => {
		const p = await practice();
		const res = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.telemedId ],
			appointmentStartDate: '2031-02-11',
			appointmentStartTime: '10:00',
			status: 1,
			paymentGateway: 'paypal',
		} );
		const id = res.body.data.appointment_id;
		await enableFakeProvider( { create: 'throw' } );
		try {
			const paid = await p.patientSession.rest(
				`${ KC }/appointments/payment-success`,
				{ method: 'POST', body: { appointment_id: id } }
			);
			expect( paid.status ).toBe( 500 );
			expect( ( await appointmentRows( id ) )[ 0 ]!.status ).toBe( 0 );
			const payment = await query< any >(
				'SELECT payment_status FROM wp_kc_payments_appointment_mappings WHERE appointment_id = ?',
				[ id ]
			);
			expect( payment ).toEqual( [ { payment_status: 'cancelled' } ] );
		} finally {
			await enableFakeProvider();
		}
	} );
} );

describe( 'booking e-mails', () => {
	it( 'without Action Scheduler, KiviCare hands its mails to a filter nothing handles: none is sent', async () => {
		await setOption( 'kc_standin_action_scheduler', 'off' );
		try {
			const p = await practice();
			const res = await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.inPersonId ],
				appointmentStartDate: '2031-04-05',
				appointmentStartTime: '10:00',
				status: 1,
			} );
			expect( res.status ).toBe( 201 );
		} finally {
			await deleteOption( 'kc_standin_action_scheduler' );
		}
		await runActionScheduler();
		await new Promise( ( r ) => setTimeout( r, 300 ) );
		expect( readMail() ).toEqual( [] );
	} );

	function mailTo( user: TestUser | string ) {
		const address = typeof user === 'string' ? user : user.email;
		return readMail().filter( ( m ) => m.to.includes( address ) );
	}

	it( 'telemed: no normal patient/doctor mail, the clinic mail, and Meet link mails read inside the transaction', async () => {
		const p = await practice();
		const res = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.telemedId ],
			appointmentStartDate: '2031-04-01',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		const id = res.body.data.appointment_id;
		// Queued in Action Scheduler; sent when it runs (WP-Cron, WP-CLI).
		await new Promise( ( r ) => setTimeout( r, 200 ) );
		expect( readMail() ).toEqual( [] );
		expect( await runActionScheduler() ).toBe( 3 );
		await waitForMail( ( m ) => m.length >= 3 );
		const mail = readMail();
		expect( mail ).toHaveLength( 3 );
		const patientMail = mailTo( p.patient );
		const doctorMail = mailTo( p.doctor );
		const clinicMail = mailTo( 'front-desk@clinic.test' );
		expect( patientMail.map( ( m ) => m.subject ) ).toEqual( [
			'Your video consultation link',
		] );
		expect( doctorMail.map( ( m ) => m.subject ) ).toEqual( [
			'Video consultation link for Patient Test',
		] );
		expect( clinicMail.map( ( m ) => m.subject ) ).toEqual( [
			'New appointment at Stand-in Clinic',
		] );
		for ( const m of [ ...patientMail, ...doctorMail ] ) {
			expect( m.html ).toContain(
				`href="https://meet.example.test/fake-${ id }"`
			);
			expect( m.html ).toContain(
				`https://calendar.example.test/event?eid=fake-${ id }`
			);
			expect( m.html ).not.toContain( '{{' );
		}
	} );

	it( 'telemed without a link: no Meet mails (the link is read when the hook fires)', async () => {
		await enableFakeProvider( { create: 'array' } );
		try {
			const p = await practice();
			await book( p.patientSession, {
				doctorId: p.doctor.id,
				serviceId: [ p.telemedId ],
				appointmentStartDate: '2031-04-02',
				appointmentStartTime: '10:00',
				status: 1,
			} );
			await runActionScheduler();
			await waitForMail( ( m ) => m.length >= 1 );
			expect( readMail().map( ( m ) => [ m.to, m.subject ] ) ).toEqual( [
				[
					[ 'front-desk@clinic.test' ],
					'New appointment at Stand-in Clinic',
				],
			] );
		} finally {
			await enableFakeProvider();
		}
	} );

	it( 'in person: patient, doctor and clinic mails; cancelled (status omitted) bookings send nothing', async () => {
		const p = await practice();
		await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-04-03',
			appointmentStartTime: '10:00',
			status: 1,
			description: '<b>Back</b> pain',
		} );
		await runActionScheduler();
		await waitForMail( ( m ) => m.length >= 3 );
		expect( mailTo( p.patient ).map( ( m ) => m.subject ) ).toEqual( [
			'Appointment booked',
		] );
		expect( mailTo( p.doctor ).map( ( m ) => m.subject ) ).toEqual( [
			'New appointment',
		] );
		expect(
			mailTo( 'front-desk@clinic.test' ).map( ( m ) => m.subject )
		).toEqual( [ 'New appointment at Stand-in Clinic' ] );

		clearMail();
		await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-04-03',
			appointmentStartTime: '11:00',
		} );
		await runActionScheduler();
		expect( readMail() ).toEqual( [] );
	} );

	it( 'escapes dynamic values in the mail body', async () => {
		const p = await practice();
		// Stored as-is, as data imported or written by another plugin could be.
		await query( 'UPDATE wp_users SET display_name = ? WHERE ID = ?', [
			'<script>x</script>Eve',
			p.patient.id,
		] );
		await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-04-04',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		await runActionScheduler();
		const mail = await waitForMail( ( m ) => m.length >= 3 );
		for ( const m of mail ) {
			expect( m.html ).not.toContain( '<script>' );
		}
		expect( mailTo( p.patient )[ 0 ]!.html ).toContain(
			'&lt;script&gt;x&lt;/script&gt;Eve'
		);
	} );
} );
