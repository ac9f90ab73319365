/**
 * The settings page in Chromium against the harness's WordPress, sidecar and Google emulator:
 * a fresh site opens on the Google setup guide; an administrator copies the redirect URI,
 * enters the OAuth client, sees invalid values on any tab refused as a whole with inline errors,
 * tests the connection (which says what it could not check); and the whole page works with the
 * keyboard alone, tabs included.
 */
import { expect, test, type Page } from '@playwright/test';
import { clearDebugLog, harness, wpJson } from '../harness/testkit';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	redirectUri,
	registerEmulatorClient,
} from '../integration/support/meet';
import {
	focusedName,
	ourPhpProblems,
	shot,
	signIn,
	tabTo,
} from './screens-support';

const SETTINGS = '/wp-admin/admin.php?page=meet-for-kivicare';

interface Stored {
	google_client_id: string;
	google_client_secret: string;
	join_window_minutes: number;
	event_title_template: string;
	add_patient_as_attendee: boolean;
	meet_access_type: string;
}

/** The stored option (the sealed secret included: it must never be the plain one). */
function stored(): Promise< Stored > {
	return wpJson< Stored >(
		`MFK_Settings::flush_cache(); return MFK_Settings::all();`
	);
}

/** Forgets the OAuth client and puts the defaults back, as on a fresh site. */
function resetSettings(): Promise< unknown > {
	return wpJson(
		`$o = (array) get_option( MFK_Settings::OPTION, array() );
		foreach ( array( 'google_client_id', 'google_client_secret', 'join_window_minutes', 'event_title_template', 'add_patient_as_attendee', 'meet_access_type' ) as $k ) {
			unset( $o[ $k ] );
		}
		update_option( MFK_Settings::OPTION, $o );
		MFK_Settings::flush_cache();
		MFK_KiviCare_Options::sync();
		return true;`
	);
}

/** Opens the settings page; a site without its Google client opens on the setup guide. */
async function openSettings( page: Page ): Promise< void > {
	await page.goto( SETTINGS );
	await expect(
		page.getByRole( 'heading', { name: 'Set up Google' } )
	).toBeVisible();
}

/** Opens one of the settings page's tabs. */
async function openTab( page: Page, name: string ): Promise< void > {
	await page
		.getByRole( 'navigation', { name: 'Settings sections' } )
		.getByRole( 'link', { name, exact: true } )
		.click();
	await expect(
		page.getByRole( 'link', { name, exact: true } )
	).toHaveAttribute( 'aria-current', 'page' );
}

test.beforeEach( async () => {
	clearDebugLog();
	await registerEmulatorClient();
	await resetSettings();
} );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

test.afterAll( async () => {
	await resetSettings();
} );

