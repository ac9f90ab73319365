/**
 * The settings of a sidecar serving many sites (docs/deploy.md): the master keys that enrol
 * them, the revoke list, per-site limits; and, for every sidecar, how it is reached (TLS) and
 * where replicas share state (Redis). Problems are collected like the rest of config/env.ts.
 */
import { readFileSync } from 'node:fs';
import { parseSealKeys, type SealKey } from '../sealing/sealer';
import { SITE_ID_PATTERN } from '../tenancy/enrolment';
import { parseRevocations } from '../tenancy/revocations';

type Env = Record< string, string | undefined >;

export interface HostedConfig {
	/** First key enrols; every key verifies the sites enrolled under it. */
	masterKeys: SealKey[];
	/** Entries of MFK_REVOKED_SITES (`site` or `site:kid`). */
	revokedSites: string[];
	revokedSitesFile: string | null;
	revocationReloadSeconds: number;
	/** Signed requests one site may make per minute, across replicas. */
	siteRequestsPerMinute: number;
	/** Calls to Google in flight in this replica, shared fairly between the sites that wait. */
	googleConcurrency: number;
}

export interface TlsConfig {
	cert: Buffer;
	key: Buffer;
	certFile: string;
	keyFile: string;
}

export interface TransportConfig {
	hosted: HostedConfig | null;
	tls: TlsConfig | null;
	/** A TLS proxy in front terminates HTTPS (MFK_TLS_TERMINATED_BY_PROXY=1). */
	tlsTerminatedByProxy: boolean;
	/** Shared state of the replicas (replay protection, per-site limits); null: in memory. */
	redisUrl: string | null;
	redisPrefix: string;
}

const LOOPBACK = new Set( [ '127.0.0.1', '::1', 'localhost', '[::1]' ] );

export function isLoopback( host: string ): boolean {
	return LOOPBACK.has( host ) || /^127\.\d+\.\d+\.\d+$/.test( host );
}

export function readInt(
	env: Env,
	name: string,
	fallback: number,
	min: number,
	max: number,
	problems: string[]
): number {
	const raw = env[ name ]?.trim() || String( fallback );
	const value = /^\d+$/.test( raw ) ? Number( raw ) : NaN;
	if ( ! Number.isSafeInteger( value ) || value < min || value > max ) {
		problems.push(
			`${ name } must be an integer between ${ min } and ${ max } (got "${ raw }")`
		);
		return fallback;
	}
	return value;
}

function readFile( name: string, file: string, problems: string[] ): Buffer {
	try {
		return readFileSync( file );
	} catch ( error ) {
		problems.push(
			`${ name }: cannot read ${ file } (${ ( error as NodeJS.ErrnoException ).code ?? 'error' })`
		);
		return Buffer.alloc( 0 );
	}
}

function hostedConfig( env: Env, problems: string[] ): HostedConfig | null {
	const raw = env.MFK_MASTER_KEYS?.trim() ?? '';
	if ( raw === '' ) {
		return null;
	}
	let masterKeys: SealKey[] = [];
	try {
		masterKeys = parseSealKeys( raw );
	} catch ( e ) {
		problems.push( `MFK_MASTER_KEYS: ${ ( e as Error ).message }` );
	}
	const revokedSites = parseRevocations( env.MFK_REVOKED_SITES ?? '' );
	const file = env.MFK_REVOKED_SITES_FILE?.trim() || null;
	const fromFile = file
		? parseRevocations(
				readFile( 'MFK_REVOKED_SITES_FILE', file, problems ).toString(
					'utf8'
				)
			)
		: [];
	for ( const entry of [ ...revokedSites, ...fromFile ] ) {
		const [ site = '', kid, ...rest ] = entry.split( ':' );
		if ( ! SITE_ID_PATTERN.test( site ) || rest.length > 0 || kid === '' ) {
			problems.push(
				`MFK_REVOKED_SITES / MFK_REVOKED_SITES_FILE: "${ entry.slice( 0, 80 ) }" is not a site id (or "site id:key id")`
			);
		}
	}
	return {
		masterKeys,
		revokedSites,
		revokedSitesFile: file,
		revocationReloadSeconds: readInt(
			env,
			'MFK_REVOKED_SITES_RELOAD_SECONDS',
			10,
			1,
			3600,
			problems
		),
		siteRequestsPerMinute: readInt(
			env,
			'MFK_SITE_REQUESTS_PER_MINUTE',
			6000,
			1,
			10000000,
			problems
		),
		googleConcurrency: readInt(
			env,
			'MFK_GOOGLE_CONCURRENCY',
			128,
			1,
			4096,
			problems
		),
	};
}

function tlsConfig( env: Env, problems: string[] ): TlsConfig | null {
	const certFile = env.MFK_TLS_CERT?.trim() ?? '';
	const keyFile = env.MFK_TLS_KEY?.trim() ?? '';
	if ( certFile === '' && keyFile === '' ) {
		return null;
	}
	if ( certFile === '' || keyFile === '' ) {
		problems.push(
			'MFK_TLS_CERT and MFK_TLS_KEY go together (PEM files of the certificate chain and its private key)'
		);
		return null;
	}
	return {
		cert: readFile( 'MFK_TLS_CERT', certFile, problems ),
		key: readFile( 'MFK_TLS_KEY', keyFile, problems ),
		certFile,
		keyFile,
	};
}

function redisUrl( env: Env, problems: string[] ): string | null {
	const raw = env.MFK_REDIS_URL?.trim() ?? '';
	if ( raw === '' ) {
		return null;
	}
	try {
		const url = new URL( raw );
		if ( url.protocol !== 'redis:' && url.protocol !== 'rediss:' ) {
			throw new Error( 'scheme' );
		}
	} catch {
		// The URL may hold a password: never repeat it.
		problems.push(
			'MFK_REDIS_URL must be a redis:// or rediss:// URL (redis://[:password@]host:port[/db])'
		);
	}
	return raw;
}

export function loadTransportConfig(
	env: Env,
	host: string,
	problems: string[]
): TransportConfig {
	const tls = tlsConfig( env, problems );
	const proxy = env.MFK_TLS_TERMINATED_BY_PROXY?.trim() ?? '';
	if ( ! [ '', '0', '1' ].includes( proxy ) ) {
		problems.push(
			`MFK_TLS_TERMINATED_BY_PROXY must be 0 or 1 (got "${ proxy }")`
		);
	}
	const tlsTerminatedByProxy = proxy === '1';
	if ( ! isLoopback( host ) && ! tls && ! tlsTerminatedByProxy ) {
		problems.push(
			`MFK_SIDECAR_HOST=${ host } listens beyond loopback, where calls must be encrypted: give the sidecar its certificate (MFK_TLS_CERT and MFK_TLS_KEY), or set MFK_TLS_TERMINATED_BY_PROXY=1 when a TLS proxy or load balancer in front of it terminates HTTPS`
		);
	}
	const prefix = env.MFK_REDIS_PREFIX?.trim() || 'mfk:';
	if ( ! /^[A-Za-z0-9:_-]{1,32}$/.test( prefix ) ) {
		problems.push(
			'MFK_REDIS_PREFIX must be 1-32 characters [A-Za-z0-9:_-]'
		);
	}
	return {
		hosted: hostedConfig( env, problems ),
		tls,
		tlsTerminatedByProxy,
		redisUrl: redisUrl( env, problems ),
		redisPrefix: prefix,
	};
}
