/**
 * Bookings that never wait for Google, with the default settings (no time budget): the link is
 * made right after the booking's answer, in the background (a signed loopback request here, since
 * the harness serves WordPress with PHP's built-in server), with no page view and no cron run; the
 * patient and the doctor then get KiviCare's own "Google Meet Link" e-mails, queued through
 * KiviCare into Action Scheduler and run at once, exactly once. Without Action Scheduler, or with
 * KiviCare's template switched off, the plugin's "link ready" e-mail goes instead; never both.
 * Also: the kick's signature (forged, expired, replayed, other appointments), due rows only, the
 * decision between PHP-FPM's early response and the loopback, a site that cannot reach itself
 * (WP-Cron finishes, Site Health says why), and reschedules that do not wait for Google.
 */
import {
	clearMail,
	deleteOption,
	harness,
	login,
	phpProblems,
	query,
	readMail,
	runWpCron,
	setOption,
	waitForMail,
	wpJson,
	type Session,
	type StoredMail,
} from '../harness/testkit';
import {
	book,
	KC,
	queuedEmails,
	runActionScheduler,
} from '../kivicare-stand-in/test-support/standin';
import {
	addFault,
	clearFaults,
	configureMeet,
	freshDate,
	mapping,
	MAPPINGS,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type MappingRow,
	type Scenario,
} from './support/meet';

const KIVICARE_PATIENT_SUBJECT = 'Your video consultation link';
const OURS_PATIENT_SUBJECT = 'Meet link (plugin template)';
const OURS_DOCTOR_SUBJECT = 'Meet link for the doctor (plugin template)';

let sc: Scenario;
let patient: Session;

beforeAll( async () => {
	// The defaults of a new site, plus the OAuth client; the plugin's own templates get
	// subjects of their own so the two kinds of e-mail cannot be mistaken for each other.
	await configureMeet( {
		sync_budget_ms: 0,
		link_ready_email_subject: OURS_PATIENT_SUBJECT,
		link_ready_doctor_email_subject: OURS_DOCTOR_SUBJECT,
	} );
	await setBackgroundSync( true );
	sc = await telemedScenario();
	patient = await login( sc.patient );
} );

afterAll( async () => {
	await deleteOption( 'kc_standin_action_scheduler' );
	await deleteOption( 'mfk_harness_background_url' );
	await deleteOption( 'mfk_loopback_failure' );
	await setTemplate( 'kiviCare_meet_link', 'publish' );
	await clearFaults();
	await setSettings( {
		sync_budget_ms: 3000,
		link_ready_email_subject: 'Your video consultation link',
		link_ready_doctor_email_subject: 'Video consultation link ready',
	} );
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

async function bookOne( time = '09:00' ): Promise< number > {
	const res = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: time,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
		timezone: 'Europe/Berlin',
	} );
	expect( res.status ).toBe( 201 );
	return res.body.data.appointment_id as number;
}

function setTemplate( key: string, status: string ): Promise< unknown > {
	return wpJson(
		`global $wpdb;
		return $wpdb->update( $wpdb->posts, array( 'post_status' => $args['status'] ), array( 'post_type' => 'kiviCare_mail_tmp', 'post_name' => strtolower( $args['key'] ) ) );`,
		{ key, status }
	);
}

async function untilRow(
	id: number,
	done: ( row: MappingRow ) => boolean,
	timeoutMs = 30000
): Promise< MappingRow > {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const row = await mapping( id );
		if ( row && done( row ) ) {
			return row;
		}
		if ( Date.now() > deadline ) {
			throw new Error(
				`Row of ${ id } did not get there: ${ JSON.stringify( row ) }`
			);
		}
		await new Promise( ( r ) => setTimeout( r, 100 ) );
	}
}

const html = ( m: StoredMail ) => m.html ?? m.text;
/** KiviCare's Meet link e-mails in Action Scheduler (its other e-mails left out). */
const meetEmailsQueued = async ( id: number ) =>
	( await queuedEmails( id ) ).filter( ( q ) =>
		/meet_link$/.test( q.template )
	);
