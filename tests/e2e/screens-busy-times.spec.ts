/**
 * A doctor's Google busy times on their connection panel, in Chromium: a doctor connected before
 * the feature is offered the permission (incremental consent, the same account pre-filled),
 * comes back to the section showing the next days' blocks (never an event's title), and the
 * doctor's own switch turns the blocks off for patients.
 */
import { expect, test } from '@playwright/test';
import { clearDebugLog, harness, login } from '../harness/testkit';
import { configureMeet, telemedScenario } from '../integration/support/meet';
import { KC } from '../kivicare-stand-in/test-support/standin';
import { ourPhpProblems, shot, signIn } from './screens-support';

const CONNECTION_PAGE = '/wp-admin/admin.php?page=mfk-google-connection';
const ZONE = 'Asia/Tokyo';

test.beforeAll( async () => {
	await configureMeet( { busy_blocks_default: true } );
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

test( 'a doctor allows busy times, sees the next days’ blocks and switches them off', async ( {
	page,
	context,
} ) => {
	const sc = await telemedScenario( { doctorMeta: { timezone: ZONE } } );
	const tomorrow = new Date( Date.now() + 86400000 ).toLocaleDateString(
		'en-CA',
		{ timeZone: ZONE }
	);
	const made = await fetch(
		`${ harness().emulatorUrl }/__emulator/calendars/${ encodeURIComponent(
			sc.doctorEmail
		) }/busy`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify( {
				start: { dateTime: `${ tomorrow }T10:00:00+09:00` },
				end: { dateTime: `${ tomorrow }T11:00:00+09:00` },
				summary: 'Private dentist',
			} ),
		}
	);
	expect( made.status ).toBe( 201 );
	await signIn( context, sc.doctor );

	await page.goto( CONNECTION_PAGE );
	const section = page.locator( '.mfk-busy-times' );
	await expect(
		section.getByRole( 'heading', { name: 'Google busy times' } )
	).toBeVisible();
	await section.getByRole( 'button', { name: 'Show busy times' } ).click();
	await expect( section ).toContainText(
		'Google has not allowed this site to see when you are busy.'
	);
	await section.getByRole( 'button', { name: 'Allow in Google' } ).click();

	// Google's consent page: the account connected before is pre-filled.
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	await expect( page.locator( '#email' ) ).toHaveValue( sc.doctorEmail );
	await page.locator( '#allow' ).click();

	// Back on the panel, the section open with the blocks of the next days.
	await page.waitForURL( /page=mfk-google-connection/ );
	await expect( page ).toHaveURL( /#mfk-busy-times$/ );
	await expect( page.locator( '.mfk-connection' ) ).toContainText(
		'Google allowed this site to see when you are busy.'
	);
	await expect( section ).toContainText(
		'Times when you are busy in Google Calendar are not offered to patients.'
	);
	await expect( section.locator( '.mfk-busy-times__blocks' ) ).toHaveText(
		`${ tomorrow } 10:00 – 11:00: Busy on Google Calendar`
	);
	await expect( section ).not.toContainText( 'dentist' );
	const toggle = section.getByRole( 'checkbox', {
		name: 'Block my slots when I am busy in Google Calendar',
	} );
	await expect( toggle ).toBeChecked();
	await shot( page, 'busy-times-panel', { element: section } );

	// The patient is not offered 10:00 tomorrow…
	const patient = await login( sc.patient );
	const slotTimes = async () =>
		(
			await patient.rest(
				`${ KC }/appointments/slots?date=${ tomorrow }&doctor_id=${ sc.doctor.id }&service_id=${ sc.mappingId }`
			)
		).body.data.slots.map( ( s: { time: string } ) => s.time );
	expect( await slotTimes() ).not.toContain( '10:00' );

	// …until the doctor switches the blocks off.
	await toggle.click();
	await expect( section ).toContainText(
		'Your Google busy times do not block your slots.'
	);
	await expect( toggle ).not.toBeChecked();
	await expect( section.locator( '.mfk-busy-times__blocks' ) ).toHaveCount(
		0
	);
	expect( await slotTimes() ).toContain( '10:00' );
} );
