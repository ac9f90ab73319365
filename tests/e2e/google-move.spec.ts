/**
 * A consultation moved in the doctor's Google Calendar, answered by the clinic in the browser:
 * after the calendar sync flags it ("moved in Google Calendar to …"), a clinic admin presses
 * **Apply to appointment** on the Meet panel, and KiviCare then has the appointment at the time
 * set in Google (its own reschedule route ran), with the same Meet link and no flag left.
 */
import { expect, test } from '@playwright/test';
import { harness, login, setTimezone, wpJson } from '../harness/testkit';
import { KC } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	drainQueue,
	mapping,
	telemedScenario,
	type Scenario,
} from '../integration/support/meet';
import {
	blockMarkup,
	bookIn,
	publishPage,
	signIn,
	untilReady,
} from './screens-support';
import { CLINIC_ZONE } from './support/clinic-time';

let sc: Scenario;

test.beforeAll( async () => {
	test.setTimeout( 180_000 );
	await setTimezone( CLINIC_ZONE );
	await configureMeet( { sync_budget_ms: 5000 } );
	sc = await telemedScenario();
} );

test.afterAll( () => setTimezone( 'UTC' ) );

/** Date and wall time of an instant in the clinic's zone: [ 'YYYY-MM-DD', 'HH:MM' ]. */
function clinicWallTime( at: Date ): [ string, string ] {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat( 'en-GB', {
			timeZone: CLINIC_ZONE,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
		} )
			.formatToParts( at )
			.map( ( p ) => [ p.type, p.value ] )
	);
	return [
		`${ parts.year }-${ parts.month }-${ parts.day }`,
		`${ parts.hour }:${ parts.minute }`,
	];
}

test( 'a staff member applies a move made in Google and KiviCare shows the new time', async ( {
	page,
	context,
} ) => {
	const syncDoctor = () =>
		wpJson( 'return MFK_Calendar_Sync::sync_doctor( (int) $args["d"] );', {
			d: sc.doctor.id,
		} );
	const id = await bookIn( sc, 3 * 24 * 60 );
	const row = await untilReady( id );
	await syncDoctor();

	// The doctor moves the consultation by two hours in Google Calendar.
	const event = ( await calendarEvents( sc.doctorEmail ) ).find(
		( e ) => e.id === row.event_id
	)!;
	const to = new Date( Date.parse( event.start.dateTime ) + 2 * 3600e3 );
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/calendars/${ encodeURIComponent(
			sc.doctorEmail
		) }/events/${ event.id }/move`,
		{
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify( {
				start: { dateTime: to.toISOString() },
				end: {
					dateTime: new Date(
						to.getTime() + 30 * 60e3
					).toISOString(),
				},
			} ),
		}
	);
	expect( res.status ).toBe( 200 );
	await syncDoctor();
	await drainQueue();
	expect( ( await mapping( id ) )?.last_error_code ).toBe(
		'moved_in_google'
	);

	const url = await publishPage(
		`Moved consultation ${ id }`,
		blockMarkup( { appointmentId: id } )
	);
	await signIn( context, sc.clinicAdmin );
	await page.goto( url );
	const item = page.locator(
		`.mfk-meet__item[data-mfk-appointment="${ id }"]`
	);
	await expect( item ).toContainText( 'moved in Google Calendar' );
	await item.getByRole( 'button', { name: 'Apply to appointment' } ).click();
	await expect(
		item.getByRole( 'button', { name: 'Apply to appointment' } )
	).toHaveCount( 0 );

	// KiviCare has the appointment at the time set in Google.
	const admin = await login( sc.clinicAdmin );
	const kc = await admin.rest( `${ KC }/appointments/${ id }` );
	expect( kc.status ).toBe( 200 );
	const [ day, time ] = clinicWallTime( to );
	const shown = JSON.stringify( kc.body );
	expect( shown ).toContain( day );
	expect( shown ).toContain( time );
	await drainQueue();
	const after = await mapping( id );
	expect( after?.last_error_code ).toBe( '' );
	expect( after?.url ).toBe( row.url );
} );
