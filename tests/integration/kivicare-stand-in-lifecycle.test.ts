/**
 * KiviCare stand-in after booking: reschedule (with core's print_r quirk), status changes,
 * delete and bulk delete, regenerate, the read routes and their filters, static-data gates,
 * the telemed factory and the abstract provider's signatures — driven through real HTTP with
 * the test-only fake telemed provider.
 */
import {
	clearDebugLog,
	createUser,
	deleteOption,
	login,
	phpProblems,
	query,
	setOption,
	setTimezone,
	wpJson,
	type Session,
	type TestUser,
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

let restoreMeetForKiviCare: () => Promise< void >;
let restoreOptions: () => Promise< void >;
let clinic: Clinic;

beforeAll( async () => {
	restoreOptions = await preserveOptions( STAND_IN_TEST_OPTIONS );
	restoreMeetForKiviCare = await withoutMeetForKiviCare();
	await enableFakeProvider();
	clinic = await ensureClinic();
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

interface Practice {
	doctor: TestUser;
	patient: TestUser;
	telemedId: number;
	inPersonId: number;
	patientSession: Session;
	doctorSession: Session;
}

async function practice(): Promise< Practice > {
	const doctor = await createDoctor( clinic.clinicId, {
		meta: { timezone: 'Europe/Berlin' },
	} );
	await connectFakeDoctor( doctor.id );
	const telemed = await createService( {
		name: 'Video consultation',
		doctors: [ doctor.id ],
		telemed: true,
		duration: 45,
	} );
	const inPerson = await createService( {
		name: 'Check-up',
		doctors: [ doctor.id ],
		duration: 20,
	} );
	const patient = await createPatient();
	return {
		doctor,
		patient,
		telemedId: telemed.mappingIds[ 0 ]!,
		inPersonId: inPerson.mappingIds[ 0 ]!,
		patientSession: await login( patient ),
		doctorSession: await login( doctor ),
	};
}

async function bookTelemed(
	p: Practice,
	date = '2031-05-05',
	time = '10:00',
	extra: Record< string, unknown > = {}
): Promise< number > {
	const res = await book( p.patientSession, {
		doctorId: p.doctor.id,
		serviceId: [ p.telemedId ],
		appointmentStartDate: date,
		appointmentStartTime: time,
		status: 1,
		description: 'Rash',
		...extra,
	} );
	if ( res.status !== 201 ) {
		throw new Error(
			`booking failed: ${ res.status } ${ JSON.stringify( res.body ) }`
		);
	}
	return res.body.data.appointment_id;
}

async function row( id: number ) {
	return (
		await query< Record< string, any > >(
			'SELECT * FROM wp_kc_appointments WHERE id = ?',
			[ id ]
		)
	)[ 0 ];
}

async function eventIdOf( id: number ): Promise< string > {
	const rows = await query< { event_id: string } >(
		'SELECT event_id FROM wp_kc_standin_fake_meet_mappings WHERE appointment_id = ?',
		[ id ]
	);
	return rows[ 0 ]!.event_id;
}

describe( 'PUT appointments/{id} (reschedule)', () => {
	it( 'calls update_meeting with the mapping eventId and the documented keys before updating the row', async () => {
		await enableFakeProvider( { update: 'array' } );
		await setTimezone( 'America/Chicago' );
		try {
			const p = await practice();
			const id = await bookTelemed( p );
			const eventId = await eventIdOf( id );
			await resetFakeCalls();

			const res = await p.doctorSession.rest(
				`${ KC }/appointments/${ id }`,
				{
					method: 'PUT',
					body: {
						appointmentStartDate: '2031-05-06',
						appointmentStartTime: '11:00',
					},
				}
			);
			expect( res.status ).toBe( 200 );
			expect( res.body.status ).toBe( true );

			const calls = await fakeCalls();
			expect( calls.map( ( c ) => c.method ) ).toEqual( [
				'update_meeting',
				'hook:kc_appointment_updated',
			] );
			const [ update, hook ] = calls;
			expect( update!.args[ 0 ] ).toBe( eventId );
			expect( update!.args[ 1 ] ).toEqual( {
				appointment_id: id,
				topic: 'Video consultation',
				summary: '',
				attendees: [
					{ email: p.patient.email },
					{ email: p.doctor.email },
				],
				doctor_id: p.doctor.id,
				start_time: '2031-05-06T11:00:00+02:00',
				end_time: '2031-05-06T11:45:00+02:00',
				timezone: 'America/Chicago',
			} );
			// Called inside the transaction, while the row still held the old time and description.
			expect( update!.in_transaction ).toBe( 1 );
			expect( update!.appointment_start ).toBe( '2031-05-05 08:00:00' );
			expect( update!.appointment_desc ).toBe( 'Rash' );
			expect( hook!.args[ 0 ] ).toBe( id );
			expect( hook!.args[ 1 ] ).toMatchObject( {
				id,
				appointment_start_date: '2031-05-06',
				appointment_start_time: '11:00',
			} );

			// Omitted description overwritten with ''; UTC columns and encounter follow the new time.
			expect( await row( id ) ).toMatchObject( {
				appointment_start_date: '2031-05-06',
				appointment_start_time: '11:00:00',
				appointment_end_time: '11:45:00',
				appointment_start_utc: '2031-05-06 09:00:00',
				appointment_end_utc: '2031-05-06 09:45:00',
				appointment_timezone: 'Europe/Berlin',
				description: '',
			} );
			const encounter = await query< any >(
				'SELECT encounter_date FROM wp_kc_patient_encounters WHERE appointment_id = ?',
				[ id ]
			);
			expect( encounter ).toEqual( [ { encounter_date: '2031-05-06' } ] );
		} finally {
			await setTimezone( 'UTC' );
			await enableFakeProvider();
		}
	} );

	it( 'echoes print_r of the meeting data into the response when the provider uses update_meeting_record()', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		const eventId = await eventIdOf( id );
		const res = await p.doctorSession.fetch(
			`wp-json/${ KC }/appointments/${ id }`,
			{
				method: 'PUT',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify( {
					appointmentStartDate: '2031-05-07',
					appointmentStartTime: '12:00',
					description: 'Follow-up',
				} ),
			}
		);
		expect( res.status ).toBe( 200 );
		const text = await res.text();
		expect( text.startsWith( 'Array\n(\n' ) ).toBe( true );
		expect( text ).toContain(
			`[join_url] => https://meet.example.test/moved-${ id }`
		);
		const json = JSON.parse( text.slice( text.indexOf( '{' ) ) );
		expect( json ).toMatchObject( {
			status: true,
			message: 'Appointment updated successfully',
		} );
		// update_google_meet_record() found the row by eventId and updated url / eventUrl.
		const mapping = await query< any >(
			'SELECT event_id, url, event_url FROM wp_kc_standin_fake_meet_mappings WHERE appointment_id = ?',
			[ id ]
		);
		expect( mapping ).toEqual( [
			{
				event_id: eventId,
				url: `https://meet.example.test/moved-${ id }`,
				event_url: `https://calendar.example.test/event?eid=${ encodeURIComponent( eventId ) }`,
			},
		] );
		expect( ( await row( id ) )!.description ).toBe( 'Follow-up' );
	} );

	it( 'rolls back with HTTP 500 when update_meeting returns false', async () => {
		await enableFakeProvider( { update: 'false' } );
		try {
			const p = await practice();
			const id = await bookTelemed( p );
			const before = await row( id );
			const res = await p.doctorSession.rest(
				`${ KC }/appointments/${ id }`,
				{
					method: 'PUT',
					body: {
						appointmentStartDate: '2031-05-08',
						appointmentStartTime: '13:00',
					},
				}
			);
			expect( res.status ).toBe( 500 );
			expect( res.body.message ).toBe(
				'Failed to update appointment: Failed to update Google Meet event'
			);
			expect( await row( id ) ).toEqual( before );
			expect( ( await fakeCalls() ).map( ( c ) => c.method ) ).toEqual( [
				'create_meeting',
				'hook:kc_after_create_appointment',
				'update_meeting',
			] );
		} finally {
			await enableFakeProvider();
		}
	} );

	it( 'skips the provider without a mapping row, for another provider id, and for in-person appointments', async () => {
		// No mapping row: the provider returned a meeting without saving a record.
		await enableFakeProvider( { create: 'array' } );
		const p = await practice();
		const noRow = await bookTelemed( p );
		const moved = await p.doctorSession.rest(
			`${ KC }/appointments/${ noRow }`,
			{
				method: 'PUT',
				body: {
					appointmentStartDate: '2031-05-09',
					appointmentStartTime: '10:00',
				},
			}
		);
		expect( moved.status ).toBe( 200 );

		// Core only reschedules through a provider whose id is 'googlemeet'.
		await enableFakeProvider( { create: 'array', id: 'otherfake' } );
		const other = await bookTelemed( p, '2031-05-10' );
		await query(
			"INSERT INTO wp_kc_standin_fake_meet_mappings (event_id, appointment_id, url) VALUES ('evt-other', ?, 'https://meet.example.test/x')",
			[ other ]
		);
		const movedOther = await p.doctorSession.rest(
			`${ KC }/appointments/${ other }`,
			{
				method: 'PUT',
				body: {
					appointmentStartDate: '2031-05-11',
					appointmentStartTime: '10:00',
				},
			}
		);
		expect( movedOther.status ).toBe( 200 );
		await enableFakeProvider();

		const inPerson = await book( p.patientSession, {
			doctorId: p.doctor.id,
			serviceId: [ p.inPersonId ],
			appointmentStartDate: '2031-05-12',
			appointmentStartTime: '10:00',
			status: 1,
		} );
		const movedInPerson = await p.doctorSession.rest(
			`${ KC }/appointments/${ inPerson.body.data.appointment_id }`,
			{
				method: 'PUT',
				body: {
					appointmentStartDate: '2031-05-12',
					appointmentStartTime: '14:00',
				},
			}
		);
		expect( movedInPerson.status ).toBe( 200 );

		expect(
			( await fakeCalls() ).filter(
				( c ) => c.method === 'update_meeting'
			)
		).toEqual( [] );
	} );

	it( "requires date and time, refuses taken slots and other people's appointments", async () => {
		const p = await practice();
		const a = await bookTelemed( p, '2031-05-13', '10:00' );
		await bookTelemed( p, '2031-05-13', '11:00' );
		const noTime = await p.doctorSession.rest(
			`${ KC }/appointments/${ a }`,
			{ method: 'PUT', body: { appointmentStartDate: '2031-05-13' } }
		);
		expect( noTime.status ).toBe( 400 );
		const taken = await p.doctorSession.rest(
			`${ KC }/appointments/${ a }`,
			{
				method: 'PUT',
				body: {
					appointmentStartDate: '2031-05-13',
					appointmentStartTime: '11:30',
				},
			}
		);
		expect( taken.status ).toBe( 409 );
		const stranger = await login( await createPatient() );
		const foreign = await stranger.rest( `${ KC }/appointments/${ a }`, {
			method: 'PUT',
			body: {
				appointmentStartDate: '2031-05-14',
				appointmentStartTime: '10:00',
			},
		} );
		expect( foreign.status ).toBe( 403 );
		const missing = await p.doctorSession.rest(
			`${ KC }/appointments/999999999`,
			{
				method: 'PUT',
				body: {
					appointmentStartDate: '2031-05-14',
					appointmentStartTime: '10:00',
				},
			}
		);
		expect( missing.status ).toBe( 404 );
	} );
} );

describe( 'PUT appointments/{id}/status', () => {
	it( 'fires kc_appointment_cancelled then kc_appointment_status_update for 0, never calling the provider', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		await resetFakeCalls();

		const cancel = await p.doctorSession.rest(
			`${ KC }/appointments/${ id }/status`,
			{ method: 'PUT', body: { status: 0 } }
		);
		expect( cancel.status ).toBe( 200 );
		const calls = await fakeCalls();
		expect( calls.map( ( c ) => c.method ) ).toEqual( [
			'hook:kc_appointment_cancelled',
			'hook:kc_appointment_status_update',
		] );
		expect( calls[ 0 ]!.args ).toEqual( [ id ] );
		expect( calls[ 1 ]!.args[ 0 ] ).toBe( id );
		expect( calls[ 1 ]!.args[ 1 ] ).toBe( 0 );
		// The model as loaded through $wpdb: columns come back as strings, the new status as set.
		expect( calls[ 1 ]!.args[ 2 ] ).toMatchObject( {
			model: 'App\\models\\KCAppointment',
			attributes: {
				id: String( id ),
				doctor_id: String( p.doctor.id ),
				status: 0,
			},
		} );
		expect( ( await row( id ) )!.status ).toBe( 0 );

		await resetFakeCalls();
		const checkIn = await p.doctorSession.rest(
			`${ KC }/appointments/${ id }/status`,
			{ method: 'PUT', body: { status: 4 } }
		);
		expect( checkIn.status ).toBe( 200 );
		expect( ( await fakeCalls() ).map( ( c ) => c.method ) ).toEqual( [
			'hook:kc_appointment_status_update',
		] );
	} );

	it( 'lets patients change their own appointments only, and validates the status', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		expect(
			(
				await p.patientSession.rest(
					`${ KC }/appointments/${ id }/status`,
					{ method: 'PUT', body: { status: 0 } }
				)
			).status
		).toBe( 200 );
		const stranger = await login( await createPatient() );
		expect(
			(
				await stranger.rest( `${ KC }/appointments/${ id }/status`, {
					method: 'PUT',
					body: { status: 1 },
				} )
			).status
		).toBe( 403 );
		expect(
			(
				await p.doctorSession.rest(
					`${ KC }/appointments/${ id }/status`,
					{ method: 'PUT', body: { status: 7 } }
				)
			).status
		).toBe( 400 );
	} );
} );

