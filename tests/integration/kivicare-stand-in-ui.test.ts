/**
 * KiviCare stand-in screens: the `[kivicareBookAppointment]` booking form (its script run in
 * jsdom against the real REST API of the test site) and the wp-admin "KiviCare → Appointments"
 * list with the video link.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JSDOM, type DOMWindow } from 'jsdom';
import {
	clearDebugLog,
	harness,
	login,
	phpProblems,
	query,
	setOption,
	wpJson,
	type Session,
} from '../harness/testkit';
import {
	KC,
	book,
	connectFakeDoctor,
	createDoctor,
	createPatient,
	createService,
	enableFakeProvider,
	ensureClinic,
	fakeCalls,
	resetFakeCalls,
	withoutMeetForKiviCare,
	preserveOptions,
	STAND_IN_TEST_OPTIONS,
	type Clinic,
} from '../kivicare-stand-in/test-support/standin';

const SCRIPT = readFileSync(
	path.join(
		__dirname,
		'../kivicare-stand-in/assets/js/book-appointment.js'
	),
	'utf8'
);

let restoreMeetForKiviCare: () => Promise< void >;
let restoreOptions: () => Promise< void >;
let clinic: Clinic;
let pageUrl: string;

beforeAll( async () => {
	restoreOptions = await preserveOptions( STAND_IN_TEST_OPTIONS );
	restoreMeetForKiviCare = await withoutMeetForKiviCare();
	await enableFakeProvider( { inject_video_url: true } );
	await setOption( 'kiviCare_google_meet_setting', { enabled: true } );
	clinic = await ensureClinic();
	pageUrl = await wpJson< string >(
		`$id = wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Book a visit', 'post_content' => '[kivicareBookAppointment]' ) );
		return get_permalink( $id );`
	);
} );

afterAll( async () => {
	await restoreOptions();
	await restoreMeetForKiviCare();
} );

beforeEach( async () => {
	clearDebugLog();
	await resetFakeCalls();
} );

afterEach( () => {
	// Every test must leave WordPress's debug log free of PHP warnings and notices.

	expect( phpProblems() ).toEqual( [] );
} );

async function until< T >(
	probe: () => T | null | undefined | false,
	what: string,
	timeoutMs = 10000
): Promise< T > {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if ( value ) {
			return value;
		}
		if ( Date.now() > deadline ) {
			throw new Error( `Timed out waiting for ${ what }` );
		}
		await new Promise( ( r ) => setTimeout( r, 50 ) );
	}
}

/** Loads the page as `session` and runs the booking script in jsdom with the session's cookie. */
async function openBookingPage( session: Session ) {
	const response = await session.fetch( pageUrl );
	expect( response.status ).toBe( 200 );
	const html = await response.text();
	const dom = new JSDOM( html, { url: pageUrl, runScripts: 'outside-only' } );
	const win = dom.window;
	// The page's fetch() goes out with the session's cookie, as the browser's would.
	( win as unknown as { fetch: typeof fetch } ).fetch = ( input, init ) =>
		session.fetch( String( input ), init );
	win.eval( SCRIPT );
	return { html, win, doc: win.document };
}

function choose(
	win: DOMWindow,
	select: HTMLSelectElement | HTMLInputElement,
	value: string
) {
	select.value = value;
	select.dispatchEvent( new win.Event( 'change', { bubbles: true } ) );
}

