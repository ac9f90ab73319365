/**
 * Notifications that carry the Meet link, captured by the SMTP sink: KiviCare's own booking
 * mail with the link when it is ready in time (queued in Action Scheduler, sent when it runs);
 * otherwise the patient's booking confirmation saying where the link will be (also while the
 * appointment waits for its online payment);
 * the plugin's "link ready" mail to patient and doctor when the link only appears after an
 * outage (sidecar stopped, booking, sidecar restarted, queue run) on a site where KiviCare
 * cannot send its own Meet e-mail (no Action Scheduler), with the action SMS gateways use; the
 * "new time" notice after a reschedule; editable templates without clinical data; and the link
 * in KiviCare Pro's other templates. The queue is run by hand here (the background sync after
 * a request is switched off; background-sync.test.ts covers it).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
	clearDebugLog,
	clearMail,
	deleteOption,
	getOption,
	harness,
	login,
	phpProblems,
	query,
	readMail,
	setOption,
	startSidecar,
	stopSidecar,
	waitForMail,
	wpJson,
	type Session,
	type StoredMail,
} from '../harness/testkit';
import {
	book,
	KC,
	runActionScheduler,
} from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	freshDate,
	mapping,
	MAPPINGS,
	runQueue,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

/** Runs `test` on a site whose KiviCare has no Action Scheduler (it cannot send its mails). */
async function withoutActionScheduler( test: () => Promise< void > ) {
	await setOption( 'kc_standin_action_scheduler', 'off' );
	try {
		await test();
	} finally {
		await deleteOption( 'kc_standin_action_scheduler' );
	}
}

const RECORDER = `<?php
// Test only: records Meet for KiviCare's notification actions (for SMS gateways).
foreach ( array( 'mfk_meet_link_ready', 'mfk_meet_time_changed' ) as $mfk_hook ) {
	add_action(
		$mfk_hook,
		static function ( $id, $url, $message ) use ( $mfk_hook ) {
			$log   = (array) get_option( 'mfk_test_sms', array() );
			$log[] = array( 'hook' => $mfk_hook, 'appointment_id' => (int) $id, 'url' => $url, 'message' => $message );
			update_option( 'mfk_test_sms', $log, false );
		},
		10,
		3
	);
}
`;

function recorderFile(): string {
	return path.join(
		harness().docroot,
		'wp-content',
		'mu-plugins',
		'mfk-test-notification-hooks.php'
	);
}

interface SmsAction {
	hook: string;
	appointment_id: number;
	url: string;
	message: {
		patient_id: number;
		doctor_id: number;
		text: string;
		start: string;
		timezone: string;
		emailed: Record< string, boolean >;
	};
}

async function actionsFor( id: number ): Promise< SmsAction[] > {
	const log =
		( await getOption< SmsAction[] | null >( 'mfk_test_sms' ) ) ?? [];
	return log.filter( ( a ) => a.appointment_id === id );
}

function body( mail: StoredMail ): string {
	return mail.html ?? mail.text;
}

function to( address: string ) {
	return ( mail: StoredMail ) => mail.to.includes( address );
}

let sc: Scenario;
let patient: Session;

beforeAll( async () => {
	writeFileSync( recorderFile(), RECORDER );
	await deleteOption( 'mfk_test_sms' );
	await setBackgroundSync( false );
	await configureMeet( {
		sync_budget_ms: 5000,
		link_ready_email_subject: 'Your video link is ready',
		reschedule_email_subject: 'Your video consultation has a new time',
	} );
	sc = await telemedScenario();
	patient = await login( sc.patient );
	clearDebugLog();
} );

afterAll( async () => {
	rmSync( recorderFile(), { force: true } );
	await deleteOption( 'mfk_test_sms' );
	await setBackgroundSync( true );
	await deleteOption( 'kc_standin_pro_active' );
	await setSettings( {
		link_ready_email_subject: 'Your video consultation link',
	} );
} );

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
		timezone: 'America/New_York',
		...extra,
	} );
	expect( res.status ).toBe( 201 );
	return res.body.data.appointment_id as number;
}