describe( 'DELETE appointments', () => {
	it( 'calls cancel_meeting_by_appointment before deleting the appointment and its rows', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		await resetFakeCalls();
		expect(
			(
				await p.patientSession.rest( `${ KC }/appointments/${ id }`, {
					method: 'DELETE',
				} )
			).status
		).toBe( 403 );

		const res = await p.doctorSession.rest(
			`${ KC }/appointments/${ id }`,
			{ method: 'DELETE' }
		);
		expect( res.status ).toBe( 200 );
		const calls = await fakeCalls();
		expect( calls.map( ( c ) => [ c.method, c.args ] ) ).toEqual( [
			[ 'cancel_meeting_by_appointment', [ id ] ],
		] );
		expect( calls[ 0 ]!.appointment_status ).toBe( 1 ); // The row still existed.
		expect( await row( id ) ).toBeUndefined();
		for ( const table of [
			'wp_kc_patient_encounters',
			'wp_kc_appointment_service_mapping',
		] ) {
			expect(
				await query(
					`SELECT id FROM ${ table } WHERE appointment_id = ?`,
					[ id ]
				)
			).toEqual( [] );
		}
	} );

	it( 'does not catch provider exceptions on single delete, but does per id on bulk delete', async () => {
		const p = await practice();
		const a = await bookTelemed( p, '2031-06-01' );
		const b = await bookTelemed( p, '2031-06-02' );
		const c = await bookTelemed( p, '2031-06-03' );
		await enableFakeProvider( { cancel: 'throw' } );
		try {
			const single = await p.doctorSession.rest(
				`${ KC }/appointments/${ a }`,
				{ method: 'DELETE' }
			);
			expect( single.status ).toBe( 500 );
			expect( await row( a ) ).toBeDefined();
			// The uncaught exception is a PHP fatal error by design (as in KiviCare 4.3).
			expect( phpProblems().join( '\n' ) ).toContain(
				'Fake cancel exception'
			);
			clearDebugLog();

			await resetFakeCalls();
			const bulk = await p.doctorSession.rest(
				`${ KC }/appointments/bulk/delete`,
				{ method: 'POST', body: { ids: [ a, b ] } }
			);
			expect( bulk.status ).toBe( 200 );
			expect( bulk.body.data ).toEqual( {
				deleted: [ a, b ],
				skipped: [],
			} );
			expect( ( await fakeCalls() ).map( ( x ) => x.args[ 0 ] ) ).toEqual(
				[ a, b ]
			);
			expect( await row( a ) ).toBeUndefined();
			expect( await row( b ) ).toBeUndefined();
		} finally {
			await enableFakeProvider();
		}

		// Ids the user may not touch are skipped.
		const otherDoctor = await login(
			await createDoctor( clinic.clinicId )
		);
		const foreign = await otherDoctor.rest(
			`${ KC }/appointments/bulk/delete`,
			{ method: 'POST', body: { ids: [ c ] } }
		);
		expect( foreign.body.data ).toEqual( { deleted: [], skipped: [ c ] } );
		expect( await row( c ) ).toBeDefined();
	} );
} );

