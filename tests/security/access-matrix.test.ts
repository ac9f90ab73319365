/**
 * The access-control matrix: every kind of visitor (anonymous, patients, doctors, receptionists
 * and clinic admins of the appointment's clinic or another, administrators) against every
 * sensitive action (reading the Meet link through REST and through the shortcode, retrying,
 * settings in both namespaces, the health and queue routes, the background kick, connecting,
 * reading and disconnecting a doctor's Google connection, KiviCare's "regenerate" route, an
 * appointment's attendance, the video visits report and its CSV download), plus a
 * logged-in doctor's browser tricked into a request without the REST nonce (CSRF). A refusal must
 * also leave no trace: no link in the answer and, for disconnects, the connection untouched, for
 * regenerate the meeting's row. The matrix is written to
 * tests/artifacts/security/access-matrix.json for docs/SECURITY.md.
 */
import { harness, wpJson, type Session } from '../harness/testkit';
import { connectDoctor, mapping } from '../integration/support/meet';
import {
	ACTOR_LABELS,
	ACTORS,
	createCast,
	type Actor,
	type Cast,
} from './support/cast';
import { collect } from './support/collect';
import { recordSecurity } from './support/figures';
import { logMark, problemsSince } from '../reliability/support/log';

const API = 'meet-for-kivicare/v1';
let cast: Cast;
let mark = 0;
let page = 0;

interface Cell {
	action: string;
	actor: Actor | 'csrf';
	expected: number;
	actual: number;
	leaked: boolean;
}
const cells: Cell[] = [];

beforeAll( async () => {
	mark = logMark();
	cast = await createCast();
	page = await wpJson< number >(
		`return wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Consultation', 'post_content' => '[mfk_meet_controls appointment_id="' . (int) $args . '"]' ) );`,
		cast.appointmentId
	);
}, 120000 );

afterAll( async () => {
	await wpJson(
		'return wp_delete_post( $args, true ) ? true : false;',
		page
	);
} );

async function send(
	session: Session | null,
	route: string,
	method: string,
	body?: unknown
): Promise< { status: number; text: string } > {
	if ( session ) {
		const res = await session.rest( route, {
			method,
			...( body !== undefined ? { body } : {} ),
		} );
		return { status: res.status, text: JSON.stringify( res.body ) };
	}
	const res = await fetch( `${ harness().restUrl }${ route }`, {
		method,
		headers:
			body !== undefined ? { 'Content-Type': 'application/json' } : {},
		...( body !== undefined ? { body: JSON.stringify( body ) } : {} ),
	} );
	const text = await res.text();
	collect( 'rest', `${ method } ${ route } (anonymous)`, text );
	return { status: res.status, text };
}

/** Status each actor must get; actors not named are refused (401 anonymous, else 403). */
function expectation(
	allowed: Partial< Record< Actor, number > >
): Record< Actor, number > {
	return Object.fromEntries(
		ACTORS.map( ( a ) => [
			a,
			allowed[ a ] ?? ( a === 'anonymous' ? 401 : 403 ),
		] )
	) as Record< Actor, number >;
}

async function row(
	action: string,
	route: string | ( () => string ),
	method: string,
	allowed: Partial< Record< Actor, number > >,
	{ body, secret }: { body?: unknown; secret?: string } = {}
): Promise< void > {
	const want = expectation( allowed );
	for ( const actor of ACTORS ) {
		const res = await send(
			cast.sessions[ actor ],
			typeof route === 'string' ? route : route(),
			method,
			body
		);
		const leaked =
			want[ actor ] >= 400 && !! secret && res.text.includes( secret );
		cells.push( {
			action,
			actor,
			expected: want[ actor ],
			actual: res.status,
			leaked,
		} );
	}
}

async function connectionStatus( doctorId: number ): Promise< string > {
	return wpJson(
		'return MFK_Doctor_Connection::get( $args )["status"];',
		doctorId
	);
}