describe( '[kivicareBookAppointment]', () => {
	it( 'renders an accessible form with the REST nonce for patients only', async () => {
		const patient = await login( await createPatient() );
		const { html, doc } = await openBookingPage( patient );
		const form = doc.querySelector( 'form.kc-book-appointment' )!;
		expect( form ).not.toBeNull();
		expect( form.getAttribute( 'data-rest-url' ) ).toBe(
			`${ harness().url }/wp-json/${ KC }/`
		);
		expect( form.getAttribute( 'data-nonce' ) ).toMatch( /^[0-9a-f]{10}$/ );
		for ( const id of [
			'kc-book-doctor',
			'kc-book-service',
			'kc-book-date',
			'kc-book-time',
			'kc-book-description',
		] ) {
			expect(
				doc.querySelector( `label[for="${ id }"]` )
			).not.toBeNull();
		}
		expect(
			doc.querySelector( '.kc-book-message' )!.getAttribute( 'aria-live' )
		).toBe( 'polite' );
		expect( html ).toMatch( /book-appointment\.js\?ver=4\.3\.0/ );

		const anonymous = await ( await fetch( pageUrl ) ).text();
		expect( anonymous ).toContain(
			'Please log in as a patient to book an appointment.'
		);
		expect( anonymous ).not.toContain( 'kc-book-appointment"' );
	} );

	it( 'books a telemed appointment step by step through the REST API', async () => {
		const doctor = await createDoctor( clinic.clinicId, {
			meta: {
				timezone: 'Europe/Berlin',
				kiviCare_google_meet_connect: 'on',
			},
		} );
		await connectFakeDoctor( doctor.id );
		const service = await createService( {
			name: 'Video visit',
			doctors: [ doctor.id ],
			telemed: true,
			duration: 30,
		} );
		const patientUser = await createPatient();
		const { win, doc } = await openBookingPage(
			await login( patientUser )
		);

		const doctorSelect =
			doc.querySelector< HTMLSelectElement >( '#kc-book-doctor' )!;
		await until(
			() =>
				doctorSelect.querySelector( `option[value="${ doctor.id }"]` ),
			'the doctor option'
		);
		choose( win, doctorSelect, String( doctor.id ) );

		const serviceSelect =
			doc.querySelector< HTMLSelectElement >( '#kc-book-service' )!;
		const option = await until(
			() =>
				serviceSelect.querySelector(
					`option[value="${ service.mappingIds[ 0 ] }"]`
				),
			'the service option'
		);
		expect( option.textContent ).toBe( 'Video visit (video consultation)' );
		choose( win, serviceSelect, String( service.mappingIds[ 0 ] ) );
		choose(
			win,
			doc.querySelector< HTMLInputElement >( '#kc-book-date' )!,
			'2031-09-09'
		);

		const timeSelect =
			doc.querySelector< HTMLSelectElement >( '#kc-book-time' )!;
		await until(
			() => timeSelect.querySelector( 'option[value="09:30"]' ),
			'free slots'
		);
		expect( doc.querySelector( '#kc-book-timezone' )!.textContent ).toBe(
			'Times are in Europe/Berlin.'
		);
		choose( win, timeSelect, '09:30' );
		doc.querySelector< HTMLTextAreaElement >(
			'#kc-book-description'
		)!.value = 'Cough';

		const form = doc.querySelector< HTMLFormElement >(
			'form.kc-book-appointment'
		)!;
		form.dispatchEvent(
			new win.Event( 'submit', { bubbles: true, cancelable: true } )
		);
		const id = Number(
			await until(
				() => form.getAttribute( 'data-appointment-id' ),
				'the booking'
			)
		);
		expect( doc.querySelector( '.kc-book-message' )!.textContent ).toBe(
			`Appointment booked. Reference #${ id }.`
		);

		const [ row ] = await query< any >(
			'SELECT * FROM wp_kc_appointments WHERE id = ?',
			[ id ]
		);
		expect( row ).toMatchObject( {
			status: 1,
			patient_id: patientUser.id,
			doctor_id: doctor.id,
			appointment_start_date: '2031-09-09',
			appointment_start_time: '09:30:00',
			appointment_timezone: 'Europe/Berlin',
			appointment_start_utc: '2031-09-09 07:30:00',
			description: 'Cough',
		} );
		expect(
			( await fakeCalls() )
				.filter( ( c ) => c.method === 'create_meeting' )
				.map( ( c ) => c.args[ 0 ].appointment_id )
		).toEqual( [ id ] );
		// The booked slot is no longer offered.
		await until(
			() =>
				! timeSelect.querySelector( 'option[value="09:30"]' ) &&
				timeSelect.querySelector( 'option[value="10:00"]' ),
			'the refreshed slots'
		);
	} );
} );

