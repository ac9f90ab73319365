/**
 * Who came, through WordPress: after a consultation's end (plus the grace period) the queue
 * reads the space's conference records through the sidecar and records per appointment the
 * call, each participant (name, kind, first join, last leave, minutes) and the outcome; the
 * `mfk_meeting_attendance` action fires; staff read it through REST, patients get 403; a
 * consultation nobody joined is looked at again a bounded number of times before "not held".
 */
import {
	createUser,
	harness,
	login,
	query,
	wpJson,
	type Session,
} from '../harness/testkit';
import { book } from '../kivicare-stand-in/test-support/standin';
import {
	MAPPINGS,
	configureMeet,
	freshDate,
	mapping,
	telemedScenario,
	type Scenario,
} from './support/meet';

const ATTENDANCE = 'wp_mfk_meet_attendance';

/** RFC 3339 `minutes` from now. */
const at = ( minutes: number ) =>
	new Date( Date.now() + minutes * 60000 ).toISOString();

async function call( code: string, participants: unknown[] ) {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/meet/calls`,
		{
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify( { meetingCode: code, participants } ),
		}
	);
	expect( res.status ).toBe( 201 );
}

/** Runs the queue in one PHP process and returns the attendance actions it fired. */
function runAndRecord(): Promise< Array< [ number, Record< string, any > ] > > {
	return wpJson(
		`$got = array();
		add_action( 'mfk_meeting_attendance', static function ( $id, $a ) use ( &$got ) { $got[] = array( $id, $a ); }, 10, 2 );
		MFK_Meet_Access::wake();
		MFK_Queue::run( array( 'max_seconds' => 20 ) );
		return $got;`
	);
}

/** A booked consultation whose link exists, moved to have ended `endedMinutesAgo` ago. */
async function pastConsultation(
	sc: Scenario,
	patient: Session,
	endedMinutesAgo: number
): Promise< { id: number; code: string } > {
	const booked = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '11:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	const id = booked.body.data.appointment_id as number;
	const row = await mapping( id );
	expect( row?.url ).toMatch( /^https:\/\/meet\.google\.com\// );
	await query(
		`UPDATE ${ MAPPINGS } SET start_utc = UTC_TIMESTAMP() - INTERVAL ? MINUTE, end_utc = UTC_TIMESTAMP() - INTERVAL ? MINUTE WHERE appointment_id = ?`,
		[ endedMinutesAgo + 30, endedMinutesAgo, id ]
	);
	return { id, code: row!.url.split( '/' ).pop() as string };
}

let sc: Scenario;
let patient: Session;

beforeAll( async () => {
	// Tables of schema 5 on an instance upgraded in place.
	await wpJson(
		'update_option( "mfk_db_version", "4" ); MFK_Schema::maybe_upgrade(); return true;'
	);
	await configureMeet( { sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	patient = await login( sc.patient );
} );

describe( 'attendance', () => {
	test( 'a held consultation: recorded, the action fires, staff see it, the patient is refused', async () => {
		const { id, code } = await pastConsultation( sc, patient, 20 );
		await call( code, [
			{
				kind: 'signedin',
				email: sc.doctorEmail,
				displayName: 'Dr Test',
				sessions: [ { startTime: at( -50 ), endTime: at( -22 ) } ],
			},
			{
				kind: 'anonymous',
				displayName: 'Patient P.',
				sessions: [ { startTime: at( -48 ), endTime: at( -23 ) } ],
			},
		] );
		const fired = await runAndRecord();
		const mine = fired.filter( ( [ appointment ] ) => appointment === id );
		expect( mine ).toHaveLength( 1 );
		expect( mine[ 0 ]![ 1 ] ).toMatchObject( {
			state: 'recorded',
			outcome: 'held',
			held: true,
			calls: 1,
		} );
		const rows = await query< Record< string, any > >(
			`SELECT * FROM ${ ATTENDANCE } WHERE appointment_id = ?`,
			[ id ]
		);
		expect( rows[ 0 ] ).toMatchObject( {
			state: 'recorded',
			outcome: 'held',
		} );

		const doctor = await login( sc.doctor );
		const seen = await doctor.rest(
			`meet-for-kivicare/v1/appointments/${ id }/attendance`
		);
		expect( seen.status ).toBe( 200 );
		expect( seen.body.participants ).toEqual( [
			expect.objectContaining( {
				kind: 'signedin',
				displayName: 'Dr Test',
				doctor: true,
				minutes: 28,
			} ),
			expect.objectContaining( {
				kind: 'anonymous',
				displayName: 'Patient P.',
				doctor: false,
				minutes: 25,
			} ),
		] );
		expect( JSON.stringify( seen.body ) ).not.toContain( sc.doctorEmail );
		const admin = await login( sc.clinicAdmin );
		expect(
			(
				await admin.rest(
					`meet-for-kivicare/v1/appointments/${ id }/attendance`
				)
			).status
		).toBe( 200 );
		expect(
			(
				await patient.rest(
					`meet-for-kivicare/v1/appointments/${ id }/attendance`
				)
			).status
		).toBe( 403 );
		const other = await login( await createUser( 'kiviCare_doctor' ) );
		expect(
			(
				await other.rest(
					`meet-for-kivicare/v1/appointments/${ id }/attendance`
				)
			).status
		).toBe( 403 );

		// The Meet panel: the doctor reads who came, the patient reads nothing of it.
		const panel = await doctor.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting?render=1`
		);
		expect( panel.body.html ).toContain( 'data-mfk-outcome="held"' );
		expect( panel.body.html ).toContain( 'The consultation took place.' );
		const theirs = await patient.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting?render=1`
		);
		expect( theirs.status ).toBe( 200 );
		expect( theirs.body.html ).not.toContain( 'mfk-meet__attendance' );
		expect( theirs.body.html ).not.toContain( 'Dr Test' );

		// Recorded once: a later run does not fire again.
		const again = await runAndRecord();
		expect( again.filter( ( [ a ] ) => a === id ) ).toHaveLength( 0 );
	} );

	test( 'the doctor alone: patient no-show', async () => {
		const { id, code } = await pastConsultation( sc, patient, 20 );
		await call( code, [
			{
				kind: 'signedin',
				email: sc.doctorEmail,
				displayName: 'Dr Test',
				sessions: [ { startTime: at( -50 ), endTime: at( -25 ) } ],
			},
		] );
		const fired = await runAndRecord();
		expect( fired.find( ( [ a ] ) => a === id )?.[ 1 ] ).toMatchObject( {
			outcome: 'patient_no_show',
			held: false,
		} );
	} );

	test( 'nobody joined: looked at again a bounded number of times, then not held', async () => {
		const { id } = await pastConsultation( sc, patient, 20 );
		expect(
			( await runAndRecord() ).filter( ( [ a ] ) => a === id )
		).toHaveLength( 0 );
		const first = await query< Record< string, any > >(
			`SELECT * FROM ${ ATTENDANCE } WHERE appointment_id = ?`,
			[ id ]
		);
		expect( first[ 0 ] ).toMatchObject( {
			state: 'pending',
			reason: 'no_record_yet',
			looks: 1,
		} );
		let last: Array< [ number, Record< string, any > ] > = [];
		for ( let i = 0; i < 5 && last.length === 0; i++ ) {
			await query(
				`UPDATE ${ ATTENDANCE } SET next_attempt_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE appointment_id = ?`,
				[ id ]
			);
			last = ( await runAndRecord() ).filter( ( [ a ] ) => a === id );
		}
		expect( last ).toHaveLength( 1 );
		expect( last[ 0 ]![ 1 ] ).toMatchObject( {
			outcome: 'not_held',
			calls: 0,
		} );
		const row = await query< Record< string, any > >(
			`SELECT looks FROM ${ ATTENDANCE } WHERE appointment_id = ?`,
			[ id ]
		);
		expect( Number( row[ 0 ]!.looks ) ).toBe( 4 );
	} );

	test( "the patient's attendance in WordPress's privacy tools: exported, then erased", async () => {
		const { id, code } = await pastConsultation( sc, patient, 20 );
		await call( code, [
			{
				kind: 'anonymous',
				displayName: 'Patient Privacy',
				sessions: [ { startTime: at( -45 ), endTime: at( -30 ) } ],
			},
		] );
		await runAndRecord();
		const exported = await wpJson< { data: any[]; done: boolean } >(
			`$e = apply_filters( 'wp_privacy_personal_data_exporters', array() );
			return call_user_func( $e['meet-for-kivicare']['callback'], $args, 1 );`,
			sc.patient.email
		);
		const item = exported.data.find(
			( d ) => d.item_id === `mfk-attendance-${ id }`
		);
		expect( item?.data ).toEqual(
			expect.arrayContaining( [
				{ name: 'Outcome', value: 'doctor_no_show' },
				expect.objectContaining( {
					name: 'Participants',
					value: expect.stringContaining( 'Patient Privacy' ),
				} ),
			] )
		);
		const erased = await wpJson< { items_removed: number; done: boolean } >(
			`$e = apply_filters( 'wp_privacy_personal_data_erasers', array() );
			return call_user_func( $e['meet-for-kivicare']['callback'], $args, 1 );`,
			sc.patient.email
		);
		expect( erased.items_removed ).toBeGreaterThanOrEqual( 1 );
		expect(
			await query(
				`SELECT 1 FROM ${ ATTENDANCE } WHERE appointment_id = ?`,
				[ id ]
			)
		).toHaveLength( 0 );
	} );

	test( 'records older than the retention are purged by the queue', async () => {
		await query(
			`INSERT INTO ${ ATTENDANCE } (appointment_id, state, outcome, participants, updated_at) VALUES (?, 'recorded', 'held', '[]', UTC_TIMESTAMP() - INTERVAL 400 DAY)`,
			[ 9000001 ]
		);
		await runAndRecord();
		expect(
			await query(
				`SELECT 1 FROM ${ ATTENDANCE } WHERE appointment_id = ?`,
				[ 9000001 ]
			)
		).toHaveLength( 0 );
	} );
} );