describe( 'DELETE doctors/{id}', () => {
	it( 'offers each appointment to cancel_meeting_by_appointment (errors caught), then removes the doctor and the appointments', async () => {
		const p = await practice();
		const a = await bookTelemed( p, '2031-06-10' );
		const b = await bookTelemed( p, '2031-06-11' );
		expect(
			(
				await p.doctorSession.rest(
					`${ KC }/doctors/${ p.doctor.id }`,
					{ method: 'DELETE' }
				)
			).status
		).toBe( 403 );
		await resetFakeCalls();
		await enableFakeProvider( { cancel: 'throw' } );
		try {
			const res = await (
				await login( clinic.clinicAdmin )
			).rest( `${ KC }/doctors/${ p.doctor.id }`, { method: 'DELETE' } );
			expect( res.status ).toBe( 200 );
			expect( res.body.data ).toEqual( {
				id: p.doctor.id,
				appointments: [ a, b ],
			} );
		} finally {
			await enableFakeProvider();
		}
		expect(
			( await fakeCalls() ).map( ( c ) => [ c.method, c.args[ 0 ] ] )
		).toEqual( [
			[ 'cancel_meeting_by_appointment', a ],
			[ 'cancel_meeting_by_appointment', b ],
		] );
		expect( await row( a ) ).toBeUndefined();
		expect( await row( b ) ).toBeUndefined();
		expect(
			await query( 'SELECT ID FROM wp_users WHERE ID = ?', [
				p.doctor.id,
			] )
		).toEqual( [] );
		expect(
			await query(
				'SELECT id FROM wp_kc_service_doctor_mapping WHERE doctor_id = ?',
				[ p.doctor.id ]
			)
		).toEqual( [] );
	} );
} );

