/**
 * Configuration from the environment, validated once at start-up. Every problem is collected and
 * reported together, naming the variable, so an operator fixes a broken unit file in one pass.
 * Secret values never appear in the messages.
 */
import { parseSealKeys, type SealKey } from '../sealing/sealer';
import { loadTransportConfig, type TransportConfig } from './hosted';

export interface GoogleEndpoints {
	/** Root of the Google APIs (Calendar v3 lives under `calendar/v3/`). */
	apiRoot: string;
	/** Root of the Meet REST API (v2 lives under `v2/`). */
	meetApiRoot: string;
	authUrl: string;
	tokenUrl: string;
	revokeUrl: string;
	userinfoUrl: string;
}

export interface SidecarConfig extends TransportConfig {
	host: string;
	port: number;
	/** Single-site mode's secret ('' in hosted mode, where each site has its own: `hosted`). */
	sharedSecret: string;
	sealKeys: SealKey[];
	clockSkewSeconds: number;
	maxBodyBytes: number;
	logLevel: LogLevel;
	google: GoogleEndpoints;
	/** Per attempt timeout of a call to Google. */
	googleTimeoutMs: number;
	/** Upper bound of the time one operation may spend retrying Google (backoff included). */
	retryBudgetMs: number;
	/** First backoff step; doubles per attempt, full jitter. */
	retryBaseMs: number;
	/** Largest single backoff step. */
	retryMaxDelayMs: number;
	/** How long in-flight requests may finish after SIGTERM before the process exits anyway. */
	shutdownGraceMs: number;
	/** Live nonces the replay-protection memory is sized for (16 bytes each, reserved at start). */
	replayCacheMax: number;
	/** Operations of one `/v1/batch` call running at the same time. */
	batchConcurrency: number;
	/** Calls to Google in flight at the same time for one Google account. */
	accountConcurrency: number;
	/** The Calendar API quota the sidecar paces to (Google Cloud console figures; 0: not paced). */
	googleQuota: {
		projectPerMinute: number;
		userPerMinute: number;
		/** Share of it used (1–100). */
		percent: number;
	};
	/** Replicas splitting the quota when it is not shared through Redis. */
	replicas: number;
	/** Bearer token `/metrics` asks for; '' = no token, scrapes from loopback only. */
	metricsToken: string;
}

export const LOG_LEVELS = [
	'fatal',
	'error',
	'warn',
	'info',
	'debug',
	'trace',
	'silent',
] as const;
export type LogLevel = ( typeof LOG_LEVELS )[ number ];

export class ConfigError extends Error {
	readonly problems: string[];

	constructor( problems: string[] ) {
		super(
			'Invalid sidecar configuration:\n' +
				problems.map( ( p ) => `  - ${ p }` ).join( '\n' )
		);
		this.name = 'ConfigError';
		this.problems = problems;
	}
}

type Env = Record< string, string | undefined >;

const DEFAULTS = {
	MFK_SIDECAR_HOST: '127.0.0.1',
	MFK_SIDECAR_PORT: '8787',
	MFK_CLOCK_SKEW_SECONDS: '300',
	MFK_MAX_BODY_BYTES: '262144',
	MFK_LOG_LEVEL: 'info',
	MFK_GOOGLE_API_ROOT: 'https://www.googleapis.com/',
	MFK_GOOGLE_MEET_API_ROOT: 'https://meet.googleapis.com/',
	MFK_GOOGLE_AUTH_URL: 'https://accounts.google.com/o/oauth2/v2/auth',
	MFK_GOOGLE_TOKEN_URL: 'https://oauth2.googleapis.com/token',
	MFK_GOOGLE_REVOKE_URL: 'https://oauth2.googleapis.com/revoke',
	MFK_GOOGLE_USERINFO_URL: 'https://openidconnect.googleapis.com/v1/userinfo',
	MFK_GOOGLE_TIMEOUT_MS: '8000',
	MFK_RETRY_BUDGET_MS: '12000',
	MFK_RETRY_BASE_MS: '250',
	MFK_RETRY_MAX_DELAY_MS: '4000',
	MFK_SHUTDOWN_GRACE_MS: '10000',
	MFK_REPLAY_CACHE_MAX: '100000',
	MFK_BATCH_CONCURRENCY: '32',
	MFK_ACCOUNT_CONCURRENCY: '4',
	MFK_GOOGLE_PROJECT_QPM: '10000',
	MFK_GOOGLE_USER_QPM: '600',
	MFK_GOOGLE_QUOTA_PERCENT: '98',
	MFK_REPLICAS: '1',
} as const;

const LOOPBACK_HOSTS = new Set( [ '127.0.0.1', 'localhost', '[::1]', '::1' ] );