it( "a link ready in time goes out in KiviCare's own mail, and no extra notice follows", async () => {
	clearMail();
	const id = await bookOne( '09:00' );
	const row = await mapping( id );
	expect( row ).toMatchObject( { state: 'ready', link_in_booking_mail: 1 } );
	await runActionScheduler();
	const mail = await waitForMail( ( all ) =>
		all.some(
			( m ) =>
				to( sc.patient.email )( m ) && body( m ).includes( row!.url )
		)
	);
	// Only KiviCare's Meet mail carries the link, and confirms the booking; the plugin adds
	// nothing.
	expect(
		mail.filter( ( m ) =>
			/^Your video link is ready$|^Your video consultation on /.test(
				m.subject
			)
		)
	).toEqual( [] );
	await runQueue();
	expect(
		readMail().filter( ( m ) => m.subject === 'Your video link is ready' )
	).toEqual( [] );
	expect( await actionsFor( id ) ).toEqual( [] );
} );

it( 'sends the "link ready" mail to patient and doctor when the link appears after an outage and KiviCare cannot send its own', () =>
	withoutActionScheduler( async () => {
		clearMail();
		await stopSidecar();
		let id: number;
		try {
			id = await bookOne( '10:00', {
				description: 'Chest pain since Monday',
			} );
			expect( await mapping( id ) ).toMatchObject( {
				state: 'pending',
				url: '',
			} );
		} finally {
			await startSidecar();
		}
		// KiviCare's booking went out without a link: no Meet mail yet, only the plugin's
		// confirmation telling the patient where the link will be.
		await waitForMail( ( all ) => all.some( to( sc.patient.email ) ) );
		const confirmation = readMail().filter( to( sc.patient.email ) );
		expect( confirmation.map( ( m ) => m.subject ) ).toEqual( [
			expect.stringMatching(
				/^Your video consultation on .+ is booked$/
			),
		] );
		expect( body( confirmation[ 0 ]! ) ).toContain(
			'it is e-mailed to you as soon as it is ready, and it appears with a Join button on your dashboard'
		);
		expect( body( confirmation[ 0 ]! ) ).not.toContain( 'Chest pain' );
		expect( readMail().filter( to( sc.doctor.email ) ) ).toEqual( [] );
		clearMail();

		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
			[ id! ]
		);
		const stats = await runQueue();
		expect( stats.ready ).toBeGreaterThanOrEqual( 1 );
		const row = await mapping( id! );
		expect( row!.state ).toBe( 'ready' );

		const mail = await waitForMail(
			( all ) =>
				all.some( to( sc.patient.email ) ) &&
				all.some( to( sc.doctor.email ) )
		);
		const toPatient = mail.find( to( sc.patient.email ) )!;
		const toDoctor = mail.find( to( sc.doctor.email ) )!;
		expect( toPatient.subject ).toBe( 'Your video link is ready' );
		expect( toDoctor.subject ).toBe( 'Video consultation link ready' );
		for ( const message of [ toPatient, toDoctor ] ) {
			const text = body( message );
			expect( text ).toContain( row!.url );
			// The time as the appointment's zone sees it (10:00 in New York), with the zone.
			expect( text ).toMatch( /10:00 am E[SD]T/ );
			// Names, date, time, clinic and link only: no description, no service.
			expect( text ).not.toContain( 'Chest pain' );
			expect( text ).not.toContain(
				'Video consultation ' + sc.doctor.id
			);
		}
		expect( body( toPatient ) ).toMatch( /^Hello Patient Test,/ );
		expect( body( toDoctor ) ).toMatch( /^Hello Doctor Test,/ );

		// The action for SMS gateways fired once, with a short message and no clinical data.
		const actions = await actionsFor( id! );
		expect( actions ).toHaveLength( 1 );
		expect( actions[ 0 ] ).toMatchObject( {
			hook: 'mfk_meet_link_ready',
			url: row!.url,
			message: {
				patient_id: sc.patient.id,
				doctor_id: sc.doctor.id,
				timezone: 'America/New_York',
				emailed: { patient: true, doctor: true },
			},
		} );
		expect( actions[ 0 ]!.message.text ).toContain( row!.url );
		expect( actions[ 0 ]!.message.text ).not.toContain( 'Chest pain' );

		// Another queue pass (or a regenerate that keeps the link) sends nothing new.
		clearMail();
		await query(
			`UPDATE ${ MAPPINGS } SET state = 'pending', next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
			[ id! ]
		);
		await runQueue();
		expect( ( await mapping( id! ) )!.state ).toBe( 'ready' );
		await new Promise( ( resolve ) => setTimeout( resolve, 300 ) );
		expect( readMail() ).toEqual( [] );
		expect( await actionsFor( id! ) ).toHaveLength( 1 );
	} ) );

it( 'confirms to the patient a video consultation booked before its link is ready, saying where the link will appear', async () => {
	await stopSidecar();
	let id: number;
	try {
		clearMail();
		id = await bookOne( '11:00', { description: 'Rash on the arm' } );
		await waitForMail( ( all ) => all.some( to( sc.patient.email ) ) );
	} finally {
		await startSidecar();
	}
	expect( ( await mapping( id! ) )!.url ).toBe( '' );
	const [ confirmation, ...more ] = readMail().filter(
		to( sc.patient.email )
	);
	expect( more ).toEqual( [] );
	expect( confirmation!.subject ).toMatch(
		/^Your video consultation on .+ is booked$/
	);
	const text = body( confirmation! );
	expect( text ).toMatch( /^Hello Patient Test,/ );
	// The time as the appointment's zone sees it, with the zone.
	expect( text ).toMatch(
		/with Doctor Test on .+ at 11:00 am E[SD]T is booked\./
	);
	expect( text ).toContain(
		'Where the video link will be: it is e-mailed to you as soon as it is ready, and it appears with a Join button on your dashboard on this site (sign in as usual):'
	);
	expect( text ).toContain( `${ harness().url }/wp-admin/` );
	// Names, date, time and clinic only.
	expect( text ).not.toContain( 'Rash' );
	expect( text ).not.toContain( sc.doctorEmail );
	// The doctor is not sent it.
	expect( readMail().filter( to( sc.doctor.email ) ) ).toEqual( [] );
	// Out of the way of the next tests' queue runs.
	await query( `DELETE FROM ${ MAPPINGS } WHERE appointment_id = ?`, [
		id!,
	] );
	await query( 'DELETE FROM wp_kc_appointments WHERE id = ?', [ id! ] );
} );

it( 'confirms a video consultation awaiting online payment: paying releases the link', async () => {
	clearMail();
	const id = await bookOne( '12:00', { paymentGateway: 'stripe' } );
	const mail = await waitForMail( ( all ) =>
		all.some( to( sc.patient.email ) )
	);
	const confirmation = mail.find( to( sc.patient.email ) )!;
	expect( confirmation.subject ).toMatch(
		/^Your video consultation on .+ is waiting for your payment$/
	);
	const text = body( confirmation );
	expect( text ).toContain(
		'is reserved and waiting for your payment. Complete the payment for the appointment: the video link is created as soon as it is paid.'
	);
	expect( text ).toContain(
		'Where the video link will be: once the appointment is paid, it is e-mailed to you, and it appears with a Join button on your dashboard'
	);
	expect( text ).not.toContain( 'being prepared' );
	expect(
		await wpJson(
			'return (int) MFK_Appointments::get( $args )["status"];',
			id
		)
	).toBe( 2 );
} );

it( 'sends no confirmation for a booking KiviCare rolled back', async () => {
	clearMail();
	// A booking that failed inside KiviCare's transaction leaves no appointment row behind.
	expect(
		await wpJson(
			`MFK_Booking_Confirmation::on_booked( 987654321 );
			MFK_Booking_Confirmation::send_due();
			return true;`
		)
	).toBe( true );
	await new Promise( ( resolve ) => setTimeout( resolve, 300 ) );
	expect( readMail() ).toEqual( [] );
} );

it( 'sends the "new time" notice to patient and doctor after a reschedule reached Google', async () => {
	const id = await bookOne( '13:00' );
	const before = await mapping( id );
	expect( before!.state ).toBe( 'ready' );
	clearMail();
	const date = freshDate();
	const res = await patient.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: {
			appointmentStartDate: date,
			appointmentStartTime: '15:30',
			timezone: 'America/New_York',
		},
	} );
	expect( res.status ).toBe( 200 );
	const mail = await waitForMail(
		( all ) =>
			all.some( to( sc.patient.email ) ) &&
			all.some( to( sc.doctor.email ) )
	);
	const after = await mapping( id );
	expect( after!.url ).toBe( before!.url ); // The Meet link never changes on a new time.
	for ( const message of [
		mail.find( to( sc.patient.email ) )!,
		mail.find( to( sc.doctor.email ) )!,
	] ) {
		expect( message.subject ).toBe(
			'Your video consultation has a new time'
		);
		const text = body( message );
		expect( text ).toMatch(
			/planned for .+ at 1:00 pm E[SD]T, now takes place on .+ at 3:30 pm E[SD]T/
		);
		expect( text ).toContain( after!.url );
	}
	const actions = await actionsFor( id );
	expect( actions.map( ( a ) => a.hook ) ).toEqual( [
		'mfk_meet_time_changed',
	] );
	expect( actions[ 0 ]!.message.text ).toContain( '3:30 pm' );
} );

it( 'uses an HTML template as HTML, with the link as a link', () =>
	withoutActionScheduler( async () => {
		await setSettings( {
			link_ready_email_body:
				'<p>Dear {patient_name},</p><p><a href="{meet_link}">Join the video consultation</a> on {appointment_date}.</p>',
		} );
		try {
			clearMail();
			await stopSidecar();
			let id: number;
			try {
				id = await bookOne( '16:00' );
			} finally {
				await startSidecar();
			}
			await query(
				`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
				[ id! ]
			);
			await runQueue();
			const row = await mapping( id! );
			// The link's e-mail (the booking confirmation, without the link, came first).
			const ready = ( m: StoredMail ) =>
				to( sc.patient.email )( m ) &&
				m.subject === 'Your video link is ready';
			const mail = await waitForMail( ( all ) => all.some( ready ) );
			const html = mail.find( ready )!.html!;
			expect( html ).toContain(
				`<a href="${ row!.url }">Join the video consultation</a>`
			);
			expect( html ).toContain( 'Dear Patient Test,' );
		} finally {
			const defaults = await wpJson< Record< string, string > >(
				'return MFK_Settings_Schema::defaults();'
			);
			await setSettings( {
				link_ready_email_body: defaults.link_ready_email_body,
			} );
		}
	} ) );