const meetMailsTo = ( address: string, url: string ) =>
	readMail().filter(
		( m ) => m.to.includes( address ) && html( m ).includes( url )
	);

describe( 'default settings: the booking does not wait, the link follows in the background', () => {
	it( "the patient and the doctor get KiviCare's Meet e-mails within seconds, once, with no cron run", async () => {
		clearMail();
		const id = await bookOne( '09:00' );
		const row = await untilRow( id, ( r ) => r.state === 'ready' );
		expect( row.link_in_booking_mail ).toBe( 0 );

		const mail = await waitForMail(
			( all ) =>
				all.filter( ( m ) => html( m ).includes( row.url ) ).length >=
				2,
			{ timeoutMs: 30000 }
		);
		const toPatient = mail.filter(
			( m ) =>
				m.to.includes( sc.patient.email ) &&
				html( m ).includes( row.url )
		);
		const toDoctor = mail.filter(
			( m ) =>
				m.to.includes( sc.doctor.email ) &&
				html( m ).includes( row.url )
		);
		// KiviCare's templates (their subjects), not the plugin's.
		expect( toPatient.map( ( m ) => m.subject ) ).toEqual( [
			KIVICARE_PATIENT_SUBJECT,
		] );
		expect( toDoctor ).toHaveLength( 1 );
		expect( toDoctor[ 0 ]!.subject ).toContain(
			'Video consultation link for'
		);
		// The doctor's calendar event link (its eid encodes the doctor's Google address) reaches
		// the doctor only.
		expect( html( toDoctor[ 0 ]! ) ).toContain( 'Calendar event:' );
		expect( html( toPatient[ 0 ]! ) ).not.toContain(
			'google.com/calendar'
		);
		// KiviCare sends a telemedicine patient no booking e-mail of its own without the link.
		expect(
			mail.filter(
				( m ) =>
					m.to.includes( sc.patient.email ) &&
					m.subject === 'Appointment booked'
			)
		).toEqual( [] );

		// Queued through KiviCare into Action Scheduler, and already run.
		const queued = await meetEmailsQueued( id );
		expect(
			queued.map( ( q ) => [ q.template, q.status, q.meet_link ] ).sort()
		).toEqual( [
			[ 'kiviCare_add_doctor_meet_link', 'complete', row.url ],
			[ 'kiviCare_meet_link', 'complete', row.url ],
		] );
		// Nothing more on later runs of Action Scheduler or the queue.
		await runActionScheduler();
		await runWpCron();
		expect( meetMailsTo( sc.patient.email, row.url ) ).toHaveLength( 1 );
		expect( meetMailsTo( sc.doctor.email, row.url ) ).toHaveLength( 1 );
		expect(
			readMail().filter( ( m ) => m.subject === OURS_PATIENT_SUBJECT )
		).toEqual( [] );
		expect( ( await mapping( id ) )!.state ).toBe( 'ready' );
	} );

	it( 'without Action Scheduler KiviCare cannot send, so the plugin\u2019s "link ready" e-mails go instead, once', async () => {
		await setOption( 'kc_standin_action_scheduler', 'off' );
		try {
			clearMail();
			const id = await bookOne( '10:00' );
			const row = await untilRow( id, ( r ) => r.state === 'ready' );
			await waitForMail(
				( all ) =>
					all.filter( ( m ) => html( m ).includes( row.url ) )
						.length >= 2,
				{ timeoutMs: 30000 }
			);
			expect(
				meetMailsTo( sc.patient.email, row.url ).map(
					( m ) => m.subject
				)
			).toEqual( [ OURS_PATIENT_SUBJECT ] );
			expect(
				meetMailsTo( sc.doctor.email, row.url ).map(
					( m ) => m.subject
				)
			).toEqual( [ OURS_DOCTOR_SUBJECT ] );
		} finally {
			await deleteOption( 'kc_standin_action_scheduler' );
		}
	} );

	it( "KiviCare's patient template switched off: the patient gets the plugin's e-mail, the doctor KiviCare's", async () => {
		await setTemplate( 'kiviCare_meet_link', 'draft' );
		try {
			clearMail();
			const id = await bookOne( '11:00' );
			const row = await untilRow( id, ( r ) => r.state === 'ready' );
			await waitForMail(
				( all ) =>
					all.filter( ( m ) => html( m ).includes( row.url ) )
						.length >= 2,
				{ timeoutMs: 30000 }
			);
			expect(
				meetMailsTo( sc.patient.email, row.url ).map(
					( m ) => m.subject
				)
			).toEqual( [ OURS_PATIENT_SUBJECT ] );
			const doctor = meetMailsTo( sc.doctor.email, row.url );
			expect( doctor ).toHaveLength( 1 );
			expect( doctor[ 0 ]!.subject ).toContain(
				'Video consultation link for'
			);
		} finally {
			await setTemplate( 'kiviCare_meet_link', 'publish' );
		}
	} );

	it( 'a link carried by the booking (time budget) is not announced again', async () => {
		await setSettings( { sync_budget_ms: 5000 } );
		let id = 0;
		try {
			clearMail();
			id = await bookOne( '12:00' );
		} finally {
			await setSettings( { sync_budget_ms: 0 } );
		}
		const row = ( await mapping( id ) )!;
		expect( row ).toMatchObject( {
			state: 'ready',
			link_in_booking_mail: 1,
		} );
		// KiviCare queued its Meet e-mails inside the booking; Action Scheduler sends them.
		expect(
			( await meetEmailsQueued( id ) ).map( ( q ) => q.template ).sort()
		).toEqual( [ 'kiviCare_add_doctor_meet_link', 'kiviCare_meet_link' ] );
		await runActionScheduler();
		await runWpCron();
		expect( meetMailsTo( sc.patient.email, row.url ) ).toHaveLength( 1 );
		expect( meetMailsTo( sc.doctor.email, row.url ) ).toHaveLength( 1 );
		expect(
			readMail().filter( ( m ) => m.subject === OURS_PATIENT_SUBJECT )
		).toEqual( [] );
	} );

	it( 'runners announcing the same link at once send it exactly once', async () => {
		await setBackgroundSync( false );
		let id = 0;
		try {
			id = await bookOne( '13:00' );
		} finally {
			await setBackgroundSync( true );
		}
		// Make the link without announcing it, then let four processes announce it together.
		await wpJson(
			`$row = MFK_Mappings::get_by_appointment( $args );
			$claimed = MFK_Queue_Leases::claim_one( (int) $row['id'], 60 );
			remove_all_actions( 'mfk_meeting_ready' );
			MFK_Queue_Worker::process( array( $claimed ), array( 'wait_ms' => 8000, 'timeout' => 15 ) );
			return true;`,
			id
		);
		const row = await untilRow( id, ( r ) => r.state === 'ready' );
		clearMail();
		await Promise.all(
			[ 1, 2, 3, 4 ].map( () =>
				wpJson(
					`do_action( 'mfk_meeting_ready', $args, MFK_Mappings::get_by_appointment( $args ), array( 'booking_mail_had_link' => false, 'source' => 'queue', 'url_changed' => false ) ); return true;`,
					id
				)
			)
		);
		await waitForMail(
			( all ) =>
				all.filter( ( m ) => html( m ).includes( row.url ) ).length >= 2
		);
		await runActionScheduler();
		expect( meetMailsTo( sc.patient.email, row.url ) ).toHaveLength( 1 );
		expect( meetMailsTo( sc.doctor.email, row.url ) ).toHaveLength( 1 );
		expect( await meetEmailsQueued( id ) ).toHaveLength( 2 );
	} );
} );

