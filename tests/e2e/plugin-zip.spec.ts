/**
 * The plugin zip (npm run plugin-zip) installs through WordPress's "Upload Plugin" screen and
 * activates. Uses a throwaway instance without the symlinked plugin, so the upload is the only
 * copy of the plugin on that site.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createThrowawayInstance, destroy, up } from '../harness/instance';
import {
	ADMIN_PASSWORD,
	ADMIN_USER,
	type Instance,
} from '../harness/instances';
import { REPO_ROOT } from '../harness/paths';
import { wpJsonIn } from '../harness/wp-eval';
import { logIn, screenshot } from './support';

let site: Instance;
let zipDir: string;
let zip: string;

test.beforeAll( async () => {
	test.setTimeout( 180_000 );
	zipDir = mkdtempSync( path.join( tmpdir(), 'mfk-zip-test-' ) );
	zip = path.join( zipDir, 'meet-for-kivicare.zip' );
	execFileSync(
		process.execPath,
		[ path.join( REPO_ROOT, 'scripts', 'plugin-zip.mjs' ), '--out', zip ],
		{ stdio: 'inherit' }
	);
	site = await createThrowawayInstance( 'zipcheck', {
		plugin: false,
		standIn: false,
		googleServices: false,
		disableWpCron: true,
		autoLogin: false,
	} );
	await up( site );
} );

test.afterAll( async () => {
	if ( site ) {
		await destroy( site );
	}
	if ( zipDir ) {
		rmSync( zipDir, { recursive: true, force: true } );
	}
} );

test( 'the plugin zip installs and activates through the upload screen', async ( {
	page,
} ) => {
	const base = site.urls.wordpress;
	await logIn( page, { login: ADMIN_USER, password: ADMIN_PASSWORD }, base );
	await page.goto( `${ base }/wp-admin/plugin-install.php?tab=upload` );
	await page.locator( '#pluginzip' ).setInputFiles( zip );
	await page.locator( '#install-plugin-submit' ).click();
	await expect( page.locator( '#wpbody-content' ) ).toContainText(
		'Plugin installed successfully.'
	);
	await screenshot( page, 'plugin-zip-installed' );
	await page.getByRole( 'link', { name: 'Activate Plugin' } ).click();
	const row = page.locator(
		'tr[data-plugin="meet-for-kivicare/plugin.php"]'
	);
	await expect( row ).toHaveClass( /\bactive\b/ );

	// A real copy (not a link to the checkout) with the built parts and no development files.
	const installed = path.join(
		site.paths.docroot,
		'wp-content',
		'plugins',
		'meet-for-kivicare'
	);
	expect( lstatSync( installed ).isSymbolicLink() ).toBe( false );
	expect(
		existsSync( path.join( installed, 'build/sidecar/sidecar.js' ) )
	).toBe( true );
	for ( const devOnly of [
		'src',
		'tests',
		'node_modules',
		'build/emulator',
		'package.json',
	] ) {
		expect( existsSync( path.join( installed, devOnly ) ) ).toBe( false );
	}
	const state = await wpJsonIn< { block: boolean; version: string } >(
		site,
		`return array(
			'block'   => WP_Block_Type_Registry::get_instance()->is_registered( 'meet-for-kivicare/meet-controls' ),
			'version' => MFK_VERSION,
		);`
	);
	expect( state.block ).toBe( true );
	expect( state.version ).toMatch( /^\d+\.\d+\.\d+/ );
} );
