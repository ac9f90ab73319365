/**
 * Enrolment of a site with a hosted sidecar, without any database: a site's signing secret is
 * derived from a master key and the site id, so any replica holding the master keys can verify
 * any enrolled site's requests, and the key an operator hands out carries everything WordPress
 * needs:
 *
 *   mfke1.<key id>.<site id>.<secret, base64url of 32 bytes>
 *   secret = HMAC-SHA256( master key[key id], "mfk-site-secret:v1:" + site id )
 *
 * The key id names the master key version, so the master key can rotate: a new key is put first
 * (it enrols), old ones stay listed until every site has been given a new enrolment key.
 */
import { createHmac } from 'node:crypto';
import type { SealKey } from '../sealing/sealer';

export const ENROLMENT_VERSION = 'mfke1';
/** The site ids WordPress creates (UUIDs) and the sidecar accepts in request bodies. */
export const SITE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{7,63}$/;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface Enrolment {
	kid: string;
	siteId: string;
	/** The site's signing secret, as WordPress uses it (the base64url text). */
	secret: string;
}

/** The signing secret of `siteId` under one master key. */
export function siteSecret( master: Buffer, siteId: string ): string {
	return createHmac( 'sha256', master )
		.update( `mfk-site-secret:v1:${ siteId }` )
		.digest( 'base64url' );
}

/** Enrols `siteId` with the first (current) master key. */
export function enrol(
	masterKeys: readonly SealKey[],
	siteId: string
): Enrolment {
	const current = masterKeys[ 0 ];
	if ( ! current ) {
		throw new Error( 'no master key configured (MFK_MASTER_KEYS)' );
	}
	if ( ! SITE_ID_PATTERN.test( siteId ) ) {
		throw new Error(
			'the site id must be 8-64 letters, digits and dashes (the one WordPress shows on the Meet for KiviCare settings screen)'
		);
	}
	return {
		kid: current.kid,
		siteId,
		secret: siteSecret( current.key, siteId ),
	};
}

export function formatEnrolmentKey( e: Enrolment ): string {
	return `${ ENROLMENT_VERSION }.${ e.kid }.${ e.siteId }.${ e.secret }`;
}

/** Reads an enrolment key; null when it is not one (no detail: it is a secret). */
export function parseEnrolmentKey( text: string ): Enrolment | null {
	const parts = text.trim().split( '.' );
	if ( parts.length !== 4 || parts[ 0 ] !== ENROLMENT_VERSION ) {
		return null;
	}
	const [ , kid = '', siteId = '', secret = '' ] = parts;
	if (
		! KID_PATTERN.test( kid ) ||
		! SITE_ID_PATTERN.test( siteId ) ||
		! SECRET_PATTERN.test( secret )
	) {
		return null;
	}
	return { kid, siteId, secret };
}
