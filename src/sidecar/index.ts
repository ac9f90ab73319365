/**
 * Programmatic entry point: build the sidecar (tests drive it with `app.inject()`) or start one
 * listening in this process (tools, the benchmark, tests of real connections).
 *
 *   const sidecar = await startSidecar( loadConfig( { MFK_SHARED_SECRET: …, MFK_SEAL_KEYS: …, MFK_SIDECAR_PORT: '0' } ) );
 *   … sidecar.url …
 *   await sidecar.close();
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app';
import type { SidecarConfig } from './config/env';
import type { SidecarContext } from './context';

export { buildApp, type AppOptions } from './app';
export { loadConfig, ConfigError, type SidecarConfig } from './config/env';
export { eventIdFor, requestIdFor } from './meetings/event-id';
export { sign, signedHeaders, canonicalString } from './signing/signature';
export { VERSION } from './version';

export interface RunningSidecar {
	url: string;
	port: number;
	app: FastifyInstance;
	context: SidecarContext;
	/** Stops accepting connections, lets requests in flight finish, then resolves. */
	close: () => Promise< void >;
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
		url: `http://${ host }:${ port }`,
		port,
		app,
		context: app.ctx,
		close: () => {
			closed ??= app.close();
			return closed;
		},
	};
}
