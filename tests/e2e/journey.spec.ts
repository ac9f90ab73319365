/**
 * A clinic's whole video-consultation journey in Chromium, through real parts only: WordPress
 * and MariaDB with the KiviCare stand-in, the sidecar, the Google emulator (OAuth consent page
 * and Calendar) and the SMTP sink that WordPress sends its mail to.
 *
 * The site runs in Australia/Sydney: a morning appointment there falls on the previous day in
 * UTC, and the consultation is booked on the day after the zone's next daylight-saving change,
 * then moved to the day before it, so the instants Google stores are checked on both sides.
 *
 *  1. the administrator activates the plugin, enters the Google OAuth client, tests it;
 *  2. a doctor connects their Google account on the consent page;
 *  3. the doctor has a telemedicine service; a patient books it with KiviCare's booking form;
 *  4. exactly one event with a Meet conference is on the doctor's calendar, at the right instant;
 *  5. the patient's and the doctor's e-mails carry the Meet link;
 *  6. the doctor gets Start, the patient Join, both opening that link; another patient sees nothing;
 *  7. a reschedule moves the event and keeps the link;
 *  8. a cancellation removes the event, and the controls say so;
 *  9. the doctor revokes access in their Google account: the next booking still succeeds, the
 *     administrator and the doctor are told to reconnect, and reconnecting creates the meeting.
 *
 * Pictures of the steps go to tests/artifacts/journey-*.png (and docs/walkthrough/ with
 * MFK_DOCS_SCREENS=1).
 */
import {
	expect,
	test,
	type BrowserContext,
	type Locator,
	type Page,
} from '@playwright/test';
import {
	clearDebugLog,
	createUser,
	harness,
	login,
	query,
	readMail,
	runWpCron,
	setTimezone,
	wpJson,
	type TestUser,
} from '../harness/testkit';
import {
	createService,
	ensureClinic,
	KC,
	preserveOptions,
} from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	mapping,
	revokeGoogleAccount,
} from '../integration/support/meet';
import { blockMarkup, ourPhpProblems, publishPage } from './screens-support';
import {
	browserAs,
	emulatorControl,
	eventsOf,
	mailText,
	mailTo,
	meetLinkOf,
	nextDstChange,
	walkthroughShot,
	zonedInstant,
	zoneOffsetMinutes,
} from './support/journey';

const ZONE = 'Australia/Sydney';
const PLUGIN = 'meet-for-kivicare/plugin.php';
const SETTINGS = '/wp-admin/admin.php?page=meet-for-kivicare';
const MINUTE_MS = 60_000;

/** Unique per run: the journey never meets the people or Google accounts of an earlier run. */
const tag = Date.now().toString( 36 );
const CLIENT_ID = `clinic-${ tag }.apps.googleusercontent.com`;
const CLIENT_SECRET = `clinic-secret-${ tag }`;
const GOOGLE_ACCOUNT = `eleanor.hart.${ tag }@gmail.test`;
const DOCTOR_NAME = 'Eleanor Hart';
const PATIENT_NAME = 'Noah Brennan';

// A step that cannot act fails in seconds, not at the end of the journey's long budget.
test.use( { actionTimeout: 20_000, navigationTimeout: 30_000 } );

let restoreOptions: () => Promise< void >;
let doctor: TestUser;
let patient: TestUser;
let otherPatient: TestUser;
const contexts: BrowserContext[] = [];

function meetItem( page: Page, appointmentId: number ): Locator {
	return page.locator(
		`.mfk-meet__item[data-mfk-appointment="${ appointmentId }"]`
	);
}

