/**
 * `node build/sidecar/sidecar.js`: configuration from the environment, graceful shutdown on
 * SIGTERM/SIGINT. A configuration error is printed (naming the variables) and exits with 78
 * (EX_CONFIG) before anything listens.
 */
import { ConfigError, loadConfig, startSidecar } from './index';

const EX_CONFIG = 78;

async function main(): Promise< void > {
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
	const sidecar = await startSidecar( config );
	if ( ! [ '127.0.0.1', '::1', 'localhost' ].includes( config.host ) ) {
		sidecar.app.log.warn(
			{ host: config.host },
			'listening beyond loopback: keep the port firewalled (every call is still signed)'
		);
	}
	sidecar.app.log.info(
		{ url: sidecar.url, googleApiRoot: config.google.apiRoot },
		'sidecar listening'
	);

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
