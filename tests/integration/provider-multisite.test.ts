/**
 * Multisite: network activation creates a mapping table and a site id on every site, a site
 * created later gets its own at once, deleting a site drops its table, and the system-cron
 * runner works through every site. Runs in a throwaway WordPress converted to a network.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';
import { createThrowawayInstance, destroy, up } from '../harness/instance';
import type { Instance } from '../harness/instances';
import { wpJsonIn } from '../harness/wp-eval';
import { makeNetwork } from './support/multisite';

const NAME = `mfk-ms-${ process.pid }`;

describe( 'multisite', () => {
	let site: Instance;
	const php = < T = unknown >( code: string, args?: unknown ) =>
		wpJsonIn< T >( site, code, args );

	beforeAll( async () => {
		site = await createThrowawayInstance( NAME, {
			plugin: true,
			standIn: false,
			googleServices: false,
			disableWpCron: true,
			autoLogin: false,
		} );
		await up( site );
		await makeNetwork( site );
	}, 120000 );

	afterAll( async () => {
		if ( site ) {
			await destroy( site );
		}
	} );

	it( 'network activation installs every site; later sites get their table at creation; deleted sites lose it', async () => {
		const result = await php< Record< string, unknown > >(
			`require_once ABSPATH . 'wp-admin/includes/plugin.php';
			$second = wp_insert_site( array( 'domain' => $args['host'], 'path' => '/second/', 'title' => 'Second' ) );
			if ( is_wp_error( $second ) ) { throw new RuntimeException( $second->get_error_message() ); }
			$activated = activate_plugin( 'meet-for-kivicare/plugin.php', '', true );
			if ( is_wp_error( $activated ) ) { throw new RuntimeException( $activated->get_error_message() ); }
			$third = wp_insert_site( array( 'domain' => $args['host'], 'path' => '/third/', 'title' => 'Third' ) );
			global $wpdb;
			$out = array( 'network_active' => is_plugin_active_for_network( 'meet-for-kivicare/plugin.php' ) );
			foreach ( array( 1, $second, $third ) as $blog ) {
				switch_to_blog( $blog );
				$out['sites'][] = array(
					'table'   => MFK_Schema::table_exists( MFK_Schema::table() ),
					'prefix'  => $wpdb->prefix,
					'site_id' => get_option( 'mfk_site_id' ),
					'version' => get_option( 'mfk_db_version' ),
					'cron'    => (bool) wp_next_scheduled( 'mfk_queue_tick' ),
				);
				restore_current_blog();
			}
			require_once ABSPATH . 'wp-admin/includes/ms.php';
			wp_delete_site( $third );
			$out['third_table_after_delete'] = MFK_Schema::table_exists( $wpdb->get_blog_prefix( $third ) . MFK_Schema::TABLE );
			return $out;`,
			{ host: new URL( site.urls.wordpress ).host }
		);
		expect( result.network_active ).toBe( true );
		const sites = result.sites as Array< {
			table: boolean;
			prefix: string;
			site_id: string;
			version: string;
			cron: boolean;
		} >;
		expect( sites.map( ( s ) => s.prefix ) ).toEqual( [
			'wp_',
			'wp_2_',
			'wp_3_',
		] );
		for ( const s of sites ) {
			expect( s ).toMatchObject( {
				table: true,
				version: expect.any( String ),
				cron: true,
			} );
			expect( s.site_id ).toMatch( /^[0-9a-f-]{36}$/ );
		}
		expect( new Set( sites.map( ( s ) => s.site_id ) ).size ).toBe( 3 );
		expect( result.third_table_after_delete ).toBe( false );
	} );

	it( 'the system-cron runner works through every site of the network', async () => {
		// One due row on each remaining site.
		await php(
			`foreach ( array( 1, 2 ) as $blog ) {
				switch_to_blog( $blog );
				MFK_Mappings::record_intent( 4242, array( 'desired' => 'cancelled', 'doctor_id' => 1, 'calendar_id' => 'primary' ), array( 'create' => true ) );
				restore_current_blog();
			}
			return true;`
		);
		const output = await new Promise< string >( ( resolve, reject ) => {
			execFile(
				'php',
				[
					path.join( REPO_ROOT, 'php', 'cli', 'run-queue.php' ),
					`--path=${ site.paths.docroot }`,
					`--url=${ site.urls.wordpress }/`,
					'--all-sites',
				],
				{ timeout: 60000 },
				( error, stdout, stderr ) =>
					error
						? reject(
								new Error( `${ error.message }\n${ stderr }` )
							)
						: resolve( stdout )
			);
		} );
		const report = JSON.parse( output.trim() ) as Record<
			string,
			{ claimed: number }
		>;
		expect( Object.keys( report ).sort() ).toEqual( [ '1', '2' ] );
		expect( report[ '1' ]!.claimed ).toBe( 1 );
		expect( report[ '2' ]!.claimed ).toBe( 1 );
		const rows = await php< Array< Record< string, unknown > > >(
			`$out = array();
			foreach ( array( 1, 2 ) as $blog ) {
				switch_to_blog( $blog );
				$row = MFK_Mappings::get_by_appointment( 4242 );
				$out[] = array( 'state' => $row['state'], 'attempts' => $row['attempts'], 'code' => $row['last_error_code'] );
				restore_current_blog();
			}
			return $out;`
		);
		// No OAuth client is configured on these sites: each row was tried once and waits.
		expect( rows ).toEqual( [
			{ state: 'pending', attempts: 1, code: 'not_configured' },
			{ state: 'pending', attempts: 1, code: 'not_configured' },
		] );
	} );
} );