/** Books with the KiviCare booking form on `url`; resolves with the appointment id. */
async function bookWithForm(
	page: Page,
	url: string,
	{
		serviceName,
		date,
		time,
	}: { serviceName: string; date: string; time: string }
): Promise< number > {
	await page.goto( url );
	const form = page.locator( 'form.kc-book-appointment' );
	// Other clinics' tests may have doctors of the same name on this site: pick by id.
	const doctorSelect = form.getByLabel( 'Doctor' );
	await expect(
		doctorSelect.locator( `option[value="${ doctor.id }"]` )
	).toHaveText( DOCTOR_NAME );
	await doctorSelect.selectOption( String( doctor.id ) );
	await form
		.getByLabel( 'Service' )
		.selectOption( { label: `${ serviceName } (video consultation)` } );
	await form.getByLabel( 'Date' ).fill( date );
	const timeSelect = form.getByLabel( 'Time', { exact: true } );
	await expect(
		timeSelect.locator( `option[value="${ time }"]` )
	).toHaveCount( 1 );
	await timeSelect.selectOption( time );
	// The form says which zone its times are in: the site's.
	await expect( form.locator( '#kc-book-timezone' ) ).toHaveText(
		`Times are in ${ ZONE }.`
	);
	await form.getByRole( 'button', { name: 'Book appointment' } ).click();
	await expect( form.getByRole( 'status' ) ).toHaveText(
		/^Appointment booked\. Reference #\d+\.$/
	);
	return Number( await form.getAttribute( 'data-appointment-id' ) );
}

/**
 * Waits until the appointment's meeting is in `state`. The background sync right after the
 * request that booked, moved or cancelled usually gets there first; otherwise the queue
 * finishes the job, run here as system cron runs it (unless `cron` is false: then only what
 * the site does by itself counts).
 */
async function meetingSettles(
	appointmentId: number,
	state: string,
	{ cron = true } = {}
) {
	await expect
		.poll(
			async () => {
				const row = await mapping( appointmentId );
				if ( row?.state !== state && cron ) {
					await runWpCron();
				}
				return row?.state;
			},
			{ timeout: 30_000 }
		)
		.toBe( state );
}

test.beforeAll( async () => {
	restoreOptions = await preserveOptions( [
		'timezone_string',
		'gmt_offset',
		'mfk_settings',
	] );
	// A clinic whose site has the plugin installed but not activated, and Google not set up.
	// A site where activation cannot work (the original add-on, or a test double of it, is
	// active) is left alone rather than losing the plugin for the tests after this one.
	await wpJson(
		`$conflict = class_exists( 'MFK_Compat' ) ? MFK_Compat::original_addon_active() : defined( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION' );
		if ( $conflict ) {
			throw new RuntimeException( 'The original Google Meet add-on (or the fake provider of the KiviCare stand-in, option kc_standin_fake_provider) is active: the plugin could not be activated.' );
		}
		delete_option( 'mfk_settings' );
		if ( class_exists( 'MFK_Settings' ) ) {
			MFK_Settings::flush_cache();
			MFK_KiviCare_Options::sync();
		}
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( $args['plugin'] );
		return ! is_plugin_active( $args['plugin'] );`,
		{ plugin: PLUGIN }
	);
	await setTimezone( ZONE );

	const { clinicId } = await ensureClinic();
	doctor = await createUser( 'kiviCare_doctor', {
		firstName: 'Eleanor',
		lastName: 'Hart',
	} );
	await query(
		'INSERT INTO wp_kc_doctor_clinic_mappings (doctor_id, clinic_id, owner, created_at) VALUES (?, ?, 0, NOW())',
		[ doctor.id, clinicId ]
	);
	patient = await createUser( 'kiviCare_patient', {
		firstName: 'Noah',
		lastName: 'Brennan',
	} );
	otherPatient = await createUser( 'kiviCare_patient', {
		firstName: 'Mia',
		lastName: 'Lindqvist',
	} );
	clearDebugLog();
} );

