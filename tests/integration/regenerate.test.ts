/**
 * KiviCare's "regenerate video conference" (`GET kivicare/v1/appointments/{id}/regenerate-video-conference`)
 * through the stand-in, which reproduces KiviCare's permission check that lets every doctor,
 * receptionist and clinic admin through: the provider refuses whoever may not manage the
 * appointment (KiviCare then answers its 500 with the reason), changing nothing and showing no
 * link. For the appointment's own staff a ready meeting gets a new Meet link on the same event,
 * told to patient and doctor; a click while a new link is on its way gives no second one; a
 * meeting still waiting is tried again at once.
 */
import {
	clearDebugLog,
	clearMail,
	createUser,
	login,
	phpProblems,
	query,
	startSidecar,
	stopSidecar,
	waitForMail,
	type Session,
	type TestUser,
} from '../harness/testkit';
import {
	book,
	createDoctor,
	KC,
} from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	drainQueue,
	emulatorCounters,
	freshDate,
	mapping,
	MAPPINGS,
	setBackgroundSync,
	setSettings,
	telemedScenario,
	type Scenario,
} from './support/meet';

let sc: Scenario;
let patient: Session;
const people: Record< string, Session > = {};

async function receptionistOf( clinicId: number ): Promise< TestUser > {
	const user = await createUser( 'kiviCare_receptionist' );
	await query(
		'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
		[ user.id, clinicId ]
	);
	return user;
}

async function foreignClinicAdmin(): Promise< TestUser > {
	const user = await createUser( 'kiviCare_clinic_admin' );
	await query(
		"INSERT INTO wp_kc_clinics (name, email, status, clinic_admin_id, created_at) VALUES ('Elsewhere Clinic', 'elsewhere@clinic.test', 1, ?, NOW())",
		[ user.id ]
	);
	return user;
}

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	patient = await login( sc.patient );
	const foreignAdmin = await foreignClinicAdmin();
	const [ foreignClinic ] = await query< { id: number } >(
		'SELECT id FROM wp_kc_clinics WHERE clinic_admin_id = ?',
		[ foreignAdmin.id ]
	);
	people.doctor = await login( sc.doctor );
	people.otherDoctor = await login( await createDoctor( sc.clinicId ) );
	people.receptionist = await login( await receptionistOf( sc.clinicId ) );
	people.foreignReceptionist = await login(
		await receptionistOf( Number( foreignClinic!.id ) )
	);
	people.clinicAdmin = await login( sc.clinicAdmin );
	people.foreignClinicAdmin = await login( foreignAdmin );
	clearDebugLog();
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

afterAll( async () => {
	await setSettings( { sync_budget_ms: 3000 } );
} );

async function bookReady(): Promise< number > {
	const res = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '11:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	expect( res.status ).toBe( 201 );
	const id = res.body.data.appointment_id as number;
	await drainQueue();
	expect( ( await mapping( id ) )?.state ).toBe( 'ready' );
	return id;
}

function regenerate( session: Session, id: number ) {
	return session.rest(
		`${ KC }/appointments/${ id }/regenerate-video-conference`
	);
}