describe( 'the signed loopback kick', () => {
	const route = () =>
		`${ harness().url }/wp-json/meet-for-kivicare/v1/background`;

	async function signed(
		ids: number[],
		expiresIn = 60
	): Promise< Record< string, string > > {
		return wpJson(
			`$ids = implode( ',', $args['ids'] );
			$expires = time() + $args['in'];
			$nonce = bin2hex( random_bytes( 16 ) );
			return array( 'ids' => $ids, 'expires' => (string) $expires, 'nonce' => $nonce, 'signature' => MFK_Loopback_Kick::sign( $ids, $expires, $nonce ) );`,
			{ ids, in: expiresIn }
		);
	}

	async function kick( body: Record< string, string > ) {
		const res = await fetch( route(), {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams( body ),
		} );
		return { status: res.status, body: await res.json() };
	}

	it( 'refuses forged, expired, replayed and altered kicks with 403', async () => {
		const good = await signed( [ 1 ] );
		expect(
			( await kick( { ...good, signature: 'a'.repeat( 64 ) } ) ).status
		).toBe( 403 );
		expect( ( await kick( { ...good, ids: '2' } ) ).status ).toBe( 403 );
		expect( ( await kick( await signed( [ 1 ], -5 ) ) ).status ).toBe(
			403
		);
		expect( ( await kick( await signed( [ 1 ], 3600 ) ) ).status ).toBe(
			403
		);
		const first = await kick( good );
		expect( first.status ).toBe( 200 );
		expect( ( await kick( good ) ).status ).toBe( 403 );
		// Nothing but its own arguments: a missing signature is refused before anything runs.
		const { signature, ...unsigned } = good;
		expect( signature ).toMatch( /^[a-f0-9]{64}$/ );
		expect( ( await kick( unsigned ) ).status ).toBe( 400 );
	} );

	it( 'works only on due rows: a meeting waiting for its backoff is left alone', async () => {
		await setBackgroundSync( false );
		let id = 0;
		try {
			id = await bookOne( '14:00' );
		} finally {
			await setBackgroundSync( true );
		}
		await query(
			`UPDATE ${ MAPPINGS } SET attempts = 1, next_attempt_at = UTC_TIMESTAMP() + INTERVAL 1 HOUR WHERE appointment_id = ?`,
			[ id ]
		);
		const answer = await kick( await signed( [ id ] ) );
		expect( answer ).toEqual( { status: 200, body: { processed: 0 } } );
		expect( await mapping( id ) ).toMatchObject( {
			state: 'pending',
			attempts: 1,
		} );

		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
			[ id ]
		);
		expect( await kick( await signed( [ id ] ) ) ).toEqual( {
			status: 200,
			body: { processed: 1 },
		} );
		expect( ( await mapping( id ) )!.state ).toBe( 'ready' );
	} );

	it( 'PHP-FPM and LiteSpeed end the response and work in the same process; other servers use the loopback', async () => {
		const strategies = await wpJson< Record< string, string > >(
			`$s = fn( $env ) => MFK_Background_Sync::strategy( $env );
			return array(
				'fpm'        => $s( array( 'sapi' => 'fpm-fcgi', 'functions' => array( 'fastcgi_finish_request' ) ) ),
				'fpm-no-fn'  => $s( array( 'sapi' => 'fpm-fcgi', 'functions' => array() ) ),
				'litespeed'  => $s( array( 'sapi' => 'litespeed', 'functions' => array( 'litespeed_finish_request' ) ) ),
				'apache'     => $s( array( 'sapi' => 'apache2handler', 'functions' => array() ) ),
				'cli-server' => $s( array( 'sapi' => 'cli-server', 'functions' => array() ) ),
				'wp-cli'     => $s( array( 'sapi' => 'cli', 'cli' => true ) ),
				'cron'       => $s( array( 'sapi' => 'fpm-fcgi', 'functions' => array( 'fastcgi_finish_request' ), 'cron' => true ) ),
				'itself'     => $s( array( 'sapi' => 'cli-server', 'running' => true ) ),
			);`
		);
		expect( strategies ).toEqual( {
			fpm: 'finish_request',
			'fpm-no-fn': 'loopback',
			litespeed: 'finish_request',
			apache: 'loopback',
			'cli-server': 'loopback',
			'wp-cli': 'off',
			cron: 'off',
			itself: 'off',
		} );
	} );

	it( 'a site that cannot reach itself falls back to WP-Cron, and Site Health says why', async () => {
		await setOption(
			'mfk_harness_background_url',
			'http://127.0.0.1:9/wp-json/meet-for-kivicare/v1/background'
		);
		let id = 0;
		try {
			clearMail();
			id = await bookOne( '15:00' );
			const failure = await wpJson< { code: string } | false >(
				'return get_option( "mfk_loopback_failure" );'
			);
			expect( failure ).toMatchObject( { code: 'connect_failed' } );
			const health = await wpJson< { status: string; label: string } >(
				'return MFK_Site_Health::test_background();'
			);
			expect( health.status ).toBe( 'recommended' );
			expect( health.label ).toContain( 'cannot reach itself' );
			expect( ( await mapping( id ) )!.state ).toBe( 'pending' );
		} finally {
			await deleteOption( 'mfk_harness_background_url' );
		}
		// WP-Cron's next run (a page view, or system cron) makes the link and the e-mails.
		await runWpCron();
		const row = await untilRow( id, ( r ) => r.state === 'ready' );
		await waitForMail(
			( all ) =>
				all.filter( ( m ) => html( m ).includes( row.url ) ).length >=
				2,
			{ timeoutMs: 30000 }
		);
		// Reachable again: Site Health's probe succeeds and clears the failure.
		const health = await wpJson< { status: string } >(
			'return MFK_Site_Health::test_background();'
		);
		expect( health.status ).toBe( 'good' );
		expect(
			await wpJson( 'return get_option( "mfk_loopback_failure" );' )
		).toBe( false );
	} );
} );

