/**
 * The Meet controls in Chromium with real bookings through the KiviCare stand-in, the sidecar and
 * the Google emulator: the block and the shortcode show Start to the doctor and Join to the
 * patient (the same link), nothing to another patient, a sign-in prompt to guests, and each state
 * (link being prepared, opens in N minutes, ended, cancelled, failed), and a later change that
 * did not reach Google keeping the last good link (with the reason and the fix for staff, "Try
 * again" included); the countdown activates the button without a reload; the button works with
 * JavaScript off; the doctors' dashboard widget and KiviCare's appointment list carry the same
 * buttons.
 */
import { expect, test, type Page } from '@playwright/test';
import {
	clearDebugLog,
	createUser,
	harness,
	login,
	query,
	setTimezone,
	wpJson,
} from '../harness/testkit';
import { book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	drainQueue,
	mapping,
	revokeGoogleAccount,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from '../integration/support/meet';
import type { TestUser } from '../harness/testkit';
import {
	blockMarkup,
	bookIn,
	ourPhpProblems,
	publishPage,
	shot,
	signIn,
	untilReady,
} from './screens-support';
import { CLINIC_ZONE, clinicSlot, clinicToday } from './support/clinic-time';

const BLOCK = '.wp-block-meet-for-kivicare-meet-controls';

let sc: Scenario;
let otherPatient: TestUser;
/** Appointment ids by what they show. */
const ids = { open: 0, upcoming: 0, ended: 0, cancelled: 0, pending: 0 };
let meetUrl = '';
/** Page addresses by appointment id: the block and the shortcode. */
const blockPages: Record< number, string > = {};
const shortcodePages: Record< number, string > = {};

/** The dashboard widget's heading for an appointment (by its date in the site's zone). */
async function widgetSection( appointmentId: number ): Promise< string > {
	const [ row ] = await query< { day: string } >(
		`SELECT appointment_start_date AS day FROM ${ harness().tablePrefix }kc_appointments WHERE id = ?`,
		[ appointmentId ]
	);
	return row?.day === clinicToday() ? 'Today' : 'Coming up';
}

function item( page: Page, appointmentId: number ) {
	return page.locator(
		`.mfk-meet__item[data-mfk-appointment="${ appointmentId }"]`
	);
}

test.beforeAll( async () => {
	test.setTimeout( 180_000 );
	await setTimezone( CLINIC_ZONE );
	await configureMeet( { join_window_minutes: 10, sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	otherPatient = await createUser( 'kiviCare_patient', {
		firstName: 'Other',
		lastName: 'Patient',
	} );

	ids.open = await bookIn( sc, 5 );
	ids.upcoming = await bookIn( sc, 180 );
	ids.ended = await bookIn( sc, -120 );
	ids.cancelled = await bookIn( sc, 300 );
	for ( const id of [ ids.open, ids.upcoming, ids.ended, ids.cancelled ] ) {
		await untilReady( id );
	}
	meetUrl = ( await mapping( ids.open ) )!.url;

	const doctor = await login( sc.doctor );
	const cancelled = await doctor.rest(
		`${ KC }/appointments/${ ids.cancelled }/status`,
		{
			method: 'PUT',
			body: { status: 0 },
		}
	);
	expect( cancelled.status ).toBe( 200 );

	// Booked with no time for Google and the background switched off (as a site whose
	// loopback fails, until cron runs): the link is still being prepared.
	await setSettings( { sync_budget_ms: 0 } );
	await setBackgroundSync( false );
	ids.pending = await bookIn( sc, 240 );
	await setBackgroundSync( true );
	await setSettings( { sync_budget_ms: 5000 } );
	expect( ( await mapping( ids.pending ) )?.state ).toBe( 'pending' );

	for ( const id of Object.values( ids ) ) {
		blockPages[ id ] = await publishPage(
			`Consultation ${ id }`,
			blockMarkup( { appointmentId: id } )
		);
		shortcodePages[ id ] = await publishPage(
			`Consultation ${ id } (shortcode)`,
			`[mfk_meet_controls appointment_id="${ id }"]`
		);
	}
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

// The other browser tests expect the site in UTC.
test.afterAll( () => setTimezone( 'UTC' ) );

for ( const [ kind, pages ] of [
	[ 'block', blockPages ],
	[ 'shortcode', shortcodePages ],
] as const ) {
	test( `the ${ kind } shows Start to the doctor, Join to the patient, nothing to anyone else`, async ( {
		page,
		context,
	} ) => {
		const url = pages[ ids.open ]!;

		await signIn( context, sc.doctor );
		await page.goto( url );
		const start = item( page, ids.open ).getByRole( 'link', {
			name: 'Start Google Meet (opens in a new tab)',
		} );
		await expect( start ).toHaveAttribute( 'href', meetUrl );
		await expect( start ).toHaveAttribute( 'target', '_blank' );
		await expect( item( page, ids.open ) ).toHaveAttribute(
			'data-mfk-role',
			'host'
		);
		await expect( item( page, ids.open ) ).toContainText(
			'The meeting is open.'
		);
		// Its small view script and style are on the page, and nothing else for it (no wp-i18n).
		await expect(
			page.locator( 'script[src*="/build/blocks/meet-controls/view.js"]' )
		).toHaveCount( 1 );
		await expect(
			page.locator( 'script[src*="/wp-includes/js/dist/i18n"]' )
		).toHaveCount( 0 );
		await expect( start ).toHaveCSS(
			'background-color',
			'rgb(11, 87, 208)'
		);
		await shot( page, `${ kind }-doctor`, {
			element: page.locator( '.mfk-meet' ),
		} );

		await signIn( context, sc.patient );
		await page.goto( url );
		const join = item( page, ids.open ).getByRole( 'link', {
			name: 'Join Google Meet (opens in a new tab)',
		} );
		await expect( join ).toHaveAttribute( 'href', meetUrl );
		await expect( item( page, ids.open ) ).toContainText(
			'Video consultation with Doctor Test'
		);
		await shot( page, `${ kind }-patient`, {
			element: page.locator( '.mfk-meet' ),
		} );

		// Another patient: no controls, no link, no hint that the appointment exists.
		await signIn( context, otherPatient );
		const response = await page.goto( url );
		const html = await response!.text();
		expect( html ).not.toContain( meetUrl );
		expect( html ).not.toContain( 'data-mfk-appointment=' );
		await expect( page.locator( '.mfk-meet' ) ).toHaveCount( 0 );

		// A guest is asked to sign in and comes back here afterwards.
		await context.clearCookies();
		await page.goto( url );
		const signInLink = page.getByRole( 'link', {
			name: 'Sign in to join your video consultation.',
		} );
		await expect( signInLink ).toHaveAttribute(
			'href',
			new RegExp(
				`wp-login\\.php\\?redirect_to=${ encodeURIComponent( url ).replace( /[.*+?^${}()|[\]\\]/g, '\\$&' ) }`
			)
		);
		expect( await page.content() ).not.toContain( meetUrl );
	} );
}

test( 'each state is shown in words to the doctor and the patient', async ( {
	page,
	context,
} ) => {
	await signIn( context, sc.patient );

	// Opens later: an inactive link with a countdown and the join window.
	await page.goto( blockPages[ ids.upcoming ]! );
	const upcoming = item( page, ids.upcoming );
	await expect( upcoming ).toHaveAttribute( 'data-mfk-phase', 'upcoming' );
	const inactive = upcoming.getByRole( 'link', { name: /Join Google Meet/ } );
	await expect( inactive ).toHaveAttribute( 'aria-disabled', 'true' );
	await expect( inactive ).not.toHaveAttribute( 'href', /.*/ );
	await expect( upcoming ).toContainText( 'Opens in 3 hours.' );
	await expect( upcoming ).toContainText(
		'You can join 10 minutes before the start.'
	);
	await shot( page, 'block-opens-later', { element: page.locator( BLOCK ) } );

	// Being prepared: no button; a reload link that works without JavaScript.
	await page.goto( shortcodePages[ ids.pending ]! );
	const pending = item( page, ids.pending );
	await expect( pending ).toContainText(
		'The video link is being prepared. Check again'
	);
	await expect(
		pending.getByRole( 'link', { name: 'Check again' } )
	).toHaveAttribute( 'href', shortcodePages[ ids.pending ]! );
	await expect(
		pending.getByRole( 'link', { name: /Google Meet/ } )
	).toHaveCount( 0 );

	// Ended and cancelled: a sentence, no link.
	await page.goto( blockPages[ ids.ended ]! );
	await expect( item( page, ids.ended ) ).toContainText(
		'This consultation has ended.'
	);
	await expect( item( page, ids.ended ).getByRole( 'link' ) ).toHaveCount(
		0
	);
	await page.goto( blockPages[ ids.cancelled ]! );
	await expect( item( page, ids.cancelled ) ).toContainText(
		'This appointment was cancelled.'
	);
	await expect( item( page, ids.cancelled ).getByRole( 'link' ) ).toHaveCount(
		0
	);
	expect( await page.content() ).not.toContain( 'meet.google.com' );

	// The doctor sees the same states, and Start once the link is open.
	await signIn( context, sc.doctor );
	await page.goto( blockPages[ ids.upcoming ]! );
	await expect(
		item( page, ids.upcoming ).getByRole( 'link', {
			name: /Start Google Meet/,
		} )
	).toHaveAttribute( 'aria-disabled', 'true' );
	await page.goto( blockPages[ ids.pending ]! );
	await expect( item( page, ids.pending ) ).toContainText(
		'The video link is being prepared.'
	);
} );

test( 'the join window comes from the settings', async ( {
	page,
	context,
} ) => {
	await signIn( context, sc.patient );
	try {
		await setSettings( { join_window_minutes: 60 } );
		await page.goto( blockPages[ ids.upcoming ]! );
		await expect( item( page, ids.upcoming ) ).toContainText(
			'Opens in 2 hours. You can join 60 minutes before the start.'
		);

		await setSettings( { join_window_minutes: 0 } );
		await page.goto( blockPages[ ids.upcoming ]! );
		await expect( item( page, ids.upcoming ) ).toContainText(
			'Opens in 3 hours. You can join at the start time.'
		);
		// Five minutes before the start is no longer inside the window.
		await page.goto( blockPages[ ids.open ]! );
		await expect( item( page, ids.open ) ).toHaveAttribute(
			'data-mfk-phase',
			'upcoming'
		);
		await expect(
			item( page, ids.open ).getByRole( 'link', {
				name: /Join Google Meet/,
			} )
		).toHaveAttribute( 'aria-disabled', 'true' );
	} finally {
		await setSettings( { join_window_minutes: 10 } );
	}
} );

test( 'a link that could not be created tells the doctor why and what to do', async ( {
	page,
	context,
} ) => {
	const revoked = await telemedScenario();
	await revokeGoogleAccount( revoked.doctorEmail );
	const id = await bookIn( revoked, 90 );
	expect( ( await mapping( id ) )?.state ).toBe( 'failed' );
	const url = await publishPage(
		`Consultation ${ id }`,
		blockMarkup( { appointmentId: id } )
	);

	await signIn( context, revoked.doctor );
	await page.goto( url );
	await expect( item( page, id ) ).toContainText(
		'The video link could not be created: a doctor must reconnect Google.'
	);
	await expect(
		item( page, id ).getByRole( 'link', {
			name: 'Reconnect your Google account',
		} )
	).toHaveAttribute( 'href', /page=mfk-google-connection/ );
	await shot( page, 'block-failed-doctor', {
		element: page.locator( BLOCK ),
		docs: true,
	} );

	await signIn( context, revoked.patient );
	await page.goto( url );
	await expect( item( page, id ) ).toContainText(
		'The video link is not ready yet. The clinic has been told and will send it to you.'
	);
	await expect( page.locator( BLOCK ) ).not.toContainText( 'reconnect' );
} );

test( 'a change that did not reach Google keeps Join with the last good link; staff see why and what fixes it', async ( {
	page,
	context,
} ) => {
	const revoked = await telemedScenario();
	const id = await bookIn( revoked, 150 );
	const link = ( await untilReady( id ) ).url;
	// The doctor revokes access in their Google account; then the appointment moves.
	await revokeGoogleAccount( revoked.doctorEmail );
	const slot = clinicSlot( 210 );
	const moved = await (
		await login( revoked.doctor )
	).rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: {
			appointmentStartDate: slot.date,
			appointmentStartTime: slot.time,
			timezone: CLINIC_ZONE,
		},
	} );
	expect( moved.status ).toBe( 200 );
	await drainQueue();
	expect( await mapping( id ) ).toMatchObject( {
		state: 'failed',
		link_state: 'ready',
		sync_state: 'failed',
		url: link,
	} );
	const url = await publishPage(
		`Consultation ${ id } (a change that failed)`,
		blockMarkup( { appointmentId: id } )
	);

	// The patient: Join with the last good link, no reason, no alarm.
	await signIn( context, revoked.patient );
	await page.goto( url );
	const patientItem = item( page, id );
	await expect( patientItem ).toHaveAttribute( 'data-mfk-state', 'ready' );
	await expect(
		patientItem.getByRole( 'link', { name: /Join Google Meet/ } )
	).toHaveAttribute( 'data-mfk-href', link );
	await expect( patientItem ).not.toContainText( 'Google:' );
	await expect( patientItem ).not.toContainText( /reconnect/i );

	// The doctor: Start with the same link, and the latest change that did not get there.
	await signIn( context, revoked.doctor );
	await page.goto( url );
	const doctorItem = item( page, id );
	await expect(
		doctorItem.getByRole( 'link', { name: /Start Google Meet/ } )
	).toHaveAttribute( 'data-mfk-href', link );
	await expect( doctorItem.locator( '.mfk-meet__sync' ) ).toHaveText(
		'The latest change did not reach Google: a doctor must reconnect Google. Reconnect your Google account'
	);
	await expect(
		doctorItem.getByRole( 'link', {
			name: 'Reconnect your Google account',
		} )
	).toHaveAttribute( 'href', /page=mfk-google-connection/ );
	await shot( page, 'block-failed-change-doctor', {
		element: page.locator( BLOCK ),
		docs: true,
	} );

	// The clinic admin, for a cause the clinic can retry: "Try again" asks the retry route and
	// shows the outcome in place (here Google still refuses the doctor's grant).
	await query(
		`UPDATE ${ harness().tablePrefix }kc_appointment_google_meet_mappings SET last_error_code = 'quota_exceeded', last_error_message = 'Calendar usage limits exceeded.' WHERE appointment_id = ?`,
		[ id ]
	);
	await signIn( context, revoked.clinicAdmin );
	await page.goto( url );
	const staffItem = item( page, id );
	await expect( staffItem.locator( '.mfk-meet__sync' ) ).toContainText(
		'The latest change did not reach Google: Google usage limits reached.'
	);
	const again = staffItem.getByRole( 'button', { name: 'Try again' } );
	await expect( again ).toBeVisible();
	await again.click();
	await expect( item( page, id ).locator( '.mfk-meet__sync' ) ).toContainText(
		'a doctor must reconnect Google.'
	);
	await expect(
		item( page, id ).getByRole( 'link', { name: /Start Google Meet/ } )
	).toHaveAttribute( 'data-mfk-href', link );
	expect( ( await mapping( id ) )!.last_error_code ).toBe( 'token_revoked' );
} );

test( 'the countdown activates the button when the join window opens, without a reload', async ( {
	page,
	context,
} ) => {
	await signIn( context, sc.patient );
	await page.clock.install( { time: new Date() } );
	await page.goto( blockPages[ ids.upcoming ]! );
	const upcoming = item( page, ids.upcoming );
	const link = upcoming.getByRole( 'link', { name: /Join Google Meet/ } );
	await expect( link ).toHaveAttribute( 'aria-disabled', 'true' );

	await expect( upcoming.locator( '[data-mfk-countdown]' ) ).toHaveText(
		'in 3 hours'
	);

	// The view script words the countdown with the browser's Intl API, minute by minute.
	// (The appointment was booked a little before this test started, hence a range.)
	await page.clock.fastForward( '02:00:00' );
	const countdown = upcoming.locator( '[data-mfk-countdown]' );
	await expect( countdown ).toHaveText( /^in \d+ minutes$/ );
	const minutes = Number( /\d+/.exec( await countdown.innerText() )![ 0 ] );
	expect( minutes ).toBeGreaterThanOrEqual( 35 );
	expect( minutes ).toBeLessThanOrEqual( 50 );

	await page.clock.fastForward( '01:00:00' );
	await expect( link ).toHaveAttribute(
		'href',
		/^https:\/\/meet\.google\.com\//
	);
	await expect( link ).not.toHaveAttribute( 'aria-disabled', /.*/ );
	await expect( link ).toHaveAttribute( 'target', '_blank' );
	await expect( upcoming ).toHaveAttribute( 'data-mfk-phase', 'open' );
	await expect( upcoming.locator( '[data-mfk-live]' ) ).toHaveText(
		'The meeting is open.'
	);
	await expect( link ).toHaveAttribute(
		'href',
		( await mapping( ids.upcoming ) )!.url
	);
} );

test( 'a link being prepared appears on the page by itself when it is ready', async ( {
	page,
	context,
} ) => {
	// A patient of their own, so the other tests' lists stay as they are.
	const waitingPatient = await createUser( 'kiviCare_patient', {
		firstName: 'Waiting',
		lastName: 'Patient',
	} );
	await setSettings( { sync_budget_ms: 0 } );
	await setBackgroundSync( false );
	const id = await bookIn( sc, 120, waitingPatient );
	await setBackgroundSync( true );
	await setSettings( { sync_budget_ms: 5000 } );
	expect( ( await mapping( id ) )?.state ).toBe( 'pending' );
	const address = await publishPage(
		`Consultation ${ id } (waiting for its link)`,
		blockMarkup( { appointmentId: id } )
	);

	await signIn( context, waitingPatient );
	await page.goto( address );
	const waiting = item( page, id );
	await expect( waiting ).toContainText(
		'The video link is being prepared.'
	);
	await expect(
		waiting.getByRole( 'link', { name: /Google Meet/ } )
	).toHaveCount( 0 );

	// The queue's next pass creates the meeting; the page asks again on its own.
	await untilReady( id );
	const join = item( page, id ).getByRole( 'link', {
		name: /Join Google Meet/,
	} );
	await expect( join ).toBeVisible( { timeout: 30_000 } );
	await expect( item( page, id ) ).toHaveAttribute(
		'data-mfk-state',
		'ready'
	);
	await expect( item( page, id ) ).toContainText( 'Opens in 2 hours.' );
	await expect( item( page, id ).locator( '[data-mfk-live]' ) ).toHaveText(
		'The video link is ready.'
	);
	await expect( join ).toHaveAttribute(
		'data-mfk-href',
		( await mapping( id ) )!.url
	);
} );

test( 'the button works with JavaScript turned off', async ( { browser } ) => {
	const context = await browser.newContext( { javaScriptEnabled: false } );
	try {
		await signIn( context, sc.patient );
		const page = await context.newPage();
		await page.goto( blockPages[ ids.open ]! );
		const join = item( page, ids.open ).getByRole( 'link', {
			name: /Join Google Meet/,
		} );
		await expect( join ).toHaveAttribute( 'href', meetUrl );
		await expect( join ).not.toHaveAttribute( 'aria-disabled', /.*/ );
		// Following it opens Google Meet in a new tab (answered here: this machine is offline).
		await context.route( 'https://meet.google.com/**', ( route ) =>
			route.fulfill( {
				contentType: 'text/html',
				body: '<title>Meet</title>',
			} )
		);
		const request = page.waitForEvent( 'popup' );
		await join.click();
		const popup = await request;
		expect( popup.url() ).toBe( meetUrl );
		await popup.close();
	} finally {
		await context.close();
	}
} );

test( 'the list shows each visitor their own upcoming video consultations', async ( {
	page,
	context,
} ) => {
	const url = await publishPage( 'My video consultations', blockMarkup() );

	await signIn( context, sc.patient );
	await page.goto( url );
	const shown = await page
		.locator( '.mfk-meet__item' )
		.evaluateAll( ( items ) =>
			items.map( ( i ) =>
				Number( ( i as HTMLElement ).dataset.mfkAppointment )
			)
		);
	// Soonest first; the ended appointment is gone.
	expect( shown ).toEqual( [
		ids.open,
		ids.upcoming,
		ids.pending,
		ids.cancelled,
	] );
	await shot( page, 'block-list-patient', {
		element: page.locator( BLOCK ),
		docs: true,
	} );

	await signIn( context, otherPatient );
	await page.goto( url );
	await expect( page.locator( BLOCK ) ).toHaveText(
		'You have no upcoming video consultations.'
	);
} );

test( 'doctors see today’s and the next video consultations on their dashboard', async ( {
	page,
	context,
} ) => {
	await signIn( context, sc.doctor );
	await page.goto( '/wp-admin/' );
	const widget = page.locator( '#mfk_meet_today' );
	await expect(
		widget.getByRole( 'heading', { name: 'Video consultations' } )
	).toBeVisible();

	// Each appointment under the right heading (by the date in the site's zone).
	for ( const id of [ ids.open, ids.upcoming ] ) {
		const heading = await item( page, id ).evaluate( ( el ) => {
			let node: Element | null = el.closest( 'ul, p' );
			while ( node && node.tagName !== 'H3' ) {
				node = node.previousElementSibling;
			}
			return node?.textContent ?? '';
		} );
		expect( heading ).toBe( await widgetSection( id ) );
	}
	await expect(
		item( page, ids.open ).getByRole( 'link', {
			name: /Start Google Meet/,
		} )
	).toHaveAttribute( 'href', meetUrl );
	await shot( page, 'dashboard-widget', { element: widget, docs: true } );
} );

test( 'patients see their upcoming video consultations on their dashboard, one waiting for payment in words', async ( {
	page,
	context,
} ) => {
	// A consultation booked with online payment, not paid yet.
	const slot = clinicSlot( 60 );
	const booked = await book( await login( sc.patient ), {
		appointmentStartDate: slot.date,
		appointmentStartTime: slot.time,
		doctorId: sc.doctor.id,
		serviceId: [ sc.mappingId ],
		status: 1,
		timezone: CLINIC_ZONE,
		paymentGateway: 'stripe',
	} );
	expect( booked.status ).toBe( 201 );
	const unpaid = booked.body.data.appointment_id as number;

	await signIn( context, sc.patient );
	await page.goto( '/wp-admin/' );
	const widget = page.locator( '#mfk_meet_today' );
	await expect(
		widget.getByRole( 'heading', { name: 'Your video consultations' } )
	).toBeVisible();
	await expect( widget ).toContainText(
		'The Join Google Meet button of each video consultation appears here when its link is ready'
	);
	await expect(
		item( page, ids.open ).getByRole( 'link', {
			name: /Join Google Meet/,
		} )
	).toHaveAttribute( 'href', meetUrl );
	await expect( item( page, unpaid ) ).toContainText(
		'This video consultation is waiting for your payment. Complete the payment for the appointment: the video link appears here as soon as it is paid.'
	);
	await expect( item( page, unpaid ) ).not.toContainText( 'being prepared' );
	await shot( page, 'dashboard-widget-patient', {
		element: widget,
		docs: true,
	} );

	// The doctor reads what the consultation waits for.
	await signIn( context, sc.doctor );
	await page.goto( '/wp-admin/' );
	await expect( item( page, unpaid ) ).toContainText(
		"Waiting for the patient's online payment."
	);

	// Another patient's dashboard lists none of these.
	await signIn( context, otherPatient );
	await page.goto( '/wp-admin/' );
	await expect( page.locator( '#mfk_meet_today' ) ).toContainText(
		'You have no upcoming video consultations.'
	);
	await expect( item( page, unpaid ) ).toHaveCount( 0 );
} );

test( 'KiviCare’s appointment list carries the Start and Join buttons', async ( {
	page,
	context,
} ) => {
	await signIn( context, sc.doctor );
	await page.goto( '/wp-admin/admin.php?page=kivicare' );
	const row = page.locator( `tr[data-appointment-id="${ ids.open }"]` );
	await expect(
		row.getByRole( 'link', { name: 'Start Video Conference' } )
	).toHaveAttribute( 'href', meetUrl );
	await expect(
		page.locator(
			`tr[data-appointment-id="${ ids.cancelled }"] .kc-video-link`
		)
	).toHaveCount( 0 );
	await shot( page, 'kivicare-appointments', { fullPage: false } );

	await signIn( context, sc.patient );
	await page.goto( '/wp-admin/admin.php?page=kivicare' );
	await expect(
		page
			.locator( `tr[data-appointment-id="${ ids.open }"]` )
			.getByRole( 'link', { name: 'Join Video Conference' } )
	).toHaveAttribute( 'href', meetUrl );
} );

test( 'authors choose one appointment or the visitor’s list in the block editor', async ( {
	page,
	context,
} ) => {
	const errors: string[] = [];
	page.on( 'pageerror', ( error ) => errors.push( error.message ) );
	// A new editor whose saved preferences skip the welcome guide and the starter-pattern
	// chooser, which would otherwise open over the editor at a moment of their own.
	const editor = await createUser( 'editor' );
	await wpJson(
		`update_user_meta( $args['id'], $GLOBALS['wpdb']->get_blog_prefix() . 'persisted_preferences', array(
			'core'           => array( 'enableChoosePatternModal' => false ),
			'core/edit-post' => array( 'welcomeGuide' => false ),
			'_modified'      => gmdate( 'c' ),
		) );
		return true;`,
		{ id: editor.id }
	);
	await signIn( context, editor );
	await page.goto( '/wp-admin/post-new.php?post_type=page' );
	await page.waitForFunction(
		() =>
			!! ( window as any ).wp?.blocks?.getBlockType(
				'meet-for-kivicare/meet-controls'
			)
	);
	await page.evaluate( () => {
		const { wp } = window as any;
		const block = wp.blocks.createBlock(
			'meet-for-kivicare/meet-controls'
		);
		wp.data.dispatch( 'core/block-editor' ).insertBlocks( block );
		wp.data.dispatch( 'core/block-editor' ).selectBlock( block.clientId );
		wp.data
			.dispatch( 'core/edit-post' )
			.openGeneralSidebar( 'edit-post/block' );
	} );
	const canvas = page.frameLocator( 'iframe[name="editor-canvas"]' );
	const placeholder = canvas.locator( BLOCK );
	await expect( placeholder ).toContainText(
		'Shows each signed-in visitor their next 5 video consultations'
	);

	// The block's settings in the sidebar: list options first, then one appointment.
	const sidebar = page.getByRole( 'region', { name: 'Editor settings' } );
	await sidebar.getByLabel( 'Which' ).selectOption( 'today' );
	await expect( placeholder ).toContainText(
		'up to 5 of today’s video consultations'
	);
	await sidebar.getByLabel( 'Appointment ID' ).fill( '42' );
	await expect( placeholder ).toContainText(
		'Shows the Start Google Meet button of appointment #42 to its doctor'
	);
	await expect( sidebar.getByLabel( 'Which' ) ).toHaveCount( 0 );
	const attributes = await page.evaluate(
		() =>
			( window as any ).wp.data
				.select( 'core/block-editor' )
				.getSelectedBlock().attributes
	);
	expect( attributes ).toMatchObject( { appointmentId: 42, scope: 'today' } );
	expect( errors ).toEqual( [] );
} );
