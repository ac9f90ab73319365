/**
 * Instance definitions: names, ports, folders and per-instance secrets.
 *
 * Two instances are built in: `dev` (./bin/dev start) and `test` (the test suites). Both take
 * their ports from docs/ARCHITECTURE.md, shifted by MFK_HARNESS_PORT_OFFSET so that a second
 * checkout can run next to the first one. Throwaway instances (for example the one the plugin
 * zip upload test uses) get free ports picked once and stored in their instance.json.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { HARNESS_ROOT } from './paths';

export interface Ports {
	wordpress: number;
	mariadb: number;
	sidecar: number;
	emulator: number;
	smtp: number;
}

export interface InstanceOptions {
	/** Symlink this checkout as wp-content/plugins/meet-for-kivicare and activate it. */
	plugin: boolean;
	/** Symlink and activate the KiviCare stand-in (when it exists in the checkout). */
	standIn: boolean;
	/** Run the sidecar and the Google emulator (when their builds exist). */
	googleServices: boolean;
	/** Define DISABLE_WP_CRON (tests run the queue explicitly). */
	disableWpCron: boolean;
	/** Accept the auto-login links printed by `./bin/dev start`. */
	autoLogin: boolean;
	/**
	 * Open the block editor without its first-run dialogs (welcome guide, starter patterns),
	 * so browser tests see the same editor every time.
	 */
	quietEditor?: boolean;
}

export interface Instance {
	name: string;
	dir: string;
	ports: Ports;
	options: InstanceOptions;
	urls: {
		wordpress: string;
		sidecar: string;
		emulator: string;
	};
	paths: {
		docroot: string;
		mariadbData: string;
		socket: string;
		debugLog: string;
		mailDir: string;
		secrets: string;
		logs: string;
		pids: string;
		localConfig: string;
	};
}

export interface Secrets {
	sidecarSecret: string;
	sealKeys: string;
	dbPassword: string;
	loginToken: string;
	salts: Record< string, string >;
}

export const DB_NAME = 'wordpress';
export const DB_USER = 'wordpress';
export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = process.env.MFK_ADMIN_PASSWORD || 'password';
export const ADMIN_EMAIL = 'admin@clinic.test';

const BASE_PORTS: Record< string, Ports > = {
	dev: {
		wordpress: 8888,
		mariadb: 3316,
		sidecar: 8787,
		emulator: 8789,
		smtp: 1025,
	},
	test: {
		wordpress: 8890,
		mariadb: 3317,
		sidecar: 8797,
		emulator: 8799,
		smtp: 1026,
	},
};

const BUILT_IN_OPTIONS: Record< string, InstanceOptions > = {
	dev: {
		plugin: true,
		standIn: true,
		googleServices: true,
		disableWpCron: false,
		autoLogin: true,
	},
	test: {
		plugin: true,
		standIn: true,
		googleServices: true,
		disableWpCron: true,
		autoLogin: false,
		quietEditor: true,
	},
};

export function portOffset(): number {
	const raw = process.env.MFK_HARNESS_PORT_OFFSET;
	if ( ! raw ) {
		return 0;
	}
	const offset = Number( raw );
	if ( ! Number.isInteger( offset ) || offset < 0 || offset > 50000 ) {
		throw new Error(
			`MFK_HARNESS_PORT_OFFSET must be an integer between 0 and 50000, got "${ raw }"`
		);
	}
	return offset;
}

export function phpWorkers(): number {
	const raw = process.env.MFK_PHP_WORKERS;
	const workers = raw ? Number( raw ) : 8;
	if ( ! Number.isInteger( workers ) || workers < 1 || workers > 64 ) {
		throw new Error(
			`MFK_PHP_WORKERS must be an integer between 1 and 64, got "${ raw }"`
		);
	}
	return workers;
}

function instanceDir( name: string ): string {
	if ( ! /^[a-z][a-z0-9-]{0,30}$/.test( name ) ) {
		throw new Error(
			`Invalid instance name "${ name }" (lowercase letters, digits, dashes)`
		);
	}
	return path.join( HARNESS_ROOT, name );
}

