/**
 * Site Health (Tools → Site Health): the plugin's tests, registered through `site_status_tests`
 * and run the way WordPress runs them, for a healthy setup and for a broken one (sidecar
 * stopped, sidecar with another shared secret, OAuth client missing, old queue backlog, failed
 * meetings, a doctor who must reconnect); the Info section shows no secret.
 */
import {
	clearDebugLog,
	getOption,
	harness,
	login,
	phpProblems,
	query,
	startSidecar,
	stopSidecar,
	wpJson,
} from '../harness/testkit';
import {
	configureMeet,
	MAPPINGS,
	telemedScenario,
	type Scenario,
} from './support/meet';

interface Result {
	label: string;
	status: 'good' | 'recommended' | 'critical';
	description: string;
	actions: string;
	test: string;
	badge: { label: string; color: string };
}

/** Runs the plugin's direct tests as WP_Site_Health does (tests from the filter, callbacks called). */
function runTests(): Promise< Record< string, Result > > {
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

const STASH = 'mfk_site_health_stash';
let sc: Scenario;

beforeAll( async () => {
	await configureMeet();
	sc = await telemedScenario();
	// Start from a known queue and no doctor waiting to reconnect (other test files leave
	// rows behind); everything is put back afterwards.
	await query( `DROP TABLE IF EXISTS ${ STASH }` );
	await query( `CREATE TABLE ${ STASH } AS SELECT * FROM ${ MAPPINGS }` );
	await query( `DELETE FROM ${ MAPPINGS }` );
	await query(
		"UPDATE wp_usermeta SET meta_key = 'mfk_connection_status_stash' WHERE meta_key = 'mfk_connection_status' AND meta_value = 'reconnect_needed'"
	);
	clearDebugLog();
} );

afterAll( async () => {
	await query( `DELETE FROM ${ MAPPINGS }` );
	await query( `INSERT INTO ${ MAPPINGS } SELECT * FROM ${ STASH }` );
	await query( `DROP TABLE IF EXISTS ${ STASH }` );
	await query(
		"UPDATE wp_usermeta SET meta_key = 'mfk_connection_status' WHERE meta_key = 'mfk_connection_status_stash'"
	);
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'registers five tests, all good on a healthy site', async () => {
	const results = await runTests();
	expect( Object.keys( results ).sort() ).toEqual( [
		'mfk_background',
		'mfk_configuration',
		'mfk_doctors',
		'mfk_queue',
		'mfk_sealing',
		'mfk_sidecar',
	] );
	for ( const [ id, result ] of Object.entries( results ) ) {
		expect( [ id, result.status ] ).toEqual( [ id, 'good' ] );
		expect( result.test ).toBe( id );
		expect( result.badge.label ).toBe( 'Meet for KiviCare' );
	}
	expect( results.mfk_sidecar!.description ).toMatch(
		/accepts WordPress(&#039;|')s signed requests/
	);
} );

it( 'the Site Health screen runs them for an administrator', async () => {
	const admin = await login();
	const page = await admin.fetch( 'wp-admin/site-health.php' );
	expect( page.status ).toBe( 200 );
	const html = await page.text();
	expect( html ).toContain( 'The Meet for KiviCare sidecar is reachable' );
	expect( html ).toContain( 'Meet for KiviCare is configured' );
	// The site reached itself with a signed background kick, from the web server this time.
	expect( html ).toContain( 'Meet links are made right after each booking' );
} );

it( 'reports a stopped sidecar as critical, with what to do', async () => {
	await stopSidecar();
	try {
		const { mfk_sidecar: result } = await runTests();
		expect( result ).toMatchObject( {
			status: 'critical',
			label: 'The Meet for KiviCare sidecar cannot be reached',
		} );
		expect( result!.description ).toContain( harness().sidecarUrl );
		expect( result!.actions ).toMatch( /MFK_SIDECAR_URL/ );
	} finally {
		await startSidecar();
	}
	expect( ( await runTests() ).mfk_sidecar!.status ).toBe( 'good' );
} );

it( 'reports a sidecar with another shared secret as critical', async () => {
	await startSidecar( {
		env: {
			MFK_SHARED_SECRET:
				'another-shared-secret-of-enough-length-0123456789',
		},
	} );
	try {
		const { mfk_sidecar: result } = await runTests();
		expect( result ).toMatchObject( {
			status: 'critical',
			label: "The Meet for KiviCare sidecar refuses WordPress's requests",
		} );
		expect( result!.actions ).toMatch( /same shared secret/ );
	} finally {
		await startSidecar();
	}
} );

it( 'reports a missing OAuth client as critical, with the redirect URI to register', async () => {
	const saved = await getOption( 'mfk_settings' );
	try {
		await wpJson(
			`$s = get_option( 'mfk_settings' ); $s['google_client_id'] = ''; update_option( 'mfk_settings', $s ); return true;`
		);
		const { mfk_configuration: result } = await runTests();
		expect( result!.status ).toBe( 'critical' );
		expect( result!.description ).toMatch( /client ID is not set/ );
		expect( result!.actions ).toContain(
			`${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`
		);
	} finally {
		await wpJson(
			'update_option( "mfk_settings", $args ); return true;',
			saved
		);
	}
} );

it( 'reports the queue: late links as recommended, failures with their cause, an old backlog as critical', async () => {
	const insert = (
		id: number,
		state: string,
		minutesAgo: number,
		code = ''
	) =>
		query(
			`INSERT INTO ${ MAPPINGS } (appointment_id, event_id, url, state, desired, intent_at, next_attempt_at, doctor_id, last_error_code, last_error_message)
			 VALUES (?, ?, '', ?, 'active', DATE_SUB(UTC_TIMESTAMP(), INTERVAL ? MINUTE), DATE_ADD(UTC_TIMESTAMP(), INTERVAL 1 HOUR), ?, ?, 'test')`,
			[ id, `mfktest${ id }`, state, minutesAgo, sc.doctor.id, code ]
		);
	await insert( 990000001, 'pending', 20, 'sidecar_unavailable' );
	let { mfk_queue: result } = await runTests();
	expect( result!.status ).toBe( 'recommended' );
	expect( result!.description ).toMatch(
		/1 meeting\(s\) waiting \(oldest since 20 min(s|utes)\), 0 failed/
	);

	await insert( 990000002, 'failed', 5, 'quota_exceeded' );
	( { mfk_queue: result } = await runTests() );
	expect( result!.status ).toBe( 'recommended' );
	expect( result!.description ).toMatch(
		/Google usage limits reached \(1\)/
	);

	await insert( 990000003, 'pending', 180, 'sidecar_unavailable' );
	( { mfk_queue: result } = await runTests() );
	expect( result!.status ).toBe( 'critical' );
	expect( result!.description ).toMatch( /oldest since 3 hours/ );
	await query(
		`DELETE FROM ${ MAPPINGS } WHERE appointment_id >= 990000001`
	);
} );

it( 'names the doctors who must reconnect', async () => {
	await wpJson(
		'MFK_Doctor_Connection::mark_reconnect_needed( $args, "token_revoked", "Token has been expired or revoked." ); return true;',
		sc.doctor.id
	);
	try {
		const { mfk_doctors: result } = await runTests();
		expect( result!.status ).toBe( 'recommended' );
		expect( result!.label ).toBe( '1 doctor must reconnect Google' );
		expect( result!.description ).toContain( 'Doctor Test' );
	} finally {
		await wpJson(
			'update_user_meta( $args, "mfk_connection_status", "active" ); return true;',
			sc.doctor.id
		);
	}
	expect( ( await runTests() ).mfk_doctors!.status ).toBe( 'good' );
} );

it( 'adds an Info section that shows no secret', async () => {
	const info = await wpJson<
		Record< string, { fields: Record< string, { value: unknown } > } >
	>( "return apply_filters( 'debug_information', array() );" );
	const section = info[ 'meet-for-kivicare' ]!;
	expect( section.fields.sidecar_url!.value ).toBe( harness().sidecarUrl );
	expect( section.fields.client_secret!.value ).toBe( 'Yes' );
	const text = JSON.stringify( section );
	const settings =
		await getOption< Record< string, string > >( 'mfk_settings' );
	expect( text.includes( harness().sidecarSecret ) ).toBe( false );
	expect( text.includes( settings.google_client_secret! ) ).toBe( false );
} );
