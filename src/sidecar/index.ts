/**
 * Programmatic entry point: build the sidecar (tests drive it with `app.inject()`) or start one
 * listening in this process (tools, the benchmark, tests of real connections).
 *
 *   const sidecar = await startSidecar( loadConfig( { MFK_SHARED_SECRET: …, MFK_SEAL_KEYS: …, MFK_SIDECAR_PORT: '0' } ) );
 *   … sidecar.url …
 *   await sidecar.close();
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app';
import type { SidecarConfig } from './config/env';
import type { SidecarContext } from './context';

export { buildApp, type AppOptions } from './app';
export { loadConfig, ConfigError, type SidecarConfig } from './config/env';
export { eventIdFor, requestIdFor } from './meetings/event-id';
export { sign, signedHeaders, canonicalString } from './signing/signature';
export { VERSION } from './version';
export {
	enrol,
	formatEnrolmentKey,
	parseEnrolmentKey,
	siteSecret,
} from './tenancy/enrolment';

export interface RunningSidecar {
	url: string;
	port: number;
	app: FastifyInstance;
	context: SidecarContext;
	/** Stops accepting connections, lets requests in flight finish, then resolves. */
	close: () => Promise< void >;
	/**
	 * Reads again what an operator may change without a restart (SIGHUP): the revoke list, and
	 * the TLS certificate and key files (a renewed certificate).
	 */
	reload: () => void;
}

export interface StartOptions extends AppOptions {
	/** Load the Google client right after listening (default true). */
	warmUp?: boolean;
}

export async function startSidecar(
	config: SidecarConfig,
	options: StartOptions = {}
): Promise< RunningSidecar > {
	const app = buildApp( config, options );
	await app.listen( { host: config.host, port: config.port } );
	const port = ( app.server.address() as AddressInfo ).port;
	const host = config.host.includes( ':' )
		? `[${ config.host }]`
		: config.host;
	if ( options.warmUp !== false ) {
		// Shortly after listening, so the first health probes are answered at once; a call that
		// needs Google before then loads the client itself.
		setTimeout( () => {
			app.ctx
				.google()
				.catch( ( error: unknown ) =>
					app.log.error(
						{ err: String( error ) },
						'loading the Google client failed'
					)
				);
		}, 100 ).unref();
	}
	let closed: Promise< void > | undefined;
	return {
		url: `${ config.tls ? 'https' : 'http' }://${ host }:${ port }`,
		port,
		app,
		context: app.ctx,
		close: () => {
			closed ??= app.close();
			return closed;
		},
		reload: () => {
			app.ctx.revocations.reload( true );
			if ( config.tls ) {
				try {
					( app.server as unknown as TlsServer ).setSecureContext( {
						cert: readFileSync( config.tls.certFile ),
						key: readFileSync( config.tls.keyFile ),
					} );
				} catch ( error ) {
					app.log.error(
						{ err: ( error as Error ).message },
						'the TLS certificate could not be read again; the previous one stays in use'
					);
				}
			}
		},
	};
}
