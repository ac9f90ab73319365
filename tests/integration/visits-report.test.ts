/**
 * The video visits report through WordPress: past telemedicine appointments with their
 * attendance outcome, filtered by doctor, clinic, date range and outcome, totals per outcome,
 * server-side pages, the CSV download with the same filters and formula-safe cells, and who
 * may read it (administrators; clinic admins for their own clinics only; nobody else).
 */
import {
	createUser,
	harness,
	login,
	query,
	wpJson,
	type Session,
	type TestUser,
} from '../harness/testkit';

const API = 'meet-for-kivicare/v1/reports/visits';

interface Visit {
	appointment_id: number;
	start: string;
	end: string;
	doctor: { id: number; name: string };
	clinic: { id: number; name: string };
	outcome: string;
	minutes: number | null;
}
interface Page {
	items: Visit[];
	total: number;
	totals: Record< string, number >;
	page: number;
	per_page: number;
	pages: number;
}

async function clinic(
	name: string,
	clinicAdmin: TestUser
): Promise< number > {
	await query(
		'INSERT INTO wp_kc_clinics (name, email, status, clinic_admin_id, created_at) VALUES (?, ?, 1, ?, NOW())',
		[ name, 'desk@clinic.test', clinicAdmin.id ]
	);
	const rows = await query< { id: number } >(
		'SELECT id FROM wp_kc_clinics WHERE clinic_admin_id = ? ORDER BY id DESC LIMIT 1',
		[ clinicAdmin.id ]
	);
	return Number( rows[ 0 ]!.id );
}

async function doctorOf( clinicId: number, firstName: string ) {
	const doctor = await createUser( 'kiviCare_doctor', {
		firstName,
		lastName: 'Test',
	} );
	await query(
		'INSERT INTO wp_kc_doctor_clinic_mappings (doctor_id, clinic_id, owner, created_at) VALUES (?, ?, 0, NOW())',
		[ doctor.id, clinicId ]
	);
	return doctor;
}

/**
 * An appointment with a mapping row whose consultation ended `endedDaysAgo` days ago (negative:
 * in the future), and an attendance record when `outcome` is given.
 */
function visit( v: {
	clinicId: number;
	doctorId: number;
	endedDaysAgo: number;
	outcome?: string;
	minutes?: number;
	url?: string;
	desired?: string;
} ): Promise< number > {
	return wpJson< number >(
		`global $wpdb;
		$end   = time() - (int) round( $args['endedDaysAgo'] * DAY_IN_SECONDS );
		$start = $end - 30 * MINUTE_IN_SECONDS;
		$wpdb->insert( $wpdb->prefix . 'kc_appointments', array(
			'appointment_start_date' => gmdate( 'Y-m-d', $start ),
			'appointment_start_time' => gmdate( 'H:i:s', $start ),
			'clinic_id' => $args['clinicId'], 'doctor_id' => $args['doctorId'], 'patient_id' => 1,
			'status' => 1, 'appointment_start_utc' => gmdate( 'Y-m-d H:i:s', $start ),
			'appointment_end_utc' => gmdate( 'Y-m-d H:i:s', $end ), 'created_at' => current_time( 'mysql' ),
		) );
		$id = (int) $wpdb->insert_id;
		$wpdb->insert( MFK_Schema::table(), array(
			'appointment_id' => $id, 'url' => $args['url'] ?? 'https://meet.google.com/abc-defg-hij',
			'state' => 'ready', 'desired' => $args['desired'] ?? 'active', 'doctor_id' => $args['doctorId'],
			'start_utc' => gmdate( 'Y-m-d H:i:s', $start ), 'end_utc' => gmdate( 'Y-m-d H:i:s', $end ),
		) );
		if ( isset( $args['outcome'] ) ) {
			$wpdb->insert( MFK_Meet_Attendance::table(), array(
				'appointment_id' => $id, 'state' => 'recorded', 'outcome' => $args['outcome'], 'calls' => 1,
				'call_start' => gmdate( 'Y-m-d H:i:s', $start ),
				'call_end' => gmdate( 'Y-m-d H:i:s', $start + 60 * (int) ( $args['minutes'] ?? 0 ) ),
				'participants' => '[]',
			) );
		}
		return $id;`,
		v
	);
}

const day = ( daysAgo: number ) =>
	new Date( Date.now() - daysAgo * 86400000 ).toISOString().slice( 0, 10 );

let admin: Session;
let adminX: Session;
let adminY: Session;
let doctorSession: Session;
let receptionistSession: Session;
let patientSession: Session;
let clinicX: number;
let clinicY: number;
let drA: TestUser;
let drB: TestUser;
let drC: TestUser;
const ids: Record< string, number > = {};

