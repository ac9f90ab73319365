/**
 * The REST namespace `meet-for-kivicare/v1` through real HTTP with cookie + nonce sessions:
 * each route's permission matrix (anonymous, patients, doctors, receptionists and clinic
 * admins of the appointment's clinic or another one, administrators), the answers' shapes as in
 * docs/rest-api.md, settings saved all-or-nothing with field errors, retry running within the
 * sync budget, and no secret in any answer.
 */
import {
	clearDebugLog,
	createUser,
	getOption,
	harness,
	login,
	phpProblems,
	query,
	startSidecar,
	stopSidecar,
	wpJson,
	type Session,
	type TestUser,
} from '../harness/testkit';
import {
	book,
	createDoctor,
	createPatient,
	createService,
} from '../kivicare-stand-in/test-support/standin';
import {
	CLIENT_SECRET,
	configureMeet,
	freshDate,
	mapping,
	telemedScenario,
	type Scenario,
} from './support/meet';

const API = 'meet-for-kivicare/v1';

/** Every answer body seen in this file, to prove no secret ever leaves the server. */
const seen: string[] = [];

async function call(
	session: Session | null,
	route: string,
	init: {
		method?: string;
		body?: unknown;
		headers?: Record< string, string >;
	} = {}
): Promise< { status: number; body: any } > {
	if ( session ) {
		const res = await session.rest( `${ API }/${ route }`, init );
		seen.push( JSON.stringify( res.body ) );
		return res;
	}
	const res = await fetch( `${ harness().restUrl }${ API }/${ route }`, {
		method: init.method ?? 'GET',
		headers: { 'Content-Type': 'application/json' },
		body: init.body !== undefined ? JSON.stringify( init.body ) : undefined,
	} );
	const text = await res.text();
	seen.push( text );
	return { status: res.status, body: text ? JSON.parse( text ) : null };
}

interface Cast {
	sc: Scenario;
	appointmentId: number;
	plainAppointmentId: number;
	anonymous: null;
	admin: Session;
	patient: Session;
	otherPatient: Session;
	doctor: Session;
	otherDoctor: Session;
	clinicAdmin: Session;
	receptionist: Session;
	foreignReceptionist: Session;
	otherDoctorUser: TestUser;
}

let cast: Cast;

async function receptionistOf( clinicId: number ): Promise< Session > {
	const user = await createUser( 'kiviCare_receptionist' );
	await query(
		'INSERT INTO wp_kc_receptionist_clinic_mappings (receptionist_id, clinic_id, created_at) VALUES (?, ?, NOW())',
		[ user.id, clinicId ]
	);
	return login( user );
}

