/**
 * Helpers for the PHP-side integration suites of Meet for KiviCare: plugin settings, doctors
 * connected through the emulator's real OAuth consent page, the queue runner as a separate PHP
 * process (the way system cron runs it), mapping rows and the emulator's calendars.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../harness/paths';
import { harness, query, wpJson, type TestUser } from '../../harness/testkit';
import {
	createDoctor,
	createPatient,
	createService,
	ensureClinic,
} from '../../kivicare-stand-in/test-support/standin';

export const MAPPINGS = 'wp_kc_appointment_google_meet_mappings';
export const CLIENT_ID = 'mfk-tests.apps.googleusercontent.com';
export const CLIENT_SECRET = 'mfk-tests-client-secret';

/** The OAuth redirect URI the tests use (the consent answer is read from its Location). */
export function redirectUri(): string {
	return `${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`;
}

// ---------------------------------------------------------------------------------------------
// Google emulator (control API under /__emulator, see docs/google-emulator.md)

async function emulator< T = any >(
	route: string,
	init: { method?: string; body?: unknown } = {}
): Promise< T > {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/${ route }`,
		{
			method: init.method ?? 'GET',
			headers:
				init.body !== undefined
					? { 'Content-Type': 'application/json' }
					: undefined,
			body:
				init.body !== undefined
					? JSON.stringify( init.body )
					: undefined,
		}
	);
	const text = await res.text();
	if ( res.status >= 400 && res.status !== 404 ) {
		throw new Error(
			`emulator ${ route }: HTTP ${ res.status } ${ text }`
		);
	}
	return ( text ? JSON.parse( text ) : null ) as T;
}

/**
 * Changes the tests' OAuth client's project as an admin does in the Cloud console (Calendar
 * API, consent screen, test users, redirect URIs); `registerEmulatorClient()` restores it.
 */
export function setEmulatorProject(
	patch: Record< string, unknown >
): Promise< unknown > {
	return emulator( `clients/${ CLIENT_ID }`, {
		method: 'PATCH',
		body: patch,
	} );
}

/** Moves the emulator's token clock forward (`{ reset: true }` back to the real time). */
export function moveEmulatorClock(
	body: { advanceSeconds: number } | { reset: true }
): Promise< unknown > {
	return emulator( 'clock', { method: 'POST', body } );
}

/** Registers the tests' OAuth client (and its redirect URI) with the emulator. */
export function registerEmulatorClient(): Promise< unknown > {
	return emulator( 'clients', {
		method: 'POST',
		body: {
			clientId: CLIENT_ID,
			clientSecret: CLIENT_SECRET,
			redirectUris: [ redirectUri() ],
		},
	} );
}

export interface GoogleEvent {
	id: string;
	etag?: string;
	status: string;
	summary?: string;
	description?: string;
	hangoutLink?: string;
	start: { dateTime: string; timeZone?: string };
	end: { dateTime: string; timeZone?: string };
	attendees?: Array< { email: string } >;
	visibility?: string;
	extendedProperties?: { private?: Record< string, string > };
	conferenceData?: {
		createRequest?: { requestId: string; status?: { statusCode: string } };
		entryPoints?: Array< { entryPointType: string; uri: string } >;
	};
}

/** Every event of a calendar (the primary calendar's id is the account e-mail), cancelled ones too. */
export async function calendarEvents(
	calendarId: string
): Promise< GoogleEvent[] > {
	const answer = await emulator< { items?: GoogleEvent[] } | null >(
		`calendars/${ encodeURIComponent( calendarId ) }/events`
	);
	return answer?.items ?? [];
}

/** Calls counted by the emulator per operation, e.g. `events.insert`. */
export async function emulatorCounters(): Promise< Record< string, number > > {
	return (
		await emulator< { counters: Record< string, number > } >( 'counters' )
	).counters;
}

/** Adds a fault (see docs/google-emulator.md); resolves with its id. */
export async function addFault(
	spec: Record< string, unknown >
): Promise< string > {
	return (
		await emulator< { id: string } >( 'faults', {
			method: 'POST',
			body: spec,
		} )
	).id;
}

export function clearFaults(): Promise< unknown > {
	return emulator( 'faults', { method: 'DELETE' } );
}

export function setEmulatorConfig(
	config: Record< string, unknown >
): Promise< unknown > {
	return emulator( 'config', { method: 'PATCH', body: config } );
}

/** "The user revoked access in their Google account": every grant of that account dies. */
export function revokeGoogleAccount( email: string ): Promise< unknown > {
	return emulator( `accounts/${ encodeURIComponent( email ) }/revoke`, {
		method: 'POST',
	} );
}

/**
 * Stores the Google OAuth client (the secret sealed by the running sidecar) and other settings
 * through MFK_Settings::update(). Throws on validation errors.
 */
export async function configureMeet(
	settings: Record< string, unknown > = {}
): Promise< Record< string, unknown > > {
	await registerEmulatorClient();
	return wpJson(
		`$r = MFK_Settings::update( $args );
		if ( is_wp_error( $r ) ) {
			throw new RuntimeException( $r->get_error_message() . ' ' . wp_json_encode( $r->get_error_data() ) );
		}
		return $r;`,
		{
			google_client_id: CLIENT_ID,
			google_client_secret: CLIENT_SECRET,
			sync_budget_ms: 3000,
			...settings,
		}
	);
}

/** Changes settings without touching the client secret (no sidecar needed). */
export function setSettings(
	settings: Record< string, unknown >
): Promise< Record< string, unknown > > {
	return wpJson(
		`$r = MFK_Settings::update( $args );
		if ( is_wp_error( $r ) ) {
			throw new RuntimeException( $r->get_error_message() );
		}
		return $r;`,
		settings
	);
}

/** Decodes HTML entities of attribute values the consent page escapes. */
function unescapeHtml( value: string ): string {
	return value
		.replace( /&quot;/g, '"' )
		.replace( /&#39;/g, "'" )
		.replace( /&lt;/g, '<' )
		.replace( /&gt;/g, '>' )
		.replace( /&amp;/g, '&' );
}

/**
 * Signs in on the emulator's consent page as `email`, keeps every scope ticked and allows;
 * resolves with where Google sends the browser back (`code` and `state` in its query).
 */
export async function consentRedirect(
	authorizeUrl: string,
	email: string,
	/** Scopes (or their endings) the doctor unticks (Google's granular consent). */
	untick: string[] = []
): Promise< URL > {
	const page = await fetch( authorizeUrl );
	const html = await page.text();
	if ( page.status !== 200 ) {
		throw new Error(
			`Consent page: HTTP ${ page.status } ${ html.slice( 0, 300 ) }`
		);
	}
	const form = /<form[^>]*action="([^"]+)"/.exec( html );
	const pending = /name="request" value="([^"]*)"/.exec( html );
	if ( ! form || ! pending ) {
		throw new Error( `No consent form in ${ html.slice( 0, 300 ) }` );
	}
	const body = new URLSearchParams();
	body.append( 'request', unescapeHtml( pending[ 1 ]! ) );
	body.append( 'email', email );
	for ( const match of html.matchAll(
		/name="scope" value="([^"]*)" checked/g
	) ) {
		const scope = unescapeHtml( match[ 1 ]! );
		if ( ! untick.some( ( u ) => scope.endsWith( u ) ) ) {
			body.append( 'scope', scope );
		}
	}
	body.append( 'decision', 'allow' );
	const decision = await fetch(
		new URL( unescapeHtml( form[ 1 ]! ), authorizeUrl ),
		{
			method: 'POST',
			redirect: 'manual',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body,
		}
	);
	await decision.arrayBuffer();
	const location = decision.headers.get( 'location' );
	if ( ! location ) {
		throw new Error(
			`Consent decision: HTTP ${ decision.status } without redirect`
		);
	}
	return new URL( location );
}

/**
 * Connects a doctor the way a browser would: consent URL from the sidecar (through the
 * plugin), the emulator's consent page (e-mail, "Allow"), then the code exchanged through
 * MFK_Doctor_Connection::connect_from_code(). Resolves with the Google account e-mail.
 */
export async function connectDoctor(
	doctor: TestUser,
	email = `dr-${ doctor.id }-${ Date.now().toString( 36 ) }@gmail.test`,
	untick: string[] = []
): Promise< string > {
	const state = `test-${ doctor.id }-${ Math.random().toString( 36 ).slice( 2 ) }`;
	const url = await wpJson< string >(
		`$u = MFK_Doctor_Connection::authorization_url( $args['id'], $args['redirect'], $args['state'] );
		if ( is_wp_error( $u ) ) { throw new RuntimeException( $u->get_error_code() . ': ' . $u->get_error_message() ); }
		return $u;`,
		{ id: doctor.id, redirect: redirectUri(), state }
	);
	const back = await consentRedirect( url, email, untick );
	if (
		back.searchParams.get( 'state' ) !== state ||
		! back.searchParams.get( 'code' )
	) {
		throw new Error( `Consent redirect without code/state: ${ back }` );
	}
	const result = await wpJson< { email: string } >(
		`$r = MFK_Doctor_Connection::connect_from_code( $args['id'], $args['code'], $args['redirect'] );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_code() . ': ' . $r->get_error_message() ); }
		return $r;`,
		{
			id: doctor.id,
			code: back.searchParams.get( 'code' ),
			redirect: redirectUri(),
		}
	);
	return result.email;
}

export interface Scenario {
	clinicId: number;
	clinicAdmin: TestUser;
	doctor: TestUser;
	doctorEmail: string;
	patient: TestUser;
	mappingId: number;
}

/**
 * A clinic, a doctor connected to Google through the emulator, a patient and a telemedicine
 * service of that doctor. `connect: false` leaves the doctor unconnected.
 */
export async function telemedScenario( {
	connect = true,
	doctorMeta = {},
	duration,
}: {
	connect?: boolean;
	doctorMeta?: Record< string, unknown >;
	duration?: number;
} = {} ): Promise< Scenario > {
	const { clinicId, clinicAdmin } = await ensureClinic();
	const doctor = await createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00', ...doctorMeta },
	} );
	const patient = await createPatient();
	const service = await createService( {
		name: `Video consultation ${ doctor.id }`,
		doctors: [ doctor.id ],
		telemed: true,
		...( duration ? { duration } : {} ),
	} );
	const doctorEmail = connect ? await connectDoctor( doctor ) : '';
	return {
		clinicId,
		clinicAdmin,
		doctor,
		doctorEmail,
		patient,
		mappingId: service.mappingIds[ 0 ]!,
	};
}

export interface MappingRow {
	id: number;
	appointment_id: number;
	event_id: string;
	url: string;
	event_url: string;
	state: string;
	link_state: string;
	sync_state: string;
	desired: string;
	start_utc: string | null;
	end_utc: string | null;
	timezone: string;
	doctor_id: number;
	calendar_id: string;
	revision: number;
	attempts: number;
	next_attempt_at: string | null;
	lease_token: string | null;
	lease_until: string | null;
	last_error_code: string;
	last_error_message: string;
	synced_status: string;
	synced_revision: number | null;
	etag: string;
	link_in_booking_mail: number;
	intent_seq: number;
	intent_at: string | null;
}

/** The mapping row of an appointment (undefined when none). */
export async function mapping(
	appointmentId: number
): Promise< MappingRow | undefined > {
	const rows = await query< MappingRow >(
		`SELECT * FROM ${ MAPPINGS } WHERE appointment_id = ?`,
		[ appointmentId ]
	);
	return rows[ 0 ];
}

export interface RunnerResult {
	runs: number;
	claimed: number;
	ready: number;
	cancelled: number;
	pending: number;
	failed: number;
	lost: number;
}

/** The summary run-queue.php prints as the last line of its output (JSON). */
export function runnerSummary( stdout: string ): RunnerResult {
	return JSON.parse(
		stdout.trim().split( '\n' ).pop() ?? ''
	) as RunnerResult;
}

/**
 * Runs `php php/cli/run-queue.php --path=<docroot>` as its own process, as system cron does.
 * Several calls at once are several concurrent runners.
 */
export function runQueue( extra: string[] = [] ): Promise< RunnerResult > {
	return new Promise( ( resolve, reject ) => {
		execFile(
			'php',
			[
				path.join( REPO_ROOT, 'php', 'cli', 'run-queue.php' ),
				`--path=${ harness().docroot }`,
				...extra,
			],
			{ timeout: 120000 },
			( error, stdout, stderr ) => {
				if ( error ) {
					reject(
						new Error(
							`run-queue.php failed: ${ error.message }\n${ stderr }`
						)
					);
					return;
				}
				try {
					resolve( runnerSummary( stdout ) );
				} catch {
					reject(
						new Error(
							`run-queue.php printed ${ stdout }\n${ stderr }`
						)
					);
				}
			}
		);
	} );
}

/**
 * Pushes every pending row an hour into the future, so a test that counts what a runner does
 * sees only the rows it creates afterwards (earlier suites may leave retrying rows behind).
 */
export async function parkPendingRows(): Promise< void > {
	await query(
		`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() + INTERVAL 1 HOUR WHERE state = 'pending'`
	);
}

/** Runs the queue until no row is due (bounded), for conferences that Google finishes late. */
export async function drainQueue( maxPasses = 10 ): Promise< void > {
	for ( let i = 0; i < maxPasses; i++ ) {
		const due = await query< { n: number } >(
			`SELECT COUNT(*) AS n FROM ${ MAPPINGS } WHERE state = 'pending'`
		);
		if ( Number( due[ 0 ]?.n ?? 0 ) === 0 ) {
			return;
		}
		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE state = 'pending' AND lease_token IS NULL`
		);
		await runQueue();
	}
}

