/**
 * The queue's own mechanics with the sidecar stopped: bookings never fail, intents are
 * recorded and retried with a short backoff, the maximum age, atomic claims under concurrent
 * PHP processes, lease expiry, the WP-Cron fallback and the cost of an idle tick.
 */
import {
	clearDebugLog,
	login,
	phpProblems,
	query,
	stopSidecar,
	wpJson,
} from '../harness/testkit';
import {
	book,
	createDoctor,
	createPatient,
	createService,
	ensureClinic,
	KC,
} from '../kivicare-stand-in/test-support/standin';
import {
	freshDate,
	mapping,
	MAPPINGS,
	runQueue,
	setBackgroundSync,
} from './support/meet';

/** A doctor "connected" with a credential that is never opened (the sidecar is down). */
async function offlineScenario() {
	const { clinicId } = await ensureClinic();
	const doctor = await createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
	const patient = await createPatient();
	const service = await createService( {
		name: 'Tele offline',
		doctors: [ doctor.id ],
		telemed: true,
	} );
	await wpJson(
		`$s = get_option( 'mfk_settings', array() );
		$s = is_array( $s ) ? $s : array();
		$s['google_client_id'] = 'offline.apps.googleusercontent.com';
		$s['google_client_secret'] = 'sealed-offline';
		$s['sync_budget_ms'] = 3000;
		update_option( 'mfk_settings', $s );
		MFK_Settings::flush_cache();
		MFK_Doctor_Connection::save_connection( $args['id'], 'sealed-offline-credential', 'offline@gmail.test' );
		return true;`,
		{ id: doctor.id }
	);
	return { doctor, patient, mappingId: service.mappingIds[ 0 ]! };
}

