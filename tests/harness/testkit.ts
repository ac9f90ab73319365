/**
 * Test kit: what jest and Playwright tests use to talk to the `test` harness instance (real
 * WordPress on PHP's built-in server, real MariaDB, SMTP sink, sidecar and Google emulator).
 *
 * The instance is started (or reused) once per run by the suites' global setup
 * (`ensureTestInstance()`); every function here assumes it runs. See docs/development.md.
 */
import {
	readdirSync,
	readFileSync,
	rmSync,
	truncateSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import {
	ADMIN_EMAIL,
	ADMIN_PASSWORD,
	ADMIN_USER,
	DB_NAME,
	DB_USER,
	getInstance,
	getSecrets,
	type Instance,
} from './instances';
import { up, type UpResult } from './instance';
import { ensureMariadb } from './mariadb';
import { readRecord, stopService } from './proc';
import {
	ensureNodeService,
	sidecarEnv as sidecarEnvOf,
	type NodeServiceOptions,
} from './services';
import type { StoredMail } from './smtp-sink';
import { wpEvalIn, wpJsonIn } from './wp-eval';

export type { StoredMail } from './smtp-sink';
export { WpEvalError } from './wp-eval';

/** Name of the instance the kit works on (`test`; MFK_TEST_INSTANCE overrides it). */
export const INSTANCE_NAME = process.env.MFK_TEST_INSTANCE || 'test';

let cachedInstance: Instance | undefined;
export function instance(): Instance {
	cachedInstance ??= getInstance( INSTANCE_NAME );
	return cachedInstance;
}

/** URLs, ports and credentials of the test instance. */
export function harness() {
	const i = instance();
	const secrets = getSecrets( i );
	return {
		name: i.name,
		url: i.urls.wordpress,
		restUrl: `${ i.urls.wordpress }/wp-json/`,
		adminUrl: `${ i.urls.wordpress }/wp-admin/`,
		sidecarUrl: i.urls.sidecar,
		emulatorUrl: i.urls.emulator,
		ports: i.ports,
		admin: {
			login: ADMIN_USER,
			password: ADMIN_PASSWORD,
			email: ADMIN_EMAIL,
		},
		sidecarSecret: secrets.sidecarSecret,
		sealKeys: secrets.sealKeys,
		docroot: i.paths.docroot,
		dir: i.dir,
		tablePrefix: 'wp_',
	};
}

/** Starts whatever is not running yet (used by the jest and Playwright global setups). */
export function ensureTestInstance(): Promise< UpResult > {
	return up( instance() );
}

// ---------------------------------------------------------------------------------------------
// PHP inside WordPress

/**
 * Runs PHP statements inside WordPress (php-cli loading wp-load.php) and resolves with what
 * they print. `args` (any JSON value) is available to the code as `$args`; pass values this
 * way instead of splicing them into the code.
 *
 *     await wpEval( 'echo get_option( $args["name"] );', { name: 'blogname' } );
 */
export function wpEval( code: string, args?: unknown ): Promise< string > {
	return wpEvalIn( instance(), code, args );
}

/** Like wpEval, but resolves with the value the code `return`s (through JSON). */
export function wpJson< T = unknown >(
	code: string,
	args?: unknown
): Promise< T > {
	return wpJsonIn< T >( instance(), code, args );
}

export function setOption( name: string, value: unknown ): Promise< unknown > {
	return wpJson( 'return update_option( $args["name"], $args["value"] );', {
		name,
		value,
	} );
}

export function getOption< T = unknown >( name: string ): Promise< T > {
	return wpJson< T >( 'return get_option( $args["name"], null );', { name } );
}

export function deleteOption( name: string ): Promise< unknown > {
	return wpJson( 'return delete_option( $args["name"] );', { name } );
}

/**
 * Sets the site time zone: an IANA name (`Europe/Berlin`), `UTC`, or a fixed offset such as
 * `UTC+5:30` (stored as gmt_offset, as WordPress's settings screen does).
 */
export async function setTimezone( zone: string ): Promise< void > {
	await wpJson(
		`$zone = $args['zone'];
		if ( preg_match( '/^UTC([+-])(\\d{1,2})(?::(\\d{2}))?$/', $zone, $m ) ) {
			$offset = ( (int) $m[2] + ( isset( $m[3] ) ? (int) $m[3] / 60 : 0 ) ) * ( '-' === $m[1] ? -1 : 1 );
			update_option( 'timezone_string', '' );
			update_option( 'gmt_offset', $offset );
		} else {
			if ( 'UTC' !== $zone && ! in_array( $zone, timezone_identifiers_list( DateTimeZone::ALL_WITH_BC ), true ) ) {
				throw new InvalidArgumentException( "Unknown time zone $zone" );
			}
			update_option( 'timezone_string', $zone );
			update_option( 'gmt_offset', 0 );
		}
		return wp_timezone_string();`,
		{ zone }
	);
}

/**
 * Runs WordPress's due cron events once, as a system cron job would (wp-cron.php without
 * `doing_wp_cron`, so it takes the lock itself); works with DISABLE_WP_CRON.
 */
export async function runWpCron(): Promise< void > {
	const response = await fetch( `${ harness().url }/wp-cron.php` );
	await response.arrayBuffer();
}

// ---------------------------------------------------------------------------------------------
// Database

let pool: mysql.Pool | undefined;

/** A mysql2 connection pool on the WordPress database (dates come back as strings). */
export function db(): mysql.Pool {
	const i = instance();
	pool ??= mysql.createPool( {
		host: '127.0.0.1',
		port: i.ports.mariadb,
		user: DB_USER,
		password: getSecrets( i ).dbPassword,
		database: DB_NAME,
		connectionLimit: 8,
		dateStrings: true,
		timezone: 'Z',
		multipleStatements: false,
	} );
	return pool;
}

/** Runs one SQL statement (with `?` placeholders) and resolves with the rows. */
export async function query< T = Record< string, unknown > >(
	sql: string,
	params: unknown[] = []
): Promise< T[] > {
	const [ rows ] = await db().query( sql, params );
	return rows as T[];
}

// ---------------------------------------------------------------------------------------------
// Users and sessions

export interface TestUser {
	id: number;
	login: string;
	password: string;
	email: string;
	role: string;
}

let userCounter = 0;

/**
 * Creates a user with a unique login. `meta` is stored as user meta (values through JSON).
 *
 *     const doctor = await createUser( 'kiviCare_doctor', { firstName: 'Ada' } );
 */
export async function createUser(
	role: string,
	{
		login: wantedLogin,
		email,
		password = 'test-password-1',
		firstName = '',
		lastName = '',
		meta = {},
	}: {
		login?: string;
		email?: string;
		password?: string;
		firstName?: string;
		lastName?: string;
		meta?: Record< string, unknown >;
	} = {}
): Promise< TestUser > {
	userCounter += 1;
	const unique = `${ process.pid.toString( 36 ) }${ Date.now().toString( 36 ) }${ userCounter }`;
	const userLogin =
		wantedLogin ??
		`${ role.replace( /[^a-z]/gi, '' ).toLowerCase() }_${ unique }`;
	const userEmail = email ?? `${ userLogin }@clinic.test`;
	const id = await wpJson< number >(
		`if ( ! get_role( $args['role'] ) ) {
			throw new InvalidArgumentException( 'Unknown role ' . $args['role'] );
		}
		$id = wp_insert_user( array(
			'user_login' => $args['login'],
			'user_email' => $args['email'],
			'user_pass'  => $args['password'],
			'first_name' => $args['firstName'],
			'last_name'  => $args['lastName'],
			'display_name' => trim( $args['firstName'] . ' ' . $args['lastName'] ) ?: $args['login'],
			'role'       => $args['role'],
		) );
		if ( is_wp_error( $id ) ) {
			throw new RuntimeException( $id->get_error_message() );
		}
		foreach ( (array) $args['meta'] as $key => $value ) {
			update_user_meta( $id, $key, $value );
		}
		return $id;`,
		{
			role,
			login: userLogin,
			email: userEmail,
			password,
			firstName,
			lastName,
			meta,
		}
	);
	return { id, login: userLogin, password, email: userEmail, role };
}

export interface Session {
	user: { login: string; password: string };
	/** Value for a `Cookie` header. */
	cookie: string;
	/** The cookies, for example for Playwright's `context.addCookies( session.cookies.map(...) )`. */
	cookies: Array< { name: string; value: string } >;
	/** A `wp_rest` nonce for the `X-WP-Nonce` header. */
	nonce: string;
	/**
	 * fetch() with the session's cookie and nonce (unless `init` sets X-WP-Nonce); relative
	 * paths are resolved on the site.
	 */
	fetch: ( pathOrUrl: string, init?: RequestInit ) => Promise< Response >;
	/**
	 * Calls a REST route (`'wp/v2/users/me'`, leading slash optional) with a JSON body; resolves
	 * with the status and the parsed JSON answer.
	 */
	rest: < T = any >(
		route: string,
		options?: {
			method?: string;
			body?: unknown;
			headers?: Record< string, string >;
		}
	) => Promise< { status: number; body: T; headers: Headers } >;
}

function siteUrl( pathOrUrl: string ): string {
	return /^https?:\/\//.test( pathOrUrl )
		? pathOrUrl
		: `${ harness().url }/${ pathOrUrl.replace( /^\//, '' ) }`;
}

/** Logs in through wp-login.php like a browser and fetches a REST nonce for the session. */
export async function login(
	user: { login: string; password: string } = harness().admin
): Promise< Session > {
	const response = await fetch( siteUrl( 'wp-login.php' ), {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'Content-Type': 'application/x-www-form-urlencoded',
			Cookie: 'wordpress_test_cookie=WP%20Cookie%20check',
		},
		body: new URLSearchParams( {
			log: user.login,
			pwd: user.password,
			'wp-submit': 'Log In',
			redirect_to: siteUrl( 'wp-admin/' ),
			testcookie: '1',
		} ),
	} );
	await response.arrayBuffer();
	const cookies = response.headers
		.getSetCookie()
		.map( ( line ) => line.split( ';' )[ 0 ]! )
		.map( ( pair ) => ( {
			name: pair.slice( 0, pair.indexOf( '=' ) ),
			value: pair.slice( pair.indexOf( '=' ) + 1 ),
		} ) )
		.filter(
			( c ) => c.name.startsWith( 'wordpress_' ) && c.value !== 'deleted'
		);
	if (
		response.status !== 302 ||
		! cookies.some( ( c ) => c.name.startsWith( 'wordpress_logged_in_' ) )
	) {
		throw new Error(
			`Login as ${ user.login } failed (HTTP ${ response.status })`
		);
	}
	const cookie = cookies
		.map( ( c ) => `${ c.name }=${ c.value }` )
		.join( '; ' );
	const nonceResponse = await fetch(
		siteUrl( 'wp-admin/admin-ajax.php?action=rest-nonce' ),
		{
			headers: { Cookie: cookie },
		}
	);
	const nonce = ( await nonceResponse.text() ).trim();
	if ( nonceResponse.status !== 200 || ! /^[0-9a-f]{10}$/.test( nonce ) ) {
		throw new Error(
			`No REST nonce for ${ user.login } (HTTP ${ nonceResponse.status }: ${ nonce.slice( 0, 100 ) })`
		);
	}
	const sessionFetch = ( pathOrUrl: string, init: RequestInit = {} ) => {
		const headers = new Headers( init.headers );
		headers.set( 'Cookie', cookie );
		if ( ! headers.has( 'X-WP-Nonce' ) ) {
			headers.set( 'X-WP-Nonce', nonce );
		}
		return fetch( siteUrl( pathOrUrl ), { ...init, headers } );
	};
	return {
		user,
		cookie,
		cookies,
		nonce,
		fetch: sessionFetch,
		async rest( route, { method = 'GET', body, headers = {} } = {} ) {
			const res = await sessionFetch(
				`wp-json/${ route.replace( /^\//, '' ) }`,
				{
					method,
					headers: {
						Accept: 'application/json',
						...( body !== undefined
							? { 'Content-Type': 'application/json' }
							: {} ),
						...headers,
					},
					...( body !== undefined
						? { body: JSON.stringify( body ) }
						: {} ),
				}
			);
			const text = await res.text();
			let parsed: unknown = text;
			try {
				parsed = text ? JSON.parse( text ) : null;
			} catch {
				// Not JSON (for example a PHP fatal error page); hand back the text.
			}
			return {
				status: res.status,
				body: parsed as any,
				headers: res.headers,
			};
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Mail (SMTP sink)

/** Every message received since the last clearMail(), oldest first. */
export function readMail(): StoredMail[] {
	const dir = instance().paths.mailDir;
	let files: string[];
	try {
		files = readdirSync( dir )
			.filter( ( f ) => f.endsWith( '.json' ) )
			.sort();
	} catch {
		return [];
	}
	return files.map(
		( f ) =>
			JSON.parse(
				readFileSync( path.join( dir, f ), 'utf8' )
			) as StoredMail
	);
}

export function clearMail(): void {
	const dir = instance().paths.mailDir;
	try {
		for ( const file of readdirSync( dir ) ) {
			rmSync( path.join( dir, file ), { force: true } );
		}
	} catch {
		// No mail yet.
	}
}

/**
 * Resolves with the messages once `predicate` holds for the current list (mail sent at PHP's
 * shutdown or by a queue run may arrive just after the HTTP answer). Rejects after timeoutMs
 * with what did arrive.
 */
export async function waitForMail(
	predicate: ( mail: StoredMail[] ) => boolean = ( mail ) => mail.length > 0,
	{ timeoutMs = 10000 } = {}
): Promise< StoredMail[] > {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const mail = readMail();
		if ( predicate( mail ) ) {
			return mail;
		}
		if ( Date.now() > deadline ) {
			throw new Error(
				`Expected mail did not arrive; received: ${ JSON.stringify( mail.map( ( m ) => ( { to: m.to, subject: m.subject } ) ) ) }`
			);
		}
		await new Promise( ( resolve ) => setTimeout( resolve, 50 ) );
	}
}

// ---------------------------------------------------------------------------------------------
// PHP debug log

export function readDebugLog(): string {
	try {
		return readFileSync( instance().paths.debugLog, 'utf8' );
	} catch {
		return '';
	}
}

export function clearDebugLog(): void {
	try {
		// Truncate rather than delete: PHP processes keep appending to the same path.
		truncateSync( instance().paths.debugLog, 0 );
	} catch {
		writeFileSync( instance().paths.debugLog, '' );
	}
}

/** The PHP errors, warnings, notices and deprecations in the debug log (one entry each). */
export function phpProblems( log = readDebugLog() ): string[] {
	return log
		.split( /\n(?=\[\d{2}-\w{3}-\d{4} )/ )
		.filter( ( entry ) =>
			/PHP (Fatal error|Parse error|Warning|Notice|Deprecated|Recoverable fatal error)/.test(
				entry
			)
		);
}

// ---------------------------------------------------------------------------------------------
// Processes (reliability tests stop and restart them)

export type ProcessName =
	'sidecar' | 'emulator' | 'mariadb' | 'smtp' | 'wordpress';

/** Stops a process of the instance (SIGTERM, or e.g. SIGKILL to simulate a crash). */
export function stopProcess(
	name: ProcessName,
	{ signal = 'SIGTERM' as NodeJS.Signals } = {}
): Promise< boolean > {
	return stopService( instance(), name, {
		signal,
		timeoutMs: signal === 'SIGKILL' ? 0 : 10000,
	} );
}

export function isRunning( name: ProcessName ): boolean {
	return readRecord( instance(), name ) !== null;
}

/**
 * (Re)starts the sidecar. `env` overrides its environment (see sidecarEnv()); a later call
 * without `env` restores the defaults. Throws when the sidecar is not built.
 */
export async function startSidecar(
	options: Omit< NodeServiceOptions, 'restart' > = {}
): Promise< void > {
	if (
		( await ensureNodeService( instance(), 'sidecar', {
			...options,
			restart: true,
		} ) ) === null
	) {
		throw new Error( 'The sidecar is not built (npm run build:sidecar)' );
	}
}

export function stopSidecar(
	options: { signal?: NodeJS.Signals } = {}
): Promise< boolean > {
	return stopProcess( 'sidecar', options );
}

/** (Re)starts the Google emulator (its state starts empty). */
export async function startEmulator(
	options: Omit< NodeServiceOptions, 'restart' > = {}
): Promise< void > {
	if (
		( await ensureNodeService( instance(), 'emulator', {
			...options,
			restart: true,
		} ) ) === null
	) {
		throw new Error( 'The emulator is not built (npm run build:sidecar)' );
	}
}

export function stopEmulator(
	options: { signal?: NodeJS.Signals } = {}
): Promise< boolean > {
	return stopProcess( 'emulator', options );
}

/** Starts MariaDB again after stopProcess('mariadb'). */
export async function startMariadb(): Promise< void > {
	await ensureMariadb( instance() );
}

/** The environment the sidecar runs with (shared secret, seal keys, emulator endpoints). */
export function sidecarEnv(): NodeJS.ProcessEnv {
	return sidecarEnvOf( instance() );
}

/**
 * Restarts the sidecar and the emulator if a test left them stopped (built ones only), so one
 * test file's faults do not leak into the next. Cheap when both run.
 */
export async function ensureServicesRunning(): Promise< void > {
	for ( const service of [ 'emulator', 'sidecar' ] as const ) {
		if ( ! isRunning( service ) ) {
			await ensureNodeService( instance(), service );
		}
	}
	if ( ! isRunning( 'mariadb' ) ) {
		await startMariadb();
	}
}

/**
 * Closes the database pool. The jest environment of the WordPress suites
 * (tests/integration/setup/environment.cjs) calls it after each file's last hook.
 */
export async function closeTestkit(): Promise< void > {
	const open = pool;
	pool = undefined;
	await open?.end();
}
(
	globalThis as { __mfkCloseTestkit?: () => Promise< void > }
 ).__mfkCloseTestkit = closeTestkit;