beforeAll( async () => {
	await configureMeet( { sync_budget_ms: 5000 } );
	const sc = await telemedScenario();
	const patient = await login( sc.patient );
	const booked = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '10:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ sc.mappingId ],
		status: 1,
	} );
	if ( booked.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( booked.body ) }` );
	}
	const plainService = await createService( {
		name: `In person ${ sc.doctor.id }`,
		doctors: [ sc.doctor.id ],
	} );
	const plain = await book( patient, {
		appointmentStartDate: freshDate(),
		appointmentStartTime: '11:00',
		doctorId: sc.doctor.id,
		patientId: sc.patient.id,
		serviceId: [ plainService.mappingIds[ 0 ]! ],
		status: 1,
	} );
	if ( plain.status !== 201 ) {
		throw new Error( `Booking failed: ${ JSON.stringify( plain.body ) }` );
	}
	const otherDoctorUser = await createDoctor( sc.clinicId );
	cast = {
		sc,
		appointmentId: booked.body.data.appointment_id,
		plainAppointmentId: plain.body.data.appointment_id,
		anonymous: null,
		admin: await login(),
		patient,
		otherPatient: await login( await createPatient() ),
		doctor: await login( sc.doctor ),
		otherDoctor: await login( otherDoctorUser ),
		clinicAdmin: await login( sc.clinicAdmin ),
		receptionist: await receptionistOf( sc.clinicId ),
		foreignReceptionist: await receptionistOf( sc.clinicId + 100000 ),
		otherDoctorUser,
	};
	clearDebugLog();
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

type Who = Exclude<
	keyof Cast,
	'sc' | 'appointmentId' | 'plainAppointmentId' | 'otherDoctorUser'
>;
const EVERYONE: Who[] = [
	'anonymous',
	'patient',
	'otherPatient',
	'doctor',
	'otherDoctor',
	'clinicAdmin',
	'receptionist',
	'foreignReceptionist',
	'admin',
];

/** Status each kind of user gets: 200 when allowed, else 401 (anonymous) or 403. */
function expected( allowed: Who[] ): Record< string, string > {
	const out: Record< string, string > = {};
	for ( const who of EVERYONE ) {
		let status =
			who === 'anonymous' ? '401 rest_forbidden' : '403 rest_forbidden';
		if ( allowed.includes( who ) ) {
			status = '200';
		}
		out[ who ] = status;
	}
	return out;
}

/** Calls the route as every kind of user; "200", or "<status> <code>" for refusals. */
async function matrix(
	route: () => string,
	init: { method?: string; body?: unknown }
): Promise< Record< string, string > > {
	const seenStatuses: Record< string, string > = {};
	for ( const who of EVERYONE ) {
		const res = await call( cast[ who ] as Session | null, route(), init );
		seenStatuses[ who ] =
			res.status === 200 ? '200' : `${ res.status } ${ res.body?.code }`;
	}
	return seenStatuses;
}

describe( 'permission matrix', () => {
	it( 'administrator routes: settings, settings/test, health, queue/run; connections for clinic staff too', async () => {
		expect( await matrix( () => 'settings', {} ) ).toEqual(
			expected( [ 'admin' ] )
		);
		expect(
			await matrix( () => 'settings', { method: 'POST', body: {} } )
		).toEqual( expected( [ 'admin' ] ) );
		expect( await matrix( () => 'health', {} ) ).toEqual(
			expected( [ 'admin' ] )
		);
		// Clinic staff too: each sees the doctors of their own clinics (connection-invites.test.ts).
		expect( await matrix( () => 'connections', {} ) ).toEqual(
			expected( [
				'admin',
				'clinicAdmin',
				'receptionist',
				'foreignReceptionist',
			] )
		);
		expect(
			await matrix( () => 'queue/run', {
				method: 'POST',
				body: { max_seconds: 1 },
			} )
		).toEqual( expected( [ 'admin' ] ) );
		expect(
			await matrix( () => 'settings/test', { method: 'POST', body: {} } )
		).toEqual( expected( [ 'admin' ] ) );
	} );

	it( 'a meeting: its participants and the staff of its clinic', async () => {
		expect(
			await matrix(
				() => `appointments/${ cast.appointmentId }/meeting`,
				{}
			)
		).toEqual(
			expected( [
				'patient',
				'doctor',
				'clinicAdmin',
				'receptionist',
				'admin',
			] )
		);
		// An appointment that does not exist looks exactly like one the user may not see.
		const missing = await call(
			cast.patient,
			'appointments/999999999/meeting'
		);
		expect( missing.status ).toBe( 403 );
		expect( missing.body.code ).toBe( 'rest_forbidden' );
	} );

	it( 'retrying a meeting: staff of the appointment, not patients', async () => {
		expect(
			await matrix(
				() => `appointments/${ cast.appointmentId }/meeting/retry`,
				{ method: 'POST' }
			)
		).toEqual(
			expected( [ 'doctor', 'clinicAdmin', 'receptionist', 'admin' ] )
		);
	} );

	it( "a doctor's connection: the doctor, or an administrator", async () => {
		const own = cast.sc.doctor.id;
		for ( const [ who, status ] of [
			[ 'anonymous', 401 ],
			[ 'patient', 403 ],
			[ 'otherDoctor', 403 ],
			[ 'receptionist', 403 ],
			[ 'clinicAdmin', 403 ],
			[ 'doctor', 200 ],
			[ 'admin', 200 ],
		] as Array< [ Who, number ] > ) {
			const res = await call(
				cast[ who ] as Session | null,
				`connection?doctor_id=${ own }`
			);
			expect( [ who, res.status ] ).toEqual( [ who, status ] );
		}
		const mine = await call( cast.doctor, 'connection' );
		expect( mine.body ).toMatchObject( {
			doctor_id: own,
			status: 'active',
			email: cast.sc.doctorEmail,
		} );
		// An administrator who is no doctor must name one; a non-doctor is refused.
		const noDoctor = await call( cast.admin, 'connection' );
		expect( noDoctor.status ).toBe( 400 );
		expect( noDoctor.body.code ).toBe( 'invalid_param' );
		expect( noDoctor.body.data.params ).toHaveProperty( 'doctor_id' );
		// Disconnecting someone else is for administrators only.
		const other = cast.otherDoctorUser.id;
		expect(
			(
				await call( cast.doctor, 'connection/disconnect', {
					method: 'POST',
					body: { doctor_id: other },
				} )
			).status
		).toBe( 403 );
		expect(
			(
				await call( cast.patient, 'connection/disconnect', {
					method: 'POST',
					body: {},
				} )
			).status
		).toBe( 403 );
		const byAdmin = await call( cast.admin, 'connection/disconnect', {
			method: 'POST',
			body: { doctor_id: other },
		} );
		expect( byAdmin.status ).toBe( 200 );
		expect( byAdmin.body ).toMatchObject( {
			doctor_id: other,
			status: 'disconnected',
		} );
	} );

	it( "a user's own meetings: logged-in users, each seeing only their own", async () => {
		expect( ( await call( null, 'me/meetings' ) ).status ).toBe( 401 );
		const patient = await call( cast.patient, 'me/meetings?limit=50' );
		expect( patient.status ).toBe( 200 );
		const mine = patient.body.find(
			( m: { appointment_id: number } ) =>
				m.appointment_id === cast.appointmentId
		);
		expect( mine ).toMatchObject( { role: 'guest', telemedicine: true } );
		// The in-person appointment is not a meeting.
		expect(
			patient.body.some(
				( m: { appointment_id: number } ) =>
					m.appointment_id === cast.plainAppointmentId
			)
		).toBe( false );
		const doctor = await call( cast.doctor, 'me/meetings?limit=50' );
		expect(
			doctor.body.find(
				( m: { appointment_id: number } ) =>
					m.appointment_id === cast.appointmentId
			)
		).toMatchObject( { role: 'host' } );
		const other = await call( cast.otherPatient, 'me/meetings' );
		expect( other.body ).toEqual( [] );
		const bad = await call(
			cast.patient,
			'me/meetings?limit=500&scope=yesterday'
		);
		expect( bad.status ).toBe( 400 );
		expect( bad.body.code ).toBe( 'invalid_param' );
		expect( Object.keys( bad.body.data.params ).sort() ).toEqual( [
			'limit',
			'scope',
		] );
	} );
} );

describe( 'meetings', () => {
	it( 'tells each viewer what they may know', async () => {
		const row = await mapping( cast.appointmentId );
		expect( row ).toMatchObject( { state: 'ready' } );
		const asPatient = await call(
			cast.patient,
			`appointments/${ cast.appointmentId }/meeting`
		);
		expect( asPatient.body ).toMatchObject( {
			appointment_id: cast.appointmentId,
			telemedicine: true,
			state: 'ready',
			appointment_status: 1,
			role: 'guest',
			url: row!.url,
			phase: 'upcoming',
		} );
		expect( asPatient.body ).not.toHaveProperty( 'event_url' );
		expect( asPatient.body ).not.toHaveProperty( 'error' );
		expect( new Date( asPatient.body.start ).getTime() ).toBe(
			new Date( `${ row!.start_utc!.replace( ' ', 'T' ) }Z` ).getTime()
		);
		// The join window opens ten minutes (the default) before the start.
		expect(
			new Date( asPatient.body.start ).getTime() -
				new Date( asPatient.body.join_opens_at ).getTime()
		).toBe( 10 * 60000 );

		const asDoctor = await call(
			cast.doctor,
			`appointments/${ cast.appointmentId }/meeting`
		);
		expect( asDoctor.body ).toMatchObject( {
			role: 'host',
			url: row!.url,
			event_url: row!.event_url,
		} );
		const asStaff = await call(
			cast.receptionist,
			`appointments/${ cast.appointmentId }/meeting`
		);
		expect( asStaff.body ).toMatchObject( {
			role: 'staff',
			event_url: row!.event_url,
		} );
	} );

	it( 'answers not_telemedicine for an in-person appointment', async () => {
		for ( const route of [
			`appointments/${ cast.plainAppointmentId }/meeting`,
			`appointments/${ cast.plainAppointmentId }/meeting/retry`,
		] ) {
			const res = await call( cast.doctor, route, {
				method: route.endsWith( 'retry' ) ? 'POST' : 'GET',
			} );
			expect( res.status ).toBe( 409 );
			expect( res.body.code ).toBe( 'not_telemedicine' );
		}
	} );

	it( 'retry re-queues a meeting that waits after an outage and creates it within the sync budget', async () => {
		await stopSidecar();
		let id = 0;
		try {
			const res = await book( cast.patient, {
				appointmentStartDate: freshDate(),
				appointmentStartTime: '12:00',
				doctorId: cast.sc.doctor.id,
				patientId: cast.sc.patient.id,
				serviceId: [ cast.sc.mappingId ],
				status: 1,
			} );
			expect( res.status ).toBe( 201 );
			id = res.body.data.appointment_id;
			const waiting = await call(
				cast.doctor,
				`appointments/${ id }/meeting`
			);
			expect( waiting.body ).toMatchObject( {
				state: 'pending',
				error: { code: 'sidecar_unavailable' },
			} );
			expect( waiting.body ).not.toHaveProperty( 'url' );
			// The patient sees that the link is coming, not why.
			const patientView = await call(
				cast.patient,
				`appointments/${ id }/meeting`
			);
			expect( patientView.body.state ).toBe( 'pending' );
			expect( patientView.body ).not.toHaveProperty( 'error' );
			// What the view script asks for to refresh the item on the page that shows it.
			const page = `${ harness().url }/consultation/`;
			const rendered = await call(
				cast.patient,
				`appointments/${ id }/meeting?render=1`,
				{ headers: { Referer: page } }
			);
			expect( rendered.body.state ).toBe( 'pending' );
			const pendingHtml: string = rendered.body.html;
			expect( pendingHtml ).toContain(
				'The video link is being prepared.'
			);
			expect( pendingHtml ).toContain( `href="${ page }"` );
			expect( pendingHtml ).toMatch(
				new RegExp(
					`data-mfk-refresh="[^"]*/appointments/${ id }/meeting\\?render=1"`
				)
			);
			expect( pendingHtml ).toMatch( /data-mfk-nonce="[0-9a-f]{10}"/ );
			expect( pendingHtml ).not.toContain( 'sidecar' );
			// A page elsewhere is not a place to send the visitor back to.
			const foreign = await call(
				cast.patient,
				`appointments/${ id }/meeting?render=1`,
				{ headers: { Referer: 'https://elsewhere.example/phish' } }
			);
			expect( foreign.body.html ).not.toContain( 'elsewhere.example' );
			expect(
				(
					await call(
						cast.otherPatient,
						`appointments/${ id }/meeting?render=1`
					)
				).status
			).toBe( 403 );
			// Retrying while the sidecar is still down keeps it waiting, with the reason.
			const still = await call(
				cast.clinicAdmin,
				`appointments/${ id }/meeting/retry`,
				{
					method: 'POST',
				}
			);
			expect( still.status ).toBe( 200 );
			expect( still.body ).toMatchObject( {
				state: 'pending',
				error: { code: 'sidecar_unavailable' },
			} );
		} finally {
			await startSidecar();
		}
		// Backoff pushed the row into the future; retry makes it due and runs it now.
		expect( ( await mapping( id ) )!.next_attempt_at! > '' ).toBe( true );
		const retried = await call(
			cast.receptionist,
			`appointments/${ id }/meeting/retry`,
			{
				method: 'POST',
			}
		);
		expect( retried.status ).toBe( 200 );
		expect( retried.body ).toMatchObject( {
			state: 'ready',
			role: 'staff',
		} );
		expect( retried.body.url ).toMatch( /^https:\/\/meet\.google\.com\// );
		expect( ( await mapping( id ) )!.state ).toBe( 'ready' );
		const ready = await call(
			cast.patient,
			`appointments/${ id }/meeting?render=1`
		);
		expect( ready.body.html ).toContain( 'Join Google Meet' );
		expect( ready.body.html ).toContain( 'data-mfk-state="ready"' );
		expect( ready.body.html ).not.toContain( 'data-mfk-refresh' );
	} );
} );