/** A unique YYYY-MM-DD far enough in the future that appointments never collide between runs. */
let dayCounter = 0;
export function freshDate( baseDays = 30 ): string {
	dayCounter += 1;
	const spread = ( Date.now() / 1000 / 60 ) % 2000; // Changes between runs of the suite.
	return new Date(
		Date.now() + ( baseDays + Math.floor( spread ) + dayCounter ) * 86400000
	)
		.toISOString()
		.slice( 0, 10 );
}

export { createPatient };

// ---------------------------------------------------------------------------------------------
// Test hooks mu-plugin (support/mfk-test-hooks.php)

function hooksTarget(): string {
	return path.join(
		harness().docroot,
		'wp-content',
		'mu-plugins',
		'mfk-test-hooks.php'
	);
}

/** Installs the test hooks mu-plugin (action recorder, forced rollback switch). */
export async function installTestHooks(): Promise< void > {
	mkdirSync( path.dirname( hooksTarget() ), { recursive: true } );
	copyFileSync( path.join( __dirname, 'mfk-test-hooks.php' ), hooksTarget() );
	await wpJson(
		'delete_option( "mfk_test_actions" ); delete_option( "mfk_test_throw_after_create" ); return true;'
	);
}

export async function removeTestHooks(): Promise< void > {
	rmSync( hooksTarget(), { force: true } );
	await wpJson(
		'delete_option( "mfk_test_actions" ); delete_option( "mfk_test_throw_after_create" ); return true;'
	);
}