describe( 'GET appointments/{id}/regenerate-video-conference', () => {
	it( 'calls create_meeting inside a transaction with topic "Regenerated Telemed Service", now and 30 minutes, for any doctor, without dedupe', async () => {
		await setTimezone( 'Asia/Kolkata' );
		try {
			const p = await practice();
			const id = await bookTelemed( p );
			await resetFakeCalls();
			// Ownership is not enforced: another doctor may regenerate.
			const otherDoctor = await login(
				await createDoctor( clinic.clinicId )
			);
			const res = await otherDoctor.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			);
			expect( res.status ).toBe( 200 );
			const [ call ] = await fakeCalls();
			expect( call!.method ).toBe( 'create_meeting' );
			expect( call!.args[ 0 ] ).toMatchObject( {
				topic: 'Regenerated Telemed Service',
				type: 'scheduled',
				duration: 30,
				timezone: 'Asia/Kolkata',
				appointment_id: id,
				doctor_id: p.doctor.id,
				patient_id: p.patient.id,
			} );
			// start_time is "now" in the site's zone (current_time('mysql')), not the appointment's time.
			const siteNow = new Date( Date.now() + 5.5 * 3600 * 1000 )
				.toISOString()
				.replace( 'T', ' ' )
				.slice( 0, 19 );
			const startedAt = Date.parse(
				`${ call!.args[ 0 ].start_time.replace( ' ', 'T' ) }Z`
			);
			expect(
				Math.abs(
					startedAt -
						Date.parse( `${ siteNow.replace( ' ', 'T' ) }Z` )
				)
			).toBeLessThan( 120000 );
			expect( call!.in_transaction ).toBe( 1 );
			expect( res.body ).toEqual( {
				status: true,
				message: 'Telemed link regenerated successfully',
				data: { appointment_id: id },
			} );

			await otherDoctor.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			);
			const rows = await query(
				'SELECT id FROM wp_kc_standin_fake_meet_mappings WHERE appointment_id = ?',
				[ id ]
			);
			expect( rows ).toHaveLength( 3 );

			expect(
				(
					await p.patientSession.rest(
						`${ KC }/appointments/${ id }/regenerate-video-conference`
					)
				).status
			).toBe( 403 );
		} finally {
			await setTimezone( 'UTC' );
		}
	} );

	it( 'fails only on WP_Error: 500 "Failed to regenerate telemed link" with its message, rolled back', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		await enableFakeProvider( { create: 'wp_error' } );
		try {
			const failed = await p.doctorSession.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			);
			expect( failed.status ).toBe( 500 );
			expect( failed.body ).toEqual( {
				status: false,
				message:
					'Failed to regenerate telemed link: Fake provider failure',
				data: null,
			} );
			await enableFakeProvider( { create: 'false' } );
			const falsy = await p.doctorSession.rest(
				`${ KC }/appointments/${ id }/regenerate-video-conference`
			);
			expect( falsy.status ).toBe( 200 );
		} finally {
			await enableFakeProvider();
		}
	} );
} );

