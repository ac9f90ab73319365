/**
 * The harness's test instance itself: a real WordPress on PHP + MariaDB with the plugin active,
 * pretty permalinks, mail to the SMTP sink, the debug log, the test kit's helpers.
 */
import { readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
	PLUGIN_SLUG,
	REPO_ROOT,
	STAND_IN_MAIN,
	STAND_IN_SLUG,
} from '../harness/paths';
import {
	clearDebugLog,
	clearMail,
	createUser,
	getOption,
	harness,
	login,
	phpProblems,
	query,
	readDebugLog,
	readMail,
	runWpCron,
	setOption,
	setTimezone,
	waitForMail,
	wpEval,
	wpJson,
} from '../harness/testkit';

describe( 'harness WordPress', () => {
	it( 'serves pages with pretty permalinks and the REST API under /wp-json/', async () => {
		const page = await fetch( `${ harness().url }/sample-page/` );
		expect( page.status ).toBe( 200 );
		expect( await page.text() ).toContain( 'Sample Page' );

		const index = await fetch( harness().restUrl );
		expect( index.status ).toBe( 200 );
		const body = ( await index.json() ) as {
			namespaces: string[];
			home: string;
		};
		expect( body.namespaces ).toContain( 'wp/v2' );
		expect( body.home ).toBe( harness().url );
	} );

	it( 'runs WordPress 6.5 or newer with the plugin symlinked from this checkout and active', async () => {
		const state = await wpJson< {
			version: string;
			active: boolean;
			mfk: string | null;
		} >(
			`require_once ABSPATH . 'wp-admin/includes/plugin.php';
			return array(
				'version' => get_bloginfo( 'version' ),
				'active'  => is_plugin_active( 'meet-for-kivicare/plugin.php' ),
				'mfk'     => defined( 'MFK_VERSION' ) ? MFK_VERSION : null,
			);`
		);
		expect( state.active ).toBe( true );
		expect( state.mfk ).toMatch( /^\d+\.\d+\.\d+/ );
		const [ major, minor ] = state.version.split( '.' ).map( Number );
		expect( ( major ?? 0 ) * 100 + ( minor ?? 0 ) ).toBeGreaterThanOrEqual(
			605
		);
		const link = path.join(
			harness().docroot,
			'wp-content',
			'plugins',
			PLUGIN_SLUG
		);
		expect( readlinkSync( link ) ).toBe( REPO_ROOT );
	} );

	it( 'activates the KiviCare stand-in', async () => {
		const active = await wpJson< boolean >(
			`require_once ABSPATH . 'wp-admin/includes/plugin.php';
			return is_plugin_active( $args['file'] );`,
			{
				file: `${ STAND_IN_SLUG }/${ path.basename( STAND_IN_MAIN ) }`,
			}
		);
		expect( active ).toBe( true );
	} );

	it( 'defines the sidecar connection and test settings in wp-config.php', async () => {
		const constants = await wpJson< Record< string, unknown > >(
			`return array(
				'url'     => MFK_SIDECAR_URL,
				'secret'  => MFK_SIDECAR_SECRET,
				'cron'    => defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON,
				'debug'   => WP_DEBUG && ! WP_DEBUG_DISPLAY,
				'blocked' => WP_HTTP_BLOCK_EXTERNAL,
				'avatars' => get_option( 'show_avatars' ),
			);`
		);
		expect( constants ).toEqual( {
			url: harness().sidecarUrl,
			secret: harness().sidecarSecret,
			cron: true,
			debug: true,
			blocked: true,
			avatars: '0',
		} );
		expect( harness().sidecarSecret.length ).toBeGreaterThanOrEqual( 32 );
	} );

	it( 'blocks HTTP requests to the outside world', async () => {
		const error = await wpJson< string >(
			`$response = wp_remote_get( 'https://api.wordpress.org/core/version-check/1.7/' );
			return is_wp_error( $response ) ? $response->get_error_message() : 'reached';`
		);
		expect( error ).toMatch( /blocked/i );
	} );

	it( 'opens wp-admin screens without update checks or PHP warnings', async () => {
		clearDebugLog();
		const admin = await login();
		for ( const screen of [
			'index.php',
			'plugins.php',
			'themes.php',
			'update-core.php',
			'plugin-install.php?tab=upload',
		] ) {
			const response = await admin.fetch( `wp-admin/${ screen }` );
			expect( [ screen, response.status ] ).toEqual( [ screen, 200 ] );
			await response.arrayBuffer();
		}
		expect( phpProblems() ).toEqual( [] );
	} );

	it( 'passes arguments to wpEval as data, never as code', async () => {
		const hostile = `'); echo "injected"; //`;
		expect(
			await wpEval( 'echo strrev( $args["text"] );', { text: hostile } )
		).toBe( [ ...hostile ].reverse().join( '' ) );
		await expect(
			wpEval( 'throw new RuntimeException( "boom" );' )
		).rejects.toThrow( /RuntimeException: boom/ );
	} );

	it( 'serves several requests at once (PHP_CLI_SERVER_WORKERS)', async () => {
		// The first request waits until the second one has arrived; a single-process server
		// would only ever see them one after the other and the first would report "alone".
		const probe = path.join(
			harness().docroot,
			'mfk-concurrency-probe.php'
		);
		const flag = path.join( harness().dir, 'concurrency-probe.flag' );
		rmSync( flag, { force: true } );
		writeFileSync(
			probe,
			`<?php
			$flag = ${ JSON.stringify( flag ) };
			if ( 'signal' === $_GET['role'] ) { touch( $flag ); echo 'signalled'; exit; }
			for ( $i = 0; $i < 200; $i++ ) { clearstatcache(); if ( file_exists( $flag ) ) { echo 'met'; exit; } usleep( 50000 ); }
			echo 'alone';`
		);
		try {
			const waiting = fetch(
				`${ harness().url }/mfk-concurrency-probe.php?role=wait`
			).then( ( r ) => r.text() );
			await new Promise( ( resolve ) => setTimeout( resolve, 200 ) );
			const signal = await fetch(
				`${ harness().url }/mfk-concurrency-probe.php?role=signal`
			).then( ( r ) => r.text() );
			expect( signal ).toBe( 'signalled' );
			expect( await waiting ).toBe( 'met' );
		} finally {
			rmSync( probe, { force: true } );
			rmSync( flag, { force: true } );
		}
	} );
} );