beforeAll( async () => {
	// Schema 6 (the end_utc index) on an instance upgraded in place.
	await wpJson(
		'update_option( "mfk_db_version", "5" ); MFK_Schema::maybe_upgrade(); return true;'
	);
	const clinicAdminX = await createUser( 'kiviCare_clinic_admin' );
	const clinicAdminY = await createUser( 'kiviCare_clinic_admin' );
	clinicX = await clinic( '+Clinic X', clinicAdminX );
	clinicY = await clinic( 'Clinic Y', clinicAdminY );
	drA = await doctorOf( clinicX, '=HYPERLINK("x")' );
	drB = await doctorOf( clinicX, 'Bea' );
	drC = await doctorOf( clinicY, 'Cleo' );
	const receptionist = await createUser( 'kiviCare_receptionist' );
	await query(
		'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
		[ receptionist.id, clinicX ]
	);
	const x = { clinicId: clinicX };
	ids.heldA = await visit( {
		...x,
		doctorId: drA.id,
		endedDaysAgo: 1,
		outcome: 'held',
		minutes: 25,
	} );
	ids.noShowA = await visit( {
		...x,
		doctorId: drA.id,
		endedDaysAgo: 2,
		outcome: 'patient_no_show',
		minutes: 10,
	} );
	ids.unknownA = await visit( {
		...x,
		doctorId: drA.id,
		endedDaysAgo: 0.01,
	} );
	ids.oldA = await visit( {
		...x,
		doctorId: drA.id,
		endedDaysAgo: 40,
		outcome: 'not_held',
	} );
	ids.futureA = await visit( { ...x, doctorId: drA.id, endedDaysAgo: -1 } );
	ids.cancelledA = await visit( {
		...x,
		doctorId: drA.id,
		endedDaysAgo: 3,
		desired: 'cancelled',
	} );
	ids.noLinkA = await visit( {
		...x,
		doctorId: drA.id,
		endedDaysAgo: 3,
		url: '',
	} );
	for ( let i = 0; i < 5; i++ ) {
		ids[ `heldB${ i }` ] = await visit( {
			...x,
			doctorId: drB.id,
			endedDaysAgo: 5 + i,
			outcome: i % 2 ? 'doctor_no_show' : 'held',
			minutes: 20,
		} );
	}
	ids.heldC = await visit( {
		clinicId: clinicY,
		doctorId: drC.id,
		endedDaysAgo: 1,
		outcome: 'held',
		minutes: 30,
	} );
	admin = await login( harness().admin );
	adminX = await login( clinicAdminX );
	adminY = await login( clinicAdminY );
	doctorSession = await login( drA );
	receptionistSession = await login( receptionist );
	patientSession = await login( await createUser( 'kiviCare_patient' ) );
}, 120000 );

async function page(
	session: Session,
	args: Record< string, string | number >
) {
	const qs = new URLSearchParams(
		Object.entries( args ).map( ( [ k, v ] ) => [ k, String( v ) ] )
	);
	return session.rest< Page >( `${ API }?${ qs }` );
}

test( 'lists past telemedicine visits of a doctor, newest first, with outcome, minutes, doctor and clinic', async () => {
	const res = await page( admin, { doctor_id: drA.id } );
	expect( res.status ).toBe( 200 );
	expect( res.body.items.map( ( v ) => v.appointment_id ) ).toEqual( [
		ids.unknownA,
		ids.heldA,
		ids.noShowA,
		ids.oldA,
	] );
	expect( res.body.items[ 1 ] ).toMatchObject( {
		outcome: 'held',
		minutes: 25,
		doctor: { id: drA.id, name: '=HYPERLINK("x") Test' },
		clinic: { id: clinicX, name: '+Clinic X' },
	} );
	expect( res.body.items[ 0 ] ).toMatchObject( {
		outcome: 'unknown',
		minutes: null,
	} );
	expect( res.body.totals ).toEqual( {
		held: 1,
		patient_no_show: 1,
		doctor_no_show: 0,
		not_held: 1,
		unknown: 1,
	} );
	expect( res.body.total ).toBe( 4 );
	expect( res.headers.get( 'x-wp-total' ) ).toBe( '4' );
} );

test( 'filters by date range and outcome; totals ignore the outcome filter, total follows it', async () => {
	const ranged = await page( admin, {
		doctor_id: drA.id,
		from: day( 3 ),
		to: day( 0 ),
	} );
	expect( ranged.body.items.map( ( v ) => v.appointment_id ).sort() ).toEqual(
		[ ids.heldA, ids.noShowA, ids.unknownA ].sort()
	);
	const held = await page( admin, { clinic_id: clinicX, outcome: 'held' } );
	expect( held.body.items.map( ( v ) => v.appointment_id ).sort() ).toEqual(
		[ ids.heldA, ids.heldB0, ids.heldB2, ids.heldB4 ].sort()
	);
	expect( held.body.total ).toBe( 4 );
	expect( held.body.totals ).toEqual( {
		held: 4,
		patient_no_show: 1,
		doctor_no_show: 2,
		not_held: 1,
		unknown: 1,
	} );
	const unknown = await page( admin, {
		clinic_id: clinicX,
		outcome: 'unknown',
	} );
	expect( unknown.body.items.map( ( v ) => v.appointment_id ) ).toEqual( [
		ids.unknownA,
	] );
	const bad = await page( admin, { outcome: 'maybe' } );
	expect( bad.status ).toBe( 400 );
} );