export function loadConfig( env: Env = process.env ): SidecarConfig {
	const problems: string[] = [];
	const get = ( name: keyof typeof DEFAULTS ): string => {
		const value = env[ name ];
		return value === undefined || value.trim() === ''
			? DEFAULTS[ name ]
			: value.trim();
	};
	const int = (
		name: keyof typeof DEFAULTS,
		min: number,
		max: number
	): number => {
		const raw = get( name );
		const value = /^\d+$/.test( raw ) ? Number( raw ) : NaN;
		if ( ! Number.isSafeInteger( value ) || value < min || value > max ) {
			problems.push(
				`${ name } must be an integer between ${ min } and ${ max } (got "${ raw }")`
			);
			return Number( DEFAULTS[ name ] );
		}
		return value;
	};
	const url = ( name: keyof typeof DEFAULTS ): string => {
		const raw = get( name );
		let parsed: URL;
		try {
			parsed = new URL( raw );
		} catch {
			problems.push(
				`${ name } must be an absolute URL (got "${ raw }")`
			);
			return DEFAULTS[ name ];
		}
		// Plain HTTP is only acceptable on this machine: credentials travel on these connections.
		if (
			parsed.protocol !== 'https:' &&
			! (
				parsed.protocol === 'http:' &&
				LOOPBACK_HOSTS.has( parsed.hostname )
			)
		) {
			problems.push(
				`${ name } must use https (http is accepted for loopback hosts only; got "${ raw }")`
			);
		}
		return raw;
	};

	const host = get( 'MFK_SIDECAR_HOST' );
	const port = int( 'MFK_SIDECAR_PORT', 0, 65535 );

	const transport = loadTransportConfig( env, host, problems );
	const sharedSecret = env.MFK_SHARED_SECRET ?? '';
	if ( transport.hosted ) {
		if ( sharedSecret !== '' ) {
			problems.push(
				'MFK_SHARED_SECRET and MFK_MASTER_KEYS exclude each other: a hosted sidecar verifies each site with the secret of its enrolment key; remove MFK_SHARED_SECRET'
			);
		}
	} else if ( sharedSecret === '' ) {
		problems.push(
			'MFK_SHARED_SECRET is required (a random string of at least 32 characters shared with WordPress), or MFK_MASTER_KEYS for a sidecar serving many sites'
		);
	} else if ( sharedSecret.length < 32 ) {
		problems.push(
			`MFK_SHARED_SECRET must be at least 32 characters long (it has ${ sharedSecret.length })`
		);
	}

	let sealKeys: SealKey[] = [];
	const rawKeys = env.MFK_SEAL_KEYS ?? '';
	if ( rawKeys.trim() === '' ) {
		problems.push(
			'MFK_SEAL_KEYS is required ("kid:base64-of-32-bytes[,kid:…]", the first key seals, the others only open)'
		);
	} else {
		try {
			sealKeys = parseSealKeys( rawKeys );
		} catch ( e ) {
			problems.push( `MFK_SEAL_KEYS: ${ ( e as Error ).message }` );
		}
	}

	const metricsToken = ( env.MFK_METRICS_TOKEN ?? '' ).trim();
	if (
		metricsToken !== '' &&
		! /^[\x21-\x7e]{16,256}$/.test( metricsToken )
	) {
		problems.push(
			'MFK_METRICS_TOKEN must be 16-256 printable characters without spaces (a random string Prometheus sends as its bearer token)'
		);
	}

	const logLevel = get( 'MFK_LOG_LEVEL' );
	if ( ! ( LOG_LEVELS as readonly string[] ).includes( logLevel ) ) {
		problems.push(
			`MFK_LOG_LEVEL must be one of ${ LOG_LEVELS.join( ', ' ) } (got "${ logLevel }")`
		);
	}

	const config: SidecarConfig = {
		...transport,
		host,
		port,
		sharedSecret,
		sealKeys,
		clockSkewSeconds: int( 'MFK_CLOCK_SKEW_SECONDS', 1, 3600 ),
		maxBodyBytes: int( 'MFK_MAX_BODY_BYTES', 1024, 10 * 1024 * 1024 ),
		logLevel: logLevel as LogLevel,
		google: {
			apiRoot: url( 'MFK_GOOGLE_API_ROOT' ),
			meetApiRoot: url( 'MFK_GOOGLE_MEET_API_ROOT' ),
			authUrl: url( 'MFK_GOOGLE_AUTH_URL' ),
			tokenUrl: url( 'MFK_GOOGLE_TOKEN_URL' ),
			revokeUrl: url( 'MFK_GOOGLE_REVOKE_URL' ),
			userinfoUrl: url( 'MFK_GOOGLE_USERINFO_URL' ),
		},
		googleTimeoutMs: int( 'MFK_GOOGLE_TIMEOUT_MS', 100, 120000 ),
		retryBudgetMs: int( 'MFK_RETRY_BUDGET_MS', 0, 300000 ),
		retryBaseMs: int( 'MFK_RETRY_BASE_MS', 1, 60000 ),
		retryMaxDelayMs: int( 'MFK_RETRY_MAX_DELAY_MS', 1, 300000 ),
		shutdownGraceMs: int( 'MFK_SHUTDOWN_GRACE_MS', 0, 300000 ),
		replayCacheMax: int( 'MFK_REPLAY_CACHE_MAX', 1000, 10000000 ),
		batchConcurrency: int( 'MFK_BATCH_CONCURRENCY', 1, 256 ),
		accountConcurrency: int( 'MFK_ACCOUNT_CONCURRENCY', 1, 64 ),
		googleQuota: {
			projectPerMinute: int( 'MFK_GOOGLE_PROJECT_QPM', 0, 100000000 ),
			userPerMinute: int( 'MFK_GOOGLE_USER_QPM', 0, 100000000 ),
			percent: int( 'MFK_GOOGLE_QUOTA_PERCENT', 1, 100 ),
		},
		replicas: int( 'MFK_REPLICAS', 1, 1000 ),
		metricsToken,
	};

	if ( problems.length > 0 ) {
		throw new ConfigError( problems );
	}
	return config;
}
