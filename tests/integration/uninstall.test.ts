/**
 * Deleting the plugin (WordPress's `uninstall_plugin()`, which runs uninstall.php): the mapping
 * table, the plugin's options, its cron events and its user meta go, KiviCare's Google Meet
 * option and meta only where this plugin wrote them; with "keep data on uninstall" everything
 * stays. The site is put back exactly as it was afterwards (the other test files share it).
 */
import {
	clearDebugLog,
	login,
	phpProblems,
	query,
	wpJson,
} from '../harness/testkit';
import { book } from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	freshDate,
	MAPPINGS,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';
import { startConnect } from './support/oauth-browser';

const OPTIONS = [
	'mfk_settings',
	'mfk_site_id',
	'mfk_db_version',
	'mfk_provider_config',
	'mfk_queue_last_run',
	'kiviCare_google_meet_setting',
];
const META = [
	'mfk_google_credential',
	'mfk_google_email',
	'mfk_connection_status',
	'mfk_connection_error_code',
	'mfk_connection_error_message',
	'mfk_connected_at',
	'mfk_calendar_id',
	'mfk_calendar_name',
	'mfk_oauth_state',
	'kiviCare_google_meet_connect',
	'telemed_type',
];
const STASH_MAPPINGS = 'mfk_uninstall_stash_mappings';
const STASH_META = 'mfk_uninstall_stash_usermeta';
const META_IN = META.map( () => '?' ).join( ', ' );

interface SiteState {
	table: boolean;
	rows: number;
	options: Record< string, unknown >;
	meta: Record< string, number >;
	cron: Record< string, boolean >;
	unrelatedMeta: number;
}

function state( doctorId: number ): Promise< SiteState > {
	return wpJson(
		`global $wpdb;
		$table = $wpdb->prefix . 'kc_appointment_google_meet_mappings';
		$exists = $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) );
		$options = array();
		foreach ( $args['options'] as $name ) {
			wp_cache_delete( $name, 'options' );
			$options[ $name ] = get_option( $name, null );
		}
		$meta = array();
		foreach ( $args['meta'] as $key ) {
			$meta[ $key ] = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->usermeta} WHERE meta_key = %s", $key ) );
		}
		return array(
			'table'   => $exists,
			'rows'    => $exists ? (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ) : 0,
			'options' => $options,
			'meta'    => $meta,
			'cron'    => array(
				'mfk_queue_tick'    => (bool) wp_next_scheduled( 'mfk_queue_tick' ),
			),
			'unrelatedMeta' => (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->usermeta} WHERE user_id = %d AND meta_key = 'first_name'", $args['doctor'] ) ),
		);`,
		{ options: OPTIONS, meta: META, doctor: doctorId }
	);
}

const PLUGIN = 'meet-for-kivicare/plugin.php';

/** What an administrator does: deactivate, then delete (WordPress runs uninstall.php). */
async function deactivateAndUninstall(): Promise< unknown > {
	await wpJson(
		`require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( $args );
		return ! is_plugin_active( $args );`,
		PLUGIN
	);
	return wpJson(
		`require_once ABSPATH . 'wp-admin/includes/plugin.php';
		return uninstall_plugin( $args );`,
		PLUGIN
	);
}

/** Changes one setting without the plugin loaded (it is deactivated between the cases). */
function setStoredSetting( name: string, value: unknown ): Promise< unknown > {
	return wpJson(
		`$s = get_option( 'mfk_settings', array() );
		$s[ $args['name'] ] = $args['value'];
		return update_option( 'mfk_settings', $s ) || true;`,
		{ name, value }
	);
}

let sc: Scenario;
let saved: Record< string, unknown >;

beforeAll( async () => {
	await configureMeet();
	sc = await telemedScenario();
	const patient = await login( sc.patient );
	const res = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '10:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( res.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( res.body ) }` );
	}
	// A Google sign-in started and never finished.
	await startConnect( await login( sc.doctor ) );
	// What uninstalling removes, kept aside to put the site back afterwards.
	saved = await wpJson(
		`$out = array();
		foreach ( $args as $name ) { $out[ $name ] = get_option( $name, null ); }
		return $out;`,
		OPTIONS
	);
	await query( `DROP TABLE IF EXISTS ${ STASH_MAPPINGS }` );
	await query( `DROP TABLE IF EXISTS ${ STASH_META }` );
	await query(
		`CREATE TABLE ${ STASH_MAPPINGS } AS SELECT * FROM ${ MAPPINGS }`
	);
	await query(
		`CREATE TABLE ${ STASH_META } AS SELECT * FROM wp_usermeta WHERE meta_key IN (${ META_IN })`,
		META
	);
	clearDebugLog();
} );

