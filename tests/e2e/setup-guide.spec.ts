/**
 * Setting up Google from the screens alone, in Chromium, against a Google emulator whose
 * project is set up the way a first try usually is: the Calendar API off, the consent screen
 * Internal then in Testing without test users, the OAuth client without this site's redirect
 * URI, a secret copied wrong. The administrator follows the setup guide, meets each of Google's
 * setup errors once and fixes it with what the screen (or Google's page) says; then e-mails the
 * doctor a connection link from the doctors table, and the doctor, signing in to WordPress as
 * usual, lands from it on Google's consent page with their account filled in and connects; the
 * test meeting passes only then; a week later the app left in Testing is told apart and
 * published. Each step is pictured (tests/artifacts/, docs/screens/ with MFK_DOCS_SCREENS=1).
 */
import { expect, test, type Page } from '@playwright/test';
import {
	clearDebugLog,
	clearMail,
	harness,
	waitForMail,
	wpJson,
} from '../harness/testkit';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	moveEmulatorClock,
	redirectUri,
	registerEmulatorClient,
	setEmulatorProject,
	telemedScenario,
} from '../integration/support/meet';
import { ourPhpProblems, shot, signIn } from './screens-support';

const SETTINGS = '/wp-admin/admin.php?page=meet-for-kivicare';
const CONNECTION_PAGE = '/wp-admin/admin.php?page=mfk-google-connection';

/** A fresh site: no OAuth client saved. */
function forgetClient(): Promise< unknown > {
	return wpJson(
		`$o = (array) get_option( MFK_Settings::OPTION, array() );
		unset( $o['google_client_id'], $o['google_client_secret'] );
		update_option( MFK_Settings::OPTION, $o );
		MFK_Settings::flush_cache();
		MFK_KiviCare_Options::sync();
		return true;`
	);
}

const step = ( page: Page, n: number ) =>
	page.locator( `.mfk-guide__step[data-step="${ n }"]` );

/** The doctor presses Connect (or Reconnect) Google and lands on Google's page. */
async function startConnect( page: Page ): Promise< void > {
	await page.goto( CONNECTION_PAGE );
	await page
		.getByRole( 'button', { name: /^(Connect|Reconnect) Google$/ } )
		.click();
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
}

async function allowAs( page: Page, email: string ): Promise< void > {
	await expect( page.locator( 'h1' ) ).toHaveText( 'Sign in with Google' );
	await page.locator( '#email' ).fill( email );
	await page.locator( '#allow' ).click();
}

