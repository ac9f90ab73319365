/**
 * The test kit's process controls, which reliability tests use to simulate outages: the
 * sidecar, the Google emulator and MariaDB stopped and started again, and WordPress reaching
 * the sidecar over loopback.
 */
import { existsSync } from 'node:fs';
import { EMULATOR_BUNDLE, SIDECAR_BUNDLE } from '../harness/paths';
import { portOpen } from '../harness/proc';
import {
	harness,
	isRunning,
	startEmulator,
	startMariadb,
	startSidecar,
	stopEmulator,
	stopProcess,
	stopSidecar,
	wpJson,
} from '../harness/testkit';

const built = existsSync( SIDECAR_BUNDLE ) && existsSync( EMULATOR_BUNDLE );

( built ? describe : describe.skip )( 'sidecar and emulator processes', () => {
	afterAll( async () => {
		await startEmulator();
		await startSidecar();
	} );

	it( 'runs the sidecar, reachable from WordPress on loopback', async () => {
		expect( isRunning( 'sidecar' ) ).toBe( true );
		const health = await fetch( `${ harness().sidecarUrl }/healthz` );
		// Bodies are read so that no half-read connection is left when a service stops.
		await health.arrayBuffer();
		expect( health.status ).toBe( 200 );
		const fromWordPress = await wpJson< number | string >(
			`$response = wp_remote_get( MFK_SIDECAR_URL . '/healthz' );
			return is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_response_code( $response );`
		);
		expect( fromWordPress ).toBe( 200 );
	} );

	it( 'stops the sidecar (also as a crash) and starts it again', async () => {
		expect( await stopSidecar( { signal: 'SIGKILL' } ) ).toBe( true );
		expect( isRunning( 'sidecar' ) ).toBe( false );
		expect( await portOpen( harness().ports.sidecar ) ).toBe( false );
		expect( await stopSidecar() ).toBe( false );

		await startSidecar();
		const again = await fetch( `${ harness().sidecarUrl }/healthz` );
		await again.arrayBuffer();
		expect( again.status ).toBe( 200 );
	} );

	it( 'passes extra environment to a restarted sidecar', async () => {
		// An invalid value must make the sidecar refuse to start, naming the variable.
		await expect(
			startSidecar( { env: { MFK_SHARED_SECRET: 'too-short' } } )
		).rejects.toThrow( /MFK_SHARED_SECRET/ );
		await startSidecar();
		expect( isRunning( 'sidecar' ) ).toBe( true );
	} );

	it( 'stops and restarts the Google emulator', async () => {
		expect( await portOpen( harness().ports.emulator ) ).toBe( true );
		await stopEmulator();
		expect( await portOpen( harness().ports.emulator ) ).toBe( false );
		await startEmulator();
		expect( await portOpen( harness().ports.emulator ) ).toBe( true );
	} );
} );

describe( 'MariaDB process', () => {
	it( 'can be stopped and started under a running WordPress', async () => {
		await stopProcess( 'mariadb' );
		const down = await fetch( `${ harness().url }/sample-page/` );
		expect( down.status ).toBe( 500 );
		expect( await down.text() ).toContain(
			'Error establishing a database connection'
		);

		await startMariadb();
		const up = await fetch( `${ harness().url }/sample-page/` );
		await up.arrayBuffer();
		expect( up.status ).toBe( 200 );
	} );
} );