async function eventsOf( id: number ) {
	return ( await calendarEvents( sc.doctorEmail ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId === String( id )
	);
}

async function listedLink( session: Session, id: number ): Promise< string > {
	const res = await session.rest( `${ KC }/appointments?perPage=100` );
	return res.body.data.appointments.find( ( a: any ) => a.id === id )
		?.video_url;
}

it( 'another doctor, and a receptionist or clinic admin of another clinic, are refused: nothing changes, no link is shown', async () => {
	const id = await bookReady();
	const before = await mapping( id );
	const [ eventBefore ] = await eventsOf( id );
	const counters = await emulatorCounters();
	for ( const who of [
		'otherDoctor',
		'foreignReceptionist',
		'foreignClinicAdmin',
	] ) {
		const res = await regenerate( people[ who ]!, id );
		// KiviCare's own check let them through; the provider's refusal is its 500 answer.
		expect( [ who, res.status ] ).toEqual( [ who, 500 ] );
		expect( res.body ).toEqual( {
			status: false,
			message:
				'Failed to regenerate telemed link: You may not manage the video consultation of this appointment.',
			data: null,
		} );
		expect( JSON.stringify( res.body ) ).not.toContain( 'meet.google.com' );
	}
	expect( await mapping( id ) ).toEqual( before );
	expect( await eventsOf( id ) ).toEqual( [ eventBefore ] );
	const after = await emulatorCounters();
	for ( const op of [ 'events.insert', 'events.patch', 'events.get' ] ) {
		expect( [ op, after[ op ] ?? 0 ] ).toEqual( [
			op,
			counters[ op ] ?? 0,
		] );
	}
	// Patients are refused by KiviCare itself.
	expect( ( await regenerate( patient, id ) ).status ).toBe( 403 );
	expect( await mapping( id ) ).toEqual( before );
} );

it( 'the appointment’s doctor gets a new link on the same event; patient and doctor are e-mailed it; KiviCare lists it', async () => {
	const id = await bookReady();
	const old = ( await mapping( id ) )!;
	clearMail();
	const inserts = ( await emulatorCounters() )[ 'events.insert' ] ?? 0;

	const res = await regenerate( people.doctor!, id );
	expect( res.status ).toBe( 200 );
	expect( res.body ).toEqual( {
		status: true,
		message: 'Telemed link regenerated successfully',
		data: { appointment_id: id },
	} );
	await drainQueue();

	const row = ( await mapping( id ) )!;
	expect( row ).toMatchObject( {
		state: 'ready',
		link_state: 'ready',
		sync_state: 'in_step',
		revision: old.revision + 1,
		event_id: old.event_id,
		start_utc: old.start_utc,
		end_utc: old.end_utc,
	} );
	expect( row.url ).toMatch( /^https:\/\/meet\.google\.com\// );
	expect( row.url ).not.toBe( old.url );

	// Exactly one event, and the old link is no longer the appointment's.
	const events = await eventsOf( id );
	expect( events ).toHaveLength( 1 );
	expect( events[ 0 ]!.id ).toBe( old.event_id );
	expect( events[ 0 ]!.hangoutLink ).toBe( row.url );
	expect( JSON.stringify( events[ 0 ] ) ).not.toContain( old.url );
	// The event is known: one patch on it, no insert (not even a 409 probe).
	expect( ( await emulatorCounters() )[ 'events.insert' ] ?? 0 ).toBe(
		inserts
	);

	const mail = await waitForMail(
		( all ) =>
			all.some(
				( m ) =>
					m.to.includes( sc.patient.email ) &&
					( m.html ?? m.text ).includes( row.url )
			) &&
			all.some(
				( m ) =>
					m.to.includes( sc.doctor.email ) &&
					( m.html ?? m.text ).includes( row.url )
			)
	);
	expect(
		mail.filter( ( m ) => ( m.html ?? m.text ).includes( old.url ) )
	).toEqual( [] );

	expect( await listedLink( patient, id ) ).toBe( row.url );
	expect( await listedLink( people.doctor!, id ) ).toBe( row.url );
} );

it( 'the clinic’s receptionist and clinic admin may regenerate too; each finished regenerate gives another new link', async () => {
	const id = await bookReady();
	const links = [ ( await mapping( id ) )!.url ];
	for ( const who of [ 'receptionist', 'clinicAdmin' ] ) {
		const res = await regenerate( people[ who ]!, id );
		expect( [ who, res.status ] ).toEqual( [ who, 200 ] );
		await drainQueue();
		const row = ( await mapping( id ) )!;
		expect( row.state ).toBe( 'ready' );
		expect( links ).not.toContain( row.url );
		links.push( row.url );
	}
	expect( await eventsOf( id ) ).toHaveLength( 1 );
} );

it( 'a second click while the new link is on its way asks for no second one', async () => {
	const id = await bookReady();
	const old = ( await mapping( id ) )!;
	// Nothing is synced inside or right after the requests: both clicks find the work still
	// to do.
	await setSettings( { sync_budget_ms: 0 } );
	await setBackgroundSync( false );
	try {
		expect( ( await regenerate( people.doctor!, id ) ).status ).toBe( 200 );
		const between = ( await mapping( id ) )!;
		expect( between ).toMatchObject( {
			state: 'pending',
			link_state: 'none', // The old link stops being the appointment's at once.
			revision: old.revision + 1,
		} );
		expect( ( await listedLink( patient, id ) ) ?? '' ).toBe( '' );
		expect( ( await regenerate( people.doctor!, id ) ).status ).toBe( 200 );
		expect( ( await mapping( id ) )!.revision ).toBe( old.revision + 1 );
	} finally {
		await setSettings( { sync_budget_ms: 5000 } );
		await setBackgroundSync( true );
	}
	await drainQueue();
	const row = ( await mapping( id ) )!;
	expect( row ).toMatchObject( {
		state: 'ready',
		revision: old.revision + 1,
	} );
	expect( row.url ).not.toBe( old.url );
	const events = await eventsOf( id );
	expect( events ).toHaveLength( 1 );
	expect( events[ 0 ]!.hangoutLink ).toBe( row.url );
} );

it( 'a meeting still waiting for its link is tried again at once, without a new conference', async () => {
	await stopSidecar();
	let id = 0;
	try {
		const res = await book( patient, {
			appointmentStartDate: freshDate(),
			appointmentStartTime: '15:00',
			doctorId: sc.doctor.id,
			patientId: sc.patient.id,
			serviceId: [ sc.mappingId ],
			status: 1,
		} );
		expect( res.status ).toBe( 201 );
		id = res.body.data.appointment_id as number;
	} finally {
		await startSidecar();
	}
	// Waiting for its next attempt (the outage's backoff), as the queue left it.
	await query(
		`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() + INTERVAL 1 HOUR WHERE appointment_id = ?`,
		[ id ]
	);
	expect( await mapping( id ) ).toMatchObject( {
		state: 'pending',
		link_state: 'none',
		last_error_code: 'sidecar_unavailable',
		revision: 0,
	} );
	expect( ( await regenerate( people.doctor!, id ) ).status ).toBe( 200 );
	// Done within the request: nothing had to wait for the queue.
	expect( await mapping( id ) ).toMatchObject( {
		state: 'ready',
		link_state: 'ready',
		revision: 0,
	} );
	expect( await eventsOf( id ) ).toHaveLength( 1 );
} );
