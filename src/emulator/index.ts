/**
 * Programmatic entry point of the Google emulator (development, tests, demos; never shipped).
 *
 *   const google = await startEmulator( { port: 0 } );
 *   const sidecarEnv = google.sidecarEnv();   // MFK_GOOGLE_* pointing at the emulator
 *   await google.close();
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { parseClients, type Client } from './oauth/clients';
import { buildEmulatorApp } from './app';
import { EmulatorState } from './state';

export { quotaFloorSeconds } from './pipeline/rate-limit';
export { EmulatorState } from './state';
export type { EmulatorBehaviour } from './behaviour';

export const DEFAULT_CLIENTS =
	'demo-client.apps.googleusercontent.com:demo-client-secret';

export interface EmulatorOptions {
	host?: string;
	port?: number;
	/** `clientId:secret[,…]` or a list. */
	clients?: string | Client[];
	/** pino level for the emulator's own request log; false (default) for none. */
	logLevel?: string | false;
	/** Source of randomness for latency jitter and probabilistic faults (tests can fix it). */
	random?: () => number;
}

export interface RunningEmulator {
	url: string;
	port: number;
	app: FastifyInstance;
	state: EmulatorState;
	/** The sidecar environment variables that point the real Google client at this emulator. */
	sidecarEnv: () => Record< string, string >;
	close: () => Promise< void >;
}

export async function startEmulator(
	options: EmulatorOptions = {}
): Promise< RunningEmulator > {
	const clients =
		typeof options.clients === 'string' || options.clients === undefined
			? parseClients( options.clients ?? DEFAULT_CLIENTS )
			: options.clients;
	const state = new EmulatorState( clients, options.random );
	state.idTokens.warmUp();
	const app = buildEmulatorApp( state, options.logLevel ?? false );
	const host = options.host ?? '127.0.0.1';
	await app.listen( { host, port: options.port ?? 8789 } );
	const port = ( app.server.address() as AddressInfo ).port;
	const url = `http://${ host.includes( ':' ) ? `[${ host }]` : host }:${ port }`;
	let closed: Promise< void > | undefined;
	return {
		url,
		port,
		app,
		state,
		sidecarEnv: () => ( {
			MFK_GOOGLE_API_ROOT: `${ url }/`,
			MFK_GOOGLE_MEET_API_ROOT: `${ url }/`,
			MFK_GOOGLE_AUTH_URL: `${ url }/o/oauth2/v2/auth`,
			MFK_GOOGLE_TOKEN_URL: `${ url }/token`,
			MFK_GOOGLE_REVOKE_URL: `${ url }/revoke`,
			MFK_GOOGLE_USERINFO_URL: `${ url }/v1/userinfo`,
		} ),
		close: () => {
			closed ??= ( async () => {
				for ( const h of state.hanging ) {
					h.destroy();
				}
				state.channels.close();
				await app.close();
			} )();
			return closed;
		},
	};
}
