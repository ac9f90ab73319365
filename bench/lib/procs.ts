/**
 * Processes the benchmark starts itself (sidecar replicas, a bare Node server as a baseline, the
 * Google emulator at a fixed setting), and what it reads about them from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { round } from './stats';

export const ROOT = resolve( __dirname, '..', '..' );
export const SIDECAR_BUNDLE = resolve( ROOT, 'build/sidecar/sidecar.js' );
export const EMULATOR_BUNDLE = resolve( ROOT, 'build/emulator/emulator.js' );
/** The one start command of the sidecar (npm run sidecar, the harness, the service unit). */
export const SIDECAR_LAUNCHER = resolve( ROOT, 'bin/sidecar' );
/** The least a Node HTTP service can be, the baseline of the sidecar's figures. */
export const BARE_SERVER = resolve( __dirname, 'bare-server.cjs' );
/** Node's flags and environment, to start a build otherwise than bin/sidecar does. */
export interface NodeRuntime {
	flags: string[];
	env: Record< string, string >;
}
/** How a sidecar build is started: by bin/sidecar (as it ships), or by `node` as given. */
export type SidecarStart = 'bin/sidecar' | NodeRuntime;
export const SIDECAR_RUNTIME: SidecarStart = 'bin/sidecar';
/** Node's defaults, for comparison. */
export const NODE_DEFAULTS: NodeRuntime = { flags: [], env: {} };

/** How a start is described in results: the launcher, or the environment and command line. */
export function describeStart( start: SidecarStart ): string {
	if ( start === 'bin/sidecar' ) {
		return 'bin/sidecar';
	}
	return [
		...Object.entries( start.env ).map( ( [ k, v ] ) => `${ k }=${ v }` ),
		'node',
		...start.flags,
	].join( ' ' );
}

/** A sidecar bundle and how to start it: to compare builds side by side, one change at a time. */
export interface SidecarBuild {
	label: string;
	bundle: string;
	runtime: SidecarStart;
}

const words = ( text: string | undefined ) =>
	( text ?? '' ).split( ' ' ).filter( Boolean );

/**
 * `path[|ENV=value …[|--node-flag …]]`, e.g. `/tmp/old.js||--max-semi-space-size=1` (no extra
 * environment) or `/tmp/new.js|MALLOC_ARENA_MAX=2|--max-semi-space-size=1`: `node` started with
 * exactly these. A bare path starts the build through bin/sidecar, as it ships.
 */
export function parseBuild( spec: string ): SidecarBuild {
	const parts = spec.split( '|' );
	const bundle = resolve( parts[ 0 ] ?? '' );
	if ( parts.length === 1 ) {
		return { label: spec, bundle, runtime: SIDECAR_RUNTIME };
	}
	return {
		label: spec,
		bundle,
		runtime: {
			env: Object.fromEntries(
				words( parts[ 1 ] ).map( ( kv ) => [
					kv.slice( 0, kv.indexOf( '=' ) ),
					kv.slice( kv.indexOf( '=' ) + 1 ),
				] )
			),
			flags: words( parts[ 2 ] ),
		},
	};
}

/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICK_MS = 10;

export const sleep = ( ms: number ) =>
	new Promise< void >( ( r ) => setTimeout( r, ms ) );

export function freePort(): Promise< number > {
	return new Promise( ( resolvePort, reject ) => {
		const s = createServer();
		s.once( 'error', reject );
		s.listen( 0, '127.0.0.1', () => {
			const port = ( s.address() as { port: number } ).port;
			s.close( () => resolvePort( port ) );
		} );
	} );
}

export function rssMiB( pid: number ): number {
	const status = readFileSync( `/proc/${ pid }/status`, 'utf8' );
	return round( Number( /VmRSS:\s+(\d+)/.exec( status )?.[ 1 ] ) / 1024 );
}

