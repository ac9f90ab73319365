/**
 * A Redis server of Debian's `redis-server` package, started for the tests and benchmarks that
 * run several sidecar replicas (they share replay protection and per-site limits through it). It
 * keeps nothing on disk, listens on loopback only, and uses the eviction policy docs/deploy.md
 * asks for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './instances';
import { program } from './programs';

export interface RedisServer {
	port: number;
	url: string;
	pid: number;
	/** Stops the server (SIGTERM, waiting for it to exit). */
	stop: () => Promise< void >;
	/** Starts it again on the same port after stop(). */
	start: () => Promise< void >;
	/** Stops it for good and removes its folder. */
	close: () => Promise< void >;
}

function answersPing( port: number ): Promise< boolean > {
	return new Promise( ( resolve ) => {
		const socket = net.connect( port, '127.0.0.1' );
		socket.setTimeout( 500 );
		socket.once( 'connect', () => socket.write( 'PING\r\n' ) );
		socket.once( 'data', ( data ) => {
			socket.destroy();
			resolve( data.toString().startsWith( '+PONG' ) );
		} );
		socket.once( 'error', () => resolve( false ) );
		socket.once( 'timeout', () => {
			socket.destroy();
			resolve( false );
		} );
	} );
}

export async function startRedis( port?: number ): Promise< RedisServer > {
	const chosen = port ?? ( await freePort() );
	const dir = mkdtempSync( path.join( tmpdir(), 'mfk-redis-' ) );
	let child: ChildProcess | undefined;
	const start = async () => {
		child = spawn(
			program( 'redis-server' ),
			[
				'--port',
				String( chosen ),
				'--bind',
				'127.0.0.1',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				dir,
				'--maxmemory',
				'64mb',
				'--maxmemory-policy',
				'volatile-ttl',
				'--loglevel',
				'warning',
			],
			{ stdio: 'ignore' }
		);
		const exited = new Promise( ( resolve ) =>
			child?.once( 'exit', resolve )
		);
		for ( let i = 0; i < 200; i++ ) {
			if ( await answersPing( chosen ) ) {
				return;
			}
			if ( child.exitCode !== null ) {
				break;
			}
			await Promise.race( [
				exited,
				new Promise( ( r ) => setTimeout( r, 25 ) ),
			] );
		}
		throw new Error( `redis-server did not start on port ${ chosen }` );
	};
	const stop = async () => {
		const running = child;
		if (
			! running ||
			running.exitCode !== null ||
			running.signalCode !== null
		) {
			return;
		}
		const exited = new Promise( ( resolve ) =>
			running.once( 'exit', resolve )
		);
		running.kill( 'SIGTERM' );
		await exited;
	};
	await start();
	process.once( 'exit', () => child?.kill( 'SIGKILL' ) );
	return {
		port: chosen,
		url: `redis://127.0.0.1:${ chosen }`,
		get pid() {
			return child?.pid ?? 0;
		},
		stop,
		start,
		close: async () => {
			await stop();
			rmSync( dir, { recursive: true, force: true } );
		},
	};
}
