/**
 * Brings a whole instance up or down. `up` is idempotent: what runs is reused, what is missing
 * is started, and the site is (re)configured, installed and activated as needed.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
	defineThrowawayInstance,
	getInstance,
	getSecrets,
	type Instance,
	type InstanceOptions,
} from './instances';
import { HARNESS_ROOT } from './paths';
import { withLock } from './lock';
import { ensureMariadb } from './mariadb';
import { readRecord, stopService } from './proc';
import { ensureNodeService, ensureSmtpSink } from './services';
import { ensureInstalled, ensurePhpServer, ensureSiteFiles } from './wordpress';

/** Services in start order; they are stopped in reverse. */
export const SERVICES = [
	'mariadb',
	'smtp',
	'emulator',
	'sidecar',
	'wordpress',
] as const;
export type ServiceName = ( typeof SERVICES )[ number ];

export interface UpResult {
	/** Services this call started (the others were running already or are not built). */
	started: ServiceName[];
	/** Services skipped because their build does not exist yet. */
	missing: ServiceName[];
}

function log( message: string ): void {
	if ( ! process.env.MFK_HARNESS_QUIET ) {
		process.stderr.write( `[harness] ${ message }\n` );
	}
}

export async function up( instance: Instance ): Promise< UpResult > {
	return withLock( instance.dir, async () => {
		const result: UpResult = { started: [], missing: [] };
		const note = ( service: ServiceName, started: boolean | null ) => {
			if ( started === null ) {
				result.missing.push( service );
			} else if ( started ) {
				result.started.push( service );
			}
		};
		getSecrets( instance );
		log(
			`${ instance.name }: MariaDB on 127.0.0.1:${ instance.ports.mariadb }`
		);
		note( 'mariadb', ! readRecord( instance, 'mariadb' ) );
		await ensureMariadb( instance );
		note( 'smtp', await ensureSmtpSink( instance ) );
		if ( instance.options.googleServices ) {
			note( 'emulator', await ensureNodeService( instance, 'emulator' ) );
			note( 'sidecar', await ensureNodeService( instance, 'sidecar' ) );
		}
		log( `${ instance.name }: WordPress files, installation, plugins` );
		await ensureSiteFiles( instance );
		await ensureInstalled( instance );
		note( 'wordpress', await ensurePhpServer( instance ) );
		log( `${ instance.name }: ready at ${ instance.urls.wordpress }` );
		return result;
	} );
}

/** Stops the given services (default: all) of an instance, in reverse start order. */
export async function down(
	instance: Instance,
	services: readonly ServiceName[] = SERVICES
): Promise< ServiceName[] > {
	const stopped: ServiceName[] = [];
	for ( const service of [ ...SERVICES ].reverse() ) {
		if (
			services.includes( service ) &&
			( await stopService( instance, service ) )
		) {
			stopped.push( service );
		}
	}
	return stopped;
}

export function status(
	instance: Instance
): Record< ServiceName, number | null > {
	return Object.fromEntries(
		SERVICES.map( ( service ) => [
			service,
			readRecord( instance, service )?.pid ?? null,
		] )
	) as Record< ServiceName, number | null >;
}

/** Stops everything and deletes the instance's state folder. */
export async function destroy( instance: Instance ): Promise< void > {
	await down( instance );
	rmSync( instance.dir, { recursive: true, force: true } );
}

/**
 * A fresh throwaway instance with free ports (removing what a crashed earlier run may have
 * left under the same name). Pair with destroy().
 */
export async function createThrowawayInstance(
	name: string,
	options: InstanceOptions
): Promise< Instance > {
	if ( existsSync( path.join( HARNESS_ROOT, name, 'instance.json' ) ) ) {
		await destroy( getInstance( name ) );
	}
	return defineThrowawayInstance( name, options );
}