afterAll( async () => {
	// Put everything back: options first (the site id keeps the event ids stable), then the
	// plugin is activated again (its activation creates the table), then rows and meta.
	await wpJson(
		`require_once ABSPATH . 'wp-admin/includes/plugin.php';
		foreach ( $args['options'] as $name => $value ) {
			if ( null === $value ) { delete_option( $name ); } else { update_option( $name, $value ); }
		}
		$s = get_option( 'mfk_settings', array() );
		$s['keep_data_on_uninstall'] = false;
		update_option( 'mfk_settings', $s );
		$done = activate_plugin( $args['plugin'] );
		return is_wp_error( $done ) ? $done->get_error_message() : is_plugin_active( $args['plugin'] );`,
		{ options: saved, plugin: PLUGIN }
	);
	await query( `DELETE FROM ${ MAPPINGS }` );
	await query(
		`INSERT INTO ${ MAPPINGS } SELECT * FROM ${ STASH_MAPPINGS }`
	);
	await query(
		`DELETE FROM wp_usermeta WHERE meta_key IN (${ META_IN })`,
		META
	);
	await query( `INSERT INTO wp_usermeta SELECT * FROM ${ STASH_META }` );
	await query( `DROP TABLE IF EXISTS ${ STASH_MAPPINGS }` );
	await query( `DROP TABLE IF EXISTS ${ STASH_META }` );
	const restored = await wpJson(
		'return class_exists( "MFK_Schema" ) && MFK_Schema::table_exists( MFK_Schema::table() );'
	);
	if ( restored !== true ) {
		throw new Error(
			'The plugin could not be restored after the uninstall tests'
		);
	}
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'keeps tables, settings and connections when the administrator asked to keep the data', async () => {
	await setSettings( { keep_data_on_uninstall: true } );
	const before = await state( sc.doctor.id );
	expect( before.table ).toBe( true );
	expect( before.rows ).toBeGreaterThan( 0 );
	expect( before.meta.mfk_google_credential ).toBeGreaterThan( 0 );
	expect( before.meta.mfk_oauth_state ).toBeGreaterThan( 0 );
	expect( before.cron.mfk_queue_tick ).toBe( true );

	expect( await deactivateAndUninstall() ).toBe( true );
	const after = await state( sc.doctor.id );
	expect( after.table ).toBe( true );
	expect( after.rows ).toBe( before.rows );
	expect( after.options ).toEqual( before.options );
	expect( after.meta ).toEqual( before.meta );
	// Deactivated and deleted: nothing runs its queue any more.
	expect( after.cron.mfk_queue_tick ).toBe( false );
} );

it( "removes the table, options, cron events and user meta, and only KiviCare's settings this plugin wrote", async () => {
	await setStoredSetting( 'keep_data_on_uninstall', false );
	// A doctor connected to Google Meet by other means keeps KiviCare's own marker.
	await wpJson(
		'update_user_meta( $args, "telemed_type", "zoom" ); return true;',
		sc.patient.id
	);

	expect( await deactivateAndUninstall() ).toBe( true );
	const after = await state( sc.doctor.id );
	expect( after.table ).toBe( false );
	for ( const name of OPTIONS ) {
		expect( [ name, after.options[ name ] ] ).toEqual( [ name, null ] );
	}
	for ( const key of META ) {
		const expected = key === 'telemed_type' ? 1 : 0; // The "zoom" one above.
		expect( [ key, after.meta[ key ] ] ).toEqual( [ key, expected ] );
	}
	expect( after.cron.mfk_queue_tick ).toBe( false );
	expect( after.unrelatedMeta ).toBe( 1 );
	await wpJson(
		'delete_user_meta( $args, "telemed_type" ); return true;',
		sc.patient.id
	);
} );