test( 'an administrator configures Google, is told what is wrong, and tests the connection', async ( {
	page,
	context,
} ) => {
	await signIn( context, harness().admin );
	await openSettings( page );

	// Live health on the Status tab: the sidecar answers and accepts the shared secret.
	await openTab( page, 'Status' );
	const health = page.locator( '.mfk-health' );
	await expect( health ).toContainText( 'Reachable' );
	await expect( health ).toContainText( 'Accepted' );
	await expect( health ).toContainText( /Sidecar version\s*\d+\.\d+\.\d+/ );
	await expect( health ).toContainText( 'Incomplete' );

	// Test before configuring: the client check fails and says what to do.
	const status = page.locator( '#mfk-tab-status' );
	await status.getByRole( 'button', { name: 'Test connection' } ).click();
	const result = status.locator( '.mfk-test__result' );
	await expect( result ).toContainText( '1 check failed.' );
	const clientCheck = result.locator( '[data-check="client"]' );
	await expect( clientCheck ).toContainText( 'failed' );
	await expect( clientCheck ).toContainText(
		'Next step: Follow the setup guide in the Google tab'
	);

	// The redirect URI to paste into Google Cloud, with a working Copy button.
	await openTab( page, 'Google' );
	await context.grantPermissions( [ 'clipboard-read', 'clipboard-write' ] );
	const redirect = page.getByLabel( 'Redirect URI' );
	await expect( redirect ).toHaveValue( redirectUri() );
	await expect( redirect ).toHaveAttribute( 'readonly', '' );
	// The Google card's Copy (the sidecar card has its own, for the site id).
	const googleCard = page.locator( '#mfk-google' );
	await googleCard
		.getByRole( 'button', { name: 'Copy', exact: true } )
		.click();
	await expect(
		googleCard.getByRole( 'button', { name: 'Copied', exact: true } )
	).toBeVisible();
	expect( await page.evaluate( () => navigator.clipboard.readText() ) ).toBe(
		redirectUri()
	);

	// An invalid value on any tab: nothing is saved, errors at the fields and in a summary.
	await page.getByLabel( 'Client ID' ).fill( CLIENT_ID );
	await page.getByLabel( 'Client secret' ).fill( CLIENT_SECRET );
	await openTab( page, 'Meetings' );
	await page
		.getByLabel( 'Join window (minutes before the start)' )
		.fill( '500' );
	await expect( page.locator( '.mfk-settings__state' ) ).toHaveText(
		'Unsaved changes'
	);
	await openTab( page, 'Google' );
	await page.getByRole( 'button', { name: 'Save settings' } ).click();
	const summary = page.locator( '.mfk-error-summary' );
	await expect( summary ).toBeFocused();
	await expect( summary ).toContainText(
		'Nothing was saved: 1 field needs your attention.'
	);
	await expect( summary.getByRole( 'link' ) ).toHaveText(
		'Join window: The join window must be between 0 and 120 minutes.'
	);
	expect( ( await stored() ).google_client_id ).toBe( '' );
	expect( ( await stored() ).google_client_secret ).toBe( '' );

	// The summary's link opens the field's tab and takes focus to the field.
	const windowField = page.getByLabel(
		'Join window (minutes before the start)'
	);
	await summary.getByRole( 'link' ).click();
	await expect( windowField ).toBeFocused();
	await expect( windowField ).toHaveAttribute( 'aria-invalid', 'true' );
	await expect(
		page.locator( '#mfk-field-join_window_minutes' )
	).toContainText(
		'Error: The join window must be between 0 and 120 minutes.'
	);
	await shot( page, 'settings-errors' );
	await shot( page, 'settings-inline-error', {
		element: page.locator( '#mfk-field-join_window_minutes' ),
		docs: true,
	} );
	await windowField.fill( '15' );
	await expect( windowField ).not.toHaveAttribute( 'aria-invalid', 'true' );
	await page.getByRole( 'button', { name: 'Save settings' } ).click();
	await expect( page.locator( '.mfk-settings__state' ) ).toHaveText(
		'Settings saved.'
	);
	await expect( summary ).toHaveCount( 0 );

	// Saved as a whole; the secret is sealed and never comes back to the browser.
	const saved = await stored();
	expect( saved.google_client_id ).toBe( CLIENT_ID );
	expect( saved.join_window_minutes ).toBe( 15 );
	expect( saved.google_client_secret ).not.toBe( '' );
	expect( saved.google_client_secret ).not.toContain( CLIENT_SECRET );
	await openTab( page, 'Google' );
	const secret = page.getByLabel( 'Client secret' );
	await expect( secret ).toHaveValue( '' );
	await expect( secret ).toHaveAttribute( 'type', 'password' );
	await expect( secret ).toHaveAttribute( 'placeholder', /^•+$/ );
	await expect(
		page.locator( '#mfk-field-google_client_secret' )
	).toContainText( 'A secret is saved and is never shown again.' );
	expect( await page.content() ).not.toContain( CLIENT_SECRET );

	// After a reload the page shows what is stored, on the tab it was on.
	await page.reload();
	await expect( page.getByLabel( 'Client ID' ) ).toHaveValue( CLIENT_ID );
	await openTab( page, 'Meetings' );
	await expect(
		page.getByLabel( 'Join window (minutes before the start)' )
	).toHaveValue( '15' );
	await openTab( page, 'Status' );
	await expect( health ).toContainText( 'Complete' );

	// Google accepts the client; with no connected doctor chosen the test says what it did not check.
	await status.getByRole( 'button', { name: 'Test connection' } ).click();
	await expect( result ).toContainText(
		'The checks that ran passed, but not everything was checked'
	);
	await expect( result ).not.toContainText( 'Everything works' );
	await expect( result.locator( '[data-check="sidecar"]' ) ).toContainText(
		'Sidecar reachable: passed'
	);
	await expect( result.locator( '[data-check="signature"]' ) ).toContainText(
		'Shared secret accepted: passed'
	);
	await expect( result.locator( '[data-check="client"]' ) ).toContainText(
		'OAuth client accepted by Google: passed'
	);
	await expect(
		result.locator( '[data-not-checked="doctor"]' )
	).toContainText( 'no connected doctor was chosen' );
	await shot( page, 'settings' );
	await shot( page, 'settings-status', {
		element: page.locator( '#mfk-status' ),
		docs: true,
	} );
	await openTab( page, 'Google' );
	await shot( page, 'settings-google', {
		element: page.locator( '#mfk-google' ),
		docs: true,
	} );
} );