describe( 'read routes and their filters', () => {
	it( 'core sets only video_consultation (false by default) and no video_url', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		const list = await p.patientSession.rest( `${ KC }/appointments` );
		expect( list.status ).toBe( 200 );
		const item = list.body.data.appointments.find(
			( a: any ) => a.id === id
		);
		expect( item.video_consultation ).toBe( false );
		expect( item ).not.toHaveProperty( 'video_url' );
		const single = await p.patientSession.rest(
			`${ KC }/appointments/${ id }`
		);
		expect( single.body.data.video_consultation ).toBe( false );
		expect( single.body.data ).not.toHaveProperty( 'video_url' );
	} );

	it( 'passes list items, single, view and upcoming data through the add-on filters', async () => {
		await enableFakeProvider( { inject_video_url: true } );
		try {
			const p = await practice();
			const id = await bookTelemed( p );
			const link = `https://meet.example.test/fake-${ id }`;

			const list = await p.patientSession.rest( `${ KC }/appointments` );
			expect( list.body.data.appointments ).toEqual( [
				expect.objectContaining( {
					id,
					doctor_id: p.doctor.id,
					patient_id: p.patient.id,
					status: 1,
					appointment_start_date: '2031-05-05',
					appointment_start_time: '10:00',
					appointment_timezone: 'Europe/Berlin',
					services: [
						expect.objectContaining( {
							mapping_id: p.telemedId,
							name: 'Video consultation',
							telemed_service: 'yes',
						} ),
					],
					video_consultation: true,
					video_url: link,
				} ),
			] );
			expect(
				(
					await p.patientSession.rest(
						`${ KC }/appointments/${ id }`
					)
				).body.data
			).toMatchObject( {
				id,
				video_consultation: true,
				video_url: link,
			} );
			expect(
				(
					await p.doctorSession.rest(
						`${ KC }/appointments/${ id }/view`
					)
				).body.data
			).toMatchObject( {
				id,
				video_consultation: true,
				video_url: link,
				is_telemed: true,
				patient_email: p.patient.email,
			} );
			const upcoming = await p.doctorSession.rest(
				`${ KC }/dashboard/upcoming-appointments`
			);
			expect( upcoming.status ).toBe( 200 );
			expect( upcoming.body.data ).toEqual( [
				expect.objectContaining( {
					id,
					video_consultation: true,
					video_url: link,
				} ),
			] );
		} finally {
			await enableFakeProvider();
		}
	} );

	it( 'shows each role only the appointments it may see', async () => {
		const p = await practice();
		const id = await bookTelemed( p );
		const ids = async ( s: Session ) =>
			(
				await s.rest( `${ KC }/appointments?perPage=-1` )
			).body.data.appointments.map( ( a: any ) => a.id );

		expect( await ids( p.patientSession ) ).toEqual( [ id ] );
		expect( await ids( p.doctorSession ) ).toEqual( [ id ] );
		const stranger = await login( await createPatient() );
		expect( await ids( stranger ) ).toEqual( [] );
		expect(
			( await stranger.rest( `${ KC }/appointments/${ id }` ) ).status
		).toBe( 403 );
		expect(
			( await stranger.rest( `${ KC }/appointments/${ id }/view` ) )
				.status
		).toBe( 403 );
		expect(
			( await p.patientSession.rest( `${ KC }/appointments/999999999` ) )
				.status
		).toBe( 404 );

		// Clinic admin of the clinic and a receptionist mapped to it see it; an unmapped receptionist does not.
		expect( await ids( await login( clinic.clinicAdmin ) ) ).toContain(
			id
		);
		const receptionist = await createUser( 'kiviCare_receptionist' );
		expect( await ids( await login( receptionist ) ) ).toEqual( [] );
		await query(
			'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
			[ receptionist.id, clinic.clinicId ]
		);
		expect( await ids( await login( receptionist ) ) ).toContain( id );
	} );

	it( 'filters the list by status, doctor and time frame and paginates', async () => {
		const p = await practice();
		const a = await bookTelemed( p, '2031-07-01', '10:00' );
		const b = await bookTelemed( p, '2031-07-02', '10:00' );
		const past = await bookTelemed( p, '2020-07-02', '10:00' );
		await p.doctorSession.rest( `${ KC }/appointments/${ b }/status`, {
			method: 'PUT',
			body: { status: 0 },
		} );
		const list = async ( q: string ) =>
			( await p.doctorSession.rest( `${ KC }/appointments?${ q }` ) ).body
				.data;

		expect(
			( await list( 'status=0' ) ).appointments.map( ( x: any ) => x.id )
		).toEqual( [ b ] );
		expect(
			( await list( 'timeFrame=past' ) ).appointments.map(
				( x: any ) => x.id
			)
		).toEqual( [ past ] );
		expect(
			( await list( 'timeFrame=upcoming&order=asc' ) ).appointments.map(
				( x: any ) => x.id
			)
		).toEqual( [ a, b ] );
		const page = await list( 'perPage=1&page=2&order=asc' );
		expect( page.total ).toBe( 3 );
		expect( page.appointments.map( ( x: any ) => x.id ) ).toEqual( [ a ] );
		expect(
			( await list( `doctor=${ p.doctor.id + 100000 }` ) ).appointments
		).toEqual( [] );
		expect(
			( await p.doctorSession.rest( `${ KC }/appointments?status=9` ) )
				.status
		).toBe( 400 );
	} );

	it( 'lists free slots of the doctor session', async () => {
		const p = await practice();
		await bookTelemed( p, '2031-07-03', '10:00' );
		const res = await p.patientSession.rest(
			`${ KC }/appointments/slots?date=2031-07-03&doctor_id=${ p.doctor.id }&service_id=${ p.telemedId }`
		);
		expect( res.status ).toBe( 200 );
		expect( res.body.data.timezone ).toBe( 'Europe/Berlin' );
		expect( res.body.data.duration ).toBe( 45 );
		const slots = res.body.data.slots as Array< {
			time: string;
			available: boolean;
		} >;
		expect( slots[ 0 ] ).toEqual( { time: '09:00', available: true } );
		expect( slots.find( ( s ) => s.time === '09:45' ) ).toEqual( {
			time: '09:45',
			available: false,
		} );
		expect( slots.find( ( s ) => s.time === '10:30' ) ).toEqual( {
			time: '10:30',
			available: false,
		} );
		expect( slots.at( -1 ) ).toEqual( { time: '15:45', available: true } );
	} );
} );

