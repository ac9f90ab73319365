/**
 * The plugin in its surroundings: the mapping table and its upgrade from the original add-on's
 * table, settings validation and the KiviCare options kept in line, refusing to run beside the
 * original Google Meet add-on, and a site without KiviCare.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
	clearDebugLog,
	harness,
	login,
	phpProblems,
	query,
	wpJson,
} from '../harness/testkit';
import { MAPPINGS } from './support/meet';

const STAND_IN =
	'kivicare-clinic-management-system/kivicare-clinic-management-system.php';
const ORIGINAL = 'kivicare-google-meet/kivicare-googlemeet.php';

function setActivePlugins( change: { add?: string[]; remove?: string[] } ) {
	return wpJson(
		`$active = (array) get_option( 'active_plugins', array() );
		$active = array_values( array_diff( $active, (array) $args['remove'] ) );
		foreach ( (array) $args['add'] as $p ) { if ( ! in_array( $p, $active, true ) ) { $active[] = $p; } }
		sort( $active );
		update_option( 'active_plugins', $active );
		return $active;`,
		{ add: change.add ?? [], remove: change.remove ?? [] }
	);
}

describe( 'schema', () => {
	it( 'has the original columns, the queue columns, one row per appointment and the due index', async () => {
		const columns = (
			await query< { Field: string } >(
				`SHOW COLUMNS FROM ${ MAPPINGS }`
			)
		).map( ( c ) => c.Field );
		for ( const name of [
			'id',
			'appointment_id',
			'event_id',
			'url',
			'password',
			'event_url',
			'created_at',
			'extra',
			'state',
			'desired',
			'start_utc',
			'end_utc',
			'timezone',
			'doctor_id',
			'calendar_id',
			'revision',
			'attempts',
			'next_attempt_at',
			'lease_token',
			'lease_until',
			'last_error_code',
			'last_error_message',
			'link_state',
			'sync_state',
			'link_in_booking_mail',
			'ready_notified_at',
			'updated_at',
		] ) {
			expect( columns ).toContain( name );
		}
		const indexes = await query< {
			Key_name: string;
			Column_name: string;
			Non_unique: number;
		} >( `SHOW INDEX FROM ${ MAPPINGS }` );
		expect(
			indexes.find( ( i ) => i.Column_name === 'appointment_id' )
				?.Non_unique
		).toBe( 0 );
		expect(
			indexes
				.filter( ( i ) => i.Key_name === 'state_next_attempt' )
				.map( ( i ) => i.Column_name )
		).toEqual( [ 'state', 'next_attempt_at' ] );
		expect(
			await wpJson(
				'return get_option( "mfk_db_version" ) === MFK_Schema::VERSION;'
			)
		).toBe( true );
		expect( await wpJson< string >( 'return MFK_Site::id();' ) ).toMatch(
			/^[0-9a-f-]{36}$/
		);
	} );

	it( 'upgrades a table of the original add-on: keeps its links as legacy rows, one per appointment', async () => {
		const backup = `${ MAPPINGS }_backup_${ Date.now() }`;
		await query( `RENAME TABLE ${ MAPPINGS } TO ${ backup }` );
		try {
			await query( `CREATE TABLE ${ MAPPINGS } (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				appointment_id bigint(20) unsigned NOT NULL,
				event_id varchar(255) NULL, url varchar(255) NULL, password varchar(255) NULL,
				event_url text NULL, created_at datetime NULL, extra longtext NULL,
				PRIMARY KEY (id)
			)` );
			await query(
				`INSERT INTO ${ MAPPINGS } (appointment_id, event_id, url, event_url, created_at) VALUES
				(7001, 'googleid1', 'https://meet.google.com/old-aaaa-bbb', 'https://calendar/e1', NOW()),
				(7001, 'googleid2', 'https://meet.google.com/new-cccc-ddd', 'https://calendar/e2', NOW()),
				(7002, 'googleid3', 'https://meet.google.com/xyz-eeee-fff', 'https://calendar/e3', NOW())`
			);
			await wpJson(
				'delete_option( "mfk_db_version" ); MFK_Schema::maybe_upgrade(); return true;'
			);
			const rows = await query< {
				appointment_id: number;
				url: string;
				state: string;
				desired: string;
			} >(
				`SELECT appointment_id, url, state, desired FROM ${ MAPPINGS } ORDER BY appointment_id`
			);
			expect( rows ).toEqual( [
				{
					appointment_id: 7001,
					url: 'https://meet.google.com/new-cccc-ddd',
					state: 'legacy',
					desired: 'active',
				},
				{
					appointment_id: 7002,
					url: 'https://meet.google.com/xyz-eeee-fff',
					state: 'legacy',
					desired: 'active',
				},
			] );
			// KiviCare core reads them through the model, as before.
			const url = await wpJson< string >(
				'return \\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping::query()->where( "appointmentId", 7002 )->first()->url;'
			);
			expect( url ).toBe( 'https://meet.google.com/xyz-eeee-fff' );
			// Legacy rows are never picked up by the queue.
			expect(
				await wpJson( 'return MFK_Queue_Leases::has_due();' )
			).toBe( false );
		} finally {
			await query( `DROP TABLE IF EXISTS ${ MAPPINGS }` );
			await query( `RENAME TABLE ${ backup } TO ${ MAPPINGS }` );
			await wpJson(
				'update_option( "mfk_db_version", MFK_Schema::VERSION ); return true;'
			);
		}
	} );

	it( 'upgrades a version 2 table: a failed or waiting row keeps its link (link ready, sync failed or pending)', async () => {
		const backup = `${ MAPPINGS }_backup_${ Date.now() }`;
		await query( `RENAME TABLE ${ MAPPINGS } TO ${ backup }` );
		try {
			// The table exactly as version 2 created it: without the link and sync columns.
			await wpJson(
				`global $wpdb;
				$sql = MFK_Schema::create_table_sql( MFK_Schema::table(), $wpdb->get_charset_collate() );
				$wpdb->query( preg_replace( '/^  (link_state|sync_state) .*\\n/m', '', $sql ) );
				return true;`
			);
			expect(
				(
					await query(
						`SHOW COLUMNS FROM ${ MAPPINGS } LIKE 'link_state'`
					)
				).length
			).toBe( 0 );
			await query(
				`INSERT INTO ${ MAPPINGS } (appointment_id, event_id, url, state, desired, last_error_code) VALUES
				(7101, 'mfkready', 'https://meet.google.com/rdy-aaaa-bbb', 'ready', 'active', ''),
				(7102, 'mfkfailedlink', 'https://meet.google.com/fld-cccc-ddd', 'failed', 'active', 'token_revoked'),
				(7103, 'mfkfailednone', '', 'failed', 'active', 'quota_exceeded'),
				(7104, 'mfkpendinglink', 'https://meet.google.com/pnd-eeee-fff', 'pending', 'active', 'sidecar_unavailable'),
				(7105, 'mfkpendingnew', '', 'pending', 'active', ''),
				(7106, 'mfkcancelled', 'https://meet.google.com/cnc-gggg-hhh', 'cancelled', 'cancelled', '')`
			);
			await wpJson(
				'update_option( "mfk_db_version", "2" ); MFK_Schema::maybe_upgrade(); return get_option( "mfk_db_version" );'
			);
			const rows = await query< {
				appointment_id: number;
				state: string;
				link_state: string;
				sync_state: string;
				url: string;
			} >(
				`SELECT appointment_id, state, link_state, sync_state, url FROM ${ MAPPINGS } ORDER BY appointment_id`
			);
			expect(
				rows.map( ( r ) => [
					r.appointment_id,
					r.state,
					r.link_state,
					r.sync_state,
				] )
			).toEqual( [
				[ 7101, 'ready', 'ready', 'in_step' ],
				[ 7102, 'failed', 'ready', 'failed' ],
				[ 7103, 'failed', 'none', 'failed' ],
				[ 7104, 'pending', 'ready', 'pending' ],
				[ 7105, 'pending', 'none', 'pending' ],
				[ 7106, 'cancelled', 'none', 'in_step' ],
			] );
			// No link lost: every reader still finds the failed and waiting rows' links.
			const links = await wpJson< Record< string, string > >(
				`$out = array();
				foreach ( array( 7101, 7102, 7103, 7104, 7106 ) as $id ) {
					$out[ $id ] = MFK_Mappings::link_url( MFK_Mappings::get_by_appointment( $id ) );
				}
				$out['model'] = \\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping::query()->where( 'appointmentId', 7102 )->first()->url;
				return $out;`
			);
			expect( links ).toEqual( {
				7101: 'https://meet.google.com/rdy-aaaa-bbb',
				7102: 'https://meet.google.com/fld-cccc-ddd',
				7103: '',
				7104: 'https://meet.google.com/pnd-eeee-fff',
				7106: '',
				model: 'https://meet.google.com/fld-cccc-ddd',
			} );
			// A later install finds nothing left to do: the step runs once.
			await query(
				`UPDATE ${ MAPPINGS } SET link_state = 'none' WHERE appointment_id = 7101`
			);
			await wpJson( 'MFK_Schema::install(); return true;' );
			expect( ( await mapping7101() ).link_state ).toBe( 'none' );
		} finally {
			await query( `DROP TABLE IF EXISTS ${ MAPPINGS }` );
			await query( `RENAME TABLE ${ backup } TO ${ MAPPINGS }` );
			await wpJson(
				'update_option( "mfk_db_version", MFK_Schema::VERSION ); return true;'
			);
		}
	} );
} );

async function mapping7101(): Promise< { link_state: string } > {
	const [ row ] = await query< { link_state: string } >(
		`SELECT link_state FROM ${ MAPPINGS } WHERE appointment_id = 7101`
	);
	return row!;
}

describe( 'the instant of an appointment', () => {
	it( "reads 4.3 rows in their zone, older rows in the doctor's or the site's zone, and resolves DST gaps forward", async () => {
		const out = await wpJson<
			Record< string, [ string, string, string ] >
		>(
			`$doctor = wp_insert_user( array( 'user_login' => 'tz_' . wp_generate_password( 6, false ), 'user_pass' => 'x-password-1', 'role' => 'kiviCare_doctor' ) );
			update_user_meta( $doctor, 'timezone', 'America/Chicago' );
			$saved = get_option( 'timezone_string' );
			update_option( 'timezone_string', 'Europe/Berlin' );
			$base = array( 'appointment_start_date' => '2027-07-01', 'appointment_start_time' => '09:00:00', 'appointment_end_date' => '2027-07-01', 'appointment_end_time' => '09:30:00' );
			$cases = array(
				'zone'        => $base + array( 'appointment_timezone' => 'Asia/Tokyo', 'doctor_id' => $doctor ),
				'offset'      => $base + array( 'appointment_timezone' => '+05:30', 'doctor_id' => 0 ),
				'doctor'      => $base + array( 'doctor_id' => $doctor ),
				'site'        => $base + array( 'doctor_id' => 0 ),
				'utc_columns' => $base + array( 'appointment_timezone' => 'bogus', 'appointment_start_utc' => '2027-07-01 12:00:00', 'appointment_end_utc' => '2027-07-01 12:45:00', 'doctor_id' => $doctor ),
				'dst_gap'     => array( 'appointment_start_date' => '2027-03-28', 'appointment_start_time' => '01:30', 'appointment_end_date' => '2027-03-28', 'appointment_end_time' => '03:00', 'appointment_timezone' => 'Europe/London', 'doctor_id' => 0 ),
			);
			$out = array();
			foreach ( $cases as $name => $row ) {
				$i = MFK_Appointments::instants( $row );
				$out[ $name ] = array( $i['start']->format( 'Y-m-d H:i' ), $i['end']->format( 'Y-m-d H:i' ), $i['timezone'] );
			}
			update_option( 'timezone_string', $saved );
			require_once ABSPATH . 'wp-admin/includes/user.php';
			wp_delete_user( $doctor );
			return $out;`
		);
		expect( out ).toEqual( {
			zone: [ '2027-07-01 00:00', '2027-07-01 00:30', 'Asia/Tokyo' ],
			offset: [ '2027-07-01 03:30', '2027-07-01 04:00', 'Europe/Berlin' ],
			doctor: [
				'2027-07-01 14:00',
				'2027-07-01 14:30',
				'America/Chicago',
			],
			site: [ '2027-07-01 07:00', '2027-07-01 07:30', 'Europe/Berlin' ],
			utc_columns: [
				'2027-07-01 12:00',
				'2027-07-01 12:45',
				'America/Chicago',
			],
			// 01:30 does not exist in London that night; it becomes 02:30 BST (01:30 UTC).
			dst_gap: [
				'2027-03-28 01:30',
				'2027-03-28 02:00',
				'Europe/London',
			],
		} );
	} );
} );

describe( 'coming from the original add-on', () => {
	it( 'takes over its OAuth client id and keeps a copy of its KiviCare option (with its plain secret) out of use', async () => {
		const out = await wpJson< {
			client_id: string;
			kivicare: Record< string, unknown >;
			backup: Record< string, unknown >;
		} >(
			`$saved_settings = get_option( 'mfk_settings' );
			$saved_kc       = get_option( 'kiviCare_google_meet_setting' );
			delete_option( 'mfk_original_google_meet_setting' );
			update_option( 'mfk_settings', array() );
			update_option( 'kiviCare_google_meet_setting', array( 'enableCal' => 'Yes', 'client_id' => 'orig-123.apps.googleusercontent.com', 'client_secret' => 'plain-original-secret', 'app_name' => 'Clinic' ) );
			MFK_Settings::flush_cache();
			delete_option( 'mfk_db_version' );
			MFK_Schema::maybe_upgrade();
			MFK_Settings::flush_cache();
			$result = array(
				'client_id' => MFK_Settings::get( 'google_client_id' ),
				'kivicare'  => get_option( 'kiviCare_google_meet_setting' ),
				'backup'    => get_option( 'mfk_original_google_meet_setting' ),
			);
			update_option( 'mfk_settings', $saved_settings );
			update_option( 'kiviCare_google_meet_setting', $saved_kc );
			delete_option( 'mfk_original_google_meet_setting' );
			MFK_Settings::flush_cache();
			MFK_KiviCare_Options::sync();
			return $result;`
		);
		expect( out.client_id ).toBe( 'orig-123.apps.googleusercontent.com' );
		expect( out.kivicare ).toMatchObject( {
			client_id: 'orig-123.apps.googleusercontent.com',
			mfk_managed: true,
			enableCal: 'No', // Not usable until the secret is entered (and sealed) again.
		} );
		expect( JSON.stringify( out.kivicare ) ).not.toContain(
			'plain-original-secret'
		);
		expect( out.backup ).toMatchObject( {
			client_secret: 'plain-original-secret',
		} );
	} );
} );

describe( 'the KiviCare mapping model', () => {
	it( 'offers create / query()->where()->select()->first() / update with one row per appointment', async () => {
		const appointment = 800000000 + Math.floor( Math.random() * 1000000 );
		const out = await wpJson< Record< string, unknown > >(
			`$m = '\\\\KCGMApp\\\\models\\\\KCGMAppointmentGoogleMeetMapping';
			$id1 = $m::create( array( 'eventId' => 'evt1', 'appointmentId' => $args['a'], 'url' => 'https://meet.google.com/aaa-bbbb-ccc', 'password' => '', 'eventUrl' => 'https://calendar/1' ) );
			$id2 = $m::create( array( 'eventId' => 'evt1', 'appointmentId' => $args['a'], 'url' => 'https://meet.google.com/ddd-eeee-fff' ) );
			$byEvent = $m::query()->where( 'eventId', 'evt1' )->select( array( 'eventId' ) )->first();
			$byEvent->update( array( 'url' => 'https://meet.google.com/ggg-hhhh-iii', 'eventUrl' => 'https://calendar/2' ) );
			$again = $m::query()->where( 'appointmentId', '=', $args['a'] )->first();
			return array(
				'same_row' => $id1 === $id2,
				'eventId'  => $byEvent->eventId,
				'url'      => $again->url,
				'eventUrl' => $again->eventUrl,
				'none'     => $m::query()->where( 'appointmentId', -1 )->first(),
			);`,
			{ a: appointment }
		);
		expect( out ).toEqual( {
			same_row: true,
			eventId: 'evt1',
			url: 'https://meet.google.com/ggg-hhhh-iii',
			eventUrl: 'https://calendar/2',
			none: null,
		} );
		await query( `DELETE FROM ${ MAPPINGS } WHERE appointment_id = ?`, [
			appointment,
		] );
	} );
} );

describe( 'settings', () => {
	it( 'refuses invalid values field by field and stores nothing', async () => {
		const before = await wpJson( 'return get_option( "mfk_settings" );' );
		const error = await wpJson< {
			code: string;
			data: { status: number; params: Record< string, string > };
		} >(
			`$r = MFK_Settings::update( $args );
			return array( 'code' => $r->get_error_code(), 'data' => $r->get_error_data() );`,
			{
				sync_budget_ms: 20000,
				send_updates: 'everyone',
				event_title_template: 'Consultation about {diagnosis}',
				sidecar_url: 'ftp://example.org',
				sidecar_secret: 'short',
				calendar_id: 'bad calendar id',
				join_window_minutes: -1,
				add_patient_as_attendee: 'maybe',
				link_ready_email_body: 'no link here',
			}
		);
		expect( error.code ).toBe( 'invalid_param' );
		expect( error.data.status ).toBe( 400 );
		expect( Object.keys( error.data.params ).sort() ).toEqual(
			[
				'add_patient_as_attendee',
				'calendar_id',
				'event_title_template',
				'join_window_minutes',
				'link_ready_email_body',
				'send_updates',
				'sidecar_secret',
				'sidecar_url',
				'sync_budget_ms',
			].sort()
		);
		expect( error.data.params.event_title_template ).toContain(
			'{diagnosis}'
		);
		expect(
			await wpJson( 'return get_option( "mfk_settings" );' )
		).toEqual( before );
	} );

	it( "saves valid values, keeps secrets out of what screens see, honours wp-config constants and keeps KiviCare's option in line", async () => {
		const display = await wpJson< Record< string, unknown > >(
			`$s = get_option( 'mfk_settings', array() );
			$s = is_array( $s ) ? $s : array();
			$s['google_client_secret'] = 'sealed-blob-for-display-test';
			update_option( 'mfk_settings', $s );
			MFK_Settings::flush_cache();
			$r = MFK_Settings::update( $args );
			return is_wp_error( $r ) ? $r->get_error_data() : $r;`,
			{
				google_client_id: 'clinic-123.apps.googleusercontent.com',
				sync_budget_ms: '2500',
				event_title_template:
					'{clinic_name}: video consultation with {doctor_name}',
				send_updates: 'externalOnly',
				add_patient_as_attendee: 'false',
				calendar_id: 'primary',
			}
		);
		expect( display ).toMatchObject( {
			google_client_id: 'clinic-123.apps.googleusercontent.com',
			google_client_secret_set: true,
			sync_budget_ms: 2500,
			send_updates: 'externalOnly',
			add_patient_as_attendee: false,
			sidecar_url: harness().sidecarUrl,
			sidecar_url_locked: true,
			sidecar_secret_locked: true,
			sidecar_secret_set: true,
		} );
		expect( JSON.stringify( display ) ).not.toContain(
			'sealed-blob-for-display-test'
		);
		expect( JSON.stringify( display ) ).not.toContain(
			harness().sidecarSecret
		);

		const kivicare = await wpJson< Record< string, unknown > >(
			'return get_option( "kiviCare_google_meet_setting" );'
		);
		expect( kivicare ).toMatchObject( {
			enabled: true,
			auth_type: 'oauth',
			enableCal: 'Yes',
			client_id: 'clinic-123.apps.googleusercontent.com',
		} );
		expect( kivicare.client_secret ).not.toBe(
			'sealed-blob-for-display-test'
		);
		expect(
			await wpJson( 'return get_option( "mfk_provider_config" );' )
		).toEqual( {
			enabled: true,
			auth_type: 'oauth',
			client_id: 'clinic-123.apps.googleusercontent.com',
		} );
	} );
} );

describe( 'next to the original Google Meet add-on', () => {
	const dir = () =>
		path.join(
			harness().docroot,
			'wp-content',
			'plugins',
			'kivicare-google-meet'
		);

	beforeAll( () => {
		mkdirSync( dir(), { recursive: true } );
		// Declares what the original declares at load time: its gate constant and model class.
		writeFileSync(
			path.join( dir(), 'kivicare-googlemeet.php' ),
			`<?php
/**
 * Plugin Name: KiviCare - Google Meet (original add-on, test double)
 * Version: 4.1.0
 */