test( 'Google refusing the client secret is explained with the next step', async ( {
	page,
	context,
} ) => {
	await signIn( context, harness().admin );
	await openSettings( page );
	await page.getByLabel( 'Client ID' ).fill( CLIENT_ID );
	await page.getByLabel( 'Client secret' ).fill( 'not-the-secret' );
	// The guide's step 4 saves and asks Google at once.
	await page.getByRole( 'button', { name: 'Save and check' } ).click();
	const step = page.locator( '.mfk-guide__step[data-step="4"]' );
	await expect( step.locator( '.mfk-guide__result' ) ).toContainText(
		'Google refused the OAuth client id or secret (invalid_client).'
	);
	await expect( step.locator( '.mfk-guide__result' ) ).toContainText(
		'copy its Client ID and Client secret again'
	);
	await expect( step ).toHaveClass( /is-(current|todo)/ );
	await openTab( page, 'Status' );
	const status = page.locator( '#mfk-tab-status' );
	await status.getByRole( 'button', { name: 'Test connection' } ).click();
	const client = status.locator( '.mfk-test__result [data-check="client"]' );
	await expect( client ).toContainText( 'failed' );
	await expect( client ).toContainText(
		'Next step: Google does not know this client ID, or the secret does not belong to it.'
	);
	await expect(
		client.getByRole( 'link', { name: /Open the OAuth clients/ } )
	).toHaveAttribute(
		'href',
		'https://console.cloud.google.com/auth/clients'
	);
	await shot( page, 'settings-test-failed', { fullPage: false } );
} );