describe( 'test kit', () => {
	it( 'logs users in with cookies and a REST nonce', async () => {
		const admin = await login();
		const me = await admin.rest( 'wp/v2/users/me?context=edit' );
		expect( me.status ).toBe( 200 );
		expect( me.body.roles ).toContain( 'administrator' );

		const subscriber = await createUser( 'subscriber', {
			firstName: 'Sam',
		} );
		const session = await login( subscriber );
		const self = await session.rest( 'wp/v2/users/me' );
		expect( self.body.id ).toBe( subscriber.id );
		expect( self.body.name ).toBe( 'Sam' );

		// Without a valid nonce WordPress treats the cookie as not authenticated.
		const forged = await session.fetch( 'wp-json/wp/v2/users/me', {
			headers: { 'X-WP-Nonce': 'abcdef0123' },
		} );
		expect( forged.status ).toBe( 403 );
		expect( ( ( await forged.json() ) as { code: string } ).code ).toBe(
			'rest_cookie_invalid_nonce'
		);
	} );

	it( 'refuses a wrong password', async () => {
		await expect(
			login( { login: harness().admin.login, password: 'wrong' } )
		).rejects.toThrow( /Login as admin failed/ );
	} );

	it( 'creates users with a role and meta, reads them through MariaDB', async () => {
		const user = await createUser( 'editor', {
			meta: { mfk_probe: 'yes' },
		} );
		const rows = await query< { meta_value: string } >(
			`SELECT meta_value FROM ${ harness().tablePrefix }usermeta WHERE user_id = ? AND meta_key = 'mfk_probe'`,
			[ user.id ]
		);
		expect( rows ).toEqual( [ { meta_value: 'yes' } ] );
		await expect( createUser( 'no_such_role' ) ).rejects.toThrow(
			/Unknown role/
		);
	} );

	it( 'delivers wp_mail() to the SMTP sink', async () => {
		// Work left by earlier files (a queue retry run by a page load's cron) may send mail
		// meanwhile, so this looks at its own message only.
		clearMail();
		const subject = `Your consultation – ü ${ Date.now() }`;
		const sent = await wpJson< boolean >(
			`return wp_mail( "patient@clinic.test", ${ JSON.stringify(
				subject
			) }, "<p>Join at https://meet.google.com/abc-defg-hij</p>", array( "Content-Type: text/html; charset=UTF-8" ) );`
		);
		expect( sent ).toBe( true );
		const own = ( list: ReturnType< typeof readMail > ) =>
			list.filter( ( m ) => m.subject === subject );
		await waitForMail( ( list ) => own( list ).length > 0 );
		const mine = own( readMail() );
		expect( mine ).toHaveLength( 1 );
		expect( mine[ 0 ]?.to ).toEqual( [ 'patient@clinic.test' ] );
		expect( mine[ 0 ]?.html ).toContain(
			'https://meet.google.com/abc-defg-hij'
		);
		clearMail();
		expect( own( readMail() ) ).toEqual( [] );
	} );

	it( 'reads and clears the PHP debug log', async () => {
		clearDebugLog();
		await wpEval( 'trigger_error( "harness probe", E_USER_WARNING );' );
		const problems = phpProblems();
		expect( problems ).toHaveLength( 1 );
		expect( problems[ 0 ] ).toContain( 'harness probe' );
		clearDebugLog();
		expect( readDebugLog() ).toBe( '' );
	} );

	it( 'sets options and the site time zone', async () => {
		await setOption( 'mfk_harness_probe', { a: [ 1, 2 ], b: 'x' } );
		expect( await getOption( 'mfk_harness_probe' ) ).toEqual( {
			a: [ 1, 2 ],
			b: 'x',
		} );

		await setTimezone( 'America/New_York' );
		expect( await wpJson( 'return wp_timezone_string();' ) ).toBe(
			'America/New_York'
		);
		await setTimezone( 'UTC+5:30' );
		expect( await wpJson( 'return wp_timezone_string();' ) ).toBe(
			'+05:30'
		);
		await expect( setTimezone( 'Mars/Olympus' ) ).rejects.toThrow(
			/Unknown time zone/
		);
		await setTimezone( 'UTC+0' );
		expect( await wpJson( 'return wp_timezone_string();' ) ).toBe(
			'+00:00'
		);
	} );

	it( 'runs due WP-Cron events on request although DISABLE_WP_CRON is set', async () => {
		await wpEval(
			'wp_schedule_single_event( time() - 10, "mfk_harness_probe_event" );'
		);
		expect(
			await wpJson(
				'return (bool) wp_next_scheduled( "mfk_harness_probe_event" );'
			)
		).toBe( true );
		await runWpCron();
		expect(
			await wpJson(
				'return wp_next_scheduled( "mfk_harness_probe_event" );'
			)
		).toBe( false );
	} );
} );