it( "fills the link into KiviCare Pro's other templates (SMS, reminders) only when Pro is active", async () => {
	const id = await bookOne( '17:00' );
	const row = await mapping( id );
	const render = () =>
		wpJson< { keys: Record< string, string[] >; text: string } >(
			`return array(
				'keys' => apply_filters( 'kivicare_template_dynamic_keys', array( 'kivicare_book_appointment_reminder' => array( '{{appointment_date}}' ) ) ),
				'text' => \\App\\emails\\KCEmailSender::render( 'Reminder: join at {{meet_link}}', array( 'appointment_id' => $args ), false ),
			);`,
			id
		);
	const without = await render();
	expect( without.keys.kivicare_book_appointment_reminder ).toEqual( [
		'{{appointment_date}}',
	] );
	expect( without.text ).toBe( 'Reminder: join at ' );

	await setOption( 'kc_standin_pro_active', true );
	const withPro = await render();
	expect( withPro.keys.kivicare_book_appointment_reminder ).toEqual( [
		'{{appointment_date}}',
		'{{meet_link}}',
		'{{meet_event_link}}',
	] );
	expect( withPro.keys.kivicare_book_appointment ).toContain(
		'{{meet_link}}'
	);
	expect( withPro.text ).toBe( `Reminder: join at ${ row!.url }` );

	// A cancelled appointment's link is not handed out.
	await patient.rest( `${ KC }/appointments/${ id }/status`, {
		method: 'PUT',
		body: { status: 0 },
	} );
	expect( ( await render() ).text ).toBe( 'Reminder: join at ' );
} );
