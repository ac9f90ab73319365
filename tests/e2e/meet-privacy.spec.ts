/**
 * Private, accountable video visits in Chromium, through real parts only (WordPress with the
 * KiviCare stand-in, the sidecar, the Google emulator's consent page, Calendar and Meet):
 *
 *  1. a doctor connects Google on the consent page with every scope ticked; a telemedicine
 *     booking gives an event with the patient as a guest and a Meet space whose access type is
 *     the clinic's setting ("only invited people");
 *  2. a doctor who unticks "Meet settings" on the consent page still gets a working link; their
 *     Meet panel says access control is off, and their connection page's grant button fixes it;
 *  3. after a call simulated at the emulator, the doctor reads who came on the appointment's
 *     panel, the administrator's video visits report lists it, and its CSV downloads.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
	clearDebugLog,
	harness,
	query,
	setTimezone,
	wpJson,
} from '../harness/testkit';
import {
	calendarEvents,
	configureMeet,
	MAPPINGS,
	mapping,
	runQueue,
	setSettings,
	telemedScenario,
	type Scenario,
} from '../integration/support/meet';
import {
	bookIn,
	ourPhpProblems,
	publishPage,
	shot,
	signIn,
	untilReady,
} from './screens-support';
import { CLINIC_ZONE } from './support/clinic-time';

const CONNECTION_PAGE = '/wp-admin/admin.php?page=mfk-google-connection';
const REPORT_PAGE = '/wp-admin/admin.php?page=mfk-video-visits';

async function space( url: string ): Promise< { accessType: string } > {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/meet/spaces/${ url
			.split( '/' )
			.pop() }`
	);
	return ( ( await res.json() ) as { config: { accessType: string } } )
		.config;
}

function accessState( appointmentId: number ): Promise< string > {
	return wpJson(
		'return MFK_Meet_Access::summary( $args )["state"];',
		appointmentId
	);
}

/** The doctor connects on the emulator's consent page, leaving the named scopes unticked. */
async function connectInBrowser(
	page: Page,
	email: string,
	untick: string[] = []
): Promise< void > {
	await page.goto( CONNECTION_PAGE );
	await page.getByRole( 'button', { name: 'Connect Google' } ).click();
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	await page.locator( '#email' ).fill( email );
	for ( const id of untick ) {
		await page.locator( `#${ id }` ).uncheck();
	}
	await page.locator( '#allow' ).click();
	await page.waitForURL( /page=mfk-google-connection/ );
	await expect( page.locator( '.mfk-connection' ) ).toHaveAttribute(
		'data-status',
		'active'
	);
}

/** The Meet panel of one appointment, as the signed-in user sees it. */
async function panelOf(
	page: Page,
	appointmentId: number
): Promise< Locator > {
	const url = await publishPage(
		`Consultation ${ appointmentId }`,
		`[mfk_meet_controls appointment_id="${ appointmentId }"]`
	);
	await page.goto( url );
	return page.locator( `[data-mfk-appointment="${ appointmentId }"]` );
}

let a: Scenario;
let b: Scenario;

