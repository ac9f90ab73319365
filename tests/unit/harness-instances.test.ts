/**
 * Instance definitions: the documented ports, the port offset for a second checkout, and the
 * generated wp-config.php (valid PHP, with the constants the plugin and tests rely on).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getInstance, phpWorkers, type Instance } from '../harness/instances';
import { renderWpConfig } from '../harness/wordpress';

function setEnv( env: Record< string, string | undefined > ): void {
	for ( const [ key, value ] of Object.entries( env ) ) {
		if ( value === undefined ) {
			delete process.env[ key ];
		} else {
			process.env[ key ] = value;
		}
	}
}

/** Runs `run` with the given environment variables set (undefined = unset), then restores. */
function withEnv< T >(
	env: Record< string, string | undefined >,
	run: () => T
): T {
	const saved: Record< string, string | undefined > = {};
	for ( const key of Object.keys( env ) ) {
		saved[ key ] = process.env[ key ];
	}
	setEnv( env );
	try {
		return run();
	} finally {
		setEnv( saved );
	}
}

describe( 'harness instances', () => {
	it( 'uses the ports of docs/ARCHITECTURE.md', () => {
		withEnv( { MFK_HARNESS_PORT_OFFSET: undefined }, () => {
			expect( getInstance( 'dev' ).ports ).toEqual( {
				wordpress: 8888,
				mariadb: 3316,
				sidecar: 8787,
				emulator: 8789,
				smtp: 1025,
			} );
			expect( getInstance( 'test' ).ports ).toEqual( {
				wordpress: 8890,
				mariadb: 3317,
				sidecar: 8797,
				emulator: 8799,
				smtp: 1026,
			} );
			expect( getInstance( 'test' ).urls.wordpress ).toBe(
				'http://127.0.0.1:8890'
			);
		} );
	} );

	it( 'shifts every port by MFK_HARNESS_PORT_OFFSET and rejects nonsense', () => {
		withEnv( { MFK_HARNESS_PORT_OFFSET: '10000' }, () => {
			const test = getInstance( 'test' );
			expect( test.ports.wordpress ).toBe( 18890 );
			expect( test.ports.smtp ).toBe( 11026 );
			expect( test.urls.sidecar ).toBe( 'http://127.0.0.1:18797' );
		} );
		withEnv( { MFK_HARNESS_PORT_OFFSET: '-5' }, () => {
			expect( () => getInstance( 'test' ) ).toThrow(
				/MFK_HARNESS_PORT_OFFSET/
			);
		} );
	} );

	it( 'knows only built-in or defined instances, with safe names', () => {
		expect( () => getInstance( 'nope' ) ).toThrow(
			/Unknown harness instance/
		);
		expect( () => getInstance( '../etc' ) ).toThrow(
			/Invalid instance name/
		);
	} );

	it( 'runs 8 PHP workers unless MFK_PHP_WORKERS says otherwise', () => {
		withEnv( { MFK_PHP_WORKERS: undefined }, () =>
			expect( phpWorkers() ).toBe( 8 )
		);
		withEnv( { MFK_PHP_WORKERS: '3' }, () =>
			expect( phpWorkers() ).toBe( 3 )
		);
		withEnv( { MFK_PHP_WORKERS: 'lots' }, () =>
			expect( () => phpWorkers() ).toThrow( /MFK_PHP_WORKERS/ )
		);
	} );
} );

describe( 'wp-config.php', () => {
	let dir: string;
	let instance: Instance;

	beforeEach( () => {
		dir = mkdtempSync( path.join( tmpdir(), 'mfk-config-' ) );
		const test = getInstance( 'test' );
		instance = {
			...test,
			dir,
			paths: {
				...test.paths,
				secrets: path.join( dir, 'secrets.json' ),
				debugLog: path.join( dir, "it's debug.log" ),
				localConfig: path.join( dir, 'wp-config-local.php' ),
			},
		};
	} );

	afterEach( () => rmSync( dir, { recursive: true, force: true } ) );

	/** Loads the generated file in PHP (without WordPress) and returns its constants. */
	function constantsOf( config: string ): Record< string, unknown > {
		const file = path.join( dir, 'wp-config.php' );
		writeFileSync(
			file,
			config.replace( "require_once ABSPATH . 'wp-settings.php';", '' )
		);
		const probe = path.join( dir, 'probe.php' );
		writeFileSync(
			probe,
			`<?php require ${ JSON.stringify( file ) }; echo json_encode( get_defined_constants( true )['user'] );`
		);
		return JSON.parse(
			execFileSync( 'php', [ probe ], { encoding: 'utf8' } )
		);
	}

	it( 'is valid PHP defining the database, debug, sidecar and test settings', () => {
		const constants = constantsOf( renderWpConfig( instance ) );
		expect( constants ).toMatchObject( {
			DB_HOST: `127.0.0.1:${ instance.ports.mariadb }`,
			WP_HOME: instance.urls.wordpress,
			WP_DEBUG: true,
			WP_DEBUG_DISPLAY: false,
			WP_DEBUG_LOG: instance.paths.debugLog,
			WP_HTTP_BLOCK_EXTERNAL: true,
			WP_ACCESSIBLE_HOSTS: '127.0.0.1,localhost',
			MFK_SIDECAR_URL: instance.urls.sidecar,
			DISABLE_WP_CRON: true,
			MFK_HARNESS_SMTP_PORT: instance.ports.smtp,
			MFK_HARNESS_QUIET_EDITOR: true,
		} );
		expect(
			String( constants.MFK_SIDECAR_SECRET ).length
		).toBeGreaterThanOrEqual( 32 );
		expect( constants ).not.toHaveProperty( 'MFK_HARNESS_LOGIN_TOKEN' );
	} );

	it( 'keeps the per-instance secrets stable across rewrites', () => {
		const first = constantsOf( renderWpConfig( instance ) );
		const second = constantsOf( renderWpConfig( instance ) );
		expect( second.MFK_SIDECAR_SECRET ).toBe( first.MFK_SIDECAR_SECRET );
		expect( second.AUTH_KEY ).toBe( first.AUTH_KEY );
	} );

	it( 'enables WP-Cron and auto-login links only where the instance asks for them', () => {
		const constants = constantsOf(
			renderWpConfig( {
				...instance,
				options: {
					...instance.options,
					disableWpCron: false,
					autoLogin: true,
					quietEditor: false,
				},
			} )
		);
		expect( constants ).not.toHaveProperty( 'DISABLE_WP_CRON' );
		expect( constants ).not.toHaveProperty( 'MFK_HARNESS_QUIET_EDITOR' );
		expect(
			String( constants.MFK_HARNESS_LOGIN_TOKEN ).length
		).toBeGreaterThanOrEqual( 24 );
	} );
} );