/** Memory only this process holds (private pages), as opposed to the shared Node binary. */
export function privateMiB( pid: number ): number {
	const rollup = readFileSync( `/proc/${ pid }/smaps_rollup`, 'utf8' );
	const kb = ( name: string ) =>
		Number(
			new RegExp( `${ name }:\\s+(\\d+)` ).exec( rollup )?.[ 1 ] ?? 0
		);
	return round( ( kb( 'Private_Clean' ) + kb( 'Private_Dirty' ) ) / 1024 );
}

export const memoryOf = ( pid: number ) => ( {
	rssMiB: rssMiB( pid ),
	privateMiB: privateMiB( pid ),
} );

/** User + system CPU time a process has used, in ms (10 ms resolution). */
export function cpuMs( pid: number ): number {
	const stat = readFileSync( `/proc/${ pid }/stat`, 'utf8' );
	// Fields after the command name: utime is field 14, stime 15.
	const fields = stat.slice( stat.lastIndexOf( ')' ) + 2 ).split( ' ' );
	return ( Number( fields[ 11 ] ) + Number( fields[ 12 ] ) ) * TICK_MS;
}

/** Load averages (1, 5, 15 min), rounded. */
export function load(): number[] {
	return loadavg().map( ( l ) => round( l, 2 ) );
}

/** One GET without keep-alive; resolves to the status, or 0 when nothing listens. */
export function probe( port: number, path = '/healthz' ): Promise< number > {
	return new Promise( ( done ) => {
		const req = http.get(
			{ host: '127.0.0.1', port, path, agent: false },
			( res ) => {
				res.resume();
				res.on( 'end', () => done( res.statusCode ?? 0 ) );
			}
		);
		req.on( 'error', () => done( 0 ) );
	} );
}

/** Every process started here, so none outlives the benchmark (even when it fails). */
const children = new Set< ChildProcess >();
process.once( 'exit', () => {
	for ( const child of children ) {
		child.kill( 'SIGKILL' );
	}
} );
/** Registers a process started elsewhere (e.g. PHP queue runners) for that clean-up. */
export function track( child: ChildProcess ): void {
	children.add( child );
	child.once( 'exit', () => children.delete( child ) );
}
for ( const signal of [ 'SIGINT', 'SIGTERM' ] as const ) {
	process.once( signal, () => process.exit( 130 ) );
}

export interface NodeProcess {
	child: ChildProcess;
	pid: number;
	port: number;
	url: string;
	/** spawn → first 200 from the probe path, in ms. */
	startMs: number;
	/** CPU time the process used until then. */
	startCpuMs: number;
	stop: ( signal?: NodeJS.Signals ) => Promise< void >;
}

/**
 * Starts `node <flags> <args>` (or `program <args>`) and polls `probePath` every millisecond (no
 * keep-alive) until it answers 200. Fails when the process exits first or after `timeoutMs`.
 */
export async function startNode( {
	program,
	args,
	flags = [],
	env = {},
	port,
	probePath = '/healthz',
	timeoutMs = 30000,
}: {
	/** Another program than this node (which then gets no `flags`). */
	program?: string;
	args: string[];
	flags?: string[];
	env?: Record< string, string | undefined >;
	port: number;
	probePath?: string;
	timeoutMs?: number;
} ): Promise< NodeProcess > {
	const started = process.hrtime.bigint();
	const child = spawn(
		program ?? process.execPath,
		program ? args : [ ...flags, ...args ],
		{
			env: { ...process.env, ...env },
			stdio: [ 'ignore', 'ignore', 'pipe' ],
		}
	);
	const pid = child.pid as number;
	children.add( child );
	let stderr = '';
	child.stderr?.on( 'data', ( c: Buffer ) => {
		stderr = ( stderr + c.toString() ).slice( -4000 );
	} );
	child.once( 'exit', () => children.delete( child ) );
	const stop = async ( signal: NodeJS.Signals = 'SIGTERM' ) => {
		if ( child.exitCode !== null || child.signalCode !== null ) {
			return;
		}
		const exited = new Promise( ( r ) => child.once( 'exit', r ) );
		child.kill( signal );
		await exited;
	};
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if ( ( await probe( port, probePath ) ) === 200 ) {
			const startMs = Number( process.hrtime.bigint() - started ) / 1e6;
			return {
				child,
				pid,
				port,
				url: `http://127.0.0.1:${ port }`,
				startMs,
				startCpuMs: cpuMs( pid ),
				stop,
			};
		}
		if ( child.exitCode !== null ) {
			throw new Error(
				`${ args.join( ' ' ) } exited with ${ child.exitCode }: ${ stderr }`
			);
		}
		if ( Date.now() > deadline ) {
			await stop( 'SIGKILL' );
			throw new Error(
				`${ args.join( ' ' ) } did not answer on ${ port }`
			);
		}
		await sleep( 1 );
	}
}