describe( 'queue mechanics (sidecar stopped)', () => {
	beforeAll( async () => {
		// The queue's runners are under test: no background sync retries behind their back.
		await setBackgroundSync( false );
		await stopSidecar();
		clearDebugLog();
	} );

	// The placeholder credentials above never went through the sidecar's sealing; they must
	// not outlive this file on the shared instance (the secrets scan checks every stored one).
	afterAll( async () => {
		await setBackgroundSync( true );
		await wpJson(
			`foreach ( get_users( array( 'meta_key' => 'mfk_google_credential', 'meta_value' => 'sealed-offline-credential', 'fields' => 'ID' ) ) as $id ) {
				MFK_Doctor_Connection::disconnect( (int) $id, false );
			}
			return true;`
		);
	} );

	it( 'records the intent and books successfully when the sidecar is down; retries soon', async () => {
		const { doctor, patient, mappingId } = await offlineScenario();
		const session = await login( patient );
		const res = await book( session, {
			appointmentStartDate: freshDate(),
			appointmentStartTime: '10:00',
			doctorId: doctor.id,
			patientId: patient.id,
			serviceId: [ mappingId ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		const id = res.body.data.appointment_id;
		const row = await mapping( id );
		expect( row ).toMatchObject( {
			state: 'pending',
			desired: 'active',
			url: '',
			last_error_code: 'sidecar_unavailable',
			doctor_id: doctor.id,
		} );
		expect( row!.event_id ).toMatch( /^mfk[0-9a-v]{40}$/ );
		// Outages retry with a short cap (30 s) so links appear soon after the sidecar returns.
		const [ wait ] = await query< { s: number } >(
			`SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), next_attempt_at) AS s FROM ${ MAPPINGS } WHERE appointment_id = ?`,
			[ id ]
		);
		expect( Number( wait!.s ) ).toBeLessThanOrEqual( 30 );

		// The appointment shows as a video consultation without a link yet.
		const list = await session.rest( `${ KC }/appointments` );
		const item = list.body.data.appointments.find(
			( a: { id: number } ) => a.id === id
		);
		expect( item ).toMatchObject( {
			video_consultation: true,
			video_url: '',
		} );

		// A runner pass keeps it pending, counts the attempt and backs off again.
		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
			[ id ]
		);
		const before = ( await mapping( id ) )!.attempts;
		const stats = await runQueue();
		expect( stats.claimed ).toBeGreaterThanOrEqual( 1 );
		const after = await mapping( id );
		expect( after ).toMatchObject( {
			state: 'pending',
			last_error_code: 'sidecar_unavailable',
		} );
		expect( after!.attempts ).toBe( before + 1 );
		expect( after!.lease_token ).toBeNull();
	} );

	it( 'schedules an immediate WP-Cron run when the booking could not be provisioned', async () => {
		const { doctor, patient, mappingId } = await offlineScenario();
		await wpJson(
			'wp_clear_scheduled_hook( "mfk_queue_run_now" ); return true;'
		);
		const res = await book( await login( patient ), {
			appointmentStartDate: freshDate(),
			appointmentStartTime: '11:00',
			doctorId: doctor.id,
			patientId: patient.id,
			serviceId: [ mappingId ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		const next = await wpJson< number | false >(
			'return wp_next_scheduled( "mfk_queue_run_now" );'
		);
		expect( typeof next ).toBe( 'number' );
		const tick = await wpJson< number | false >(
			'return wp_next_scheduled( "mfk_queue_tick" );'
		);
		expect( typeof tick ).toBe( 'number' );
		expect(
			await wpJson( 'return wp_get_schedule( "mfk_queue_tick" );' )
		).toBe( 'mfk_every_minute' );
	} );

	it( 'gives up after the maximum age and reports the failure in an admin notice', async () => {
		const { doctor, patient, mappingId } = await offlineScenario();
		const res = await book( await login( patient ), {
			appointmentStartDate: freshDate(),
			appointmentStartTime: '12:00',
			doctorId: doctor.id,
			patientId: patient.id,
			serviceId: [ mappingId ],
			status: 1,
		} );
		const id = res.body.data.appointment_id;
		await query(
			`UPDATE ${ MAPPINGS } SET intent_at = UTC_TIMESTAMP() - INTERVAL 4 DAY, next_attempt_at = UTC_TIMESTAMP() WHERE appointment_id = ?`,
			[ id ]
		);
		await runQueue();
		const row = await mapping( id );
		expect( row ).toMatchObject( {
			state: 'failed',
			last_error_code: 'max_age_exceeded',
		} );
		expect( row!.last_error_message ).toContain( 'sidecar' );

		const admin = await login();
		const page = await ( await admin.fetch( 'wp-admin/index.php' ) ).text();
		expect( page ).toContain( 'gave up after retrying for too long' );
	} );

	it( 'claims every due row exactly once when several PHP processes claim at the same time', async () => {
		// 60 due rows for appointments that do not exist (claims do not care), then 6 processes
		// claim concurrently; each returns the ids it got and releases nothing.
		const base = 900000000 + Math.floor( Math.random() * 1000000 ) * 100;
		const values = Array.from(
			{ length: 60 },
			( _, i ) =>
				`(${ base + i }, 'pending', 'cancelled', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP())`
		);
		await query(
			`INSERT INTO ${ MAPPINGS } (appointment_id, state, desired, next_attempt_at, intent_at, created_at) VALUES ${ values.join( ',' ) }`
		);
		// Only these rows may be due during this test.
		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() + INTERVAL 1 HOUR WHERE state = 'pending' AND (appointment_id < ? OR appointment_id >= ?)`,
			[ base, base + 60 ]
		);
		const claimers = Array.from( { length: 6 }, () =>
			wpJson< number[] >(
				`$ids = array();
				for ( $i = 0; $i < 10; $i++ ) {
					foreach ( MFK_Queue_Leases::claim_due( 4, 300 ) as $row ) { $ids[] = $row['appointment_id']; }
				}
				return $ids;`
			)
		);
		const claimed = ( await Promise.all( claimers ) ).flat();
		expect( new Set( claimed ).size ).toBe( claimed.length ); // No row twice.
		expect( [ ...claimed ].sort() ).toEqual(
			Array.from( { length: 60 }, ( _, i ) => base + i ).sort()
		);

		// Leased rows are not due; once the lease has expired they come back by themselves.
		expect(
			await wpJson(
				'return count( MFK_Queue_Leases::claim_due( 100, 300 ) );'
			)
		).toBe( 0 );
		await query(
			`UPDATE ${ MAPPINGS } SET lease_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND, next_attempt_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE appointment_id BETWEEN ? AND ?`,
			[ base, base + 59 ]
		);
		const again = await wpJson< number[] >(
			'return array_map( static fn( $r ) => $r["appointment_id"], MFK_Queue_Leases::claim_due( 100, 300 ) );'
		);
		expect( again.length ).toBe( 60 );
		await query(
			`DELETE FROM ${ MAPPINGS } WHERE appointment_id BETWEEN ? AND ?`,
			[ base, base + 59 ]
		);
	} );

	it( 'an idle tick costs one query', async () => {
		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() + INTERVAL 1 HOUR WHERE state = 'pending'`
		);
		const count = await wpJson< number >(
			`MFK_Queue::run( array( 'max_seconds' => 5 ) ); // Warm-up: notes the run time.
			$n = 0;
			add_filter( 'query', static function ( $q ) use ( &$n ) { $n++; return $q; } );
			MFK_Queue::run( array( 'max_seconds' => 5 ) );
			return $n;`
		);
		expect( count ).toBe( 1 );
	} );

	it( 'backs off exponentially with jitter, short for outages, honouring Retry-After', async () => {
		const delays = await wpJson< Record< string, number[] > >(
			`$out = array();
			foreach ( array( 'sidecar_unavailable', 'rate_limited', 'unauthorized' ) as $code ) {
				foreach ( array( 1, 2, 3, 6, 12 ) as $attempt ) { $out[ $code ][] = MFK_Retry_Policy::backoff( $attempt, $code ); }
			}
			$out['retry_after'] = array( MFK_Retry_Policy::backoff( 1, 'rate_limited', 90000 ) );
			return $out;`
		);
		for ( const d of delays.sidecar_unavailable! ) {
			expect( d ).toBeGreaterThanOrEqual( 1 );
			expect( d ).toBeLessThanOrEqual( 30 );
		}
		const [ r1, r2, r3, r6, r12 ] = delays.rate_limited!;
		expect( r1 ).toBeGreaterThanOrEqual( 7 );
		expect( r1 ).toBeLessThanOrEqual( 15 );
		expect( r2 ).toBeGreaterThanOrEqual( 15 );
		expect( r3 ).toBeGreaterThanOrEqual( 30 );
		expect( r6 ).toBeGreaterThanOrEqual( 240 );
		expect( r12 ).toBeLessThanOrEqual( 3600 );
		expect( r12 ).toBeGreaterThanOrEqual( 1800 );
		expect( Math.max( ...delays.unauthorized! ) ).toBeLessThanOrEqual(
			300
		);
		expect( delays.retry_after![ 0 ] ).toBeGreaterThanOrEqual( 90 );
	} );

	it( 'left no PHP warnings in the debug log', () => {
		expect( phpProblems() ).toEqual( [] );
	} );
} );
