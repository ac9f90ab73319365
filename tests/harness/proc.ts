/**
 * Long-running processes of an instance (MariaDB, PHP, SMTP sink, sidecar, emulator).
 *
 * Each one is spawned detached in its own process group, with its output appended to
 * `.harness/<instance>/<service>.log` and a record in `.harness/<instance>/pids/<service>.json`.
 * Any later process (another jest run, the test kit inside a test, `bin/dev stop`) can therefore
 * find, reuse, stop or restart it.
 */
import { spawn } from 'node:child_process';
import {
	closeSync,
	existsSync,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Instance } from './instances';

export interface ServiceRecord {
	pid: number;
	port: number;
	/** A string that must appear in /proc/<pid>/cmdline (guards against pid reuse). */
	marker: string;
	command: string;
	startedAt: string;
}

function recordFile( instance: Instance, service: string ): string {
	return path.join( instance.paths.pids, `${ service }.json` );
}

export function logFile( instance: Instance, service: string ): string {
	return path.join( instance.paths.logs, `${ service }.log` );
}

export function isAlive( pid: number ): boolean {
	try {
		process.kill( pid, 0 );
	} catch {
		return false;
	}
	try {
		// A zombie still answers kill(0); it is dead for our purposes.
		const stat = readFileSync( `/proc/${ pid }/stat`, 'utf8' );
		const state = stat.slice( stat.lastIndexOf( ')' ) + 2 ).charAt( 0 );
		return state !== 'Z' && state !== 'X';
	} catch {
		return false;
	}
}

function cmdline( pid: number ): string {
	try {
		return readFileSync( `/proc/${ pid }/cmdline`, 'utf8' ).replace(
			/\0/g,
			' '
		);
	} catch {
		return '';
	}
}

/**
 * Live processes left in a service's process group after its leader died (PHP's built-in server
 * ends its master when a worker is killed; the other workers go on serving the port).
 */
function orphans( pgid: number, marker: string ): number[] {
	let entries: string[];
	try {
		entries = readdirSync( '/proc' ).filter( ( e ) => /^\d+$/.test( e ) );
	} catch {
		return [];
	}
	const out: number[] = [];
	for ( const entry of entries ) {
		try {
			const stat = readFileSync( `/proc/${ entry }/stat`, 'utf8' );
			const fields = stat
				.slice( stat.lastIndexOf( ')' ) + 2 )
				.split( ' ' );
			// Fields after the name: state, ppid, pgrp.
			if (
				Number( fields[ 2 ] ) === pgid &&
				isAlive( Number( entry ) ) &&
				cmdline( Number( entry ) ).includes( marker )
			) {
				out.push( Number( entry ) );
			}
		} catch {
			// Gone meanwhile.
		}
	}
	return out;
}

/** The running process of a service, or null (stale records are removed). */
export function readRecord(
	instance: Instance,
	service: string
): ServiceRecord | null {
	const file = recordFile( instance, service );
	if ( ! existsSync( file ) ) {
		return null;
	}
	let record: ServiceRecord;
	try {
		record = JSON.parse( readFileSync( file, 'utf8' ) ) as ServiceRecord;
	} catch {
		rmSync( file, { force: true } );
		return null;
	}
	const leader =
		isAlive( record.pid ) &&
		cmdline( record.pid ).includes( record.marker );
	if ( ! leader && orphans( record.pid, record.marker ).length === 0 ) {
		rmSync( file, { force: true } );
		return null;
	}
	return record;
}

export interface SpawnOptions {
	command: string;
	args: string[];
	port: number;
	marker: string;
	env?: NodeJS.ProcessEnv;
	cwd?: string;
}

export function spawnService(
	instance: Instance,
	service: string,
	options: SpawnOptions
): ServiceRecord {
	mkdirSync( instance.paths.pids, { recursive: true } );
	const log = openSync( logFile( instance, service ), 'a' );
	const child = spawn( options.command, options.args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		detached: true,
		stdio: [ 'ignore', log, log ],
	} );
	closeSync( log );
	// A program that cannot be run is reported by the throw below; without a listener its
	// 'error' event would also end the whole process.
	child.on( 'error', () => {} );
	if ( child.pid === undefined ) {
		throw new Error(
			`Could not start ${ service }: ${ options.command } cannot be run (missing or not executable)`
		);
	}
	child.unref();
	const record: ServiceRecord = {
		pid: child.pid,
		port: options.port,
		marker: options.marker,
		command: [ options.command, ...options.args ].join( ' ' ),
		startedAt: new Date().toISOString(),
	};
	writeFileSync(
		recordFile( instance, service ),
		JSON.stringify( record, null, '\t' ) + '\n'
	);
	return record;
}