test( 'the settings page can be used with the keyboard alone', async ( {
	page,
	context,
} ) => {
	await signIn( context, harness().admin );
	await openSettings( page );
	await page.locator( 'body' ).focus();

	// The tabs come first, as links; the Google tab is open on a fresh site.
	await tabTo( page, 'a.nav-tab' );
	expect( await focusedName( page ) ).toBe( 'Status' );

	// Fill the client, Tab by Tab (the redirect URI's Copy comes before, in step 3).
	await tabTo( page, '.mfk-copy-field button' );
	expect( await focusedName( page ) ).toBe( 'Copy' );
	await tabTo( page, 'input[type="text"]:not([readonly])' );
	expect( await focusedName( page ) ).toBe( 'Client ID' );
	await page.keyboard.type( CLIENT_ID );
	await page.keyboard.press( 'Tab' );
	expect( await focusedName( page ) ).toBe( 'Client secret' );
	await page.keyboard.type( CLIENT_SECRET );

	// Back up to the tabs and open Meetings with Enter.
	await tabTo( page, 'a.nav-tab[href="#meetings"]', { backwards: true } );
	await page.keyboard.press( 'Enter' );

	// A title with a clinical placeholder; "Anyone with the link" chosen with the arrow keys,
	// which brings the attendee toggle (the patient is always a guest otherwise), switched
	// with Space.
	await tabTo( page, '#mfk-field-event_title_template input' );
	await page.keyboard.press( 'ControlOrMeta+A' );
	await page.keyboard.type( 'Consultation about {diagnosis}' );
	const access = page.locator( '#mfk-field-meet_access_type select' );
	await tabTo( page, '#mfk-field-meet_access_type select' );
	await expect( access ).toHaveValue( 'RESTRICTED' );
	await expect(
		page.locator( '[data-testid="mfk-patient-guest-note"]' )
	).toBeVisible();
	await page.keyboard.press( 'ArrowDown' );
	await page.keyboard.press( 'ArrowDown' );
	await expect( access ).toHaveValue( 'OPEN' );
	await tabTo( page, '#mfk-field-add_patient_as_attendee input' );
	await page.keyboard.press( 'Space' );
	await expect(
		page.locator( '#mfk-field-add_patient_as_attendee input' )
	).toBeChecked();

	// Enter in a field submits the form; focus lands on the error summary.
	await tabTo( page, '#mfk-field-calendar_id input' );
	await page.keyboard.press( 'Enter' );
	const summary = page.locator( '.mfk-error-summary' );
	await expect( summary ).toBeFocused();
	await expect( summary ).toContainText(
		'Nothing was saved: 1 field needs your attention.'
	);
	expect( ( await stored() ).google_client_id ).toBe( '' );

	// Tab to the error's link, Enter: focus is in the field to fix.
	await page.keyboard.press( 'Tab' );
	expect( await focusedName( page ) ).toContain(
		'Event title: Unknown placeholder(s) {diagnosis}.'
	);
	await page.keyboard.press( 'Enter' );
	await expect(
		page.locator( '#mfk-field-event_title_template input' )
	).toBeFocused();
	await page.keyboard.press( 'ControlOrMeta+A' );
	await page.keyboard.type( 'Video consultation at {clinic_name}' );

	// Tab to Save and press it.
	await tabTo( page, '.mfk-settings__save button' );
	expect( await focusedName( page ) ).toBe( 'Save settings' );
	await page.keyboard.press( 'Enter' );
	await expect( page.locator( '.mfk-settings__state' ) ).toHaveText(
		'Settings saved.'
	);
	const saved = await stored();
	expect( saved.google_client_id ).toBe( CLIENT_ID );
	expect( saved.event_title_template ).toBe(
		'Video consultation at {clinic_name}'
	);
	expect( saved.add_patient_as_attendee ).toBe( true );
	expect( saved.meet_access_type ).toBe( 'OPEN' );

	// Test connection from the keyboard: Status tab, then its button.
	await tabTo( page, 'a.nav-tab[href="#status"]', { backwards: true } );
	await page.keyboard.press( 'Enter' );
	await tabTo( page, '#mfk-tab-status .mfk-test > button' );
	expect( await focusedName( page ) ).toBe( 'Test connection' );
	await page.keyboard.press( 'Enter' );
	await expect(
		page.locator( '#mfk-tab-status .mfk-test__result' )
	).toContainText( 'OAuth client accepted by Google: passed' );

	// Every focused control shows where the focus is.
	await tabTo( page, '.mfk-health__footer button', { backwards: true } );
	const outline = await page.evaluate( () => {
		const style = getComputedStyle(
			document.body.ownerDocument.activeElement as Element
		);
		return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
	} );
	expect( outline ).toBe( true );
	await shot( page, 'settings-keyboard', { fullPage: false } );
} );
