/**
 * Sidecar processes for the reliability suite: the instance's own sidecar restarted with short
 * Google timeouts and retry budgets (so faults play out in seconds, not minutes), extra
 * replicas started from the same bundle and environment, and a round-robin TCP proxy that
 * takes the instance's sidecar port so WordPress alternates between replicas without any
 * change to its configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { SIDECAR_BUNDLE } from '../../harness/paths';
import { freePort } from '../../harness/instances';
import { harness, sidecarEnv, startSidecar } from '../../harness/testkit';
import { until } from './queue';

/** Environment that makes Google failures resolve quickly (documented in docs/RELIABILITY.md). */
export const FAST_FAILURE_ENV = {
	MFK_GOOGLE_TIMEOUT_MS: '1500',
	MFK_RETRY_BUDGET_MS: '2000',
	MFK_RETRY_BASE_MS: '100',
	MFK_RETRY_MAX_DELAY_MS: '400',
	MFK_SHUTDOWN_GRACE_MS: '3000',
};

/** Restarts the instance's sidecar with FAST_FAILURE_ENV. */
export function tuneSidecar(): Promise< void > {
	return startSidecar( { env: FAST_FAILURE_ENV } );
}

/** Restarts the instance's sidecar with its default environment. */
export function restoreSidecar(): Promise< void > {
	return startSidecar();
}

async function healthy( port: number ): Promise< boolean > {
	try {
		const res = await fetch( `http://127.0.0.1:${ port }/healthz` );
		await res.arrayBuffer();
		return res.status === 200;
	} catch {
		return false;
	}
}

export interface Replica {
	port: number;
	process: ChildProcess;
	stop: ( signal?: NodeJS.Signals ) => Promise< void >;
}

/** Starts one more sidecar process from the bundle, same secrets and Google endpoints. */
export async function startReplica(): Promise< Replica > {
	const port = await freePort();
	const child = spawn( process.execPath, [ SIDECAR_BUNDLE ], {
		env: {
			PATH: process.env.PATH,
			...sidecarEnv(),
			...FAST_FAILURE_ENV,
			MFK_SIDECAR_PORT: String( port ),
			MFK_LOG_LEVEL: 'warn',
		},
		stdio: 'ignore',
	} );
	const exited = new Promise< void >( ( resolve ) =>
		child.once( 'exit', () => resolve() )
	);
	await until( `sidecar replica on ${ port }`, () => healthy( port ) );
	return {
		port,
		process: child,
		stop: async ( signal = 'SIGTERM' ) => {
			if ( child.exitCode === null && child.signalCode === null ) {
				child.kill( signal );
			}
			await exited;
		},
	};
}

export interface Proxy {
	/** Connections handed to each backend, in the order given. */
	counts: number[];
	close: () => Promise< void >;
}

/**
 * Listens on the instance's sidecar port and hands each new connection to the next backend
 * in turn. A backend that is gone resets the connection, as a dead replica behind a real load
 * balancer without health checks would.
 */
export async function roundRobinProxy( backends: number[] ): Promise< Proxy > {
	const counts = backends.map( () => 0 );
	const sockets = new Set< net.Socket >();
	let next = 0;
	const server = net.createServer( ( client ) => {
		const index = next++ % backends.length;
		counts[ index ]!++;
		const upstream = net.connect( backends[ index ]!, '127.0.0.1' );
		for ( const s of [ client, upstream ] ) {
			sockets.add( s );
			s.once( 'close', () => sockets.delete( s ) );
		}
		client.pipe( upstream ).pipe( client );
		upstream.on( 'error', () => client.destroy() );
		client.on( 'error', () => upstream.destroy() );
	} );
	await new Promise< void >( ( resolve, reject ) => {
		server.once( 'error', reject );
		server.listen( harness().ports.sidecar, '127.0.0.1', () => resolve() );
	} );
	return {
		counts,
		close: () =>
			new Promise< void >( ( resolve ) => {
				for ( const s of sockets ) {
					s.destroy();
				}
				server.close( () => resolve() );
			} ),
	};
}
