/**
 * The demo clinic that `./bin/dev start` seeds on every start (idempotent):
 *
 * 1. `php/seed-demo.php`: one account per role, the KiviCare clinic with two doctors, a video
 *    consultation and an in-person service each, the pages, and the Google OAuth client that
 *    the emulator knows;
 * 2. the first doctor's Google account connected through the emulator's consent page, the
 *    way a doctor does it (again whenever the emulator started empty, which a restart does);
 *    the second doctor stays unconnected;
 * 3. `php/seed-demo-appointments.php`: appointments whose meetings are ready (one of them open
 *    now), waiting for payment and cancelled, and an in-person visit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_PASSWORD, type Instance } from './instances';
import { HARNESS_PHP } from './paths';
import { wpJsonIn } from './wp-eval';

/** The Google account of the connected demo doctor (an emulator account). */
export const DEMO_GOOGLE_ACCOUNT = 'alex.morgan.clinic@gmail.test';

export interface DemoAccount {
	login: string;
	role: string;
	name: string;
}

export interface DemoAppointment {
	key: string;
	label: string;
	id: number;
	doctor: string;
	patient: string;
	/** ISO 8601 instant. */
	start: string;
	/** Start in the site's time zone, e.g. "Tue 3 Mar, 14:35 UTC". */
	when: string;
	/** KiviCare status (1 booked, 2 awaiting payment, 0 cancelled). */
	status: number;
	/** Meeting state (`ready`, `pending`, `failed`, `cancelled`; '' without a meeting). */
	meeting: string;
	url: string;
}

export interface DemoResult {
	accounts: DemoAccount[];
	/** The page with the Meet controls. */
	page: string | false;
	/** The page with KiviCare's booking form. */
	booking?: string;
	google?: {
		configured: boolean;
		/** Google account of the connected doctor ('' when not connected). */
		doctorAccount: string;
		message: string;
	};
	appointments: DemoAppointment[];
	/** What could not be seeded, in plain words (the rest still is). */
	problems: string[];
}

interface ClinicSeed {
	accounts: DemoAccount[];
	page: string | false;
	clinic?: {
		id: number;
		users: Record< string, number >;
		services: Record< string, Record< string, number > >;
		booking: string;
	};
	google?: {
		configured: boolean;
		message: string;
		redirect: string;
		doctor: { status: string; email: string | null };
	};
}

function phpFile( name: string ): string {
	return readFileSync( path.join( HARNESS_PHP, name ), 'utf8' );
}

function unescapeHtml( value: string ): string {
	return value
		.replace( /&quot;/g, '"' )
		.replace( /&#39;/g, "'" )
		.replace( /&lt;/g, '<' )
		.replace( /&gt;/g, '>' )
		.replace( /&amp;/g, '&' );
}

/** Whether the emulator knows the account (it forgets everything when it restarts). */
async function emulatorKnows(
	instance: Instance,
	email: string
): Promise< boolean > {
	const res = await fetch(
		`${ instance.urls.emulator }/__emulator/accounts`
	);
	if ( ! res.ok ) {
		return false;
	}
	const body = ( await res.json() ) as {
		accounts?: Array< { email: string } >;
	};
	return ( body.accounts ?? [] ).some( ( a ) => a.email === email );
}

/**
 * Answers the emulator's consent page at `consentUrl` as `email` ("Allow", every scope ticked)
 * and resolves with the authorization code Google sends back.
 */
async function consent( consentUrl: string, email: string ): Promise< string > {
	const page = await fetch( consentUrl );
	const html = await page.text();
	const form = /<form[^>]*action="([^"]+)"/.exec( html );
	const pending = /name="request" value="([^"]*)"/.exec( html );
	if ( page.status !== 200 || ! form || ! pending ) {
		throw new Error(
			`Google's consent page: HTTP ${ page.status } ${ html.slice( 0, 200 ) }`
		);
	}
	const body = new URLSearchParams( {
		request: unescapeHtml( pending[ 1 ]! ),
		email,
		decision: 'allow',
	} );
	for ( const match of html.matchAll(
		/name="scope" value="([^"]*)" checked/g
	) ) {
		body.append( 'scope', unescapeHtml( match[ 1 ]! ) );
	}
	const answer = await fetch(
		new URL( unescapeHtml( form[ 1 ]! ), consentUrl ),
		{
			method: 'POST',
			redirect: 'manual',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body,
		}
	);
	await answer.arrayBuffer();
	const code = new URL(
		answer.headers.get( 'location' ) ?? 'http://invalid/'
	).searchParams.get( 'code' );
	if ( ! code ) {
		throw new Error(
			`Google's consent page answered HTTP ${ answer.status } without a code`
		);
	}
	return code;
}

/** Connects the demo doctor's Google account through the plugin and the consent page. */
async function connectDoctor(
	instance: Instance,
	doctorId: number,
	redirect: string
): Promise< void > {
	const url = await wpJsonIn< string >(
		instance,
		`$u = MFK_Doctor_Connection::authorization_url( $args['id'], $args['redirect'], $args['state'] );
		if ( is_wp_error( $u ) ) { throw new RuntimeException( $u->get_error_message() ); }
		return $u;`,
		{
			id: doctorId,
			redirect,
			state: `demo-${ Date.now().toString( 36 ) }`,
		}
	);
	const code = await consent( url, DEMO_GOOGLE_ACCOUNT );
	await wpJsonIn(
		instance,
		`$r = MFK_Doctor_Connection::connect_from_code( $args['id'], $args['code'], $args['redirect'] );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
		return true;`,
		{ id: doctorId, code, redirect }
	);
}

/** Seeds (or refreshes) the demo clinic of `instance`. */
export async function seedDemo( instance: Instance ): Promise< DemoResult > {
	const seeded = await wpJsonIn< ClinicSeed >(
		instance,
		phpFile( 'seed-demo.php' ),
		{ password: ADMIN_PASSWORD }
	);
	const result: DemoResult = {
		accounts: seeded.accounts,
		page: seeded.page,
		appointments: [],
		problems: [],
	};
	const { clinic, google } = seeded;
	if ( ! clinic ) {
		return result; // No KiviCare: accounts and the page only.
	}
	result.booking = clinic.booking;

	let reensure = false;
	let doctorAccount = '';
	if ( google?.configured ) {
		const doctorId = clinic.users.doctor!;
		const known = await emulatorKnows( instance, DEMO_GOOGLE_ACCOUNT );
		if ( google.doctor.status !== 'active' || ! known ) {
			try {
				await connectDoctor( instance, doctorId, google.redirect );
				// A connection that was active before lost its events with the old emulator.
				reensure = google.doctor.status === 'active';
			} catch ( error ) {
				result.problems.push(
					`Connecting the demo doctor's Google account: ${ ( error as Error ).message }`
				);
			}
		}
		const now = await wpJsonIn< { status: string; email: string | null } >(
			instance,
			'return MFK_Doctor_Connection::get( $args["id"] );',
			{ id: doctorId }
		);
		doctorAccount = now.status === 'active' ? ( now.email ?? '' ) : '';
	} else if ( google ) {
		result.problems.push(
			`Google is not set up: ${ google.message || 'the sidecar is not running' }`
		);
	}
	result.google = {
		configured: !! google?.configured,
		doctorAccount,
		message: google?.message ?? '',
	};

	const booked = await wpJsonIn< {
		appointments: DemoAppointment[];
		problems: string[];
	} >( instance, phpFile( 'seed-demo-appointments.php' ), {
		users: clinic.users,
		services: clinic.services,
		reensure,
	} );
	result.appointments = booked.appointments;
	result.problems.push( ...booked.problems );
	return result;
}