test.beforeAll( async () => {
	test.setTimeout( 180_000 );
	await setTimezone( CLINIC_ZONE );
	await configureMeet( { sync_budget_ms: 5000 } );
	await setSettings( { meet_access_type: 'RESTRICTED' } );
	a = await telemedScenario( { connect: false } );
	b = await telemedScenario( { connect: false } );
	a.doctorEmail = `dr-privacy-${ a.doctor.id }@gmail.test`;
	b.doctorEmail = `dr-privacy-${ b.doctor.id }@gmail.test`;
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

let heldId = 0;

test( 'a doctor who grants the Meet scopes: the patient is a guest, the space only lets invited people in', async ( {
	page,
	context,
} ) => {
	await signIn( context, a.doctor );
	await connectInBrowser( page, a.doctorEmail );
	await expect( page.locator( '.mfk-connection__meet-grant' ) ).toHaveCount(
		0
	);

	heldId = await bookIn( a, 24 * 60 );
	const row = await untilReady( heldId );
	await runQueue();
	const event = ( await calendarEvents( a.doctorEmail ) ).find(
		( e ) => e.id === row.event_id
	);
	expect(
		( event?.attendees ?? [] ).map( ( g ) => g.email?.toLowerCase() )
	).toContain( a.patient.email.toLowerCase() );
	expect( ( await space( row.url ) ).accessType ).toBe( 'RESTRICTED' );
	expect( await accessState( heldId ) ).toBe( 'applied' );
} );

test( 'a doctor who unticked Meet settings: the link works, the panel says access control is off, the grant button fixes it', async ( {
	page,
	context,
} ) => {
	await signIn( context, b.doctor );
	await connectInBrowser( page, b.doctorEmail, [
		'scope-meetings-space-settings',
	] );

	// Starting in 5 minutes: within the join window, so the panel's link is live.
	const id = await bookIn( b, 5 );
	const row = await untilReady( id );
	await runQueue();
	expect( row.url ).toMatch( /^https:\/\/meet\.google\.com\// );
	expect( await accessState( id ) ).toBe( 'needs_grant' );
	expect( ( await space( row.url ) ).accessType ).toBe( 'OPEN' );

	const panel = await panelOf( page, id );
	await expect( panel.locator( `a[href="${ row.url }"]` ) ).not.toHaveCount(
		0
	);
	await expect( panel.locator( '.mfk-meet__access' ) ).toContainText(
		'Access control is off for this Meet'
	);
	await shot( page, 'meet-privacy-access-off', { fullPage: false } );

	await page.goto( CONNECTION_PAGE );
	const prompt = page.locator( '.mfk-connection__meet-grant' );
	await expect( prompt ).toContainText( 'Access control is off' );
	await shot( page, 'meet-privacy-grant-prompt', {
		element: page.locator( '#wpbody-content .wrap' ),
	} );
	await prompt
		.getByRole( 'button', { name: 'Allow Meet access control' } )
		.click();
	await page.waitForURL( `${ harness().emulatorUrl }/**` );
	await page.locator( '#email' ).fill( b.doctorEmail );
	await page.locator( '#allow' ).click();
	await page.waitForURL( /page=mfk-google-connection/ );
	await expect( page.locator( '.mfk-connection__meet-grant' ) ).toHaveCount(
		0
	);

	await runQueue();
	expect( await accessState( id ) ).toBe( 'applied' );
	expect( ( await space( row.url ) ).accessType ).toBe( 'RESTRICTED' );
	expect( ( await mapping( id ) )?.url ).toBe( row.url );
} );

test( 'after a simulated call: the doctor sees who came, the report lists it, the CSV downloads', async ( {
	page,
	context,
} ) => {
	// The first test's appointment.
	expect( heldId ).toBeGreaterThan( 0 );
	const row = ( await mapping( heldId ) )!;
	await query(
		`UPDATE ${ MAPPINGS } SET start_utc = UTC_TIMESTAMP() - INTERVAL 50 MINUTE, end_utc = UTC_TIMESTAMP() - INTERVAL 20 MINUTE WHERE appointment_id = ?`,
		[ heldId ]
	);
	const at = ( minutes: number ) =>
		new Date( Date.now() + minutes * 60000 ).toISOString();
	const call = await fetch(
		`${ harness().emulatorUrl }/__emulator/meet/calls`,
		{
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify( {
				meetingCode: row.url.split( '/' ).pop(),
				participants: [
					{
						kind: 'signedin',
						email: a.doctorEmail,
						displayName: 'Dr Privacy',
						sessions: [
							{ startTime: at( -50 ), endTime: at( -22 ) },
						],
					},
					{
						kind: 'anonymous',
						displayName: 'Patient Guest',
						sessions: [
							{ startTime: at( -48 ), endTime: at( -23 ) },
						],
					},
				],
			} ),
		}
	);
	expect( call.status ).toBe( 201 );
	await wpJson(
		'MFK_Meet_Access::wake(); MFK_Queue::run( array( "max_seconds" => 20 ) ); return true;'
	);
	expect(
		await wpJson(
			'return MFK_Meet_Attendance::summary( $args )["outcome"];',
			heldId
		)
	).toBe( 'held' );

	// The doctor reads it on the appointment's panel.
	await signIn( context, a.doctor );
	const panel = await panelOf( page, heldId );
	await expect( panel ).toContainText( 'The consultation took place.' );
	await expect( panel ).toContainText( 'Patient Guest' );
	await shot( page, 'meet-privacy-attendance', { fullPage: false } );

	// The administrator's report lists it, and the CSV has it.
	await signIn( context, harness().admin );
	await page.goto( REPORT_PAGE );
	await expect(
		page.getByRole( 'heading', { name: 'Video visits' } )
	).toBeVisible();
	await page
		.getByLabel( 'Doctor', { exact: true } )
		.selectOption( String( a.doctor.id ) );
	const listed = page.locator( `tr[data-appointment-id="${ heldId }"]` );
	await expect( listed ).toContainText( 'Held' );
	await expect( page.locator( '[data-outcome="held"]' ) ).toContainText(
		'Held: 1'
	);
	await shot( page, 'video-visits', {
		element: page.locator( '#wpbody-content .wrap' ),
		docs: true,
	} );
	const [ download ] = await Promise.all( [
		page.waitForEvent( 'download' ),
		page.getByRole( 'link', { name: 'Download CSV' } ).click(),
	] );
	expect( download.suggestedFilename() ).toMatch(
		/^video-visits-\d{4}-\d{2}-\d{2}\.csv$/
	);
	const csv = readFileSync( ( await download.path() )!, 'utf8' );
	const lines = csv.trim().split( '\n' );
	expect( lines[ 0 ] ).toBe(
		'Appointment,Date,Start,End,Doctor,Clinic,Outcome,Minutes'
	);
	expect( lines ).toHaveLength( 2 );
	expect( lines[ 1 ] ).toMatch( new RegExp( `^${ heldId },.*,held,` ) );
} );
