/**
 * What a patient (and the doctor) reads about a video consultation: an appointment waiting for
 * its online payment says so, and what to do, instead of "being prepared"; the patient's wp-admin
 * dashboard lists their upcoming video consultations and says where the link appears; KiviCare's
 * Meet link e-mail reaches the patient without the doctor's Google Calendar event link (its
 * `eid` encodes the doctor's Google address) and with the time's zone, while the doctor's keeps
 * the event link.
 */
import {
	clearDebugLog,
	clearMail,
	harness,
	login,
	phpProblems,
	waitForMail,
	type Session,
	type StoredMail,
} from '../harness/testkit';
import {
	book,
	runActionScheduler,
} from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	freshDate,
	mapping,
	telemedScenario,
	type Scenario,
} from './support/meet';

const API = 'meet-for-kivicare/v1';

let sc: Scenario;
let patient: Session;
let doctor: Session;

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	patient = await login( sc.patient );
	doctor = await login( sc.doctor );
	clearDebugLog();
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

async function bookOne(
	time: string,
	extra: Record< string, unknown > = {}
): Promise< number > {
	const res = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: time,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
		timezone: 'Australia/Sydney',
		...extra,
	} );
	expect( res.status ).toBe( 201 );
	return res.body.data.appointment_id as number;
}

async function rendered( session: Session, id: number ) {
	const res = await session.rest(
		`${ API }/appointments/${ id }/meeting?render=1`,
		{
			headers: { Referer: `${ harness().url }/consultation/` },
		}
	);
	expect( res.status ).toBe( 200 );
	return res.body as { html: string; waiting_for?: string; state: string };
}

it( 'tells the patient that paying releases the link, and the doctor what they wait for', async () => {
	const id = await bookOne( '08:00', { paymentGateway: 'stripe' } );
	const forPatient = await rendered( patient, id );
	expect( forPatient.state ).toBe( 'pending' );
	expect( forPatient.waiting_for ).toBe( 'payment' );
	expect( forPatient.html ).toContain(
		'This video consultation is waiting for your payment. Complete the payment for the appointment: the video link appears here as soon as it is paid.'
	);
	expect( forPatient.html ).not.toContain( 'being prepared' );

	const forDoctor = await rendered( doctor, id );
	expect( forDoctor.html ).toContain(
		'Waiting for the patient&#039;s online payment. The video link is created as soon as the appointment is paid.'
	);
	expect( forDoctor.html ).not.toContain( 'being prepared' );
} );

it( 'lists the patient’s upcoming video consultations on their dashboard, and where the link appears', async () => {
	const id = await bookOne( '11:00' );
	const row = await mapping( id );
	expect( row!.state ).toBe( 'ready' );
	const html = await ( await patient.fetch( '/wp-admin/index.php' ) ).text();
	const widget = /<div id="mfk_meet_today"[\s\S]*?<\/ul>/.exec( html );
	expect( widget ).not.toBeNull();
	expect( widget![ 0 ] ).toContain( 'Your video consultations' );
	expect( widget![ 0 ] ).toContain(
		'The Join Google Meet button of each video consultation appears here when its link is ready'
	);
	expect( widget![ 0 ] ).toContain( `data-mfk-appointment="${ id }"` );
	expect( widget![ 0 ] ).toContain( 'Join Google Meet' );
	// The doctor's calendar event is not the patient's.
	expect( widget![ 0 ] ).not.toContain( 'google.com/calendar' );
} );

it( 'e-mails the patient without the doctor’s calendar event link and with the time zone', async () => {
	clearMail();
	const id = await bookOne( '14:30' );
	const row = await mapping( id );
	expect( row ).toMatchObject( { state: 'ready', link_in_booking_mail: 1 } );
	expect( row!.event_url ).toMatch( /google\.com\/calendar\/event\?eid=/ );
	await runActionScheduler();
	const body = ( m: StoredMail ) => m.html ?? m.text;
	const mail = await waitForMail(
		( all ) =>
			all.some(
				( m ) =>
					m.to.includes( sc.patient.email ) &&
					body( m ).includes( row!.url )
			) &&
			all.some(
				( m ) =>
					m.to.includes( sc.doctor.email ) &&
					body( m ).includes( row!.url )
			)
	);
	const toPatient = mail.find(
		( m ) =>
			m.to.includes( sc.patient.email ) && body( m ).includes( row!.url )
	)!;
	expect( body( toPatient ) ).not.toContain( 'google.com/calendar' );
	expect( body( toPatient ) ).not.toContain( 'Calendar event' );
	// "at 14:30 AEDT" (or AEST in the southern winter), not a bare "at 14:30".
	expect( body( toPatient ) ).toMatch( /at 14:30 AE[DS]T\./ );

	// The doctor's own calendar event stays in the doctor's e-mail.
	const toDoctor = mail.find(
		( m ) =>
			m.to.includes( sc.doctor.email ) && body( m ).includes( row!.url )
	)!;
	expect( body( toDoctor ) ).toContain( row!.event_url );
	expect( body( toDoctor ) ).toMatch( /at 14:30 AE[DS]T\./ );
} );