it( 'grants each action only to whom it belongs', async () => {
	const id = cast.appointmentId;
	const meeting = `${ API }/appointments/${ id }/meeting`;
	const staff = {
		doctor: 200,
		clinicAdmin: 200,
		receptionist: 200,
		admin: 200,
	};
	const adminOnly = { admin: 200 };
	const doctors = { doctor: 200, otherDoctor: 200 };

	await row(
		'Read the Meet link (REST)',
		meeting,
		'GET',
		{ ...staff, patient: 200 },
		{ secret: cast.meetUrl }
	);
	await row(
		'Read the appointment’s attendance',
		`${ API }/appointments/${ id }/attendance`,
		'GET',
		staff
	);
	// The video visits report: administrators, and clinic admins for their own clinics. A past
	// visit of clinic A (doctor 1) must show up for those two only.
	const pastVisit = await wpJson< number >(
		`global $wpdb;
		$end = time() - DAY_IN_SECONDS;
		$wpdb->insert( $wpdb->prefix . 'kc_appointments', array(
			'appointment_start_date' => gmdate( 'Y-m-d', $end - 1800 ), 'appointment_start_time' => gmdate( 'H:i:s', $end - 1800 ),
			'clinic_id' => $args['clinic'], 'doctor_id' => $args['doctor'], 'patient_id' => $args['patient'], 'status' => 1,
		) );
		$id = (int) $wpdb->insert_id;
		$wpdb->insert( MFK_Schema::table(), array(
			'appointment_id' => $id, 'url' => 'https://meet.google.com/pst-visi-tab', 'state' => 'ready',
			'desired' => 'active', 'doctor_id' => $args['doctor'],
			'start_utc' => gmdate( 'Y-m-d H:i:s', $end - 1800 ), 'end_utc' => gmdate( 'Y-m-d H:i:s', $end ),
		) );
		return $id;`,
		{
			clinic: cast.clinicId,
			doctor: cast.users.doctor.id,
			patient: cast.users.patient.id,
		}
	);
	const reportReaders = {
		admin: 200,
		clinicAdmin: 200,
		foreignClinicAdmin: 200,
	};
	await row(
		'Read the video visits report',
		`${ API }/reports/visits`,
		'GET',
		reportReaders
	);
	await row(
		'Read the video visits report of clinic A',
		`${ API }/reports/visits?clinic_id=${ cast.clinicId }`,
		'GET',
		{ admin: 200, clinicAdmin: 200 }
	);
	await row(
		'Download the video visits report of clinic A (CSV)',
		`${ API }/reports/visits?format=csv&clinic_id=${ cast.clinicId }`,
		'GET',
		{ admin: 200, clinicAdmin: 200 }
	);
	const seeVisit = new Set< Actor >( [ 'admin', 'clinicAdmin' ] );
	for ( const actor of ACTORS ) {
		const res = await send(
			cast.sessions[ actor ],
			`${ API }/reports/visits?per_page=100&doctor_id=${ cast.users.doctor.id }`,
			'GET'
		);
		const shown =
			res.status === 200 &&
			res.text.includes( `"appointment_id":${ pastVisit },` );
		cells.push( {
			action: 'See clinic A’s past visit in the video visits report',
			actor,
			expected: seeVisit.has( actor ) ? 200 : 403,
			actual: shown ? 200 : 403,
			leaked: ! seeVisit.has( actor ) && shown,
		} );
	}
	await row(
		'Read a missing appointment (REST)',
		`${ API }/appointments/999999999/meeting`,
		'GET',
		{}
	);
	await row( 'Retry the meeting', `${ meeting }/retry`, 'POST', staff, {
		secret: cast.meetUrl,
	} );
	await row( 'Read settings', `${ API }/settings`, 'GET', adminOnly );
	await row( 'Change settings', `${ API }/settings`, 'POST', adminOnly, {
		body: { join_window_minutes: 10 },
	} );
	await row(
		'Test the connection',
		`${ API }/settings/test`,
		'POST',
		adminOnly,
		{ body: {} }
	);
	await row( 'Read health', `${ API }/health`, 'GET', adminOnly );
	await row( 'Run the queue', `${ API }/queue/run`, 'POST', adminOnly, {
		body: { max_seconds: 1 },
	} );
	// The site's own loopback kick: its signature is its only permission, so everyone without
	// one (logged in or not) is refused alike.
	await row(
		'Start the background sync (kick not signed by the site)',
		`${ API }/background`,
		'POST',
		{ anonymous: 403 },
		{
			body: {
				ids: String( id ),
				expires: Math.floor( Date.now() / 1000 ) + 30,
				nonce: '0'.repeat( 32 ),
				signature: 'a'.repeat( 64 ),
			},
		}
	);
	// Every doctor for administrators; the doctors of their own clinics for clinic admins and
	// receptionists (staff of another clinic get a list without doctor 1).
	const clinicStaff = {
		admin: 200,
		clinicAdmin: 200,
		receptionist: 200,
		foreignClinicAdmin: 200,
		foreignReceptionist: 200,
	};
	await row(
		'List doctors’ connections',
		`${ API }/connections`,
		'GET',
		clinicStaff,
		{ secret: cast.doctorEmail }
	);
	const seeDoctor = new Set< Actor >( [
		'admin',
		'clinicAdmin',
		'receptionist',
	] );
	for ( const actor of ACTORS ) {
		const res = await send(
			cast.sessions[ actor ],
			`${ API }/connections`,
			'GET'
		);
		const shown =
			res.status === 200 && res.text.includes( cast.doctorEmail );
		cells.push( {
			action: 'See doctor 1’s connection in the list of connections',
			actor,
			expected: seeDoctor.has( actor ) ? 200 : 403,
			actual: shown ? 200 : 403,
			leaked: ! seeDoctor.has( actor ) && shown,
		} );
	}
	// A connection link for doctor 1: administrators, and the admin of doctor 1's clinic.
	await row(
		'E-mail doctor 1 a link to connect Google',
		`${ API }/connections/${ cast.users.doctor.id }/invite`,
		'POST',
		{ admin: 200, clinicAdmin: 200 },
		{ body: {} }
	);
	await row(
		'Read KiviCare’s Google Meet settings',
		'kivicare/v1/settings/googlemeet',
		'GET',
		adminOnly
	);
	await row(
		'Change KiviCare’s Google Meet settings',
		'kivicare/v1/settings/googlemeet',
		'PUT',
		adminOnly,
		{ body: { google_meet_config: { app_name: 'Clinic' } } }
	);
	await row(
		'Read the doctor’s connection',
		`${ API }/connection?doctor_id=${ cast.users.doctor.id }`,
		'GET',
		{ doctor: 200, admin: 200 },
		{ secret: cast.doctorEmail }
	);
	await row(
		'Connect Google (start OAuth)',
		`${ API }/connection/connect`,
		'POST',
		doctors,
		{ body: {} }
	);
	await row(
		'Connect Google through KiviCare',
		'kivicare/v1/settings/googlemeet/authorize',
		'GET',
		doctors
	);
	await row(
		'Read KiviCare’s doctor connection',
		'kivicare/v1/settings/googlemeet/doctor-config',
		'GET',
		doctors
	);

	// Disconnecting: every refused attempt must leave the doctor connected.
	const victim = cast.users.doctor.id;
	const want = expectation( { doctor: 200, admin: 200 } );
	for ( const actor of ACTORS ) {
		const res = await send(
			cast.sessions[ actor ],
			`${ API }/connection/disconnect`,
			'POST',
			{ doctor_id: victim }
		);
		const status = await connectionStatus( victim );
		cells.push( {
			action: 'Disconnect doctor 1’s Google account',
			actor,
			expected: want[ actor ],
			actual: res.status,
			leaked: want[ actor ] >= 400 && status !== 'active',
		} );
		if ( status !== 'active' ) {
			await connectDoctor( cast.users.doctor, cast.doctorEmail );
		}
	}
	// A doctor's own disconnect through KiviCare's route (administrators are no doctors).
	for ( const actor of ACTORS ) {
		const doctor =
			actor === 'otherDoctor' ? cast.users.otherDoctor.id : victim;
		const res = await send(
			cast.sessions[ actor ],
			'kivicare/v1/settings/googlemeet/disconnect',
			'GET'
		);
		const wanted = expectation( { doctor: 200, otherDoctor: 200 } )[
			actor
		];
		cells.push( {
			action: 'Disconnect own account through KiviCare',
			actor,
			expected: wanted,
			actual: res.status,
			leaked:
				wanted >= 400 &&
				( await connectionStatus( victim ) ) !== 'active',
		} );
		if (
			( actor === 'doctor' || actor === 'otherDoctor' ) &&
			( await connectionStatus( doctor ) ) !== 'active'
		) {
			await connectDoctor(
				actor === 'doctor' ? cast.users.doctor : cast.users.otherDoctor,
				actor === 'doctor' ? cast.doctorEmail : cast.otherDoctorEmail
			);
		}
	}

	// The Meet link through the shortcode: only the participants and the staff see it.
	const seeLink = new Set< Actor >( [
		'patient',
		'doctor',
		'clinicAdmin',
		'receptionist',
		'admin',
	] );
	for ( const actor of ACTORS ) {
		const session = cast.sessions[ actor ];
		const url = `${ harness().url }/?page_id=${ page }`;
		const html = session
			? await ( await session.fetch( url ) ).text()
			: await ( await fetch( url ) ).text();
		const shown = html.includes( cast.meetUrl );
		cells.push( {
			action: 'See the Meet link in [mfk_meet_controls appointment_id]',
			actor,
			expected: seeLink.has( actor ) ? 200 : 403,
			actual: shown ? 200 : 403,
			leaked: ! seeLink.has( actor ) && shown,
		} );
	}

	// CSRF: a page elsewhere makes the doctor's browser send their cookies. Without the REST
	// nonce WordPress treats the request as logged out (401); with a wrong one it refuses it (403).
	const doctor = cast.sessions.doctor!;
	for ( const [ action, route, method, body ] of [
		[ 'Disconnect', `${ API }/connection/disconnect`, 'POST', {} ],
		[ 'Connect', `${ API }/connection/connect`, 'POST', {} ],
		[ 'Retry', `${ API }/appointments/${ id }/meeting/retry`, 'POST', {} ],
		[
			'Disconnect through KiviCare',
			'kivicare/v1/settings/googlemeet/disconnect',
			'GET',
			undefined,
		],
	] as const ) {
		for ( const [ variant, nonce, expected ] of [
			[ 'no nonce', null, 401 ],
			[ 'forged nonce', '0123456789', 403 ],
		] as const ) {
			const res = await fetch( `${ harness().restUrl }${ route }`, {
				method,
				headers: {
					Cookie: doctor.cookie,
					Origin: 'https://evil.example',
					...( nonce ? { 'X-WP-Nonce': nonce } : {} ),
					...( body ? { 'Content-Type': 'application/json' } : {} ),
				},
				...( body ? { body: JSON.stringify( body ) } : {} ),
			} );
			collect(
				'rest',
				`${ method } ${ route } (CSRF, ${ variant })`,
				await res.text()
			);
			cells.push( {
				action: `${ action } (doctor’s cookies, ${ variant })`,
				actor: 'csrf',
				expected,
				actual: res.status,
				leaked: ( await connectionStatus( victim ) ) !== 'active',
			} );
		}
	}

	// KiviCare's "regenerate" route lets every doctor, receptionist and clinic admin through
	// (its permission callback returns a truthy closure); the provider refuses whoever may not
	// manage the appointment, with KiviCare's 500 and nothing changed. Allowed, it gives the
	// appointment a new link, so this row comes last.
	const regenerate = expectation( {
		admin: 200,
		clinicAdmin: 200,
		receptionist: 200,
		doctor: 200,
		otherDoctor: 500,
		foreignReceptionist: 500,
		foreignClinicAdmin: 500,
	} );
	for ( const actor of ACTORS ) {
		const before = await mapping( id );
		const res = await send(
			cast.sessions[ actor ],
			`kivicare/v1/appointments/${ id }/regenerate-video-conference`,
			'GET'
		);
		const after = await mapping( id );
		const unchanged =
			after?.url === before?.url &&
			after?.revision === before?.revision &&
			after?.intent_seq === before?.intent_seq;
		cells.push( {
			action: 'Regenerate the Meet link (KiviCare’s route)',
			actor,
			expected: regenerate[ actor ],
			actual: res.status,
			leaked:
				regenerate[ actor ] >= 400 &&
				( ! unchanged || res.text.includes( 'meet.google.com' ) ),
		} );
	}

	const mismatches = cells.filter(
		( c ) => c.actual !== c.expected || c.leaked
	);
	recordSecurity( {
		id: 'access-matrix',
		title: 'Access-control matrix',
		attempts: cells.length,
		held: cells.length - mismatches.length,
		failures: mismatches.length,
		details: {
			actions: new Set( cells.map( ( c ) => c.action ) ).size,
			actors: ACTORS.length + 1,
			allowed: cells.filter( ( c ) => c.expected < 400 ).length,
			refused: cells.filter( ( c ) => c.expected >= 400 ).length,
			leaks: cells.filter( ( c ) => c.leaked ).length,
		},
		problems: mismatches.map(
			( c ) =>
				`${ c.action } / ${ c.actor }: expected ${ c.expected }, got ${ c.actual }${ c.leaked ? ' (leaked)' : '' }`
		),
	} );
	// The full matrix, for docs/SECURITY.md.
	const matrix: Record< string, Record< string, string > > = {};
	for ( const c of cells ) {
		matrix[ c.action ] ??= {};
		const label =
			c.actor === 'csrf'
				? 'doctor’s browser, cross-site (CSRF)'
				: ACTOR_LABELS[ c.actor ];
		const held = c.actual === c.expected && ! c.leaked;
		let verdict = `✗ ${ c.actual }`;
		if ( held ) {
			verdict = c.expected < 400 ? 'allowed' : 'refused';
		}
		matrix[ c.action ]![ label ] = verdict;
	}
	recordSecurity( {
		id: 'access-matrix-table',
		title: 'matrix',
		attempts: 0,
		held: 0,
		failures: 0,
		details: {},
		notes: JSON.stringify( matrix ),
	} );
	expect( mismatches ).toEqual( [] );
}, 240000 );

it( 'left no PHP warning and no database error in the debug log', () => {
	expect( problemsSince( mark ) ).toEqual( [] );
} );
