/**
 * The settings page's hosted-sidecar fields in Chromium: the site id to give the operator (with
 * Copy), an enrolment key made for another site refused at the field, a key for this site saved
 * write-only, and Test connection explaining that the sidecar it reaches serves a single site.
 */
import { expect, test } from '@playwright/test';
import { clearDebugLog, harness, wpJson } from '../harness/testkit';
import { ourPhpProblems, shot, signIn } from './screens-support';

const SETTINGS = '/wp-admin/admin.php?page=meet-for-kivicare';
const SECRET = 'A'.repeat( 43 );

function forgetKey(): Promise< unknown > {
	return wpJson(
		`$o = (array) get_option( MFK_Settings::OPTION, array() );
		unset( $o['sidecar_enrolment_key'] );
		update_option( MFK_Settings::OPTION, $o );
		MFK_Settings::flush_cache();
		return true;`
	);
}

test.beforeEach( async () => {
	clearDebugLog();
	await forgetKey();
} );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

test.afterAll( async () => {
	await forgetKey();
} );

test( 'an administrator gives the site id to the operator and pastes the enrolment key; Test connection says what is wrong', async ( {
	page,
	context,
} ) => {
	const siteId = await wpJson< string >( 'return MFK_Site::id();' );
	await signIn( context, harness().admin );
	// The sidecar is a technical detail: it is under Advanced.
	await page.goto( `${ SETTINGS }#advanced` );
	const sidecar = page.locator( '#mfk-sidecar' );
	await expect(
		sidecar.getByRole( 'heading', { name: 'Sidecar' } )
	).toBeVisible();

	// The site id, read-only, with Copy.
	await context.grantPermissions( [ 'clipboard-read', 'clipboard-write' ] );
	const id = sidecar.getByLabel( 'Site id' );
	await expect( id ).toHaveValue( siteId );
	await expect( id ).toHaveAttribute( 'readonly', '' );
	await sidecar.getByRole( 'button', { name: 'Copy', exact: true } ).click();
	expect( await page.evaluate( () => navigator.clipboard.readText() ) ).toBe(
		siteId
	);

	// A key made for another site is refused at its field; nothing is saved.
	const key = sidecar.getByLabel( 'Enrolment key' );
	await expect( key ).toHaveAttribute( 'type', 'password' );
	const otherSite = '0b7c2f1e-1111-4222-8333-444455556666';
	await key.fill( `mfke1.m1.${ otherSite }.${ SECRET }` );
	await page.getByRole( 'button', { name: 'Save settings' } ).click();
	await expect(
		page.locator( '#mfk-field-sidecar_enrolment_key' )
	).toContainText(
		`This enrolment key was made for the site id ${ otherSite }, and this site's id is ${ siteId }`
	);
	expect(
		await wpJson(
			'MFK_Settings::flush_cache(); return MFK_Settings::sidecar_enrolment_key();'
		)
	).toBe( '' );

	// A key for this site is saved and never shown again.
	await key.fill( `mfke1.m1.${ siteId }.${ SECRET }` );
	await page.getByRole( 'button', { name: 'Save settings' } ).click();
	await expect( page.locator( '.mfk-settings__state' ) ).toHaveText(
		'Settings saved.'
	);
	await expect( key ).toHaveValue( '' );
	await expect( key ).toHaveAttribute( 'placeholder', /^•+$/ );
	expect( await page.content() ).not.toContain( SECRET );

	// The harness's sidecar serves one site with a shared secret: Test connection says so.
	await page.getByRole( 'link', { name: 'Status', exact: true } ).click();
	await page
		.locator( '#mfk-tab-status' )
		.getByRole( 'button', { name: 'Test connection' } )
		.click();
	const check = page.locator(
		'#mfk-tab-status .mfk-test__result [data-check="enrolment"]'
	);
	await expect( check ).toContainText( 'Enrolment key accepted: failed' );
	await expect( check ).toContainText(
		'This sidecar serves a single site with a shared secret: it does not know enrolment keys.'
	);
	await expect( check ).toContainText( 'Next step: Check the address' );
	await page.getByRole( 'link', { name: 'Advanced', exact: true } ).click();
	await shot( page, 'settings-hosted-sidecar', {
		element: sidecar,
		docs: true,
	} );
} );