describe( 'settings', () => {
	it( 'reads the settings with secrets reported only as set or not set', async () => {
		const res = await call( cast.admin, 'settings' );
		expect( res.status ).toBe( 200 );
		expect( res.body ).toMatchObject( {
			google_client_id: expect.any( String ),
			google_client_secret_set: true,
			sidecar_url: harness().sidecarUrl,
			sidecar_url_locked: true,
			sidecar_secret_set: true,
			sidecar_secret_locked: true,
			sync_budget_ms: 5000,
			send_updates: 'none',
			join_window_minutes: 10,
			calendar_id: 'primary',
			keep_data_on_uninstall: false,
			redirect_uri: `${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`,
		} );
		expect( res.body ).not.toHaveProperty( 'google_client_secret' );
		expect( res.body ).not.toHaveProperty( 'sidecar_secret' );
	} );

	it( 'stores nothing when one field is invalid, and reports every invalid field', async () => {
		const before = await getOption( 'mfk_settings' );
		const res = await call( cast.admin, 'settings', {
			method: 'POST',
			body: {
				join_window_minutes: 15,
				event_title_template: 'Consultation about {diagnosis}',
				link_ready_email_body: 'No link here',
				sync_budget_ms: 'soon',
				send_updates: 'sometimes',
				sidecar_url: 'http://127.0.0.1:1',
			},
		} );
		expect( res.status ).toBe( 400 );
		expect( res.body.code ).toBe( 'invalid_param' );
		// Type errors are found first, by the route's schema…
		expect( Object.keys( res.body.data.params ).sort() ).toEqual( [
			'send_updates',
			'sync_budget_ms',
		] );
		const second = await call( cast.admin, 'settings', {
			method: 'POST',
			body: {
				join_window_minutes: 15,
				event_title_template: 'Consultation about {diagnosis}',
				link_ready_email_body: 'No link here',
				sidecar_url: 'http://127.0.0.1:1',
			},
		} );
		// …then the values, all at once.
		expect( second.status ).toBe( 400 );
		expect( Object.keys( second.body.data.params ).sort() ).toEqual( [
			'event_title_template',
			'link_ready_email_body',
			'sidecar_url',
		] );
		expect( second.body.data.params.sidecar_url ).toMatch(
			/wp-config\.php/
		);
		expect( await getOption( 'mfk_settings' ) ).toEqual( before );
	} );

	it( 'saves a valid partial update and answers with the new settings; the client secret is write-only', async () => {
		const res = await call( cast.admin, 'settings', {
			method: 'POST',
			body: {
				join_window_minutes: 15,
				event_title_template: '{clinic_name} video consultation',
				google_client_secret: CLIENT_SECRET,
				reschedule_email_subject: 'New time for your consultation',
			},
		} );
		expect( res.status ).toBe( 200 );
		expect( res.body ).toMatchObject( {
			join_window_minutes: 15,
			event_title_template: '{clinic_name} video consultation',
			google_client_secret_set: true,
			reschedule_email_subject: 'New time for your consultation',
			sync_budget_ms: 5000,
		} );
		// Stored sealed by the sidecar, never in the clear.
		const stored =
			await getOption< Record< string, string > >( 'mfk_settings' );
		expect( stored.google_client_secret ).not.toContain( CLIENT_SECRET );
		expect( stored.google_client_secret!.length ).toBeGreaterThan( 40 );
		await call( cast.admin, 'settings', {
			method: 'POST',
			body: {
				join_window_minutes: 10,
				event_title_template: 'Video consultation',
				reschedule_email_subject:
					'Your video consultation has a new time',
			},
		} );
	} );

	it( 'tests the connection in plain words', async () => {
		const res = await call( cast.admin, 'settings/test', {
			method: 'POST',
			body: {},
		} );
		expect( res.status ).toBe( 200 );
		expect( res.body.ok ).toBe( true );
		expect( res.body.checks.map( ( c: { id: string } ) => c.id ) ).toEqual(
			[ 'sidecar', 'signature', 'client' ]
		);
		for ( const check of res.body.checks ) {
			expect( check ).toMatchObject( {
				ok: true,
				message: expect.any( String ),
			} );
		}
		expect( res.body.checks[ 0 ].latency_ms ).toEqual(
			expect.any( Number )
		);
	} );

	it( 'reports a wrong client secret with a hint', async () => {
		const good = await getOption( 'mfk_settings' );
		try {
			await call( cast.admin, 'settings', {
				method: 'POST',
				body: { google_client_secret: 'not-the-secret' },
			} );
			const res = await call( cast.admin, 'settings/test', {
				method: 'POST',
				body: {},
			} );
			expect( res.body.ok ).toBe( false );
			const client = res.body.checks.find(
				( c: { id: string } ) => c.id === 'client'
			);
			expect( client ).toMatchObject( { ok: false } );
			expect( client.hint ).toMatch( /Google Cloud console/ );
		} finally {
			await wpJson(
				'update_option( "mfk_settings", $args ); MFK_Settings::flush_cache(); return true;',
				good
			);
		}
	} );
} );

