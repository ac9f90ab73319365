/**
 * The queue against the real sidecar and the Google emulator: a sidecar outage at booking time
 * healed by one runner pass, several runner processes at once, a replay after PHP died between
 * Google and the database, late and failed conferences, a revoked grant and the doctor's
 * reconnection, and WP-Cron as the entry point.
 */
import {
	clearDebugLog,
	login,
	phpProblems,
	runWpCron,
	startSidecar,
	stopSidecar,
	type Session,
} from '../harness/testkit';
import { book } from '../kivicare-stand-in/test-support/standin';
import {
	addFault,
	calendarEvents,
	configureMeet,
	connectDoctor,
	emulatorCounters,
	installTestHooks,
	mapping,
	parkPendingRows,
	recordedActions,
	removeTestHooks,
	revokeGoogleAccount,
	runQueue,
	setEmulatorConfig,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';
import { query, wpJson } from '../harness/testkit';

const YEAR = new Date().getUTCFullYear() + 1;

describe( 'queue with the sidecar and Google', () => {
	let sc: Scenario;
	let patient: Session;
	let hour = 0;

	/** Books the next free hour of a given day for the scenario's doctor. */
	async function bookNext( day: string ): Promise< number > {
		const time = `${ String( hour++ % 24 ).padStart( 2, '0' ) }:00`;
		const res = await book( patient, {
			appointmentStartDate: day,
			appointmentStartTime: time,
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ sc.mappingId ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		return res.body.data.appointment_id;
	}

	async function eventsFor( id: number ) {
		return ( await calendarEvents( sc.doctorEmail ) ).filter(
			( e ) =>
				e.extendedProperties?.private?.mfkAppointmentId === String( id )
		);
	}

	beforeAll( async () => {
		await installTestHooks();
		await configureMeet( { sync_budget_ms: 3000 } );
		// The queue's own runners are under test here: nothing is made behind their back.
		await setBackgroundSync( false );
		sc = await telemedScenario();
		patient = await login( sc.patient );
		clearDebugLog();
	} );

	afterAll( async () => {
		await setEmulatorConfig( {
			conferenceDelayMs: 0,
			calendarConferenceOutcomes: {
				[ sc.doctorEmail.toLowerCase() ]: null,
			},
		} );
		await setSettings( { sync_budget_ms: 3000 } );
		await setBackgroundSync( true );
		await removeTestHooks();
		await startSidecar();
	} );

	it( 'books while the sidecar is down; once it is back, one queue run provisions the link', async () => {
		await parkPendingRows();
		await stopSidecar();
		let id = 0;
		try {
			id = await bookNext( `${ YEAR }-01-20` );
			expect( await mapping( id ) ).toMatchObject( {
				state: 'pending',
				url: '',
				last_error_code: 'sidecar_unavailable',
			} );
		} finally {
			await startSidecar();
		}
		// The outage backoff is short; make the row due now instead of waiting for it.
		await query(
			'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?',
			[ id ]
		);
		const stats = await runQueue();
		expect( stats ).toMatchObject( { claimed: 1, ready: 1 } );
		const row = await mapping( id );
		expect( row ).toMatchObject( {
			state: 'ready',
			last_error_code: '',
			link_in_booking_mail: 0,
		} );
		const events = await eventsFor( id );
		expect( events ).toHaveLength( 1 );
		expect( events[ 0 ]!.hangoutLink ).toBe( row!.url );
		// The booking e-mail had no link: listeners are told so (they send the "link ready" notice).
		expect( await recordedActions( id ) ).toEqual( [
			expect.objectContaining( {
				hook: 'mfk_meeting_ready',
				context: expect.objectContaining( {
					booking_mail_had_link: false,
					source: 'queue',
				} ),
			} ),
		] );
	} );

	it( 'several runner processes at once provision every appointment exactly once', async () => {
		await setSettings( { sync_budget_ms: 0 } ); // Everything goes to the queue.
		const ids: number[] = [];
		for ( let i = 0; i < 12; i++ ) {
			ids.push( await bookNext( `${ YEAR }-01-21` ) );
		}
		for ( const id of ids ) {
			expect( ( await mapping( id ) )!.state ).toBe( 'pending' );
		}
		await parkPendingRows();
		await query(
			`UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id IN (${ ids.join( ',' ) })`
		);
		const insertsBefore =
			( await emulatorCounters() )[ 'events.insert' ] ?? 0;
		const runs = await Promise.all(
			[ 1, 2, 3, 4 ].map( () => runQueue( [ '--batch-size=3' ] ) )
		);
		const claimed = runs.reduce( ( sum, r ) => sum + r.claimed, 0 );
		expect( claimed ).toBeGreaterThanOrEqual( 12 );
		expect( runs.reduce( ( sum, r ) => sum + r.lost, 0 ) ).toBe( 0 );

		for ( const id of ids ) {
			const row = await mapping( id );
			expect( row!.state ).toBe( 'ready' );
			const events = await eventsFor( id );
			expect( events ).toHaveLength( 1 );
			expect( events[ 0 ]!.hangoutLink ).toBe( row!.url );
		}
		const insertsAfter =
			( await emulatorCounters() )[ 'events.insert' ] ?? 0;
		expect( insertsAfter - insertsBefore ).toBe( 12 );
		await setSettings( { sync_budget_ms: 3000 } );
	} );

	it( 'adopts the event when PHP died after Google created it but before the database write', async () => {
		await setSettings( { sync_budget_ms: 0 } );
		const id = await bookNext( `${ YEAR }-01-22` );
		// What the dead worker did: the sidecar call, without the database write.
		const created = await wpJson< { meetUrl: string; created: boolean } >(
			`$row = MFK_Mappings::get_by_appointment( $args['id'] );
			$fields = MFK_Doctor_Connection::request_fields( $row['doctor_id'] );
			$zone = $row['timezone'];
			$start = new DateTimeImmutable( $row['start_utc'], new DateTimeZone( 'UTC' ) );
			$end = new DateTimeImmutable( $row['end_utc'], new DateTimeZone( 'UTC' ) );
			$r = MFK_Sidecar_Client::instance()->post( '/v1/meetings/ensure', $fields + array(
				'appointmentId' => $args['id'], 'revision' => 0, 'calendarId' => 'primary', 'summary' => 'Video consultation',
				'start' => array( 'dateTime' => MFK_Appointments::rfc3339( $start, $zone ), 'timeZone' => $zone ),
				'end' => array( 'dateTime' => MFK_Appointments::rfc3339( $end, $zone ), 'timeZone' => $zone ),
				'attendees' => array(), 'sendUpdates' => 'none', 'waitMs' => 2000,
			), array( 'timeout' => 10 ) );
			if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
			return $r;`,
			{ id }
		);
		expect( created.created ).toBe( true );
		expect( ( await mapping( id ) )!.url ).toBe( '' );

		await query(
			'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?',
			[ id ]
		);
		await runQueue();
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'ready', url: created.meetUrl } );
		expect( await eventsFor( id ) ).toHaveLength( 1 );
		await setSettings( { sync_budget_ms: 3000 } );
	} );

	it( 'a Google answer slower than the time budget leaves the booking to the queue, which adopts the event', async () => {
		await setSettings( { sync_budget_ms: 1000 } );
		const fault = await addFault( {
			match: { operation: 'events.insert' },
			action: { type: 'delay', ms: 3000 },
			times: 1,
		} );
		let id = 0;
		try {
			id = await bookNext( `${ YEAR }-01-28` );
		} finally {
			await setSettings( { sync_budget_ms: 3000 } );
		}
		expect( fault ).toEqual( expect.any( String ) );
		expect( await mapping( id ) ).toMatchObject( {
			state: 'pending',
			url: '',
		} );
		// Meanwhile Google finished the insert the sidecar had started.
		await new Promise( ( resolve ) => setTimeout( resolve, 3500 ) );
		await query(
			'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?',
			[ id ]
		);
		await runQueue();
		const row = await mapping( id );
		expect( row!.state ).toBe( 'ready' );
		const events = await eventsFor( id );
		expect( events ).toHaveLength( 1 );
		expect( events[ 0 ]!.hangoutLink ).toBe( row!.url );
	} );

	it( 'a conference Google finishes late is picked up by the queue', async () => {
		await setEmulatorConfig( { conferenceDelayMs: 6000 } );
		await setSettings( { sync_budget_ms: 1000 } );
		let id = 0;
		try {
			id = await bookNext( `${ YEAR }-01-23` );
		} finally {
			await setEmulatorConfig( { conferenceDelayMs: 0 } );
			await setSettings( { sync_budget_ms: 3000 } );
		}
		const pending = await mapping( id );
		expect( pending ).toMatchObject( { state: 'pending', url: '' } );
		expect( await eventsFor( id ) ).toHaveLength( 1 ); // The event exists; its Meet does not yet.
		await new Promise( ( resolve ) => setTimeout( resolve, 6500 ) );
		await query(
			'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?',
			[ id ]
		);
		await runQueue();
		const row = await mapping( id );
		expect( row!.state ).toBe( 'ready' );
		const events = await eventsFor( id );
		expect( events ).toHaveLength( 1 );
		expect( events[ 0 ]!.hangoutLink ).toBe( row!.url );
	} );

	it( 'a conference that keeps failing is retried with new revisions, then reported', async () => {
		await setEmulatorConfig( {
			calendarConferenceOutcomes: {
				[ sc.doctorEmail.toLowerCase() ]: 'failure',
			},
		} );
		let id = 0;
		try {
			id = await bookNext( `${ YEAR }-01-24` );
			for ( let i = 0; i < 4; i++ ) {
				await query(
					'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ? AND state = "pending"',
					[ id ]
				);
				await runQueue();
			}
		} finally {
			await setEmulatorConfig( {
				calendarConferenceOutcomes: {
					[ sc.doctorEmail.toLowerCase() ]: null,
				},
			} );
		}
		const row = await mapping( id );
		expect( row ).toMatchObject( {
			state: 'failed',
			last_error_code: 'conference_failed',
			revision: 2,
		} );
		expect( await eventsFor( id ) ).toHaveLength( 1 );
		expect(
			( await recordedActions( id ) ).map( ( a ) => a.hook )
		).toContain( 'mfk_meeting_failed' );

		// "Regenerate" (or an admin retry) asks for a fresh conference, which now succeeds.
		const doctor = await login( sc.doctor );
		const res = await doctor.rest(
			`kivicare/v1/appointments/${ id }/regenerate-video-conference`
		);
		expect( res.status ).toBe( 200 );
		const fixed = await mapping( id );
		expect( fixed ).toMatchObject( { state: 'ready', revision: 3 } );
		const events = await eventsFor( id );
		expect( events ).toHaveLength( 1 );
		expect( events[ 0 ]!.hangoutLink ).toBe( fixed!.url );
	} );

	it( 'a revoked grant fails the meeting, flags the doctor, and reconnecting replays it', async () => {
		await revokeGoogleAccount( sc.doctorEmail );
		const id = await bookNext( `${ YEAR }-01-25` ); // Booking still succeeds.
		expect( await mapping( id ) ).toMatchObject( {
			state: 'failed',
			last_error_code: 'token_revoked',
		} );
		const status = await wpJson< { status: string; code: string } >(
			'return MFK_Doctor_Connection::get( $args["id"] );',
			{ id: sc.doctor.id }
		);
		expect( status ).toMatchObject( {
			status: 'reconnect_needed',
			code: 'token_revoked',
		} );
		// The next booking of that doctor fails fast, without calling Google.
		const second = await bookNext( `${ YEAR }-01-25` );
		expect( await mapping( second ) ).toMatchObject( {
			state: 'failed',
			last_error_code: 'token_revoked',
		} );

		const admin = await login();
		const page = await ( await admin.fetch( 'wp-admin/index.php' ) ).text();
		expect( page ).toContain( 'must reconnect their Google account' );

		await connectDoctor( sc.doctor, sc.doctorEmail );
		expect(
			await wpJson(
				'return MFK_Doctor_Connection::get( $args["id"] )["status"];',
				{ id: sc.doctor.id }
			)
		).toBe( 'active' );
		for ( const appointment of [ id, second ] ) {
			expect( ( await mapping( appointment ) )!.state ).toBe( 'pending' );
		}
		await runQueue();
		for ( const appointment of [ id, second ] ) {
			const row = await mapping( appointment );
			expect( row!.state ).toBe( 'ready' );
			expect( await eventsFor( appointment ) ).toHaveLength( 1 );
		}
	} );

	it( 'a runner started with --max-seconds keeps polling and picks up work that becomes due', async () => {
		await setSettings( { sync_budget_ms: 0 } );
		let id = 0;
		try {
			id = await bookNext( `${ YEAR }-01-27` );
		} finally {
			await setSettings( { sync_budget_ms: 3000 } );
		}
		await parkPendingRows();
		await query(
			'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() + INTERVAL 2 SECOND WHERE appointment_id = ?',
			[ id ]
		);
		const stats = await runQueue( [ '--max-seconds=5' ] );
		expect( stats ).toMatchObject( { claimed: 1, ready: 1 } );
		expect( ( await mapping( id ) )!.state ).toBe( 'ready' );
		expect( await eventsFor( id ) ).toHaveLength( 1 );
	} );

	it( 'WP-Cron runs the queue when a request could not finish provisioning', async () => {
		await stopSidecar();
		let id = 0;
		try {
			id = await bookNext( `${ YEAR }-01-26` );
		} finally {
			await startSidecar();
		}
		expect(
			typeof ( await wpJson(
				'return wp_next_scheduled( "mfk_queue_run_now" );'
			) )
		).toBe( 'number' );
		await query(
			'UPDATE wp_kc_appointment_google_meet_mappings SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?',
			[ id ]
		);
		await runWpCron();
		expect( ( await mapping( id ) )!.state ).toBe( 'ready' );
		expect( await eventsFor( id ) ).toHaveLength( 1 );
	} );

	it( 'left no PHP warnings in the debug log', () => {
		expect( phpProblems() ).toEqual( [] );
	} );
} );
