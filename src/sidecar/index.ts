/**
 * Programmatic entry point: start a sidecar in this process (tests, tools, the benchmark).
 *
 *   const sidecar = await startSidecar( loadConfig( { MFK_SHARED_SECRET: …, MFK_SEAL_KEYS: …, MFK_SIDECAR_PORT: '0' } ) );
 *   … sidecar.url …
 *   await sidecar.close();
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { SidecarConfig } from './config';
import type { SidecarContext } from './context';
import { buildServer, type ServerOptions } from './server';

export { loadConfig, ConfigError, type SidecarConfig } from './config';
export { eventIdFor, requestIdFor } from './event-id';
export { sign, signedHeaders, canonicalString } from './signing';
export { VERSION } from './version';

export interface RunningSidecar {
	url: string;
	port: number;
	app: FastifyInstance;
	context: SidecarContext;
	/** Stops accepting connections, lets requests in flight finish, then resolves. */
	close: () => Promise< void >;
}

export interface StartOptions extends ServerOptions {
	/** Load the Google client right after listening (default true). */
	warmUp?: boolean;
}

export async function startSidecar(
	config: SidecarConfig,
	options: StartOptions = {}
): Promise< RunningSidecar > {
	const { app, ctx, markClosing } = buildServer( config, options );
	await app.listen( { host: config.host, port: config.port } );
	const port = ( app.server.address() as AddressInfo ).port;
	const host = config.host.includes( ':' )
		? `[${ config.host }]`
		: config.host;
	if ( options.warmUp !== false ) {
		// Shortly after listening, so the first health probes are answered at once; a call that
		// needs Google before then loads the client itself.
		setTimeout( () => {
			ctx.google().catch( ( error: unknown ) =>
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
		context: ctx,
		close: () => {
			markClosing();
			closed ??= app.close();
			return closed;
		},
	};
}