describe( "the patient's booking confirmation (where the link will be)", () => {
	const confirmations = () =>
		readMail().filter(
			( m ) =>
				m.to.includes( sc.patient.email ) &&
				/^Your video consultation on .+ is booked$/.test( m.subject )
		);
	// Google cannot make the link for now (every events.insert answers 503).
	const googleRefusesInserts = () =>
		addFault( {
			match: { operation: 'events.insert' },
			action: { type: 'error', status: 503 },
			times: 0,
		} );
	// The WP-Cron safety net, an hour later: what it still finds to send.
	const sentByCronLater = () =>
		wpJson< number >(
			'return MFK_Booking_Confirmation::send_overdue( time() + 3600 );'
		);
	const marker = ( id: number ) =>
		wpJson< string | false >(
			'return get_option( MFK_Booking_Confirmation::MARKER_PREFIX . $args );',
			id
		);

	it( 'is not sent when the link follows within the background run: its own e-mail tells the patient', async () => {
		clearMail();
		const id = await bookOne( '08:00' );
		const row = await untilRow( id, ( r ) => r.state === 'ready' );
		await waitForMail(
			( all ) => all.some( ( m ) => html( m ).includes( row.url ) ),
			{ timeoutMs: 30000 }
		);
		// The run takes the confirmation's marker once its links are announced.
		for ( const giveUp = Date.now() + 30000; ; ) {
			if ( ( await marker( id ) ) === false ) {
				break;
			}
			if ( Date.now() > giveUp ) {
				throw new Error( 'The confirmation marker was never taken.' );
			}
			await new Promise( ( resolve ) => setTimeout( resolve, 100 ) );
		}
		// A confirmation decided on then would be in the sink by now.
		await new Promise( ( resolve ) => setTimeout( resolve, 500 ) );
		expect( confirmations() ).toEqual( [] );
	} );

	it( 'goes from the background run, once, when Google cannot make the link yet', async () => {
		await googleRefusesInserts();
		let id = 0;
		try {
			clearMail();
			id = await bookOne( '08:30' );
			await waitForMail( () => confirmations().length > 0, {
				timeoutMs: 30000,
			} );
			expect( ( await mapping( id ) )!.url ).toBe( '' );
		} finally {
			await clearFaults();
		}
		expect( confirmations() ).toHaveLength( 1 );
		expect( await marker( id ) ).toBe( false );
		// The safety net finds nothing left to send.
		expect( await sentByCronLater() ).toBe( 0 );
		expect( confirmations() ).toHaveLength( 1 );
	} );

	it( "is never sent inside the booking's request; WP-Cron sends what the background could not, once", async () => {
		await setOption(
			'mfk_harness_background_url',
			'http://127.0.0.1:9/wp-json/meet-for-kivicare/v1/background'
		);
		await deleteOption( 'mfk_loopback_failure' );
		const fault = await googleRefusesInserts();
		let id = 0;
		try {
			clearMail();
			id = await bookOne( '09:30' );
			// The booking has answered, and its confirmation waits for the background.
			expect( Number( await marker( id ) ) ).toBeGreaterThan( 0 );
			expect(
				await wpJson(
					'return (bool) wp_next_scheduled( MFK_Booking_Confirmation::CRON_HOOK );'
				)
			).toBe( true );
			await new Promise( ( resolve ) => setTimeout( resolve, 500 ) );
			expect( confirmations() ).toEqual( [] );
			// Before its grace time the safety net leaves it to the background.
			expect(
				await wpJson(
					'return MFK_Booking_Confirmation::send_overdue();'
				)
			).toBe( 0 );
			expect(
				await wpJson(
					'return MFK_Booking_Confirmation::send_overdue( time() + MFK_Booking_Confirmation::GRACE + 1 );'
				)
			).toBe( 1 );
			await waitForMail( () => confirmations().length > 0 );
			expect( await marker( id ) ).toBe( false );
			expect( await sentByCronLater() ).toBe( 0 );
			expect( confirmations() ).toHaveLength( 1 );
		} finally {
			await clearFaults();
			await deleteOption( 'mfk_harness_background_url' );
			await deleteOption( 'mfk_loopback_failure' );
		}
		expect( fault ).toBeTruthy();
		// Out of the way of the next tests: the queue makes the link.
		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
			[ id ]
		);
		await runWpCron();
		await untilRow( id, ( r ) => r.state === 'ready' );
	} );
} );