namespace KCGMApp\\models;
define( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION', '4.1.0' );
class KCGMAppointmentGoogleMeetMapping { public static function query() { return null; } }
`
		);
		clearDebugLog();
	} );

	afterAll( async () => {
		await setActivePlugins( { remove: [ ORIGINAL ] } );
		rmSync( dir(), { recursive: true, force: true } );
	} );

	it( 'stays dormant (no fatal, no provider, no constants of its own) and says why', async () => {
		await setActivePlugins( { add: [ ORIGINAL ] } );
		const state = await wpJson< Record< string, unknown > >(
			`return array(
				'reason'    => MFK_Compat::inactive_reason(),
				'providers' => array_keys( apply_filters( 'kc_telemed_providers', array() ) ),
				'provider'  => class_exists( 'KCGMApp\\\\providers\\\\KCGMGoogleMeet', false ),
				'gate'      => KIVICARE_GOOGLE_MEET_ADDON_VERSION,
			);`
		);
		expect( state ).toEqual( {
			reason: 'conflict',
			providers: [],
			provider: false,
			gate: '4.1.0',
		} );

		const admin = await login();
		const page = await ( await admin.fetch( 'wp-admin/index.php' ) ).text();
		expect( page ).toContain( 'cannot run while the original' );
		expect( phpProblems() ).toEqual( [] );
	} );

	it( 'refuses to be activated while the original add-on is active', async () => {
		const result = await wpJson< { active: boolean; message: string } >(
			`require_once ABSPATH . 'wp-admin/includes/plugin.php';
			deactivate_plugins( 'meet-for-kivicare/plugin.php', true );
			add_filter( 'wp_die_handler', static function () {
				return static function ( $message ) { throw new RuntimeException( is_string( $message ) ? $message : 'died' ); };
			} );
			$message = '';
			try {
				activate_plugin( 'meet-for-kivicare/plugin.php' );
			} catch ( RuntimeException $e ) {
				$message = $e->getMessage();
			}
			return array( 'active' => is_plugin_active( 'meet-for-kivicare/plugin.php' ), 'message' => wp_strip_all_tags( $message ) );`
		);
		expect( result.active ).toBe( false );
		expect( result.message ).toContain(
			'Deactivate the original add-on first'
		);
		await setActivePlugins( { add: [ 'meet-for-kivicare/plugin.php' ] } );
	} );
} );

describe( 'without KiviCare', () => {
	afterAll( async () => {
		await setActivePlugins( { add: [ STAND_IN ] } );
	} );

	it( 'explains what is missing in an admin notice and nothing breaks', async () => {
		clearDebugLog();
		await setActivePlugins( { remove: [ STAND_IN ] } );
		expect( await wpJson( 'return MFK_Compat::inactive_reason();' ) ).toBe(
			'kivicare_missing'
		);
		const home = await fetch( `${ harness().url }/` );
		expect( home.status ).toBe( 200 );
		const admin = await login();
		const page = await ( await admin.fetch( 'wp-admin/index.php' ) ).text();
		expect( page ).toContain(
			'needs the KiviCare clinic management plugin'
		);
		// The queue runner still works (and finds nothing it could break).
		expect(
			await wpJson(
				'return is_array( MFK_Queue::run( array( "max_seconds" => 2 ) ) );'
			)
		).toBe( true );
		expect( phpProblems() ).toEqual( [] );
	} );
} );

describe( 'uninstall', () => {
	const runUninstall = () =>
		wpJson< Record< string, unknown > >(
			`define( 'WP_UNINSTALL_PLUGIN', 'meet-for-kivicare/plugin.php' );
			include MFK_PLUGIN_DIR . 'uninstall.php';
			wp_cache_flush();
			return array(
				'table'      => MFK_Schema::table_exists( MFK_Schema::table() ),
				'settings'   => get_option( 'mfk_settings', null ),
				'site_id'    => get_option( 'mfk_site_id', null ),
				'version'    => get_option( 'mfk_db_version', null ),
				'cron'       => wp_next_scheduled( 'mfk_queue_tick' ),
				'credential' => get_user_meta( $args['user'], 'mfk_google_credential', true ),
				'connect'    => get_user_meta( $args['user'], 'kiviCare_google_meet_connect', true ),
				'kivicare'   => get_option( 'kiviCare_google_meet_setting', null ),
			);`,
			{ user: userId }
		);
	let userId = 0;

	afterAll( async () => {
		// Back to an installed plugin for the suites that follow.
		await wpJson(
			`delete_option( 'kiviCare_google_meet_setting' );
			delete_option( 'mfk_original_google_meet_setting' );
			MFK_Schema::install();
			MFK_Queue::schedule();
			return true;`
		);
	} );

	it( 'keeps everything when the admin chose to keep the data', async () => {
		userId = await wpJson< number >(
			`$id = wp_insert_user( array( 'user_login' => 'uninstall_' . wp_generate_password( 6, false ), 'user_pass' => 'x-password-1', 'role' => 'kiviCare_doctor' ) );
			MFK_Doctor_Connection::save_connection( $id, 'sealed-uninstall-test', 'u@gmail.test' );
			$s = get_option( 'mfk_settings', array() );
			$s = is_array( $s ) ? $s : array();
			$s['keep_data_on_uninstall'] = true;
			update_option( 'mfk_settings', $s );
			MFK_Queue::schedule();
			return $id;`
		);
		const kept = await runUninstall();
		expect( kept ).toMatchObject( {
			table: true,
			credential: 'sealed-uninstall-test',
			connect: 'on',
		} );
		expect( kept.site_id ).toEqual( expect.any( String ) );
	} );

	it( "otherwise removes the table, options, cron events and user meta, and gives KiviCare's option back", async () => {
		await wpJson(
			`$s = get_option( 'mfk_settings', array() );
			$s['keep_data_on_uninstall'] = false;
			update_option( 'mfk_settings', $s );
			update_option( 'mfk_original_google_meet_setting', array( 'client_id' => 'orig-456', 'enableCal' => 'Yes' ), false );
			return true;`
		);
		const removed = await runUninstall();
		expect( removed ).toEqual( {
			table: false,
			settings: null,
			site_id: null,
			version: null,
			cron: false,
			credential: '',
			connect: '',
			kivicare: { client_id: 'orig-456', enableCal: 'Yes' },
		} );
	} );
} );
