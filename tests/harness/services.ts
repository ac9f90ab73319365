/**
 * Node services of an instance: the SMTP sink, the Google emulator and the sidecar. The
 * sidecar and the emulator are started from their built bundles and only when these exist
 * (`npm run build:sidecar`), the sidecar by bin/sidecar as it ships (with this Node); a bundle
 * rebuilt after the process started is picked up by restarting the process on the next `up`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { getSecrets, type Instance } from './instances';
import {
	EMULATOR_BUNDLE,
	HARNESS_SRC,
	REPO_ROOT,
	SIDECAR_BUNDLE,
	SIDECAR_LAUNCHER,
} from './paths';
import {
	assertPortFree,
	httpAnswers,
	logFile,
	portOpen,
	readRecord,
	spawnService,
	stopService,
	waitUntil,
	type ServiceRecord,
} from './proc';

export type NodeService = 'smtp' | 'emulator' | 'sidecar';

export async function ensureSmtpSink( instance: Instance ): Promise< boolean > {
	if ( readRecord( instance, 'smtp' ) ) {
		return false;
	}
	await assertPortFree( instance.ports.smtp, 'SMTP sink', instance );
	const port = String( instance.ports.smtp );
	const record = spawnService( instance, 'smtp', {
		command: process.execPath,
		args: [
			'--import',
			'tsx',
			path.join( HARNESS_SRC, 'smtp-sink.ts' ),
			'--port',
			port,
			'--dir',
			instance.paths.mailDir,
		],
		cwd: REPO_ROOT,
		port: instance.ports.smtp,
		marker: `--port ${ port }`,
	} );
	await waitUntil( 'SMTP sink', () => portOpen( instance.ports.smtp ), {
		pid: record.pid,
		log: logFile( instance, 'smtp' ),
	} );
	return true;
}

/** Environment of the emulator process. */
export function emulatorEnv( instance: Instance ): NodeJS.ProcessEnv {
	return {
		EMULATOR_HOST: '127.0.0.1',
		EMULATOR_PORT: String( instance.ports.emulator ),
	};
}

/** Environment of the sidecar process, pointed at the instance's emulator. */
export function sidecarEnv( instance: Instance ): NodeJS.ProcessEnv {
	const secrets = getSecrets( instance );
	const emulator = `http://127.0.0.1:${ instance.ports.emulator }`;
	return {
		MFK_SIDECAR_HOST: '127.0.0.1',
		MFK_SIDECAR_PORT: String( instance.ports.sidecar ),
		MFK_SHARED_SECRET: secrets.sidecarSecret,
		MFK_SEAL_KEYS: secrets.sealKeys,
		MFK_GOOGLE_API_ROOT: `${ emulator }/`,
		MFK_GOOGLE_MEET_API_ROOT: `${ emulator }/`,
		MFK_GOOGLE_AUTH_URL: `${ emulator }/o/oauth2/v2/auth`,
		MFK_GOOGLE_TOKEN_URL: `${ emulator }/token`,
		MFK_GOOGLE_REVOKE_URL: `${ emulator }/revoke`,
		MFK_GOOGLE_USERINFO_URL: `${ emulator }/v1/userinfo`,
	};
}

const BUNDLES: Record< 'emulator' | 'sidecar', string > = {
	emulator: EMULATOR_BUNDLE,
	sidecar: SIDECAR_BUNDLE,
};

function isStale( record: ServiceRecord, bundle: string ): boolean {
	return statSync( bundle ).mtimeMs > Date.parse( record.startedAt );
}

export interface NodeServiceOptions {
	/** Extra environment variables (override the defaults above). */
	env?: NodeJS.ProcessEnv;
	/** Restart even if running (for example to apply `env`). */
	restart?: boolean;
}

/**
 * Starts the emulator or the sidecar unless it runs (and is up to date). Returns true when a
 * process was started, false when one was reused, null when the bundle is not built.
 */
export async function ensureNodeService(
	instance: Instance,
	service: 'emulator' | 'sidecar',
	options: NodeServiceOptions = {}
): Promise< boolean | null > {
	const bundle = BUNDLES[ service ];
	if ( ! existsSync( bundle ) ) {
		return null;
	}
	const running = readRecord( instance, service );
	if ( running && ! options.restart && ! isStale( running, bundle ) ) {
		return false;
	}
	if ( running ) {
		await stopService( instance, service );
	}
	const port =
		service === 'sidecar'
			? instance.ports.sidecar
			: instance.ports.emulator;
	await assertPortFree( port, service, instance );
	const env = {
		...process.env,
		...( service === 'sidecar'
			? sidecarEnv( instance )
			: emulatorEnv( instance ) ),
		...options.env,
	};
	const record = spawnService( instance, service, {
		...( service === 'sidecar'
			? {
					command: 'sh',
					args: [ SIDECAR_LAUNCHER ],
					env: {
						...env,
						MFK_NODE: process.execPath,
						MFK_SIDECAR_BUNDLE: bundle,
					},
				}
			: { command: process.execPath, args: [ bundle ], env } ),
		cwd: REPO_ROOT,
		port,
		// The sidecar's launcher hands over to node (same process), whose command line holds it.
		marker: bundle,
	} );
	const url = `http://127.0.0.1:${ port }/healthz`;
	await waitUntil(
		service,
		// The sidecar must report healthy; any HTTP answer means the emulator listens.
		service === 'sidecar'
			? () => httpAnswers( url )
			: () => httpAnswers( url, () => true ),
		{ pid: record.pid, log: logFile( instance, service ) }
	);
	return true;
}
