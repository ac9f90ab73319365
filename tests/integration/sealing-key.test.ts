/**
 * The sidecar's sealing key replaced (MFK_SEAL_KEYS now holds another key under the same id):
 * nothing sealed before opens any more. WordPress says so once, clearly — one critical Site
 * Health result and one admin notice counting the doctors who would have to reconnect — instead
 * of a failure per meeting or a reconnect request per doctor; meetings keep their links.
 * Restoring the previous key heals it without anyone reconnecting: what waited is replayed.
 * (A rotation, a new key first and the old one after it, needs no reconnect either:
 * tests/sidecar/routes/oauth/oauth.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import {
	clearDebugLog,
	login,
	phpProblems,
	query,
	startSidecar,
	wpJson,
	type Session,
} from '../harness/testkit';
import { book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	drainQueue,
	freshDate,
	mapping,
	telemedScenario,
	type Scenario,
} from './support/meet';

interface Result {
	label: string;
	status: 'good' | 'recommended' | 'critical';
	description: string;
	actions: string;
}

/** The plugin's Site Health tests, run as WP_Site_Health runs them. */
function siteHealth(): Promise< Record< string, Result > > {
	return wpJson(
		`require_once ABSPATH . 'wp-admin/includes/class-wp-site-health.php';
		$out = array();
		foreach ( WP_Site_Health::get_tests()['direct'] as $id => $test ) {
			if ( 0 === strpos( $id, 'mfk_' ) ) {
				$out[ $id ] = call_user_func( $test['test'] );
			}
		}
		return $out;`
	);
}

/** The admin notices an administrator sees. */
function notices(): Promise< string > {
	return wpJson(
		'wp_set_current_user( 1 ); ob_start(); MFK_Admin_Notices::render(); return ob_get_clean();'
	);
}

async function connectedDoctors(): Promise< number > {
	const [ row ] = await query< { n: number } >(
		"SELECT COUNT(*) AS n FROM wp_usermeta WHERE meta_key = 'mfk_google_credential' AND meta_value LIKE 'mfk1.%'"
	);
	return Number( row!.n );
}

let sc: Scenario;
let doctor: Session;
let id = 0;
let link = '';
let day = '';

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	await telemedScenario(); // A second connected doctor.
	doctor = await login( sc.doctor );
	day = freshDate();
	const res = await book( await login( sc.patient ), {
		appointmentStartDate: day,
		appointmentStartTime: '09:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( res.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( res.body ) }` );
	}
	id = res.body.data.appointment_id as number;
	await drainQueue();
	link = ( await mapping( id ) )?.url ?? '';
	if ( ! link.startsWith( 'https://meet.google.com/' ) ) {
		throw new Error( `The meeting has no link: ${ link }` );
	}
	clearDebugLog();
}, 120000 );

afterAll( async () => {
	await startSidecar();
	await wpJson( 'MFK_Sealing_Status::check(); return true;' );
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'a replaced key: one critical Site Health result and one notice with the number of doctors; links stay', async () => {
	await startSidecar( {
		env: {
			MFK_SEAL_KEYS: `k1:${ randomBytes( 32 ).toString( 'base64' ) }`,
		},
	} );
	const moved = await doctor.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: { appointmentStartDate: day, appointmentStartTime: '12:00' },
	} );
	expect( moved.status ).toBe( 200 );
	await drainQueue();
	expect( await mapping( id ) ).toMatchObject( {
		state: 'failed',
		sync_state: 'failed',
		link_state: 'ready',
		url: link,
		last_error_code: 'seal_key_unknown',
	} );
	// Not a reconnect request per doctor: the doctor's connection is not flagged.
	expect(
		await wpJson< string >(
			'return MFK_Doctor_Connection::get( $args )["status"];',
			sc.doctor.id
		)
	).toBe( 'active' );

	const doctors = await connectedDoctors();
	expect( doctors ).toBeGreaterThanOrEqual( 2 );
	const count = `${ doctors } doctors must reconnect their Google account, or restore the previous key (MFK_SEAL_KEYS)`;

	const results = await siteHealth();
	expect( results.mfk_sealing ).toMatchObject( {
		status: 'critical',
		label: expect.stringMatching( /sealing key changed/ ),
	} );
	expect( results.mfk_sealing!.description ).toContain( count );
	expect( results.mfk_sealing!.description ).toContain(
		'The Google OAuth client secret cannot be opened either'
	);
	expect( results.mfk_sealing!.description ).toContain(
		'sealed under the key id k1.'
	);
	expect( results.mfk_sealing!.actions ).toMatch(
		/k2:&lt;new&gt;,k1:&lt;previous&gt;|k2:<new>,k1:<previous>/
	);
	// Said once: no other test repeats it, per meeting or per doctor.
	expect(
		Object.entries( results )
			.filter(
				( [ test, result ] ) =>
					test !== 'mfk_sealing' &&
					/sealing key/.test( result.description )
			)
			.map( ( [ test ] ) => test )
	).toEqual( [] );

	const html = await notices();
	expect( html.match( /sealing key changed/g ) ).toHaveLength( 1 );
	expect( html ).toContain( count );

	// The patient still joins; the doctor learns why the new time did not reach Google.
	const rest = await doctor.rest(
		`meet-for-kivicare/v1/appointments/${ id }/meeting`
	);
	expect( rest.body ).toMatchObject( {
		state: 'ready',
		url: link,
		sync: 'failed',
		error: { code: 'seal_key_unknown' },
		fix: { action: 'reconnect' },
	} );
	const admin = await login();
	expect(
		(
			await admin.rest(
				`meet-for-kivicare/v1/appointments/${ id }/meeting`
			)
		).body.fix
	).toMatchObject( {
		action: 'restore_key',
		url: expect.stringContaining( 'site-health.php' ),
	} );
} );

it( 'restoring the previous key heals it: no reconnect, the change that waited is replayed', async () => {
	await startSidecar(); // The instance's own MFK_SEAL_KEYS again.
	// Site Health asks the sidecar again (so does the queue, every few minutes).
	const results = await siteHealth();
	expect( results.mfk_sealing!.status ).toBe( 'good' );
	expect( await notices() ).not.toContain( 'sealing key' );
	expect( await mapping( id ) ).toMatchObject( {
		state: 'pending',
		link_state: 'ready',
		url: link,
	} );
	await drainQueue();
	const row = await mapping( id );
	expect( row ).toMatchObject( {
		state: 'ready',
		sync_state: 'in_step',
		url: link,
		last_error_code: '',
	} );
	const [ event ] = ( await calendarEvents( sc.doctorEmail ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId === String( id )
	);
	expect( event!.hangoutLink ).toBe( link );
	expect( Date.parse( event!.start.dateTime ) ).toBe(
		Date.parse( `${ row!.start_utc!.replace( ' ', 'T' ) }Z` )
	);
	expect(
		await wpJson( 'return get_option( "mfk_sealing_status", null );' )
	).toBeNull();
} );