describe( 'wp-admin KiviCare → Appointments', () => {
	it( "lists the user's appointments with Join (patient) / Start (others) Video Conference links, escaped", async () => {
		const doctor = await createDoctor( clinic.clinicId );
		await connectFakeDoctor( doctor.id );
		await query( 'UPDATE wp_users SET display_name = ? WHERE ID = ?', [
			'<img src=x onerror=alert(1)>Dr',
			doctor.id,
		] );
		const service = await createService( {
			name: 'Video visit',
			doctors: [ doctor.id ],
			telemed: true,
		} );
		const patientUser = await createPatient();
		const patient = await login( patientUser );
		const res = await book( patient, {
			doctorId: doctor.id,
			serviceId: [ service.mappingIds[ 0 ]! ],
			appointmentStartDate: '2031-09-10',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		const id = res.body.data.appointment_id;
		const link = `https://meet.example.test/fake-${ id }`;

		const screen = async ( s: Session, filters = '' ) => {
			const r = await s.fetch(
				`wp-admin/admin.php?page=kivicare${ filters }`
			);
			expect( r.status ).toBe( 200 );
			return new JSDOM( await r.text() ).window.document;
		};

		const patientScreen = await screen( patient );
		const patientRow = patientScreen.querySelector(
			`tr[data-appointment-id="${ id }"]`
		)!;
		expect( patientRow ).not.toBeNull();
		const join =
			patientRow.querySelector< HTMLAnchorElement >( 'a.kc-video-link' )!;
		expect( join.textContent!.trim() ).toBe( 'Join Video Conference' );
		expect( join.getAttribute( 'href' ) ).toBe( link );
		expect( join.getAttribute( 'target' ) ).toBe( '_blank' );
		expect( patientRow.querySelector( '.kc-status' )!.textContent ).toBe(
			'Booked'
		);
		// Stored markup is shown as text, never as HTML.
		expect( patientRow.querySelector( 'img' ) ).toBeNull();
		expect( patientRow.textContent ).toContain(
			'<img src=x onerror=alert(1)>Dr'
		);

		const doctorRow = (
			await screen( await login( doctor ) )
		).querySelector( `tr[data-appointment-id="${ id }"]` )!;
		expect(
			doctorRow.querySelector( 'a.kc-video-link' )!.textContent!.trim()
		).toBe( 'Start Video Conference' );

		const stranger = await screen( await login( await createPatient() ) );
		expect(
			stranger.querySelector( `tr[data-appointment-id="${ id }"]` )
		).toBeNull();

		expect(
			( await screen( patient, '&status=0' ) ).querySelector(
				`tr[data-appointment-id="${ id }"]`
			)
		).toBeNull();
		expect(
			(
				await screen( patient, '&status=1&timeFrame=upcoming' )
			).querySelector( `tr[data-appointment-id="${ id }"]` )
		).not.toBeNull();
	} );

	it( 'shows no link when the add-on supplies none', async () => {
		await enableFakeProvider( { inject_video_url: false } );
		try {
			const doctor = await createDoctor( clinic.clinicId );
			await connectFakeDoctor( doctor.id );
			const service = await createService( {
				name: 'Video visit',
				doctors: [ doctor.id ],
				telemed: true,
			} );
			const patient = await login( await createPatient() );
			const res = await book( patient, {
				doctorId: doctor.id,
				serviceId: [ service.mappingIds[ 0 ]! ],
				appointmentStartDate: '2031-09-11',
				appointmentStartTime: '10:00',
				status: 1,
			} );
			const html = await (
				await patient.fetch( 'wp-admin/admin.php?page=kivicare' )
			).text();
			const doc = new JSDOM( html ).window.document;
			const row = doc.querySelector(
				`tr[data-appointment-id="${ res.body.data.appointment_id }"]`
			)!;
			expect( row ).not.toBeNull();
			expect( row.querySelector( 'a.kc-video-link' ) ).toBeNull();
		} finally {
			await enableFakeProvider( { inject_video_url: true } );
		}
	} );
} );
