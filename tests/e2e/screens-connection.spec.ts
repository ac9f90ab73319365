/**
 * Doctors' Google connection in Chromium: a doctor connects through the Google emulator's consent
 * page and disconnects; a doctor whose grant stopped working sees the reconnect banner; an
 * administrator sees every doctor's status in one table and on the doctor's profile.
 */
import { expect, test } from '@playwright/test';
import {
	clearDebugLog,
	createUser,
	harness,
	query,
	wpJson,
} from '../harness/testkit';
import {
	configureMeet,
	connectDoctor,
	telemedScenario,
} from '../integration/support/meet';
import { ourPhpProblems, shot, signIn } from './screens-support';

const CONNECTION_PAGE = '/wp-admin/admin.php?page=mfk-google-connection';

function connection( doctorId: number ) {
	return wpJson< { status: string; email: string } >(
		'return MFK_Doctor_Connection::get( $args["id"] );',
		{ id: doctorId }
	);
}

test.beforeAll( async () => {
	await configureMeet();
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

test( 'a doctor connects Google through the consent page and disconnects', async ( {
	page,
	context,
} ) => {
	const sc = await telemedScenario( { connect: false } );
	const email = `dr-${ sc.doctor.id }@gmail.test`;
	await signIn( context, sc.doctor );

	await page.goto( CONNECTION_PAGE );
	await expect(
		page.getByRole( 'heading', { name: 'Google Meet connection' } )
	).toBeVisible();
	const panel = page.locator( '.mfk-connection' );
	await expect( panel ).toHaveAttribute( 'data-status', 'disconnected' );
	await expect( panel ).toContainText( 'Not connected' );
	await shot( page, 'connection-disconnected', { fullPage: false } );

	// Connect: the plugin sends the browser to Google's (the emulator's) consent page.
	await page.getByRole( 'button', { name: 'Connect Google' } ).click();
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	await expect( page.locator( 'h1' ) ).toHaveText( 'Sign in with Google' );
	await page.locator( '#email' ).fill( email );
	await page.locator( '#allow' ).click();

	// Back on the same screen, connected, with the address bar cleaned up.
	await page.waitForURL( /page=mfk-google-connection/ );
	await expect( panel ).toHaveAttribute( 'data-status', 'active' );
	await expect( panel ).toContainText( 'Google is connected.' );
	await expect( panel ).toContainText(
		`Connected to the Google account ${ email }.`
	);
	await expect( page ).not.toHaveURL( /mfk_connected/ );
	expect( await connection( sc.doctor.id ) ).toMatchObject( {
		status: 'active',
		email,
	} );
	await shot( page, 'connection-connected', {
		element: page.locator( '#wpbody-content .wrap' ),
		docs: true,
	} );

	// Disconnect asks first; Escape cancels and leaves things as they were.
	await page.getByRole( 'button', { name: 'Disconnect' } ).click();
	const dialog = page.getByRole( 'dialog', { name: 'Disconnect Google?' } );
	await expect( dialog ).toContainText( email );
	await page.keyboard.press( 'Escape' );
	await expect( dialog ).toHaveCount( 0 );
	await expect(
		page.getByRole( 'button', { name: 'Disconnect' } )
	).toBeFocused();
	expect( ( await connection( sc.doctor.id ) ).status ).toBe( 'active' );

	await page.getByRole( 'button', { name: 'Disconnect' } ).click();
	await dialog.getByRole( 'button', { name: 'Disconnect' } ).click();
	await expect( panel ).toHaveAttribute( 'data-status', 'disconnected' );
	await expect( panel ).toContainText( 'Google is disconnected.' );
	await expect( page.locator( '.mfk-connection__status' ) ).toBeFocused();
	expect( await connection( sc.doctor.id ) ).toMatchObject( {
		status: 'disconnected',
		email: '',
	} );
} );

test( 'declining on the consent page says so and connects nothing', async ( {
	page,
	context,
} ) => {
	const sc = await telemedScenario( { connect: false } );
	await signIn( context, sc.doctor );
	await page.goto( CONNECTION_PAGE );
	await page.getByRole( 'button', { name: 'Connect Google' } ).click();
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	await page.locator( '#deny' ).click();
	await page.waitForURL( /page=mfk-google-connection/ );
	const panel = page.locator( '.mfk-connection' );
	await expect( panel ).toContainText(
		'You declined on Google’s consent page, so nothing was connected.'
	);
	await expect( panel ).toHaveAttribute( 'data-status', 'disconnected' );
	expect( ( await connection( sc.doctor.id ) ).status ).toBe(
		'disconnected'
	);
} );

test( 'a doctor whose grant stopped working sees a banner and reconnects from it', async ( {
	page,
	context,
} ) => {
	const sc = await telemedScenario();
	await wpJson(
		'MFK_Doctor_Connection::mark_reconnect_needed( $args["id"], "token_revoked", "Google answered invalid_grant." ); return true;',
		{ id: sc.doctor.id }
	);
	await signIn( context, sc.doctor );

	// The banner shows on any wp-admin screen and leads to the connection page.
	await page.goto( '/wp-admin/' );
	const banner = page.locator( '.notice', {
		hasText: 'Google no longer accepts your Meet connection',
	} );
	await expect( banner ).toBeVisible();
	await expect( banner ).toContainText( sc.doctorEmail );
	await shot( page, 'reconnect-banner', { element: banner, docs: true } );
	await banner.getByRole( 'link', { name: 'Reconnect Google' } ).click();
	await expect( page ).toHaveURL( /page=mfk-google-connection/ );

	const panel = page.locator( '.mfk-connection' );
	await expect( panel ).toHaveAttribute( 'data-status', 'reconnect_needed' );
	// In the first person, naming the account to reconnect with, said once.
	await expect( panel ).toContainText(
		`Google no longer accepts your connection to ${ sc.doctorEmail }: access was withdrawn in your Google account, or the connection expired. Reconnect with ${ sc.doctorEmail }`
	);
	await expect( panel ).not.toContainText( 'Connected since' );
	await shot( page, 'connection-reconnect', {
		element: page.locator( '#wpbody-content .wrap' ),
		docs: true,
	} );
	await page.getByRole( 'button', { name: 'Reconnect Google' } ).click();
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	// Google's consent page comes pre-filled with that account (login_hint).
	await expect( page.locator( '#email' ) ).toHaveValue( sc.doctorEmail );
	await page.locator( '#allow' ).click();
	await page.waitForURL( /page=mfk-google-connection/ );
	await expect( panel ).toHaveAttribute( 'data-status', 'active' );
	expect( ( await connection( sc.doctor.id ) ).status ).toBe( 'active' );
	await page.goto( '/wp-admin/' );
	await expect(
		page.locator( '.notice', {
			hasText: 'Google no longer accepts your Meet connection',
		} )
	).toHaveCount( 0 );
} );

test( 'administrators see every doctor’s status, and a doctor’s on their profile', async ( {
	page,
	context,
} ) => {
	const connected = await telemedScenario();
	const waiting = await telemedScenario( { connect: false } );
	const revoked = await telemedScenario();
	await wpJson(
		'MFK_Doctor_Connection::mark_reconnect_needed( $args["id"], "token_revoked", "Google answered invalid_grant." ); return true;',
		{ id: revoked.doctor.id }
	);

	await signIn( context, harness().admin );
	await page.goto( '/wp-admin/admin.php?page=meet-for-kivicare#doctors' );
	const table = page.getByRole( 'table', {
		name: 'Google connection of each doctor',
	} );
	const row = ( id: number ) =>
		table.locator( `tr[data-doctor-id="${ id }"]` );
	await expect( row( connected.doctor.id ) ).toContainText( 'Connected' );
	await expect( row( connected.doctor.id ) ).toContainText(
		connected.doctorEmail
	);
	await expect( row( waiting.doctor.id ) ).toContainText( 'Not connected' );
	await expect( row( revoked.doctor.id ) ).toContainText(
		'Reconnect needed'
	);
	await expect( row( revoked.doctor.id ) ).toContainText(
		'Google no longer accepts the doctor’s connection'
	);
	await shot( page, 'doctors', {
		element: page.locator( '#mfk-doctors' ),
		docs: true,
	} );
	await page.getByRole( 'link', { name: 'Status', exact: true } ).click();
	await expect( page.locator( '.mfk-health' ) ).toContainText(
		/Doctors to reconnect\s*[1-9]/
	);
	await page.getByRole( 'link', { name: 'Doctors', exact: true } ).click();

	// …and e-mail a link to a doctor who is not connected, or must reconnect.
	await expect(
		row( connected.doctor.id ).getByRole( 'button', { name: /E-mail/ } )
	).toHaveCount( 0 );
	await expect(
		row( revoked.doctor.id ).getByRole( 'button', {
			name: /E-mail a reconnect link/,
		} )
	).toBeVisible();
	await row( waiting.doctor.id )
		.getByRole( 'button', { name: /E-mail a connection link/ } )
		.click();
	await expect( page.locator( '#mfk-doctors' ) ).toContainText(
		'A link to connect Google was e-mailed to'
	);
	await expect( row( waiting.doctor.id ) ).toContainText(
		'Link sent, valid until'
	);

	// An administrator can disconnect a doctor from the table.
	await row( connected.doctor.id )
		.getByRole( 'button', { name: /Disconnect/ } )
		.click();
	await page
		.getByRole( 'dialog' )
		.getByRole( 'button', { name: 'Disconnect' } )
		.click();
	await expect( row( connected.doctor.id ) ).toContainText( 'Not connected' );
	expect( ( await connection( connected.doctor.id ) ).status ).toBe(
		'disconnected'
	);

	// The reconnect notice is one, links to the table, and "Dismiss" hides it for good for
	// this administrator (WordPress's own button, sent through admin-ajax).
	await signIn( context, await createUser( 'administrator' ) );
	await page.goto( '/wp-admin/' );
	const notice = page.locator( '.mfk-notice[data-mfk-notice="reconnect"]' );
	await expect( notice ).toHaveCount( 1 );
	await expect(
		notice.getByRole( 'link', { name: 'Send them a reconnect link' } )
	).toHaveAttribute( 'href', /#mfk-doctors$/ );
	const dismissed = page.waitForResponse( /admin-ajax\.php/ );
	await notice
		.getByRole( 'button', { name: 'Dismiss this notice.' } )
		.click();
	expect( ( await dismissed ).status() ).toBe( 200 );
	await page.reload();
	await expect( page.locator( '#wpbody-content' ) ).toBeVisible();
	await expect( notice ).toHaveCount( 0 );
	await signIn( context, harness().admin );

	// The doctor's profile has the same status, without Connect (only the doctor can).
	await page.goto( `/wp-admin/user-edit.php?user_id=${ revoked.doctor.id }` );
	const section = page.locator( '.mfk-connection' );
	await expect( section ).toHaveAttribute(
		'data-status',
		'reconnect_needed'
	);
	await expect(
		section.getByRole( 'button', { name: /Connect|Reconnect/ } )
	).toHaveCount( 0 );
	await expect(
		section.getByRole( 'button', { name: 'Disconnect' } )
	).toBeVisible();
} );

test( 'a doctor finds the same panel on their own profile', async ( {
	page,
	context,
} ) => {
	const sc = await telemedScenario();
	await connectDoctor( sc.doctor, sc.doctorEmail );
	await signIn( context, sc.doctor );
	await page.goto( '/wp-admin/profile.php' );
	const section = page.locator( '.mfk-connection' );
	await expect( section ).toHaveAttribute( 'data-status', 'active' );
	await expect( section ).toContainText( sc.doctorEmail );
	await expect(
		section.getByRole( 'button', {
			name: 'Connect a different Google account',
		} )
	).toBeVisible();
} );

test( 'a clinic admin sees their clinic’s doctors and sends a link; a receptionist only sees them', async ( {
	page,
	context,
} ) => {
	const connected = await telemedScenario();
	const waiting = await telemedScenario( { connect: false } );
	// telemedScenario made a fresh admin for the clinic each time: the latest one runs it.
	const clinicAdmin = waiting.clinicAdmin;
	const receptionist = await createUser( 'kiviCare_receptionist' );
	await query(
		'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
		[ receptionist.id, waiting.clinicId ]
	);

	await signIn( context, clinicAdmin );
	await page.goto( '/wp-admin/admin.php?page=mfk-clinic-doctors' );
	await expect(
		page.getByRole( 'heading', { name: 'Google Meet', level: 1 } )
	).toBeVisible();
	const table = page.getByRole( 'table', {
		name: 'Google connection of each doctor',
	} );
	const row = ( id: number ) =>
		table.locator( `tr[data-doctor-id="${ id }"]` );
	await expect( row( connected.doctor.id ) ).toContainText( 'Connected' );
	await expect( row( waiting.doctor.id ) ).toContainText( 'Not connected' );
	// Clinic staff do not disconnect doctors.
	await expect(
		table.getByRole( 'button', { name: /Disconnect/ } )
	).toHaveCount( 0 );
	await row( waiting.doctor.id )
		.getByRole( 'button', { name: /E-mail a connection link/ } )
		.click();
	await expect( row( waiting.doctor.id ) ).toContainText(
		'Link sent, valid until'
	);
	await shot( page, 'clinic-doctors', {
		element: page.locator( '#wpbody-content .wrap' ),
		docs: true,
	} );

	// A receptionist sees the same states, without sending links.
	await context.clearCookies();
	await signIn( context, receptionist );
	await page.goto( '/wp-admin/admin.php?page=mfk-clinic-doctors' );
	await expect( row( waiting.doctor.id ) ).toContainText( 'Not connected' );
	await expect( table.getByRole( 'button' ) ).toHaveCount( 0 );
} );