export interface RecordedAction {
	hook: string;
	appointment_id: number;
	state: string | null;
	context: Record< string, unknown > | null;
}

/** Meeting actions recorded by the test hooks for one appointment. */
export async function recordedActions(
	appointmentId: number
): Promise< RecordedAction[] > {
	const all = await wpJson< RecordedAction[] | false >(
		'return get_option( "mfk_test_actions", array() );'
	);
	return ( all || [] ).filter( ( a ) => a.appointment_id === appointmentId );
}

/**
 * Switches the background sync after a request on or off (the harness's mu-plugin turns the
 * option into the `mfk_background_sync` filter). Off, pending meetings wait for a queue run,
 * and a background runner still staying for retries is told to leave (its lock is removed);
 * the queue runners leave the doctors' calendars alone for a day (the calendar sync's next due
 * time), so the Google calls a test counts around `runQueue` are the queue's own. On again,
 * the calendar sync is due at the next run.
 */
export function setBackgroundSync( on: boolean ): Promise< unknown > {
	return on
		? wpJson(
				`delete_option( MFK_Calendar_Sync::OPTION_NEXT );
				return delete_option( "mfk_harness_background" );`
			)
		: wpJson(
				`update_option( "mfk_harness_background", "off", false );
				update_option( MFK_Calendar_Sync::OPTION_NEXT, time() + DAY_IN_SECONDS, true );
				global $wpdb;
				$wpdb->delete( $wpdb->options, array( 'option_name' => MFK_Background_Sync::LINGER_LOCK ) );
				return true;`
			);
}
