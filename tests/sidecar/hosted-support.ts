/**
 * Test rig of a hosted sidecar: the Google emulator on real HTTP and sidecars in hosted mode
 * (MFK_MASTER_KEYS) built in this process, with enrolled sites that sign as WordPress does
 * (their derived secret, `X-MFK-Site` and `X-MFK-Key-Id`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { buildApp, enrol, loadConfig } from '../../src/sidecar';
import { parseSealKeys } from '../../src/sidecar/sealing/sealer';
import type { Enrolment } from '../../src/sidecar/tenancy/enrolment';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	connectDoctor,
	LogCapture,
	sealKeyEnv,
	send,
	signedCall,
	type Answer,
	type CallOptions,
} from './support';

export interface Site {
	siteId: string;
	enrolment: Enrolment;
	/** The site's OAuth client, its secret sealed for this site. */
	client: { clientId: string; clientSecret: string };
	call: < T = any >(
		path: string,
		body?: unknown,
		options?: CallOptions
	) => Promise< Answer< T > >;
	connect: (
		email?: string
	) => Promise< { credential: string; email: string; scopes: string[] } >;
}

export interface HostedRig {
	google: RunningEmulator;
	app: FastifyInstance;
	logs: LogCapture;
	masterKeys: string;
	settings: Record< string, string >;
	/** Enrols a site (a new site id unless given) with `masterKeys` (default the rig's) on `app`. */
	site: ( options?: {
		siteId?: string;
		masterKeys?: string;
		app?: FastifyInstance;
	} ) => Promise< Site >;
	/** Another hosted sidecar on the same Google, sealing keys and (unless given) master keys. */
	sidecarWith: (
		env: Record< string, string >
	) => Promise< FastifyInstance >;
	close: () => Promise< void >;
}

/** Headers and secret of a call signed as an enrolled site. */
export function asSite( e: Enrolment, options: CallOptions = {} ): CallOptions {
	return {
		...options,
		secret: options.secret ?? e.secret,
		headers: {
			'x-mfk-site': e.siteId,
			'x-mfk-key-id': e.kid,
			...options.headers,
		},
	};
}

export async function startHostedRig(
	env: Record< string, string > = {}
): Promise< HostedRig > {
	const google = await startEmulator( { port: 0 } );
	const logs = new LogCapture();
	const masterKeys = env.MFK_MASTER_KEYS ?? sealKeyEnv( [ 'm1' ] );
	const settings: Record< string, string > = {
		MFK_SIDECAR_PORT: '0',
		MFK_MASTER_KEYS: masterKeys,
		MFK_SEAL_KEYS: sealKeyEnv(),
		MFK_LOG_LEVEL: 'info',
		MFK_RETRY_BASE_MS: '20',
		MFK_RETRY_MAX_DELAY_MS: '200',
		MFK_RETRY_BUDGET_MS: '2000',
		MFK_GOOGLE_TIMEOUT_MS: '1500',
		...google.sidecarEnv(),
		...env,
	};
	const app = buildApp( loadConfig( settings ), { logDestination: logs } );
	await app.ready();
	const others: FastifyInstance[] = [];

	const site: HostedRig[ 'site' ] = async ( options = {} ) => {
		const target = options.app ?? app;
		const enrolment = enrol(
			parseSealKeys( options.masterKeys ?? masterKeys ),
			options.siteId ?? randomUUID()
		);
		const call: Site[ 'call' ] = ( path, body, callOptions ) =>
			signedCall( target, path, body, asSite( enrolment, callOptions ) );
		const sealed = await call< { clientSecret: string } >(
			'/v1/oauth/client/seal',
			{ siteId: enrolment.siteId, clientSecret: CLIENT_SECRET }
		);
		if ( sealed.status !== 200 ) {
			throw new Error(
				`sealing failed: ${ JSON.stringify( sealed.body ) }`
			);
		}
		const client = {
			clientId: CLIENT_ID,
			clientSecret: sealed.body.clientSecret,
		};
		return {
			siteId: enrolment.siteId,
			enrolment,
			client,
			call,
			connect: ( email ) =>
				connectDoctor( call, enrolment.siteId, client, email ),
		};
	};

	return {
		google,
		app,
		logs,
		masterKeys,
		settings,
		site,
		sidecarWith: async ( other ) => {
			const built = buildApp(
				loadConfig( { ...settings, MFK_LOG_LEVEL: 'silent', ...other } )
			);
			await built.ready();
			others.push( built );
			return built;
		},
		close: async () => {
			await Promise.all( others.map( ( o ) => o.close() ) );
			await app.close();
			await google.close();
		},
	};
}

export { send };