const sleep = ( ms: number ) =>
	new Promise< void >( ( resolve ) => setTimeout( resolve, ms ) );

/** Stops a service: SIGTERM to its process group, SIGKILL if it does not go in time. */
export async function stopService(
	instance: Instance,
	service: string,
	{ timeoutMs = 10000, signal = 'SIGTERM' as NodeJS.Signals } = {}
): Promise< boolean > {
	const record = readRecord( instance, service );
	if ( ! record ) {
		return false;
	}
	const kill = ( sig: NodeJS.Signals ) => {
		try {
			process.kill( -record.pid, sig );
		} catch {
			try {
				process.kill( record.pid, sig );
			} catch {
				// Already gone.
			}
		}
	};
	const running = () =>
		isAlive( record.pid ) ||
		orphans( record.pid, record.marker ).length > 0;
	kill( signal );
	const deadline = Date.now() + timeoutMs;
	while ( running() && Date.now() < deadline ) {
		await sleep( 50 );
	}
	if ( running() ) {
		kill( 'SIGKILL' );
		while ( running() ) {
			await sleep( 20 );
		}
	}
	// A multi-threaded process shows as a zombie while its other threads still hold its
	// sockets; wait until the port is really free so a restart can bind it.
	const portDeadline = Date.now() + 5000;
	while ( ( await portOpen( record.port ) ) && Date.now() < portDeadline ) {
		await sleep( 20 );
	}
	rmSync( recordFile( instance, service ), { force: true } );
	return true;
}

export function tail( file: string, lines = 20 ): string {
	try {
		return readFileSync( file, 'utf8' )
			.trimEnd()
			.split( '\n' )
			.slice( -lines )
			.join( '\n' );
	} catch {
		return '';
	}
}

/**
 * Polls `check` until it returns true. Fails early (with the end of the service's log) if the
 * process died, and after `timeoutMs` otherwise.
 */
export async function waitUntil(
	what: string,
	check: () => Promise< boolean >,
	{
		timeoutMs = 30000,
		pid,
		log,
	}: { timeoutMs?: number; pid?: number; log?: string } = {}
): Promise< void > {
	const deadline = Date.now() + timeoutMs;
	let delay = 25;
	for (;;) {
		if ( await check().catch( () => false ) ) {
			return;
		}
		if ( pid !== undefined && ! isAlive( pid ) ) {
			throw new Error(
				`${ what }: the process exited.` +
					( log ? `\n--- ${ log } ---\n${ tail( log ) }` : '' )
			);
		}
		if ( Date.now() > deadline ) {
			throw new Error(
				`${ what }: not ready after ${ timeoutMs } ms.` +
					( log ? `\n--- ${ log } ---\n${ tail( log ) }` : '' )
			);
		}
		await sleep( delay );
		delay = Math.min( delay * 2, 250 );
	}
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen( port: number ): Promise< boolean > {
	return new Promise( ( resolve ) => {
		const socket = net.connect( { host: '127.0.0.1', port } );
		socket.setTimeout( 1000 );
		socket.once( 'connect', () => {
			socket.destroy();
			resolve( true );
		} );
		socket.once( 'timeout', () => {
			socket.destroy();
			resolve( false );
		} );
		socket.once( 'error', () => resolve( false ) );
	} );
}

/** True when an HTTP GET answers with a status accepted by `accept` (default: 2xx). */
export async function httpAnswers(
	url: string,
	accept: ( status: number ) => boolean = ( s ) => s >= 200 && s < 300
): Promise< boolean > {
	try {
		const response = await fetch( url, {
			redirect: 'manual',
			signal: AbortSignal.timeout( 2000 ),
		} );
		await response.arrayBuffer();
		return accept( response.status );
	} catch {
		return false;
	}
}

/** Fails with a helpful message when a port we are about to bind is taken by a stranger. */
export async function assertPortFree(
	port: number,
	service: string,
	instance: Instance
): Promise< void > {
	if ( await portOpen( port ) ) {
		throw new Error(
			`Port ${ port } (${ service } of the "${ instance.name }" instance) is used by another ` +
				'process. Stop it, or shift all harness ports with MFK_HARNESS_PORT_OFFSET=<n>.'
		);
	}
}
