/**
 * `node build/emulator/emulator.js` (npm run emulator): the Google emulator on its own.
 * Environment: EMULATOR_HOST (127.0.0.1), EMULATOR_PORT (8789), EMULATOR_CLIENTS
 * (clientId:secret[,…]), EMULATOR_LOG_LEVEL (none by default).
 */
import { DEFAULT_CLIENTS, startEmulator } from './index';

async function main(): Promise< void > {
	const portText = process.env.EMULATOR_PORT ?? '8789';
	const port = /^\d+$/.test( portText ) ? Number( portText ) : NaN;
	if ( ! Number.isInteger( port ) || port < 0 || port > 65535 ) {
		process.stderr.write(
			`EMULATOR_PORT must be a port number (got "${ portText }")\n`
		);
		process.exit( 78 );
	}
	let emulator;
	try {
		emulator = await startEmulator( {
			host: process.env.EMULATOR_HOST || '127.0.0.1',
			port,
			clients: process.env.EMULATOR_CLIENTS || DEFAULT_CLIENTS,
			logLevel: process.env.EMULATOR_LOG_LEVEL || false,
		} );
	} catch ( error ) {
		process.stderr.write(
			`Google emulator failed to start: ${ error instanceof Error ? error.message : String( error ) }\n`
		);
		process.exit( 1 );
	}
	const env = emulator.sidecarEnv();
	process.stdout.write(
		JSON.stringify( {
			msg: 'Google emulator listening',
			url: emulator.url,
			clients: emulator.state.auth.clients.ids(),
			sidecarEnv: env,
		} ) + '\n'
	);
	const stop = () => {
		emulator.close().then(
			() => process.exit( 0 ),
			() => process.exit( 1 )
		);
	};
	process.on( 'SIGTERM', stop );
	process.on( 'SIGINT', stop );
}

void main();