describe( 'health and queue', () => {
	it( 'reports the sidecar, the queue, the last errors and doctors needing reconnection', async () => {
		const res = await call( cast.admin, 'health' );
		expect( res.status ).toBe( 200 );
		expect( res.body ).toMatchObject( {
			sidecar: {
				reachable: true,
				signed: true,
				version: expect.any( String ),
				latency_ms: expect.any( Number ),
			},
			queue: {
				pending: expect.any( Number ),
				failed: expect.any( Number ),
				oldest_pending_age_seconds: expect.any( Number ),
			},
			last_errors: expect.any( Array ),
			doctors_needing_reconnect: expect.any( Number ),
		} );
		expect( res.body.queue ).toHaveProperty( 'last_run_at' );
	} );

	it( 'runs one queue pass on demand', async () => {
		const res = await call( cast.admin, 'queue/run', {
			method: 'POST',
			body: { max_seconds: 5 },
		} );
		expect( res.status ).toBe( 200 );
		expect( res.body ).toEqual( {
			processed: expect.any( Number ),
			ready: expect.any( Number ),
			failed: expect.any( Number ),
			cancelled: expect.any( Number ),
			remaining: expect.any( Number ),
		} );
		const bad = await call( cast.admin, 'queue/run', {
			method: 'POST',
			body: { max_seconds: 600 },
		} );
		expect( bad.status ).toBe( 400 );
		expect( bad.body.data.params ).toHaveProperty( 'max_seconds' );
	} );

	it( 'lists every doctor with their connection and waiting meetings', async () => {
		const res = await call( cast.admin, 'connections' );
		const doctor = res.body.doctors.find(
			( d: { doctor_id: number } ) => d.doctor_id === cast.sc.doctor.id
		);
		expect( doctor ).toMatchObject( {
			status: 'active',
			email: cast.sc.doctorEmail,
			pending_meetings: expect.any( Number ),
			failed_meetings: expect.any( Number ),
			name: expect.any( String ),
		} );
	} );
} );

describe( 'secrets', () => {
	it( 'never appear in any answer of this file', async () => {
		const settings =
			await getOption< Record< string, string > >( 'mfk_settings' );
		const credentials = await wpJson< string[] >(
			'global $wpdb; return $wpdb->get_col( "SELECT meta_value FROM {$wpdb->usermeta} WHERE meta_key = \'mfk_google_credential\'" );'
		);
		const secrets = [
			harness().sidecarSecret,
			CLIENT_SECRET,
			settings.google_client_secret,
			...harness()
				.sealKeys.split( ',' )
				.map( ( k ) => k.split( ':' )[ 1 ]! ),
			...credentials,
		].filter(
			( s ): s is string => typeof s === 'string' && s.length >= 16
		);
		expect( secrets.length ).toBeGreaterThanOrEqual( 4 );
		expect( seen.length ).toBeGreaterThan( 50 );
		const all = seen.join( '\n' );
		for ( const secret of secrets ) {
			expect( all.includes( secret ) ).toBe( false );
			expect(
				all.includes( JSON.stringify( secret ).slice( 1, -1 ) )
			).toBe( false );
		}
	} );
} );
