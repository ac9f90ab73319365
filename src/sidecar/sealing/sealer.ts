/**
 * Sealed blobs: the only form in which the OAuth client secret and doctors' credentials leave the
 * sidecar. AES-256-GCM with a random 96-bit IV; the additional authenticated data binds the blob
 * to its purpose and to the site, so a credential cannot be replayed as a client secret nor copied
 * to another site.
 *
 *   mfk1.<kid>.<iv, base64url>.<ciphertext || 16-byte tag, base64url>
 *
 * The first key of the keyring seals; every key opens (rotation: put the new key first, keep the
 * old one until all blobs have been re-sealed, which happens as they are used).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SidecarError } from '../errors';

export interface SealKey {
	kid: string;
	key: Buffer;
}

export type SealPurpose = 'client_secret' | 'credential';

const VERSION = 'mfk1';
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Parses `kid:base64-of-32-bytes[,kid:…]`; throws with a message naming the faulty entry (never the key). */
export function parseSealKeys( raw: string ): SealKey[] {
	const keys: SealKey[] = [];
	const entries = raw
		.split( ',' )
		.map( ( e ) => e.trim() )
		.filter( ( e ) => e !== '' );
	if ( entries.length === 0 ) {
		throw new Error( 'no key given' );
	}
	entries.forEach( ( entry, index ) => {
		const colon = entry.indexOf( ':' );
		const kid = colon > 0 ? entry.slice( 0, colon ) : '';
		if ( ! KID_PATTERN.test( kid ) ) {
			throw new Error(
				`entry ${ index + 1 } must look like "kid:base64" with a key id of 1-32 characters [A-Za-z0-9_-]`
			);
		}
		const encoded = entry.slice( colon + 1 );
		const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test( encoded )
			? Buffer.from( encoded, 'base64' )
			: Buffer.alloc( 0 );
		if ( key.length !== 32 ) {
			throw new Error(
				`key "${ kid }" must be the base64 encoding of exactly 32 random bytes`
			);
		}
		if ( keys.some( ( k ) => k.kid === kid ) ) {
			throw new Error( `key id "${ kid }" appears twice` );
		}
		keys.push( { kid, key } );
	} );
	return keys;
}

function aad( kid: string, purpose: SealPurpose, siteId: string ): Buffer {
	return Buffer.from(
		`${ VERSION }\n${ kid }\n${ purpose }\n${ siteId }`,
		'utf8'
	);
}

export class Sealer {
	private readonly keys: Map< string, Buffer >;
	private readonly current: SealKey;

	constructor( keys: readonly SealKey[] ) {
		const first = keys[ 0 ];
		if ( ! first ) {
			throw new Error( 'at least one sealing key is required' );
		}
		this.current = first;
		this.keys = new Map( keys.map( ( k ) => [ k.kid, k.key ] ) );
	}

	get currentKid(): string {
		return this.current.kid;
	}

	seal( plaintext: string, purpose: SealPurpose, siteId: string ): string {
		const iv = randomBytes( IV_BYTES );
		const cipher = createCipheriv( 'aes-256-gcm', this.current.key, iv, {
			authTagLength: TAG_BYTES,
		} );
		cipher.setAAD( aad( this.current.kid, purpose, siteId ) );
		const body = Buffer.concat( [
			cipher.update( plaintext, 'utf8' ),
			cipher.final(),
			cipher.getAuthTag(),
		] );
		return `${ VERSION }.${ this.current.kid }.${ iv.toString( 'base64url' ) }.${ body.toString( 'base64url' ) }`;
	}

	/**
	 * Opens a blob. A blob that is not one (malformed, another format) is `credential_invalid`. A
	 * well-formed blob that does not open is `seal_key_unknown`: its key id is not in the keyring,
	 * or the key under that id no longer authenticates it (the key was replaced; GCM cannot tell
	 * that apart from a blob of another site or purpose, or an altered one). Which check failed
	 * inside authentication is of no use to an attacker's caller; that the keyring changed is what
	 * WordPress must learn, to say so once instead of asking every doctor to reconnect.
	 */
	open(
		blob: string,
		purpose: SealPurpose,
		siteId: string
	): { plaintext: string; kid: string; stale: boolean } {
		const what = purpose === 'credential' ? 'credential' : 'client secret';
		const fail = ( reason: string ): never => {
			throw new SidecarError(
				'credential_invalid',
				`The sealed ${ what } cannot be opened (${ reason }).`
			);
		};
		const parts = typeof blob === 'string' ? blob.split( '.' ) : [];
		if ( parts.length !== 4 || parts[ 0 ] !== VERSION ) {
			return fail( 'not a sealed blob of this format' );
		}
		const [ , kid = '', ivText = '', bodyText = '' ] = parts;
		if (
			! KID_PATTERN.test( kid ) ||
			! BASE64URL.test( ivText ) ||
			! BASE64URL.test( bodyText )
		) {
			return fail( 'malformed' );
		}
		const iv = Buffer.from( ivText, 'base64url' );
		const body = Buffer.from( bodyText, 'base64url' );
		if ( iv.length !== IV_BYTES || body.length < TAG_BYTES ) {
			return fail( 'malformed' );
		}
		const unknownKey = ( reason: string ): never => {
			throw new SidecarError(
				'seal_key_unknown',
				`The sealed ${ what } cannot be opened with this sidecar's keys: ${ reason }. Restore the previous key in MFK_SEAL_KEYS, or connect again.`,
				{ sealed: purpose, kid }
			);
		};
		const key = this.keys.get( kid );
		if ( ! key ) {
			return unknownKey(
				`it was sealed under key id "${ kid }", which MFK_SEAL_KEYS does not hold`
			);
		}
		try {
			const decipher = createDecipheriv( 'aes-256-gcm', key, iv, {
				authTagLength: TAG_BYTES,
			} );
			decipher.setAAD( aad( kid, purpose, siteId ) );
			decipher.setAuthTag( body.subarray( body.length - TAG_BYTES ) );
			const plaintext = Buffer.concat( [
				decipher.update( body.subarray( 0, body.length - TAG_BYTES ) ),
				decipher.final(),
			] ).toString( 'utf8' );
			return { plaintext, kid, stale: kid !== this.current.kid };
		} catch {
			return unknownKey(
				`the key "${ kid }" does not authenticate it (the key under that id was replaced, or the blob belongs to another site or was altered)`
			);
		}
	}
}