describe( 'static data and config gates', () => {
	it( "lists a doctor's telemed services only with the add-on, the Meet setting and the doctor connected", async () => {
		const p = await practice();
		const labels = async () =>
			(
				await p.patientSession.rest(
					`${ KC }/static-data?type=doctor_services&doctor_id=${ p.doctor.id }`
				)
			).body.data.map( ( s: any ) => s.label );
		await deleteOption( 'kiviCare_google_meet_setting' );
		expect( await labels() ).toEqual( [ 'Check-up' ] );
		await setOption( 'kiviCare_google_meet_setting', {
			auth_type: 'oauth',
		} );
		expect( await labels() ).toEqual( [ 'Check-up' ] );
		await wpJson(
			'return update_user_meta( $args["id"], "kiviCare_google_meet_connect", "on" );',
			{ id: p.doctor.id }
		);
		expect( await labels() ).toEqual( [
			'Video consultation',
			'Check-up',
		] );
		await setOption( 'kiviCare_google_meet_setting', { enableCal: 'Yes' } );
		expect( await labels() ).toEqual( [
			'Video consultation',
			'Check-up',
		] );
		await setOption( 'kiviCare_google_meet_setting', {
			enabled: false,
			enableCal: 'No',
		} );
		expect( await labels() ).toEqual( [ 'Check-up' ] );

		// Without the add-on's constant nothing telemed is listed.
		await setOption( 'kiviCare_google_meet_setting', { enabled: true } );
		await enableFakeProvider( { define_gate: false } );
		try {
			expect( await labels() ).toEqual( [ 'Check-up' ] );
			const config = await p.doctorSession.rest( `${ KC }/config` );
			expect( config.body.data.addOns.googlemeet ).toEqual( {
				active: false,
				version: false,
			} );
		} finally {
			await enableFakeProvider();
			await deleteOption( 'kiviCare_google_meet_setting' );
		}
		const doctors = await p.patientSession.rest(
			`${ KC }/static-data?type=clinic_doctors`
		);
		expect( doctors.body.data ).toEqual(
			expect.arrayContaining( [
				expect.objectContaining( {
					id: p.doctor.id,
					label: 'Doctor Test',
				} ),
			] )
		);
	} );

	it( 'reports addOns.googlemeet.active and the google_meet menu flag in GET config', async () => {
		const p = await practice();
		await setOption( 'kiviCare_google_meet_setting', {
			enableCal: 'YES',
			client_id: 'id',
			client_secret: 's',
			app_name: 'Clinic',
		} );
		try {
			const config = await p.doctorSession.rest( `${ KC }/config` );
			expect( config.body.data.addOns.googlemeet.active ).toBe( true );
			expect( config.body.data.google_meet ).toBe( 'yes' );
			await setOption( 'kiviCare_google_meet_setting', {
				enableCal: 'yes',
				client_id: 'id',
				client_secret: '',
				app_name: 'Clinic',
			} );
			expect(
				( await p.doctorSession.rest( `${ KC }/config` ) ).body.data
					.google_meet
			).toBe( 'no' );
		} finally {
			await deleteOption( 'kiviCare_google_meet_setting' );
		}
	} );
} );