test.afterAll( async () => {
	for ( const context of contexts ) {
		await context.close();
	}
	// Leave the site as the other browser tests expect it: the plugin active, earlier settings.
	await wpJson(
		`require_once ABSPATH . 'wp-admin/includes/plugin.php';
		if ( ! is_plugin_active( $args['plugin'] ) ) { activate_plugin( $args['plugin'] ); }
		return true;`,
		{ plugin: PLUGIN }
	);
	await restoreOptions?.();
	await wpJson(
		'if ( class_exists( "MFK_Settings" ) ) { MFK_Settings::flush_cache(); MFK_KiviCare_Options::sync(); } return true;'
	);
} );

test( 'a clinic sets up Google Meet, and a video consultation goes from booking to reconnection', async ( {
	browser,
} ) => {
	test.setTimeout( 300_000 );
	const dst = nextDstChange( ZONE );
	// The booking is on the far side of the change, the reschedule on this side.
	const bookedAt = zonedInstant( dst.after, '09:30', ZONE );
	const movedTo = zonedInstant( dst.before, '09:30', ZONE );
	expect( zoneOffsetMinutes( ZONE, bookedAt ) ).not.toBe(
		zoneOffsetMinutes( ZONE, movedTo )
	);
	const open = async ( user: { login: string; password: string } ) => {
		const opened = await browserAs( browser, user );
		contexts.push( opened.context );
		// The Meet links lead to Google, which is out of reach here: a stand-in page answers.
		await opened.context.route( 'https://meet.google.com/**', ( route ) =>
			route.fulfill( {
				contentType: 'text/html',
				body: '<!doctype html><title>Google Meet</title><h1>Google Meet</h1>',
			} )
		);
		return opened;
	};

	const admin = await open( harness().admin );
	let doctorView: Awaited< ReturnType< typeof open > >;
	let patientView: Awaited< ReturnType< typeof open > >;
	let serviceName = '';
	let bookingUrl = '';
	let consultationsUrl = '';
	let appointmentId = 0;
	let meetUrl = '';
	let eventId = '';

	await test.step( '1. the administrator activates the plugin, enters the Google OAuth client and tests it', async () => {
		const { page } = admin;
		await page.goto( '/wp-admin/plugins.php' );
		const row = page.locator( `tr[data-plugin="${ PLUGIN }"]` );
		await expect( row ).toHaveClass( /\binactive\b/ );
		await row
			.getByRole( 'link', { name: /^Activate Meet for KiviCare/ } )
			.click();
		await expect( page.locator( '#message' ) ).toContainText(
			'Plugin activated.'
		);
		await expect( row ).toHaveClass( /\bactive\b/ );
		await walkthroughShot( row, 'plugin-activated' );

		await row
			.getByRole( 'link', { name: 'Settings', exact: true } )
			.click();
		// A fresh site opens on the Google setup guide.
		await expect(
			page.getByRole( 'heading', { name: 'Set up Google' } )
		).toBeVisible();

		// In Google Cloud: a "Web application" OAuth client with the redirect URI shown here.
		const redirectUri = `${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`;
		await expect( page.getByLabel( 'Redirect URI' ) ).toHaveValue(
			redirectUri
		);
		await emulatorControl( 'clients', {
			clientId: CLIENT_ID,
			clientSecret: CLIENT_SECRET,
			redirectUris: [ redirectUri ],
		} );

		await page.getByLabel( 'Client ID' ).fill( CLIENT_ID );
		await page.getByLabel( 'Client secret' ).fill( CLIENT_SECRET );
		await page.getByRole( 'button', { name: 'Save settings' } ).click();
		await expect( page.locator( '.mfk-settings__state' ) ).toHaveText(
			'Settings saved.'
		);
		// The Status tab follows at once.
		await page.getByRole( 'link', { name: 'Status', exact: true } ).click();
		await expect( page.locator( '.mfk-health' ) ).toContainText(
			'Complete'
		);
		const status = page.locator( '#mfk-tab-status' );
		await status.getByRole( 'button', { name: 'Test connection' } ).click();
		const result = status.locator( '.mfk-test__result' );
		// No doctor is connected yet: the test says what it could not check.
		await expect( result ).toContainText(
			'The checks that ran passed, but not everything was checked'
		);
		await expect( result.locator( '[data-check="client"]' ) ).toContainText(
			'OAuth client accepted by Google: passed'
		);
		await walkthroughShot(
			// The test alone: the status figures above also count other tests' meetings.
			status.locator( '.mfk-test' ),
			'settings-tested'
		);
	} );

	await test.step( '2. the doctor connects their Google account on the consent page', async () => {
		doctorView = await open( doctor );
		const { page } = doctorView;
		// KiviCare → Google Meet in the admin menu.
		await page.goto( '/wp-admin/' );
		const menu = page.locator( '#adminmenu' );
		await menu
			.getByRole( 'link', { name: 'KiviCare', exact: true } )
			.click();
		await menu
			.getByRole( 'link', { name: 'Google Meet', exact: true } )
			.click();
		const panel = page.locator( '.mfk-connection' );
		await expect( panel ).toHaveAttribute( 'data-status', 'disconnected' );
		await page.getByRole( 'button', { name: 'Connect Google' } ).click();

		await page.waitForURL( `${ harness().emulatorUrl }/**` );
		await expect( page.locator( 'h1' ) ).toHaveText(
			'Sign in with Google'
		);
		await expect( page.locator( 'main' ) ).toContainText( CLIENT_ID );
		await page.locator( '#email' ).fill( GOOGLE_ACCOUNT );
		await walkthroughShot( page.locator( 'main' ), 'google-consent' );
		await page.locator( '#allow' ).click();

		await page.waitForURL( /page=mfk-google-connection/ );
		await expect( panel ).toHaveAttribute( 'data-status', 'active' );
		await expect( panel ).toContainText(
			`Connected to the Google account ${ GOOGLE_ACCOUNT }.`
		);
		await walkthroughShot(
			page.locator( '#wpbody-content .wrap' ),
			'doctor-connected'
		);
	} );

	await test.step( '3. a telemedicine service exists; the patient books it with KiviCare’s form', async () => {
		serviceName = 'Video consultation';
		await createService( {
			name: serviceName,
			doctors: [ doctor.id ],
			telemed: true,
			duration: 30,
		} );
		bookingUrl = await publishPage(
			'Book an appointment',
			'[kivicareBookAppointment]'
		);
		consultationsUrl = await publishPage(
			'Video consultations',
			blockMarkup()
		);

		patientView = await open( patient );
		appointmentId = await bookWithForm( patientView.page, bookingUrl, {
			serviceName,
			date: dst.after,
			time: '09:30',
		} );
		expect( appointmentId ).toBeGreaterThan( 0 );
		await walkthroughShot(
			patientView.page.locator( 'form.kc-book-appointment' ),
			'patient-booked'
		);
	} );

	await test.step( '4. exactly one event with a Meet conference is on the doctor’s calendar, at the right instant', async () => {
		// Default settings: the booking did not wait for Google; the site makes the link right
		// after it by itself (no cron run, no page view).
		await meetingSettles( appointmentId, 'ready', { cron: false } );
		const events = await calendarEvents( GOOGLE_ACCOUNT );
		expect( events ).toHaveLength( 1 );
		const [ event ] = events;
		expect( event!.status ).toBe( 'confirmed' );
		expect( event!.extendedProperties?.private?.mfkAppointmentId ).toBe(
			String( appointmentId )
		);
		expect( event!.conferenceData?.createRequest?.status?.statusCode ).toBe(
			'success'
		);
		meetUrl = meetLinkOf( event! );
		expect( meetUrl ).toMatch(
			/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/
		);
		eventId = event!.id;

		// 09:30 in Sydney on the day after the change, which is the day before in UTC.
		expect( Date.parse( event!.start.dateTime ) ).toBe( bookedAt );
		expect( Date.parse( event!.end.dateTime ) ).toBe(
			bookedAt + 30 * MINUTE_MS
		);
		expect( event!.start.timeZone ).toBe( ZONE );
		expect( new Date( bookedAt ).toISOString().slice( 0, 10 ) ).not.toBe(
			dst.after
		);

		const row = await mapping( appointmentId );
		expect( row ).toMatchObject( {
			state: 'ready',
			url: meetUrl,
			event_id: eventId,
		} );
	} );

	await test.step( '5. the patient’s and the doctor’s e-mails carry the Meet link', async () => {
		// KiviCare's own "Google Meet Link" e-mails (the templates the clinic edits in KiviCare),
		// within seconds of the booking, exactly one each.
		const toPatient = await mailTo( patient.email, ( m ) =>
			mailText( m ).includes( meetUrl )
		);
		// Never the doctor's calendar event link: its eid encodes the doctor's Google address.
		expect( mailText( toPatient ) ).not.toContain( 'google.com/calendar' );
		expect(
			readMail().filter(
				( m ) =>
					JSON.stringify( m.to ).includes( patient.email ) &&
					mailText( m ).includes( meetUrl )
			)
		).toHaveLength( 1 );
		expect( mailText( toPatient ) ).toContain( dst.after );
		// The time with its zone (the clinic is in Sydney).
		expect( mailText( toPatient ) ).toMatch( /09:30 AE[DS]T/ );
		const toDoctor = await mailTo( doctor.email, ( m ) =>
			mailText( m ).includes( meetUrl )
		);
		expect( mailText( toDoctor ) ).toContain( PATIENT_NAME );
		expect( mailText( toDoctor ) ).toContain( 'Calendar event:' );
	} );

	await test.step( '6. Start for the doctor, Join for the patient, the same link; nothing for another patient', async () => {
		for ( const [ view, label, picture ] of [
			[ doctorView, 'Start Google Meet', 'doctor-start' ],
			[ patientView, 'Join Google Meet', 'patient-join' ],
		] as const ) {
			const { context } = view;
			// Fake only this browser's clock, to be there when the join window opens.
			await context.clock.install();
			const page = await context.newPage();
			await page.goto( consultationsUrl );
			const item = meetItem( page, appointmentId );
			const button = item.getByRole( 'link', { name: label } );
			await expect( item ).toHaveAttribute(
				'data-mfk-phase',
				'upcoming'
			);
			await expect( button ).toHaveAttribute( 'aria-disabled', 'true' );
			await expect( button ).not.toHaveAttribute( 'href', /./ );
			await expect( item ).toContainText( /Opens in \d+ days/i );

			const opensAt = Date.parse(
				( await button.getAttribute( 'data-mfk-opens-at' ) ) ?? ''
			);
			expect( opensAt ).toBeLessThan( bookedAt );
			await page.clock.fastForward( opensAt - Date.now() + MINUTE_MS );
			await expect( button ).toHaveAttribute( 'href', meetUrl );
			await expect( item ).toContainText( 'The meeting is open.' );
			await walkthroughShot( item, picture );

			const [ meet ] = await Promise.all( [
				context.waitForEvent( 'page' ),
				button.click(),
			] );
			await meet.waitForLoadState();
			expect( meet.url() ).toBe( meetUrl );
			await meet.close();
			await page.close();
		}

		// KiviCare's own appointment list carries the same link, worded per role.
		await doctorView.page.goto( '/wp-admin/admin.php?page=kivicare' );
		await expect(
			doctorView.page
				.locator( `tr[data-appointment-id="${ appointmentId }"]` )
				.getByRole( 'link', { name: 'Start Video Conference' } )
		).toHaveAttribute( 'href', meetUrl );
		await patientView.page.goto( '/wp-admin/admin.php?page=kivicare' );
		await expect(
			patientView.page
				.locator( `tr[data-appointment-id="${ appointmentId }"]` )
				.getByRole( 'link', { name: 'Join Video Conference' } )
		).toHaveAttribute( 'href', meetUrl );

		// Another patient: no controls, no link, no hint that the appointment exists.
		const other = await open( otherPatient );
		const response = await other.page.goto( consultationsUrl );
		const html = await response!.text();
		expect( html ).not.toContain( meetUrl );
		expect( html ).not.toContain(
			`data-mfk-appointment="${ appointmentId }"`
		);
		await expect( other.page.locator( '.mfk-meet' ) ).toContainText(
			'You have no upcoming video consultations.'
		);
	} );

	await test.step( '7. the appointment is rescheduled: the event moves, the link stays', async () => {
		// KiviCare's dashboard reschedules through its REST API, as the doctor.
		const session = await login( doctor );
		const moved = await session.rest(
			`${ KC }/appointments/${ appointmentId }`,
			{
				method: 'PUT',
				body: {
					appointmentStartDate: dst.before,
					appointmentStartTime: '09:30',
				},
			}
		);
		expect( moved.status ).toBe( 200 );
		await meetingSettles( appointmentId, 'ready' );

		const events = await calendarEvents( GOOGLE_ACCOUNT );
		expect( events ).toHaveLength( 1 );
		expect( events[ 0 ] ).toMatchObject( {
			id: eventId,
			status: 'confirmed',
		} );
		expect( Date.parse( events[ 0 ]!.start.dateTime ) ).toBe( movedTo );
		expect( Date.parse( events[ 0 ]!.end.dateTime ) ).toBe(
			movedTo + 30 * MINUTE_MS
		);
		expect( meetLinkOf( events[ 0 ]! ) ).toBe( meetUrl );
		expect( ( await mapping( appointmentId ) )?.url ).toBe( meetUrl );

		// The "new time" notice, in the appointment's zone on each side of the change.
		const offsets = [ bookedAt, movedTo ].map( ( t ) =>
			zoneOffsetMinutes( ZONE, t ) === 660 ? 'AEDT' : 'AEST'
		);
		const notice = await mailTo(
			patient.email,
			( m ) => m.subject === 'Your video consultation has a new time'
		);
		expect( mailText( notice ) ).toContain( meetUrl );
		expect( mailText( notice ) ).toContain( offsets[ 0 ]! );
		expect( mailText( notice ) ).toContain( offsets[ 1 ]! );

		await patientView.page.goto( consultationsUrl );
		await expect(
			meetItem( patientView.page, appointmentId ).locator( 'time' )
		).toHaveAttribute(
			'datetime',
			new Date( movedTo ).toISOString().replace( '.000Z', '+00:00' )
		);
	} );

	await test.step( '8. the appointment is cancelled: the event is gone, the controls say so', async () => {
		const session = await login( patient );
		const cancelled = await session.rest(
			`${ KC }/appointments/${ appointmentId }/status`,
			{ method: 'PUT', body: { status: 0 } }
		);
		expect( cancelled.status ).toBe( 200 );
		await meetingSettles( appointmentId, 'cancelled' );

		const [ event ] = await eventsOf( GOOGLE_ACCOUNT, appointmentId );
		expect( event?.status ).toBe( 'cancelled' );
		expect(
			( await calendarEvents( GOOGLE_ACCOUNT ) ).filter(
				( e ) => e.status !== 'cancelled'
			)
		).toHaveLength( 0 );

		const single = await publishPage(
			`Consultation ${ appointmentId }`,
			blockMarkup( { appointmentId } )
		);
		for ( const { page } of [ doctorView, patientView ] ) {
			const response = await page.goto( single );
			expect( await response!.text() ).not.toContain( meetUrl );
			const item = meetItem( page, appointmentId );
			await expect( item ).toHaveAttribute(
				'data-mfk-state',
				'cancelled'
			);
			await expect( item ).toContainText(
				'This appointment was cancelled.'
			);
			await expect( item.getByRole( 'link' ) ).toHaveCount( 0 );
		}
	} );

	await test.step( '9. Google access revoked: the booking still works, reconnecting creates the meeting', async () => {
		await revokeGoogleAccount( GOOGLE_ACCOUNT );

		const secondId = await bookWithForm( patientView.page, bookingUrl, {
			serviceName,
			date: dst.after,
			time: '11:00',
		} );
		expect( secondId ).toBeGreaterThan( appointmentId );
		await meetingSettles( secondId, 'failed' );
		expect( await mapping( secondId ) ).toMatchObject( {
			state: 'failed',
			last_error_code: 'token_revoked',
			url: '',
		} );

		// The administrator: a notice on every screen, the figure and the doctor's row in the
		// table (the notice names at most 20 doctors, and a shared site may have more).
		// A configured site opens on the Status tab.
		await admin.page.goto( SETTINGS );
		await expect(
			admin.page.locator( '.notice', {
				hasText: 'these doctors must reconnect their Google account',
			} )
		).toBeVisible();
		await expect( admin.page.locator( '.mfk-health' ) ).toContainText(
			/Doctors to reconnect\s*[1-9]/
		);
		await admin.page
			.getByRole( 'link', { name: 'Doctors', exact: true } )
			.click();
		const row = admin.page.locator( `tr[data-doctor-id="${ doctor.id }"]` );
		await expect( row ).toContainText( 'Reconnect needed' );
		await walkthroughShot( row, 'admin-reconnect-needed' );

		// The doctor: the reason at the consultation, and a banner leading to the reconnection.
		const { page } = doctorView;
		await page.goto( consultationsUrl );
		await expect( meetItem( page, secondId ) ).toContainText(
			'The video link could not be created'
		);
		await page.goto( '/wp-admin/' );
		const banner = page.locator( '.notice', {
			hasText: 'Google no longer accepts your Meet connection',
		} );
		await expect( banner ).toBeVisible();
		await walkthroughShot( banner, 'doctor-reconnect-banner' );
		await banner.getByRole( 'link', { name: 'Reconnect Google' } ).click();
		const panel = page.locator( '.mfk-connection' );
		await expect( panel ).toHaveAttribute(
			'data-status',
			'reconnect_needed'
		);
		await page.getByRole( 'button', { name: 'Reconnect Google' } ).click();
		await page.waitForURL( `${ harness().emulatorUrl }/**` );
		await page.locator( '#email' ).fill( GOOGLE_ACCOUNT );
		await page.locator( '#allow' ).click();
		await page.waitForURL( /page=mfk-google-connection/ );
		await expect( panel ).toHaveAttribute( 'data-status', 'active' );

		// The waiting meeting is replayed by the queue (system cron runs wp-cron.php).
		await meetingSettles( secondId, 'ready' );
		const live = ( await eventsOf( GOOGLE_ACCOUNT, secondId ) ).filter(
			( e ) => e.status !== 'cancelled'
		);
		expect( live ).toHaveLength( 1 );
		const secondUrl = meetLinkOf( live[ 0 ]! );
		expect( secondUrl ).toMatch( /^https:\/\/meet\.google\.com\// );
		expect( secondUrl ).not.toBe( meetUrl );
		expect( Date.parse( live[ 0 ]!.start.dateTime ) ).toBe(
			zonedInstant( dst.after, '11:00', ZONE )
		);
		expect( ( await mapping( secondId ) )?.url ).toBe( secondUrl );

		// The booking e-mails went without a link, so both get it now.
		await mailTo( patient.email, ( m ) =>
			mailText( m ).includes( secondUrl )
		);
		await mailTo( doctor.email, ( m ) =>
			mailText( m ).includes( secondUrl )
		);

		await patientView.page.goto( consultationsUrl );
		await expect(
			meetItem( patientView.page, secondId ).getByRole( 'link', {
				name: 'Join Google Meet',
			} )
		).toHaveAttribute( 'data-mfk-href', secondUrl );
	} );

	expect( ourPhpProblems() ).toEqual( [] );
} );
