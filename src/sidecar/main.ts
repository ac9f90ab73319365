/**
 * `node build/sidecar/sidecar.js`: configuration from the environment, graceful shutdown on
 * SIGTERM/SIGINT. A configuration error is printed (naming the variables) and exits with 78
 * (EX_CONFIG) before anything listens.
 */
import { destination } from 'pino';
import { COMMANDS, runCommand } from './cli/commands';
import {
	ConfigError,
	loadConfig,
	startSidecar,
	type SidecarConfig,
} from './index';

const EX_CONFIG = 78;

function tlsMode( config: SidecarConfig ): string {
	if ( config.tls ) {
		return 'own certificate';
	}
	return config.tlsTerminatedByProxy
		? 'terminated by a proxy'
		: 'none (loopback)';
}

async function main(): Promise< void > {
	const command = process.argv[ 2 ];
	if ( command && ( COMMANDS as readonly string[] ).includes( command ) ) {
		process.exit(
			runCommand( command, process.argv.slice( 3 ), process.env, {
				out: ( text ) => process.stdout.write( text ),
				err: ( text ) => process.stderr.write( text ),
			} )
		);
	}
	let config;
	try {
		config = loadConfig( process.env );
	} catch ( error ) {
		if ( error instanceof ConfigError ) {
			process.stderr.write( `${ error.message }\n` );
			process.exit( EX_CONFIG );
		}
		throw error;
	}
	// Log lines are written off the request path (libuv's thread pool), not with one blocking
	// write per request; whatever is still buffered is written out when the process exits.
	const logs = destination( { dest: 1, sync: false } );
	process.on( 'exit', () => {
		try {
			logs.flushSync();
		} catch {
			// Nothing written yet, or stdout already closed: nothing to save.
		}
	} );
	const sidecar = await startSidecar( config, { logDestination: logs } );
	sidecar.app.log.info(
		{
			url: sidecar.url,
			googleApiRoot: config.google.apiRoot,
			mode: config.hosted ? 'hosted' : 'single-site',
			tls: tlsMode( config ),
			sharedState: config.redisUrl ? 'redis' : 'memory',
		},
		'sidecar listening'
	);
	process.on( 'SIGHUP', () => {
		sidecar.reload();
		sidecar.app.log.info(
			{ revoked: sidecar.context.revocations.size },
			'reloaded the revoke list and TLS certificate'
		);
	} );

	let stopping = false;
	const stop = ( signal: string ) => {
		if ( stopping ) {
			return;
		}
		stopping = true;
		sidecar.app.log.info(
			{ signal },
			'shutting down: finishing requests in flight'
		);
		const force = setTimeout( () => {
			sidecar.app.log.warn(
				{ graceMs: config.shutdownGraceMs },
				'requests still in flight after the grace period; exiting'
			);
			process.exit( 1 );
		}, config.shutdownGraceMs );
		force.unref();
		sidecar.close().then(
			() => {
				sidecar.app.log.info( 'stopped' );
				process.exit( 0 );
			},
			( error: unknown ) => {
				sidecar.app.log.error(
					{ err: String( error ) },
					'error while stopping'
				);
				process.exit( 1 );
			}
		);
	};
	process.on( 'SIGTERM', () => stop( 'SIGTERM' ) );
	process.on( 'SIGINT', () => stop( 'SIGINT' ) );
}

main().catch( ( error: unknown ) => {
	process.stderr.write(
		`sidecar failed to start: ${ error instanceof Error ? error.message : String( error ) }\n`
	);
	process.exit( 1 );
} );
