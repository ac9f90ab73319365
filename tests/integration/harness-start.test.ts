/**
 * `./bin/dev start` (the harness CLI's `start`): sets up and starts an instance, seeds demo
 * data, prints where everything is, keeps running, and stops everything it started on Ctrl-C.
 * Runs on a throwaway instance with free ports so it never touches the dev instance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createThrowawayInstance, destroy, status } from '../harness/instance';
import type { Instance } from '../harness/instances';
import { DEMO_GOOGLE_ACCOUNT, seedDemo } from '../harness/demo';
import { REPO_ROOT } from '../harness/paths';
import { portOpen } from '../harness/proc';
import { wpJsonIn } from '../harness/wp-eval';

let site: Instance;
let child: ChildProcess;
let output = '';

function waitForOutput( text: string, timeoutMs = 120000 ): Promise< void > {
	return new Promise( ( resolve, reject ) => {
		const timer = setTimeout(
			() => reject( new Error( `No "${ text }" in:\n${ output }` ) ),
			timeoutMs
		);
		const check = () => {
			if ( output.includes( text ) ) {
				clearTimeout( timer );
				resolve();
			}
		};
		child.stdout?.on( 'data', check );
		child.on( 'exit', () => {
			clearTimeout( timer );
			reject( new Error( `start exited early:\n${ output }` ) );
		} );
		check();
	} );
}

beforeAll( async () => {
	site = await createThrowawayInstance( 'startcheck', {
		plugin: true,
		standIn: true,
		googleServices: true,
		disableWpCron: false,
		autoLogin: true,
	} );
	child = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			path.join( REPO_ROOT, 'tests/harness/cli.ts' ),
			'start',
			site.name,
		],
		{ cwd: REPO_ROOT, env: { ...process.env, MFK_HARNESS_QUIET: '1' } }
	);
	child.stdout?.on(
		'data',
		( chunk: Buffer ) => ( output += chunk.toString() )
	);
	child.stderr?.on(
		'data',
		( chunk: Buffer ) => ( output += chunk.toString() )
	);
	await waitForOutput( 'Press Ctrl-C' );
}, 180000 );

afterAll( async () => {
	if ( child && child.exitCode === null ) {
		child.kill( 'SIGKILL' );
	}
	if ( site ) {
		await destroy( site );
	}
} );

describe( 'harness start', () => {
	it( 'prints the site, the admin login and where mail goes', () => {
		expect( output ).toContain(
			`Site             ${ site.urls.wordpress }/`
		);
		expect( output ).toContain( 'user "admin", password "password"' );
		expect( output ).toContain( '.harness/startcheck/mail/' );
		expect( output ).toMatch(
			/Auto-login\s+http:\/\/127\.0\.0\.1:\d+\/\?mfk-login=admin&token=/
		);
	} );

	it( 'serves a site where the printed auto-login link opens wp-admin', async () => {
		const link = /Auto-login\s+(\S+)/.exec( output )?.[ 1 ] ?? '';
		const loginResponse = await fetch( link, { redirect: 'manual' } );
		// Every body is read: undici asserts when a server closes a connection whose response
		// was left half-read (this file stops its instance at the end).
		await loginResponse.arrayBuffer();
		expect( loginResponse.status ).toBe( 302 );
		expect( loginResponse.headers.get( 'location' ) ).toBe(
			`${ site.urls.wordpress }/wp-admin/`
		);
		const cookie = loginResponse.headers
			.getSetCookie()
			.map( ( line ) => line.split( ';' )[ 0 ] )
			.join( '; ' );
		const admin = await fetch(
			`${ site.urls.wordpress }/wp-admin/plugins.php`,
			{
				headers: { Cookie: cookie },
				redirect: 'manual',
			}
		);
		expect( admin.status ).toBe( 200 );
		const html = await admin.text();
		expect( html ).toContain(
			'data-plugin="meet-for-kivicare/plugin.php"'
		);

		const forged = await fetch(
			link.replace( /token=[^&]+/, 'token=wrong' ),
			{ redirect: 'manual' }
		);
		await forged.arrayBuffer();
		expect( forged.status ).toBe( 403 );
	} );

	it( 'seeds demo accounts and the Meet controls page', async () => {
		expect( output ).toMatch( /doctor\s+kiviCare_doctor/ );
		expect( output ).toMatch( /patient\s+kiviCare_patient/ );
		const page = await fetch(
			`${ site.urls.wordpress }/video-consultations/`
		);
		await page.arrayBuffer();
		expect( page.status ).toBe( 200 );
	} );

	it( 'seeds a demo clinic whose consultation starting now has its Join button open', async () => {
		expect( output ).toContain(
			`"doctor" is connected as ${ DEMO_GOOGLE_ACCOUNT }, "doctor2" is not`
		);
		expect( output ).toMatch(
			/Pat Jordan with Dr\. Alex Morgan\s+video, Meet link ready, open now/
		);
		expect( output ).toMatch( /video, awaiting online payment/ );
		expect( output ).toMatch( /video, cancelled: its meeting is removed/ );
		expect( output ).toMatch( /Pat Jordan with Dr\. Sam Lee\s+in person/ );
		expect( output ).not.toContain( 'Not seeded' );

		// The printed link signs the patient in and lands on the page with the Join button.
		const link = /Join as the patient\s+(\S+)/.exec( output )?.[ 1 ] ?? '';
		const signedIn = await fetch( link, { redirect: 'manual' } );
		await signedIn.arrayBuffer();
		expect( signedIn.status ).toBe( 302 );
		const target = signedIn.headers.get( 'location' )!;
		expect( target ).toBe(
			`${ site.urls.wordpress }/video-consultations/`
		);
		const cookie = signedIn.headers
			.getSetCookie()
			.map( ( line ) => line.split( ';' )[ 0 ] )
			.join( '; ' );
		const html = await (
			await fetch( target, { headers: { Cookie: cookie } } )
		).text();
		const join =
			/<a class="mfk-meet__button[^"]*" href="(https:\/\/meet\.google\.com\/[a-z-]+)"[^>]*>Join Google Meet/.exec(
				html
			);
		expect( join ).not.toBeNull();

		// That link is the Meet conference of an event on the doctor's calendar at Google.
		const events = ( await (
			await fetch(
				`${ site.urls.emulator }/__emulator/calendars/${ DEMO_GOOGLE_ACCOUNT }/events?includeCancelled=false`
			)
		).json() ) as { items: Array< { hangoutLink?: string } > };
		expect( events.items.map( ( e ) => e.hangoutLink ) ).toContain(
			join![ 1 ]
		);
	} );

	it( 'seeds again without booking anything twice', async () => {
		const count = () =>
			wpJsonIn< { appointments: number; demo: unknown } >(
				site,
				`global $wpdb;
				return array(
					'appointments' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->prefix}kc_appointments" ),
					'demo'         => get_option( 'mfk_demo_appointments' ),
				);`
			);
		const before = await count();
		const again = await seedDemo( site );
		expect( again.problems ).toEqual( [] );
		expect( await count() ).toEqual( before );
		expect( again.appointments.map( ( a ) => a.key ) ).toEqual( [
			'open_now',
			'tomorrow',
			'awaiting_payment',
			'cancelled',
			'in_person',
		] );
	} );

	it( 'stops everything it started on Ctrl-C', async () => {
		const running = status( site );
		expect( running.mariadb ).not.toBeNull();
		expect( running.wordpress ).not.toBeNull();
		const exited = new Promise< number | null >( ( resolve ) =>
			child.on( 'exit', resolve )
		);
		child.kill( 'SIGINT' );
		expect( await exited ).toBe( 0 );
		expect( Object.values( status( site ) ) ).toEqual( [
			null,
			null,
			null,
			null,
			null,
		] );
		for ( const port of Object.values( site.ports ) ) {
			expect( await portOpen( port ) ).toBe( false );
		}
	} );
} );
