/**
 * A doctor chooses the calendar that receives their consultations, in Chromium: the panel says
 * where consultations go, Google is asked for the calendar list only when the choice is opened
 * (incremental consent, the same account pre-filled), the "Video consultations" calendar is made
 * and chosen, and the next booking's event lands in it while the earlier one stays in the
 * primary calendar.
 */
import { expect, test } from '@playwright/test';
import { clearDebugLog, harness } from '../harness/testkit';
import {
	calendarEvents,
	configureMeet,
	telemedScenario,
} from '../integration/support/meet';
import {
	bookIn,
	ourPhpProblems,
	shot,
	signIn,
	untilReady,
} from './screens-support';

const CONNECTION_PAGE = '/wp-admin/admin.php?page=mfk-google-connection';

test.beforeAll( async () => {
	await configureMeet();
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

const live = async ( calendarId: string, appointmentId: number ) =>
	( await calendarEvents( calendarId ) ).filter(
		( e ) =>
			e.status !== 'cancelled' &&
			e.extendedProperties?.private?.mfkAppointmentId ===
				String( appointmentId )
	);

test( 'a doctor allows the calendar choice and makes a "Video consultations" calendar for new meetings', async ( {
	page,
	context,
} ) => {
	const sc = await telemedScenario();
	const before = await bookIn( sc, 24 * 60 );
	await untilReady( before );
	await signIn( context, sc.doctor );

	await page.goto( CONNECTION_PAGE );
	const choice = page.locator( '.mfk-calendar-choice' );
	await expect(
		choice.getByRole( 'heading', {
			name: 'Calendar for video consultations',
		} )
	).toBeVisible();
	await expect( choice ).toContainText(
		'Your video consultations go to: Your primary calendar.'
	);

	// Opening the choice: Google's permission is asked first, in plain words.
	await choice
		.getByRole( 'button', { name: 'Choose another calendar' } )
		.click();
	await expect( choice ).toContainText(
		'Without it, consultations go to your primary calendar.'
	);
	await shot( page, 'calendar-choice-permission', { element: choice } );
	await choice.getByRole( 'button', { name: 'Allow in Google' } ).click();

	// Google's consent page: the account connected before is pre-filled, the new permissions listed.
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	await expect( page.locator( '#email' ) ).toHaveValue( sc.doctorEmail );
	await expect( page.locator( 'body' ) ).toContainText(
		"See the list of Google calendars you're subscribed to"
	);
	await expect( page.locator( 'body' ) ).toContainText(
		'Make secondary Google calendars'
	);
	await page.locator( '#allow' ).click();

	// Back on the panel with the choice open.
	await page.waitForURL( /page=mfk-google-connection/ );
	await expect( page ).toHaveURL( /#mfk-calendar$/ );
	await expect( page.locator( '.mfk-connection' ) ).toContainText(
		'Google allowed the calendar choice.'
	);
	const group = choice;
	await expect(
		group.getByRole( 'radio', {
			name: `${ sc.doctorEmail } (your primary calendar)`,
		} )
	).toBeChecked();
	await expect( choice ).toContainText(
		'Consultations already booked stay in the calendar they are in.'
	);
	await group
		.getByRole( 'radio', {
			name: 'A new “Video consultations” calendar, made for you in your Google account',
		} )
		.check();
	await shot( page, 'calendar-choice', {
		element: page.locator( '.mfk-connection' ),
		docs: true,
	} );
	await choice
		.getByRole( 'button', { name: 'Make the calendar and use it' } )
		.click();
	await expect( choice ).toContainText(
		'New video consultations will go to “Video consultations”.'
	);
	await expect( choice ).toContainText(
		'Your video consultations go to: Video consultations.'
	);
	await expect(
		group.getByRole( 'radio', { name: 'Video consultations' } )
	).toBeChecked();
	await shot( page, 'calendar-chosen', { element: choice } );

	// The next booking lands in the new calendar; the earlier one stays where it was.
	const row = await untilReady( await bookIn( sc, 25 * 60 ) );
	expect( row.calendar_id ).toMatch( /@group\.calendar\.google\.com$/ );
	expect( await live( row.calendar_id, row.appointment_id ) ).toHaveLength(
		1
	);
	expect( await live( sc.doctorEmail, row.appointment_id ) ).toHaveLength(
		0
	);
	expect( await live( sc.doctorEmail, before ) ).toHaveLength( 1 );

	// After a reload the panel still names it.
	await page.goto( CONNECTION_PAGE );
	await expect( choice ).toContainText(
		'Your video consultations go to: Video consultations.'
	);
} );