describe( 'KCTelemedFactory and KCAbstractTelemedProvider', () => {
	it( 'reads kc_telemed_providers once, skips missing classes, prefers telemed_type, accepts tokens or server-to-server', async () => {
		const doctor = await createDoctor( clinic.clinicId );
		const result = await wpJson< any >(
			`use App\\baseClasses\\KCTelemedFactory;
			if ( ! class_exists( 'KCStandinSecondProvider' ) ) {
				eval( 'class KCStandinSecondProvider extends \\\\KCStandinTest\\\\FakeTelemedProvider { public function get_provider_id() { return "second"; } }' );
			}
			$out = array( 'cached_before' => array_keys( KCTelemedFactory::get_registered_providers() ) );
			add_filter( 'kc_telemed_providers', static function ( $p ) {
				$p['ghost']  = array( 'class' => 'No\\\\Such\\\\Provider', 'settings_key' => 'x' );
				$p['second'] = array( 'class' => 'KCStandinSecondProvider', 'settings_key' => 'kc_standin_second_settings' );
				return $p;
			}, 100 );
			$out['cached_after_filter'] = array_keys( KCTelemedFactory::get_registered_providers() );
			KCTelemedFactory::reset();
			$out['registered'] = array_keys( KCTelemedFactory::get_registered_providers() );
			$out['available']  = array_keys( KCTelemedFactory::get_available_providers() );
			$out['ajax'] = array(
				(bool) has_action( 'wp_ajax_kc_test_googlemeet_connection' ),
				(bool) has_action( 'wp_ajax_kc_googlemeet_webhook' ),
				(bool) has_action( 'wp_ajax_nopriv_kc_googlemeet_webhook' ),
				(bool) has_action( 'wp_ajax_kc_test_second_connection' ),
			);
			$id = (int) $args['doctor'];
			$pick = static function () use ( $id ) {
				$p = KCTelemedFactory::get_provider_by_doctor_id( $id );
				return $p ? $p->get_provider_id() : null;
			};
			$out['unconnected'] = $pick();
			update_user_meta( $id, 'kc_standin_fake_token', 't' );
			$out['connected'] = $pick();
			update_user_meta( $id, 'telemed_type', 'second' );
			$out['preferred'] = $pick();
			delete_user_meta( $id, 'kc_standin_fake_token' );
			update_option( 'kc_standin_second_settings', array( 'auth_type' => 'server-to-server', 'enabled' => false ) );
			$out['s2s'] = $pick();
			$second = KCTelemedFactory::get_provider( 'second' );
			$out['s2s_enabled'] = $second->is_enabled();
			delete_option( 'kc_standin_second_settings' );
			delete_user_meta( $id, 'telemed_type' );
			return $out;`,
			{ doctor: doctor.id }
		);
		expect( result ).toEqual( {
			cached_before: [ 'googlemeet' ],
			cached_after_filter: [ 'googlemeet' ],
			registered: [ 'googlemeet', 'ghost', 'second' ],
			available: [ 'googlemeet', 'second' ],
			ajax: [ true, true, true, true ],
			unconnected: null,
			connected: 'googlemeet',
			preferred: 'second',
			s2s: 'second',
			s2s_enabled: false,
		} );
	} );

	it( 'declares the abstract methods with KiviCare 4.3 signatures', async () => {
		const methods = await wpJson< Record< string, string > >(
			`$class = new ReflectionClass( 'App\\\\abstracts\\\\KCAbstractTelemedProvider' );
			$out = array();
			foreach ( $class->getMethods() as $m ) {
				if ( ! $m->isAbstract() ) { continue; }
				$params = array();
				foreach ( $m->getParameters() as $p ) {
					$params[] = trim( ( $p->hasType() ? $p->getType() . ' ' : '' ) . '$' . $p->getName() . ( $p->isDefaultValueAvailable() ? ' = ' . var_export( $p->getDefaultValue(), true ) : '' ) );
				}
				$out[ $m->getName() ] = ( $m->isProtected() ? 'protected ' : 'public ' ) . '(' . implode( ', ', $params ) . ')' . ( $m->hasReturnType() ? ': ' . $m->getReturnType() : '' );
			}
			ksort( $out );
			return $out;`
		);
		expect( methods ).toEqual( {
			cancel_meeting_by_appointment: 'public ($appointment_id)',
			create_meeting: 'public ($meeting_data = array (\n))',
			delete_meeting: 'public ($meeting_id)',
			delete_meeting_record: 'protected ($meeting_id)',
			get_authorization_url: 'public ($doctor_id): string',
			get_default_config: 'protected ()',
			get_doctor_access_token: 'public ($doctor_id)',
			get_meeting: 'public ($meeting_id)',
			get_meeting_by_appointment: 'public ($appointment_id)',
			get_provider_id: 'public ()',
			get_provider_name: 'public ()',
			is_configured: 'public ()',
			is_doctor_telemed_connected: 'public (): bool',
			save_zoom_meeting_record: 'protected ($meeting_data)',
			test_connection: 'public ($data = array (\n), $doctor_id = 0)',
			update_doctor_config:
				'public (int $doctor_id, array $config): bool',
			update_meeting: 'public ($meeting_id, $meeting_data = array (\n))',
		} );
	} );
} );