test( 'pages on the server', async () => {
	const seen: number[] = [];
	for ( let p = 1; p <= 4; p++ ) {
		const res = await page( admin, {
			clinic_id: clinicX,
			per_page: 3,
			page: p,
		} );
		expect( res.body ).toMatchObject( {
			total: 9,
			pages: 3,
			page: p,
			per_page: 3,
		} );
		expect( res.body.items.length ).toBe( p <= 3 ? 3 : 0 );
		seen.push( ...res.body.items.map( ( v ) => v.appointment_id ) );
	}
	expect( new Set( seen ).size ).toBe( 9 );
	expect( seen ).not.toContain( ids.heldC );
	expect( ( await page( admin, { per_page: 101 } ) ).status ).toBe( 400 );
} );

test( 'a clinic admin sees only their clinic; every other role is refused', async () => {
	const own = await page( adminX, { per_page: 100 } );
	expect( own.status ).toBe( 200 );
	expect( own.body.total ).toBe( 9 );
	expect( own.body.items.every( ( v ) => v.clinic.id === clinicX ) ).toBe(
		true
	);
	const other = await page( adminY, {} );
	expect( other.body.items.map( ( v ) => v.appointment_id ) ).toEqual( [
		ids.heldC,
	] );
	// Another clinic's id, or another clinic's doctor: refused, or nothing.
	expect( ( await page( adminY, { clinic_id: clinicX } ) ).status ).toBe(
		403
	);
	expect( ( await page( adminY, { doctor_id: drA.id } ) ).body.total ).toBe(
		0
	);
	for ( const session of [
		doctorSession,
		receptionistSession,
		patientSession,
	] ) {
		const res = await page( session, {} );
		expect( res.status ).toBe( 403 );
		expect( JSON.stringify( res.body ) ).not.toContain( 'HYPERLINK' );
	}
	const anonymous = await fetch( `${ harness().restUrl }${ API }` );
	expect( anonymous.status ).toBe( 401 );
	const csv = await fetch( `${ harness().restUrl }${ API }?format=csv` );
	expect( csv.status ).toBe( 401 );
	expect( await csv.text() ).not.toContain( 'HYPERLINK' );
} );

test( 'the CSV download: same filters, same permission, formula-safe cells', async () => {
	const res = await adminX.fetch(
		`${ harness().restUrl }${ API }?format=csv&doctor_id=${ drA.id }`
	);
	expect( res.status ).toBe( 200 );
	expect( res.headers.get( 'content-type' ) ).toMatch( /^text\/csv/ );
	expect( res.headers.get( 'content-disposition' ) ).toMatch(
		/^attachment; filename="video-visits-\d{4}-\d{2}-\d{2}\.csv"$/
	);
	const lines = ( await res.text() ).trim().split( '\n' );
	expect( lines[ 0 ] ).toBe(
		'Appointment,Date,Start,End,Doctor,Clinic,Outcome,Minutes'
	);
	expect( lines ).toHaveLength( 5 );
	expect( lines[ 2 ] ).toContain(
		`"'=HYPERLINK(""x"") Test","'+Clinic X",held,25`
	);
	expect( lines[ 2 ]!.startsWith( `${ ids.heldA },` ) ).toBe( true );
	// The download with the browser's nonce in the address, as the screen's link sends it.
	const viaLink = await fetch(
		`${ harness().restUrl }${ API }?format=csv&outcome=held&_wpnonce=${ adminY.nonce }`,
		{ headers: { Cookie: adminY.cookie } }
	);
	expect( viaLink.status ).toBe( 200 );
	const rows = ( await viaLink.text() ).trim().split( '\n' );
	expect( rows ).toHaveLength( 2 );
	expect( rows[ 1 ] ).toContain( 'Cleo Test' );
	const refused = await receptionistSession.fetch(
		`${ harness().restUrl }${ API }?format=csv`
	);
	expect( refused.status ).toBe( 403 );
} );

test( 'the mapping table has the end_utc index pages are read through', async () => {
	const keys = await wpJson< string[] >(
		`global $wpdb;
		return $wpdb->get_col( $wpdb->prepare( "SHOW INDEX FROM %i WHERE Key_name = 'end_utc'", MFK_Schema::table() ), 4 );`
	);
	expect( keys ).toEqual( [ 'end_utc' ] );
} );
