/**
 * A working link is never hidden by a change that did not reach Google. A ready meeting whose
 * doctor then revoked Google access is rescheduled through KiviCare: the reschedule fails for
 * good (token_revoked), yet the patient's page (shortcode) and KiviCare's own appointment list
 * still carry the Meet link; the doctor and the clinic's staff see that the latest change did
 * not reach Google, why, and what fixes it; the patient sees no reason. Reconnecting replays
 * the change, and the meeting is in step again with the same link at the new time.
 */
import {
	clearDebugLog,
	createUser,
	harness,
	login,
	phpProblems,
	query,
	wpJson,
	type Session,
} from '../harness/testkit';
import { book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	connectDoctor,
	drainQueue,
	freshDate,
	mapping,
	revokeGoogleAccount,
	telemedScenario,
	type Scenario,
} from './support/meet';

let sc: Scenario;
let patient: Session;
let doctor: Session;
let clinicAdmin: Session;
let receptionist: Session;
let id = 0;
let link = '';
let bookedStart = '';
let day = '';
let page = 0;

/** Milliseconds since the epoch of a UTC datetime column. */
const utc = ( value: string | null | undefined ) =>
	Date.parse( `${ String( value ).replace( ' ', 'T' ) }Z` );

async function eventOf() {
	const events = ( await calendarEvents( sc.doctorEmail ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId === String( id )
	);
	expect( events ).toHaveLength( 1 );
	return events[ 0 ]!;
}

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	patient = await login( sc.patient );
	doctor = await login( sc.doctor );
	clinicAdmin = await login( sc.clinicAdmin );
	const user = await createUser( 'kiviCare_receptionist' );
	await query(
		'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
		[ user.id, sc.clinicId ]
	);
	receptionist = await login( user );
	day = freshDate();
	const booked = await book( patient, {
		appointmentStartDate: day,
		appointmentStartTime: '10:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	id = booked.body.data.appointment_id as number;
	await drainQueue();
	const row = await mapping( id );
	if ( row?.link_state !== 'ready' || row.sync_state !== 'in_step' ) {
		throw new Error(
			`The meeting is not ready: ${ JSON.stringify( row ) }`
		);
	}
	link = row.url;
	bookedStart = row.start_utc!;
	page = await wpJson< number >(
		`return wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Consultation', 'post_content' => '[mfk_meet_controls appointment_id="' . (int) $args . '"]' ) );`,
		id
	);
	clearDebugLog();
}, 120000 );

afterAll( async () => {
	await wpJson(
		'return wp_delete_post( $args, true ) ? true : false;',
		page
	);
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

async function shortcodeFor( session: Session ): Promise< string > {
	const res = await session.fetch( `${ harness().url }/?page_id=${ page }` );
	expect( res.status ).toBe( 200 );
	const html = await res.text();
	const start = html.indexOf( `data-mfk-appointment="${ id }"` );
	expect( start ).toBeGreaterThan( 0 );
	return html.slice( start, html.indexOf( '</li>', start ) );
}

async function listItem( session: Session ): Promise< any > {
	const res = await session.rest( `${ KC }/appointments?perPage=100` );
	expect( res.status ).toBe( 200 );
	return res.body.data.appointments.find( ( a: any ) => a.id === id );
}

it( 'a reschedule that cannot reach Google (access revoked) fails its sync but keeps the link', async () => {
	await revokeGoogleAccount( sc.doctorEmail );
	const moved = await doctor.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: {
			appointmentStartDate: day,
			appointmentStartTime: '14:00',
		},
	} );
	expect( moved.status ).toBe( 200 );
	await drainQueue();
	expect( await mapping( id ) ).toMatchObject( {
		state: 'failed',
		link_state: 'ready',
		sync_state: 'failed',
		last_error_code: 'token_revoked',
		url: link,
	} );
	// Google still has the meeting at the old time: the change did not get there.
	const row = await mapping( id );
	expect( utc( row!.start_utc ) ).toBe( utc( bookedStart ) + 4 * 3600000 );
	const event = await eventOf();
	expect( event.hangoutLink ).toBe( link );
	expect( Date.parse( event.start.dateTime ) ).toBe( utc( bookedStart ) );
} );

it( "the patient still joins with the last good link, on the page and in KiviCare's list, and learns no reason", async () => {
	const html = await shortcodeFor( patient );
	expect( html ).toContain( `data-mfk-state="ready"` );
	expect( html ).toContain( link );
	expect( html ).toContain( 'Join Google Meet' );
	expect( html ).not.toMatch(
		/did not reach Google|reconnect|token_revoked/i
	);
	expect( html ).not.toContain( 'not ready yet' );

	const item = await listItem( patient );
	expect( item ).toMatchObject( {
		video_consultation: true,
		video_url: link,
	} );

	const rest = await patient.rest(
		`meet-for-kivicare/v1/appointments/${ id }/meeting`
	);
	expect( rest.body ).toMatchObject( {
		state: 'ready',
		link: 'ready',
		sync: 'failed',
		url: link,
	} );
	expect( rest.body.error ).toBeUndefined();
	expect( rest.body.fix ).toBeUndefined();
	// KiviCare's own Meet mails read the same link through the mapping model.
	expect(
		await wpJson< string >(
			'return \\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping::query()->where( "appointmentId", $args )->first()->url;',
			id
		)
	).toBe( link );
} );

it( 'the doctor and the clinic’s staff see that the latest change did not reach Google, why, and the fix', async () => {
	const host = await shortcodeFor( doctor );
	expect( host ).toContain( 'Start Google Meet' );
	expect( host ).toContain( link );
	expect( host ).toContain(
		'The latest change did not reach Google: a doctor must reconnect Google.'
	);
	expect( host ).toMatch(
		/<a class="mfk-meet__link" href="[^"]*page=mfk-google-connection[^"]*">Reconnect your Google account<\/a>/
	);
	expect( ( await listItem( doctor ) ).video_url ).toBe( link );

	for ( const staff of [ clinicAdmin, receptionist ] ) {
		const html = await shortcodeFor( staff );
		expect( html ).toContain( link );
		expect( html ).toContain(
			'The latest change did not reach Google: a doctor must reconnect Google.'
		);
		expect( html ).toContain(
			'The doctor must connect their Google account again.'
		);
		const rest = await staff.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting`
		);
		expect( rest.body ).toMatchObject( {
			state: 'ready',
			link: 'ready',
			sync: 'failed',
			url: link,
			error: { code: 'token_revoked' },
			fix: { action: 'reconnect' },
		} );
	}
	// The administrator's notice about the doctor to reconnect tells the links still work.
	const notices = await wpJson< string >(
		'wp_set_current_user( 1 ); ob_start(); MFK_Admin_Notices::render(); return ob_get_clean();'
	);
	expect( notices ).toMatch(
		/\d+ appointments? keeps? (its|their) link, but (its|their) latest change waits? too\./
	);
} );

it( 'a failure the clinic can retry shows "Try again" (the retry route) to staff', async () => {
	await query(
		"UPDATE wp_kc_appointment_google_meet_mappings SET last_error_code = 'quota_exceeded', last_error_message = 'Calendar usage limits exceeded.' WHERE appointment_id = ?",
		[ id ]
	);
	try {
		const html = await shortcodeFor( clinicAdmin );
		expect( html ).toContain(
			'The latest change did not reach Google: Google usage limits reached.'
		);
		expect( html ).toMatch(
			new RegExp(
				`<button type="button" class="mfk-meet__retry" hidden data-mfk-retry="[^"]*meet-for-kivicare(/|%2F)v1(/|%2F)appointments(/|%2F)${ id }(/|%2F)meeting(/|%2F)retry[^"]*render=1`
			)
		);
		expect( await shortcodeFor( patient ) ).not.toContain( 'Try again' );
	} finally {
		await query(
			"UPDATE wp_kc_appointment_google_meet_mappings SET last_error_code = 'token_revoked' WHERE appointment_id = ?",
			[ id ]
		);
	}
} );

it( 'reconnecting replays the change: in step again, the same link at the new time', async () => {
	await connectDoctor( sc.doctor, sc.doctorEmail );
	await drainQueue();
	expect( await mapping( id ) ).toMatchObject( {
		state: 'ready',
		link_state: 'ready',
		sync_state: 'in_step',
		last_error_code: '',
		url: link,
	} );
	const event = await eventOf();
	expect( Date.parse( event.start.dateTime ) ).toBe(
		utc( bookedStart ) + 4 * 3600000
	);
	expect( event.hangoutLink ).toBe( link );
	const host = await shortcodeFor( doctor );
	expect( host ).not.toContain( 'did not reach Google' );
	expect( host ).toContain( link );
} );
