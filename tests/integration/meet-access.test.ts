/**
 * Who may join without knocking, through WordPress: the clinic's access type reaches the Meet
 * space of a booked consultation (emulator), the patient is a guest of the event, the state is
 * recorded per appointment; a doctor who unticked the Meet scope keeps a working link and the
 * state says a grant is needed until they grant it; Google's refusals are recorded, never fatal.
 */
import {
	harness,
	login,
	query,
	wpJson,
	type Session,
} from '../harness/testkit';
import { book, KC } from '../kivicare-stand-in/test-support/standin';
import {
	addFault,
	calendarEvents,
	clearFaults,
	configureMeet,
	connectDoctor,
	createPatient,
	drainQueue,
	emulatorCounters,
	freshDate,
	mapping,
	MAPPINGS,
	revokeGoogleAccount,
	runQueue,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

const ACCESS = 'wp_mfk_meet_access';

async function space( url: string ): Promise< Record< string, string > > {
	const code = url.split( '/' ).pop();
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/meet/spaces/${ code }`
	);
	return ( ( await res.json() ) as { config: Record< string, string > } )
		.config;
}

async function accessRow( appointmentId: number ) {
	const rows = await query< Record< string, any > >(
		`SELECT * FROM ${ ACCESS } WHERE appointment_id = ?`,
		[ appointmentId ]
	);
	return rows[ 0 ];
}

async function bookFor(
	sc: Scenario,
	patient: Session,
	time = '10:00',
	date = freshDate()
) {
	const booked = await book( patient, {
		appointmentStartDate: date,
		appointmentStartTime: time,
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	return booked.body.data.appointment_id as number;
}

/** The event's guests' e-mails (lower case). */
async function guestsOf( sc: Scenario, id: number ): Promise< string[] > {
	const event = ( await calendarEvents( sc.doctorEmail ) ).find(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId === String( id )
	);
	expect( event ).toBeDefined();
	return ( event?.attendees ?? [] ).map( ( a: { email: string } ) =>
		a.email.toLowerCase()
	);
}

/**
 * Staff give the appointment another patient in KiviCare's edit form (same time); the
 * queue drains. Answers the Calendar writes made (counted at the emulator).
 */
async function changePatient(
	sc: Scenario,
	id: number,
	date: string,
	patientId: number
) {
	const before = await emulatorCounters();
	const doctor = await login( sc.doctor );
	const res = await doctor.rest( `${ KC }/appointments/${ id }`, {
		method: 'PUT',
		body: {
			appointmentStartDate: date,
			appointmentStartTime: '10:00',
			patientId,
		},
	} );
	expect( res.status ).toBe( 200 );
	await drainQueue();
	const after = await emulatorCounters();
	const writes: Record< string, number > = {};
	for ( const [ op, n ] of Object.entries( after ) ) {
		if (
			op.startsWith( 'events.' ) &&
			op !== 'events.get' &&
			n > ( before[ op ] ?? 0 )
		) {
			writes[ op ] = n - ( before[ op ] ?? 0 );
		}
	}
	return writes;
}

afterAll( async () => {
	await setBackgroundSync( true );
	await clearFaults();
	await setSettings( { meet_access_type: 'RESTRICTED' } );
} );

describe( 'Meet access type', () => {
	test( 'RESTRICTED by default: the patient is a guest, the space is set, the state applied', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		expect(
			await wpJson( 'return MFK_Settings::get( "meet_access_type" );' )
		).toBe( 'RESTRICTED' );
		const sc = await telemedScenario();
		const patient = await login( sc.patient );
		const id = await bookFor( sc, patient );
		const row = await mapping( id );
		expect( row?.url ).toMatch( /^https:\/\/meet\.google\.com\// );
		const event = ( await calendarEvents( sc.doctorEmail ) ).find(
			( e ) =>
				e.extendedProperties?.private?.mfkAppointmentId === String( id )
		);
		expect(
			( event?.attendees ?? [] ).map( ( a: { email: string } ) =>
				a.email.toLowerCase()
			)
		).toContain( sc.patient.email.toLowerCase() );
		expect( ( await space( row!.url ) ).accessType ).toBe( 'OPEN' );

		await runQueue();
		expect( ( await space( row!.url ) ).accessType ).toBe( 'RESTRICTED' );
		expect( await accessRow( id ) ).toMatchObject( {
			state: 'applied',
			access_type: 'RESTRICTED',
			reason: '',
			meeting_code: row!.url.split( '/' ).pop(),
		} );

		// The clinic changes its setting: the space follows on the next run.
		await setSettings( { meet_access_type: 'TRUSTED' } );
		await runQueue();
		expect( ( await space( row!.url ) ).accessType ).toBe( 'TRUSTED' );
		expect( ( await accessRow( id ) )?.access_type ).toBe( 'TRUSTED' );
		await setSettings( { meet_access_type: 'RESTRICTED' } );
	} );

	test( 'another patient: one events.patch, the new patient is the guest, the old one is not', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		await setBackgroundSync( false );
		const sc = await telemedScenario();
		const date = freshDate();
		const id = await bookFor(
			sc,
			await login( sc.patient ),
			'10:00',
			date
		);
		await drainQueue();
		const old = sc.patient.email.toLowerCase();
		expect( await guestsOf( sc, id ) ).toContain( old );
		const other = await createPatient( 'Other' );

		expect( await changePatient( sc, id, date, other.id ) ).toEqual( {
			'events.patch': 1,
		} );
		const guests = await guestsOf( sc, id );
		expect( guests ).toContain( other.email.toLowerCase() );
		expect( guests ).not.toContain( old );
		expect( await mapping( id ) ).toMatchObject( {
			state: 'ready',
			sync_state: 'in_step',
		} );
		// Saving it again unchanged calls Google for nothing.
		expect( await changePatient( sc, id, date, other.id ) ).toEqual( {} );
		await setBackgroundSync( true );
	} );

	test( 'OPEN without add_patient_as_attendee: no patient e-mail in the event, before or after a patient change', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		await setSettings( {
			meet_access_type: 'OPEN',
			add_patient_as_attendee: false,
		} );
		await setBackgroundSync( false );
		try {
			const sc = await telemedScenario();
			const date = freshDate();
			const id = await bookFor(
				sc,
				await login( sc.patient ),
				'10:00',
				date
			);
			await drainQueue();
			const other = await createPatient( 'Other' );
			expect( await guestsOf( sc, id ) ).not.toContain(
				sc.patient.email.toLowerCase()
			);
			expect( await changePatient( sc, id, date, other.id ) ).toEqual(
				{}
			);
			const guests = await guestsOf( sc, id );
			expect( guests ).not.toContain( sc.patient.email.toLowerCase() );
			expect( guests ).not.toContain( other.email.toLowerCase() );
		} finally {
			await setBackgroundSync( true );
			await setSettings( { meet_access_type: 'RESTRICTED' } );
		}
	} );

	test( 'a doctor without the Meet scope: link works, state needs_grant until they grant it', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		const sc = await telemedScenario( { connect: false } );
		const email = await connectDoctor( sc.doctor, undefined, [
			'meetings.space.settings',
			'meetings.space.readonly',
		] );
		sc.doctorEmail = email;
		const patient = await login( sc.patient );
		const id = await bookFor( sc, patient );
		await runQueue();
		const row = await mapping( id );
		expect( row ).toMatchObject( { link_state: 'ready', state: 'ready' } );
		expect( row?.url ).toMatch( /^https:\/\/meet\.google\.com\// );
		expect( await accessRow( id ) ).toMatchObject( {
			state: 'needs_grant',
			reason: 'insufficient_scope',
		} );
		expect( ( await space( row!.url ) ).accessType ).toBe( 'OPEN' );
		// The doctor's panel asks for the grant; staff see why; the patient is refused.
		const doctor = await login( sc.doctor );
		const connection = await doctor.rest(
			'meet-for-kivicare/v1/connection'
		);
		expect( connection.body.meet_access ).toBe( 'needs_grant' );
		const staff = await doctor.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/access`
		);
		expect( staff.status ).toBe( 200 );
		expect( staff.body ).toEqual( {
			state: 'needs_grant',
			accessType: 'RESTRICTED',
			reason: 'insufficient_scope',
			artifacts: '',
		} );
		const panel = await doctor.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting?render=1`
		);
		expect( panel.body.html ).toContain( 'data-mfk-access="needs_grant"' );
		const patientPanel = await patient.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting?render=1`
		);
		expect( patientPanel.body.html ).toContain( row!.url );
		expect( patientPanel.body.html ).not.toContain( 'mfk-meet__access' );
		const asPatient = await patient.rest(
			`meet-for-kivicare/v1/appointments/${ id }/meeting/access`
		);
		expect( asPatient.status ).toBe( 403 );
		// Another run does not call Google again before the grant.
		await runQueue();
		expect( ( await accessRow( id ) )?.state ).toBe( 'needs_grant' );

		// The doctor grants the scope (incremental consent): the space is set on the next run.
		await connectDoctor( sc.doctor, email );
		await runQueue();
		expect( ( await accessRow( id ) )?.state ).toBe( 'applied' );
		expect( ( await space( row!.url ) ).accessType ).toBe( 'RESTRICTED' );
		expect(
			( await doctor.rest( 'meet-for-kivicare/v1/connection' ) ).body
				.meet_access
		).toBe( 'ok' );
		expect( ( await mapping( id ) )?.url ).toBe( row!.url );
	} );

	test( 'Google refuses the patch (403): recorded as not applied, the link stays', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		const sc = await telemedScenario();
		const patient = await login( sc.patient );
		const id = await bookFor( sc, patient );
		const url = ( await mapping( id ) )!.url;
		await addFault( {
			match: { operation: 'spaces.patch' },
			action: { type: 'error', status: 403, reason: 'forbidden' },
		} );
		await runQueue();
		await clearFaults();
		expect( await accessRow( id ) ).toMatchObject( {
			state: 'not_applied',
			reason: 'google_error',
		} );
		expect( await mapping( id ) ).toMatchObject( {
			url,
			link_state: 'ready',
		} );
	} );

	test( 'a doctor who revoked access: the link stays, the state says why, nothing is retried in a loop', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		const sc = await telemedScenario();
		const patient = await login( sc.patient );
		const id = await bookFor( sc, patient );
		const url = ( await mapping( id ) )!.url;
		await revokeGoogleAccount( sc.doctorEmail );
		await runQueue();
		expect( await accessRow( id ) ).toMatchObject( {
			state: 'not_applied',
			reason: 'token_revoked',
		} );
		expect( await mapping( id ) ).toMatchObject( {
			url,
			link_state: 'ready',
		} );
		const attempts = Number( ( await accessRow( id ) )!.attempts );
		await runQueue();
		expect( Number( ( await accessRow( id ) )!.attempts ) ).toBe(
			attempts
		);
	} );

	test( 'a retry whose meeting was cancelled meanwhile does not wake the Meet steps on every tick', async () => {
		await configureMeet( { sync_budget_ms: 5000 } );
		const sc = await telemedScenario();
		const id = await bookFor( sc, await login( sc.patient ) );
		await runQueue();
		expect( ( await accessRow( id ) )?.state ).toBe( 'applied' );
		// The step had failed and was to be retried a minute ago; then the meeting was cancelled.
		await query(
			`UPDATE ${ ACCESS } SET state = 'pending', reason = 'sidecar_unavailable', attempts = 1, next_attempt_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE WHERE appointment_id = ?`,
			[ id ]
		);
		await query(
			`UPDATE ${ MAPPINGS } SET state = 'cancelled', desired = 'cancelled', link_state = 'none' WHERE appointment_id = ?`,
			[ id ]
		);
		// Other tests' retries out of the way.
		await query(
			`UPDATE ${ ACCESS } SET next_attempt_at = UTC_TIMESTAMP() + INTERVAL 1 HOUR WHERE state IN ( 'pending', 'needs_grant' ) AND appointment_id <> ?`,
			[ id ]
		);
		const wakesIn = await wpJson< number >(
			`MFK_Meet_Access::wake();
			MFK_Meet_Access::run_steps( microtime( true ) + 20 );
			return (int) get_option( MFK_Meet_Access::NEXT_DUE_OPTION ) - time();`
		);
		// Not now (every tick would run both steps' queries again), and the row is left alone.
		expect( wakesIn ).toBeGreaterThan( 0 );
		const row = await accessRow( id );
		expect( [ row?.state, Number( row?.attempts ) ] ).toEqual( [
			'pending',
			1,
		] );
	} );

	test( 'OPEN: the patient guest setting applies as before; the settings API validates', async () => {
		await setSettings( {
			meet_access_type: 'OPEN',
			add_patient_as_attendee: false,
		} );
		expect(
			await wpJson( 'return MFK_Meet_Access::patient_is_attendee();' )
		).toBe( false );
		await setSettings( { meet_access_type: 'TRUSTED' } );
		expect(
			await wpJson( 'return MFK_Meet_Access::patient_is_attendee();' )
		).toBe( true );
		await expect(
			setSettings( { meet_access_type: 'EVERYONE' } )
		).rejects.toThrow( /meet_access_type/ );
		await setSettings( { meet_access_type: 'RESTRICTED' } );
	} );
} );