test.beforeAll( async () => {
	await forgetClient();
	await registerEmulatorClient();
	// The project as first set up: wrong redirect URI, API off, Internal consent screen.
	await setEmulatorProject( {
		redirectUris: [ 'https://clinic.example/wp-admin/admin-post.php' ],
		calendarApiEnabled: false,
		userType: 'internal',
		organizationDomain: 'clinic.example',
		publishingStatus: 'testing',
		testUsers: [],
		projectNumber: '271828182845',
	} );
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

test.afterAll( async () => {
	await moveEmulatorClock( { reset: true } );
	await registerEmulatorClient();
	await forgetClient();
} );

test( 'from a fresh site to a working test meeting by following the screens', async ( {
	browser,
} ) => {
	test.setTimeout( 480_000 );
	const sc = await telemedScenario( { connect: false } );
	// The doctor's Google account is the address WordPress knows them by.
	const email = sc.doctor.email;
	const adminContext = await browser.newContext();
	const doctorContext = await browser.newContext();
	await signIn( adminContext, harness().admin );
	await signIn( doctorContext, sc.doctor );
	const admin = await adminContext.newPage();
	const doctor = await doctorContext.newPage();

	await test.step( 'the settings open on the setup guide; the Cloud console steps are confirmed one by one', async () => {
		await admin.goto( SETTINGS );
		await expect(
			admin.getByRole( 'heading', { name: 'Set up Google' } )
		).toBeVisible();
		await expect(
			admin.getByRole( 'link', { name: 'Google', exact: true } )
		).toHaveAttribute( 'aria-current', 'page' );
		await expect( step( admin, 1 ) ).toHaveClass( /is-current/ );
		await expect( step( admin, 2 ) ).toContainText(
			'Finish step 1 first.'
		);
		await shot( admin, 'setup-guide', {
			element: admin.locator( '#mfk-google' ),
			docs: true,
		} );
		for ( const n of [ 1, 2, 3 ] ) {
			await step( admin, n )
				.getByRole( 'button', { name: 'Done, next step' } )
				.click();
			await expect( step( admin, n ) ).toHaveClass( /is-done/ );
		}
		await expect( step( admin, 4 ) ).toHaveClass( /is-current/ );
	} );

	await test.step( 'a secret copied wrong: Google refuses the client, the guide says what to copy again', async () => {
		await admin.getByLabel( 'Client ID' ).fill( CLIENT_ID );
		await admin
			.getByLabel( 'Client secret' )
			.fill( 'GOCSPX-not-the-secret' );
		await step( admin, 4 )
			.getByRole( 'button', { name: 'Save and check' } )
			.click();
		const result = step( admin, 4 ).locator( '.mfk-guide__result' );
		await expect( result ).toContainText( 'invalid_client' );
		await expect( result ).toContainText(
			'copy its Client ID and Client secret again'
		);
		await shot( admin, 'setup-invalid-client', {
			element: step( admin, 4 ),
		} );
		await admin.getByLabel( 'Client secret' ).fill( CLIENT_SECRET );
		await step( admin, 4 )
			.getByRole( 'button', { name: 'Save and check' } )
			.click();
		await expect( result ).toContainText(
			'Google accepted the OAuth client.'
		);
		await expect( step( admin, 4 ) ).toHaveClass( /is-done/ );
		// Step 5 is next (already done when the shared test site has connected doctors).
		await expect( step( admin, 5 ) ).toHaveClass( /is-(current|done)/ );
	} );

	await test.step( 'the doctor connects: Google refuses the redirect URI; the guide gives the exact one to register', async () => {
		await startConnect( doctor );
		await expect( doctor.locator( '#error' ) ).toHaveText(
			'Error 400: redirect_uri_mismatch'
		);
		await shot( doctor, 'setup-redirect-uri-mismatch', { docs: true } );
		const explained = step( admin, 5 ).locator(
			'[data-google-error="redirect_uri_mismatch"]'
		);
		await expect( explained ).toContainText( redirectUri() );
		// In the Cloud console: the URI added to the client, as the guide says.
		await setEmulatorProject( { redirectUris: [ redirectUri() ] } );
	} );

	await test.step( 'an Internal app refuses the doctor’s Gmail account (org_internal); the fix is an External app', async () => {
		await startConnect( doctor );
		await allowAs( doctor, email );
		await expect( doctor.locator( '#error' ) ).toHaveText(
			'Error 403: org_internal'
		);
		await expect(
			step( admin, 5 ).locator( '[data-google-error="org_internal"]' )
		).toContainText( 'make the app External' );
		await setEmulatorProject( { userType: 'external' } );
	} );

	await test.step( 'in Testing the doctor is not a test user (access_denied); the fix is adding them', async () => {
		await startConnect( doctor );
		await allowAs( doctor, email );
		await expect( doctor.locator( '#error' ) ).toHaveText(
			'Error 403: access_denied'
		);
		await shot( doctor, 'setup-access-denied' );
		await expect(
			step( admin, 5 ).locator( '[data-google-error="access_denied"]' )
		).toContainText( 'Test users' );
		await setEmulatorProject( { testUsers: [ email ] } );
	} );

	await test.step( 'the admin e-mails the doctor a connection link from the doctors table', async () => {
		// The meeting test has no connected doctor yet: it says so, never "Everything works".
		await expect( step( admin, 6 ) ).not.toContainText(
			'Everything works'
		);
		await step( admin, 5 )
			.getByRole( 'link', { name: 'Open the Doctors tab' } )
			.click();
		const doctors = admin.locator( '#mfk-tab-doctors' );
		await expect( doctors ).toBeVisible();
		const row = doctors.locator( `tr[data-doctor-id="${ sc.doctor.id }"]` );
		await expect( row ).toContainText( 'Not connected' );
		clearMail();
		await row
			.getByRole( 'button', { name: /^E-mail a connection link/ } )
			.click();
		await expect( doctors ).toContainText(
			'A link to connect Google was e-mailed to'
		);
		await expect( row ).toContainText( 'Link sent, valid until' );
		await shot( admin, 'setup-invite-sent', {
			element: doctors,
			docs: true,
		} );
	} );

	await test.step( 'the doctor signs in to WordPress as usual from the e-mailed link, lands on Google’s page with their account filled in, and connects', async () => {
		const mail = await waitForMail( ( m ) =>
			m.some( ( x ) => x.to.includes( email ) )
		);
		const message = mail.find( ( x ) => x.to.includes( email ) )!;
		expect( message.subject ).toMatch(
			/^Connect your Google account for video consultations at /
		);
		const link = /https?:\/\/\S+action=mfk_connect_invite\S+/.exec(
			message.text
		)![ 0 ];
		// Another device, not signed in: the link signs nobody in.
		const fromMail = await browser.newContext();
		const page = await fromMail.newPage();
		await page.goto( link );
		await expect( page ).toHaveURL( /wp-login\.php/ );
		await page.locator( '#user_login' ).fill( sc.doctor.login );
		await page.locator( '#user_pass' ).fill( sc.doctor.password );
		await page.locator( '#wp-submit' ).click();
		await page.waitForURL( `${ harness().emulatorUrl }/**` );
		await expect( page.locator( 'h1' ) ).toHaveText(
			'Sign in with Google'
		);
		expect( new URL( page.url() ).searchParams.get( 'login_hint' ) ).toBe(
			email
		);
		await expect( page.locator( '#email' ) ).toHaveValue( email );
		await shot( page, 'setup-invite-consent', { docs: true } );
		await page.locator( '#allow' ).click();
		await page.waitForURL( /page=mfk-google-connection/ );
		await expect( page.locator( '.mfk-connection' ) ).toHaveAttribute(
			'data-status',
			'active'
		);
		await shot( page, 'setup-invite-connected' );
		// Used once: the same link is refused afterwards.
		const again = await page.goto( link );
		expect( again?.status() ).toBe( 410 );
		await fromMail.close();
		await admin
			.getByRole( 'link', { name: 'Google', exact: true } )
			.click();
	} );

	await test.step( 'the first doctor is seen; the test meeting fails on the Calendar API and passes once it is enabled', async () => {
		await step( admin, 5 )
			.getByRole( 'button', { name: 'Check again' } )
			.click();
		await expect( step( admin, 5 ) ).toHaveClass( /is-done/ );
		await expect( step( admin, 5 ) ).toContainText( email );
		const six = step( admin, 6 );
		await six
			.getByLabel( 'Test as doctor' )
			.selectOption( String( sc.doctor.id ) );
		await six.getByRole( 'button', { name: 'Test connection' } ).click();
		const calendar = six.locator( '[data-check="calendar"]' );
		await expect( calendar ).toContainText(
			'The Google Calendar API is not enabled in the Google Cloud project of this OAuth client (project 271828182845).'
		);
		await expect(
			calendar.getByRole( 'link', {
				name: /Enable the Google Calendar API/,
			} )
		).toHaveAttribute( 'href', /project=271828182845/ );
		await expect( six.locator( '.mfk-test__result' ) ).not.toContainText(
			'Everything works'
		);
		await expect(
			six.locator( '[data-not-checked="probe"]' )
		).toContainText( 'No test meeting was created' );
		await shot( admin, 'setup-api-disabled', { element: six, docs: true } );
		await setEmulatorProject( { calendarApiEnabled: true } );
		await six.getByRole( 'button', { name: 'Test connection' } ).click();
		await expect( six.locator( '.mfk-test__result' ) ).toContainText(
			'Everything works: a test meeting with a Google Meet link was created and removed in the Google Calendar of'
		);
		await expect( admin.locator( '.mfk-guide' ) ).toContainText(
			'Google is set up'
		);
		await shot( admin, 'setup-done', {
			element: admin.locator( '#mfk-google' ),
			docs: true,
		} );
	} );

	await test.step( 'a week later the app still in Testing has ended the connection: told apart, fixed by publishing', async () => {
		await moveEmulatorClock( { advanceSeconds: 7 * 86400 + 120 } );
		await wpJson(
			`update_user_meta( $args['id'], MFK_Doctor_Connection::META_SINCE, gmdate( 'c', time() - 7 * DAY_IN_SECONDS - 120 ) ); return true;`,
			{ id: sc.doctor.id }
		);
		await admin
			.getByRole( 'link', { name: 'Status', exact: true } )
			.click();
		const status = admin.locator( '#mfk-tab-status' );
		await status
			.getByLabel( 'Test as doctor' )
			.selectOption( String( sc.doctor.id ) );
		await status.getByRole( 'button', { name: 'Test connection' } ).click();
		const token = status.locator( '[data-check="token"]' );
		await expect( token ).toContainText( '7 days after consent' );
		await expect( token ).toContainText( 'Publish app' );
		await expect(
			token.getByRole( 'link', { name: /publish the app/ } )
		).toHaveAttribute(
			'href',
			'https://console.cloud.google.com/auth/audience'
		);
		await shot( admin, 'setup-testing-expired', { element: status } );
		// In the Cloud console: Publish app. The doctor reconnects once.
		await setEmulatorProject( { publishingStatus: 'in_production' } );
		await startConnect( doctor );
		await allowAs( doctor, email );
		await doctor.waitForURL( /page=mfk-google-connection/ );
		await expect( doctor.locator( '.mfk-connection' ) ).toHaveAttribute(
			'data-status',
			'active'
		);
		await status.getByRole( 'button', { name: 'Test connection' } ).click();
		await expect( status.locator( '.mfk-test__result' ) ).toContainText(
			'Everything works'
		);
		// Published: the new connection does not end a week later.
		await moveEmulatorClock( { advanceSeconds: 8 * 86400 } );
		await status.getByRole( 'button', { name: 'Test connection' } ).click();
		await expect( status.locator( '.mfk-test__result' ) ).toContainText(
			'Everything works'
		);
	} );

	await adminContext.close();
	await doctorContext.close();
} );