function build(
	name: string,
	ports: Ports,
	options: InstanceOptions
): Instance {
	const dir = instanceDir( name );
	// Unix socket paths are limited to ~107 bytes; deep checkouts fall back to /tmp.
	let socket = path.join( dir, 'mariadb', 'mysqld.sock' );
	if ( socket.length > 100 ) {
		socket = path.join( '/tmp', `mfk-${ name }-${ ports.mariadb }.sock` );
	}
	return {
		name,
		dir,
		ports,
		options,
		urls: {
			wordpress: `http://127.0.0.1:${ ports.wordpress }`,
			sidecar: `http://127.0.0.1:${ ports.sidecar }`,
			emulator: `http://127.0.0.1:${ ports.emulator }`,
		},
		paths: {
			docroot: path.join( dir, 'wordpress' ),
			mariadbData: path.join( dir, 'mariadb', 'data' ),
			socket,
			debugLog: path.join( dir, 'debug.log' ),
			mailDir: path.join( dir, 'mail' ),
			secrets: path.join( dir, 'secrets.json' ),
			logs: dir,
			pids: path.join( dir, 'pids' ),
			localConfig: path.join( dir, 'wp-config-local.php' ),
		},
	};
}

/** Returns a built-in instance (`dev`, `test`) or a throwaway one created earlier. */
export function getInstance( name: string ): Instance {
	const base = BASE_PORTS[ name ];
	const options = BUILT_IN_OPTIONS[ name ];
	if ( base && options ) {
		const offset = portOffset();
		const ports = Object.fromEntries(
			Object.entries( base ).map( ( [ key, port ] ) => [
				key,
				port + offset,
			] )
		) as unknown as Ports;
		return build( name, ports, options );
	}
	const file = path.join( instanceDir( name ), 'instance.json' );
	if ( ! existsSync( file ) ) {
		throw new Error(
			`Unknown harness instance "${ name }" (built-in: dev, test)`
		);
	}
	const saved = JSON.parse( readFileSync( file, 'utf8' ) ) as {
		ports: Ports;
		options: InstanceOptions;
	};
	return build( name, saved.ports, saved.options );
}

export function freePort(): Promise< number > {
	return new Promise( ( resolve, reject ) => {
		const server = net.createServer();
		server.unref();
		server.on( 'error', reject );
		server.listen( 0, '127.0.0.1', () => {
			const address = server.address();
			const port =
				typeof address === 'object' && address ? address.port : 0;
			server.close( () => resolve( port ) );
		} );
	} );
}

/**
 * Defines a throwaway instance with free ports (kept in its instance.json so every process
 * agrees on them). Remove it with `destroyInstance()` when done.
 */
export async function defineThrowawayInstance(
	name: string,
	options: InstanceOptions
): Promise< Instance > {
	if ( BASE_PORTS[ name ] ) {
		throw new Error( `"${ name }" is a built-in instance` );
	}
	const dir = instanceDir( name );
	const ports: Ports = {
		wordpress: await freePort(),
		mariadb: await freePort(),
		sidecar: await freePort(),
		emulator: await freePort(),
		smtp: await freePort(),
	};
	mkdirSync( dir, { recursive: true } );
	writeFileSync(
		path.join( dir, 'instance.json' ),
		JSON.stringify( { ports, options }, null, '\t' ) + '\n'
	);
	return build( name, ports, options );
}

function randomToken( bytes: number ): string {
	return randomBytes( bytes ).toString( 'base64url' );
}

/** Reads the instance's secrets, creating them on first use. */
export function getSecrets( instance: Instance ): Secrets {
	if ( existsSync( instance.paths.secrets ) ) {
		return JSON.parse(
			readFileSync( instance.paths.secrets, 'utf8' )
		) as Secrets;
	}
	const saltNames = [
		'AUTH_KEY',
		'SECURE_AUTH_KEY',
		'LOGGED_IN_KEY',
		'NONCE_KEY',
		'AUTH_SALT',
		'SECURE_AUTH_SALT',
		'LOGGED_IN_SALT',
		'NONCE_SALT',
	];
	const secrets: Secrets = {
		sidecarSecret: randomToken( 36 ),
		sealKeys: `k1:${ randomBytes( 32 ).toString( 'base64' ) }`,
		dbPassword: randomToken( 18 ),
		loginToken: randomToken( 24 ),
		salts: Object.fromEntries(
			saltNames.map( ( key ) => [ key, randomToken( 48 ) ] )
		),
	};
	mkdirSync( instance.dir, { recursive: true } );
	writeFileSync(
		instance.paths.secrets,
		JSON.stringify( secrets, null, '\t' ) + '\n',
		{ mode: 0o600 }
	);
	return secrets;
}