/**
 * A sidecar bundle started by bin/sidecar with this node, as `npm run sidecar` starts it (or by
 * `node` with another runtime, to compare), with its default settings: it logs a line per request
 * at `info`, as in production (stdout goes to /dev/null here, as cheap a destination as a log can
 * have).
 */
export function startSidecarProcess(
	port: number,
	env: Record< string, string | undefined >,
	runtime: SidecarStart = SIDECAR_RUNTIME,
	bundle: string = SIDECAR_BUNDLE
): Promise< NodeProcess > {
	const listen = {
		MFK_SIDECAR_HOST: '127.0.0.1',
		MFK_SIDECAR_PORT: String( port ),
	};
	if ( runtime === 'bin/sidecar' ) {
		return startNode( {
			program: 'sh',
			args: [ SIDECAR_LAUNCHER ],
			env: {
				...env,
				...listen,
				MFK_NODE: process.execPath,
				MFK_SIDECAR_BUNDLE: bundle,
			},
			port,
		} );
	}
	return startNode( {
		args: [ bundle ],
		flags: runtime.flags,
		env: { ...runtime.env, ...env, ...listen },
		port,
	} );
}

/** The Google emulator bundle in its own process (so its work does not share our event loop). */
export function startEmulatorProcess( port: number ): Promise< NodeProcess > {
	return startNode( {
		args: [ EMULATOR_BUNDLE ],
		env: { EMULATOR_HOST: '127.0.0.1', EMULATOR_PORT: String( port ) },
		port,
		probePath: '/__emulator/health',
	} );
}

/**
 * The least a Node HTTP service can be (bare-server.cjs: `http.createServer` answering 200),
 * started by bin/sidecar as the sidecar is. Its cold start and memory are the baseline for the
 * sidecar's.
 */
export function startBareNode( port: number ): Promise< NodeProcess > {
	return startSidecarProcess( port, {}, SIDECAR_RUNTIME, BARE_SERVER );
}

/**
 * For runs against an emulator without rate limits that measure something else than pacing
 * (memory, per-call overhead): the sidecar is told the same quota, none, so its pacing (which
 * would hold one doctor's calls to Google's default 600 a minute) does not enter the figure.
 */
export const UNPACED: Record< string, string > = {
	MFK_GOOGLE_PROJECT_QPM: '0',
	MFK_GOOGLE_USER_QPM: '0',
};

export function sidecarEnvFor(
	emulatorUrl: string,
	secret: string,
	sealKeys: string
): Record< string, string > {
	return {
		MFK_SHARED_SECRET: secret,
		MFK_SEAL_KEYS: sealKeys,
		MFK_GOOGLE_API_ROOT: `${ emulatorUrl }/`,
		MFK_GOOGLE_MEET_API_ROOT: `${ emulatorUrl }/`,
		MFK_GOOGLE_AUTH_URL: `${ emulatorUrl }/o/oauth2/v2/auth`,
		MFK_GOOGLE_TOKEN_URL: `${ emulatorUrl }/token`,
		MFK_GOOGLE_REVOKE_URL: `${ emulatorUrl }/revoke`,
		MFK_GOOGLE_USERINFO_URL: `${ emulatorUrl }/v1/userinfo`,
		...UNPACED,
	};
}