describe( 'reschedules', () => {
	it( "answer without waiting for Google's events.patch, which follows in the background", async () => {
		const id = await bookOne( '16:00' );
		const before = await untilRow( id, ( r ) => r.state === 'ready' );
		// Google holds every events.patch until the fault is removed.
		const fault = await addFault( {
			match: { operation: 'events.patch' },
			action: { type: 'hang' },
			times: 0,
		} );
		const doctor = await login( sc.doctor );
		let answered = false;
		try {
			const res = await doctor.rest( `${ KC }/appointments/${ id }`, {
				method: 'PUT',
				body: {
					appointmentStartDate: freshDate(),
					appointmentStartTime: '10:30',
					timezone: 'Europe/Berlin',
				},
			} );
			answered = true;
			expect( res.status ).toBe( 200 );
			// The answer came while Google still holds the patch: the row waits for it.
			expect( ( await mapping( id ) )!.state ).toBe( 'pending' );
		} finally {
			await clearFaults();
		}
		expect( answered ).toBe( true );
		expect( fault ).toBeTruthy();
		// The background (its retry after the held call) brings Google in line.
		const after = await untilRow(
			id,
			( r ) =>
				r.state === 'ready' &&
				r.start_utc !== before.start_utc &&
				( r as unknown as { synced_start_utc: string } )
					.synced_start_utc === r.start_utc,
			90000
		);
		expect( after.url ).toBe( before.url );
	}, 120000 );
} );
