/**
 * A doctor's credential: what the sidecar needs to act for them, sealed for WordPress to store.
 * It holds the refresh token and may cache the current access token and its expiry, so a
 * stateless replica does not have to refresh on every call.
 */
import { createHash } from 'node:crypto';
import { SidecarError } from '../errors';
import type { Sealer } from './sealer';

export interface Credential {
	/** OAuth client the grant belongs to. */
	clientId: string;
	refreshToken: string;
	accessToken?: string;
	/** Milliseconds since the epoch. */
	accessTokenExpiresAt?: number;
	email: string;
	scopes: string[];
}

interface Wire {
	v: 1;
	cid: string;
	rt: string;
	at?: string;
	exp?: number;
	em: string;
	sc: string[];
}

export function sealCredential(
	sealer: Sealer,
	siteId: string,
	c: Credential
): string {
	const wire: Wire = {
		v: 1,
		cid: c.clientId,
		rt: c.refreshToken,
		em: c.email,
		sc: c.scopes,
	};
	if ( c.accessToken && c.accessTokenExpiresAt ) {
		wire.at = c.accessToken;
		wire.exp = c.accessTokenExpiresAt;
	}
	return sealer.seal( JSON.stringify( wire ), 'credential', siteId );
}

export function openCredential(
	sealer: Sealer,
	siteId: string,
	blob: string
): { credential: Credential; stale: boolean } {
	const { plaintext, stale } = sealer.open( blob, 'credential', siteId );
	let wire: Partial< Wire >;
	try {
		wire = JSON.parse( plaintext ) as Partial< Wire >;
	} catch {
		throw new SidecarError(
			'credential_invalid',
			'The sealed credential cannot be opened (unreadable content).'
		);
	}
	if (
		wire.v !== 1 ||
		typeof wire.rt !== 'string' ||
		typeof wire.cid !== 'string' ||
		typeof wire.em !== 'string' ||
		! Array.isArray( wire.sc )
	) {
		throw new SidecarError(
			'credential_invalid',
			'The sealed credential cannot be opened (unknown content version).'
		);
	}
	const credential: Credential = {
		clientId: wire.cid,
		refreshToken: wire.rt,
		email: wire.em,
		scopes: wire.sc.filter( ( s ): s is string => typeof s === 'string' ),
	};
	if ( typeof wire.at === 'string' && typeof wire.exp === 'number' ) {
		credential.accessToken = wire.at;
		credential.accessTokenExpiresAt = wire.exp;
	}
	return { credential, stale };
}

/** A stable, non-reversible handle for a refresh token (cache keys, log correlation). */
export function tokenHandle( refreshToken: string ): string {
	return createHash( 'sha256' )
		.update( refreshToken )
		.digest( 'base64url' )
		.slice( 0, 22 );
}
