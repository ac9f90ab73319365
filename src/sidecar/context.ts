/**
 * What request handlers share within one sidecar process: configuration, the keyring and the
 * blobs it opened recently, metrics,
 * the Google caller with its pacing and token cache, and the lazily loaded Google client.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SidecarConfig } from './config/env';
import type { GoogleApi } from './google/api';
import { GoogleCaller } from './google/caller';
import { Pacer } from './google/pacing';
import { TokenCache } from './google/token-cache';
import { Metrics } from './observability/metrics';
import { OpenedBlobs } from './sealing/opened-blobs';
import { Sealer } from './sealing/sealer';
import { SiteScheduler } from './fairness/site-scheduler';
import type { SharedState } from './shared-state';
import { SiteKeys } from './tenancy/site-auth';
import { Revocations } from './tenancy/revocations';

export interface SidecarContext {
	config: SidecarConfig;
	sealer: Sealer;
	/** Sealed blobs opened recently (memory only). */
	opened: OpenedBlobs;
	metrics: Metrics;
	pacer: Pacer;
	caller: GoogleCaller;
	tokens: TokenCache;
	log: FastifyBaseLogger;
	/** The Google client; the first call loads the libraries. */
	google: () => Promise< GoogleApi >;
	/** True once the Google client is loaded. */
	googleLoaded: () => boolean;
	/** Which secret verifies a request: the shared one, or an enrolled site's. */
	siteKeys: SiteKeys;
	/** The operator's revoke list (hosted sidecar; empty otherwise). */
	revocations: Revocations;
	/** Nonces and per-site windows shared by the replicas (set by plugins/context.ts). */
	state: SharedState;
	/** Releases what the context holds (connections to Google, timers). */
	close: () => void;
}

/** Says once per distinct problem that the shared quota fell back to this replica's share. */
function sharedFailureLog( log: FastifyBaseLogger ) {
	let last = '';
	let at = 0;
	return ( error: unknown ) => {
		const message = ( error as Error ).message;
		if ( message !== last || Date.now() - at > 60000 ) {
			last = message;
			at = Date.now();
			log.warn(
				{ err: message },
				"shared Google quota unavailable: pacing to this replica's share"
			);
		}
	};
}

export function createContext(
	config: SidecarConfig,
	log: FastifyBaseLogger
): SidecarContext {
	const metrics = new Metrics();
	const pacer = new Pacer( {
		concurrency: config.accountConcurrency,
		quota: {
			projectPerMinute: config.googleQuota.projectPerMinute || null,
			userPerMinute: config.googleQuota.userPerMinute || null,
			percent: config.googleQuota.percent,
			localShare: 1 / config.replicas,
		},
		onSharedFailure: sharedFailureLog( log ),
	} );
	let api: GoogleApi | undefined;
	let loading: Promise< GoogleApi > | undefined;
	const sealer = new Sealer( config.sealKeys );
	const sites = config.hosted
		? new SiteScheduler( config.hosted.googleConcurrency )
		: undefined;
	const revocations = new Revocations(
		{
			entries: config.hosted?.revokedSites ?? [],
			file: config.hosted?.revokedSitesFile ?? null,
		},
		( message ) => log.error( message )
	);
	return {
		siteKeys: new SiteKeys( config ),
		revocations,
		// Replaced by the shared state plugins/context.ts opens before the first request.
		state: undefined as unknown as SharedState,
		config,
		sealer,
		opened: new OpenedBlobs( sealer ),
		metrics,
		pacer,
		caller: new GoogleCaller(
			metrics,
			pacer,
			{ baseMs: config.retryBaseMs, maxDelayMs: config.retryMaxDelayMs },
			log,
			sites
		),
		tokens: new TokenCache(),
		log,
		google: () => {
			if ( api ) {
				return Promise.resolve( api );
			}
			loading ??= import( './google/api' ).then( ( m ) => {
				api = m.createGoogleApi( config );
				return api;
			} );
			return loading;
		},
		googleLoaded: () => api !== undefined,
		close: () => {
			api?.close();
			metrics.stop();
		},
	};
}
