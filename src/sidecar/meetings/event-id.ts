/**
 * Identity of a meeting (docs/ARCHITECTURE.md): the Google event id is derived from the site and
 * the appointment, so every retry on every replica inserts the same id and Google's 409 turns a
 * duplicate into an adoption. PHP reimplements `eventIdFor`; docs/sidecar-api.md has test vectors.
 */
import { createHash } from 'node:crypto';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 base32hex, lowercase, without padding. */
export function base32hex( bytes: Uint8Array ): string {
	let out = '';
	let buffer = 0;
	let bits = 0;
	for ( const byte of bytes ) {
		buffer = ( ( buffer << 8 ) | byte ) & 0xffff;
		bits += 8;
		while ( bits >= 5 ) {
			out += BASE32HEX[ ( buffer >>> ( bits - 5 ) ) & 31 ];
			bits -= 5;
		}
	}
	if ( bits > 0 ) {
		out += BASE32HEX[ ( buffer << ( 5 - bits ) ) & 31 ];
	}
	return out;
}

/** `"mfk"` + the first 40 characters of base32hex(sha256("<siteId>:<appointmentId>")). */
export function eventIdFor(
	siteId: string,
	appointmentId: number | string
): string {
	const digest = createHash( 'sha256' )
		.update( `${ siteId }:${ appointmentId }`, 'utf8' )
		.digest();
	return 'mfk' + base32hex( digest ).slice( 0, 40 );
}

/** `requestId` of the conference for a given revision; a new revision asks Google for a new Meet. */
export function requestIdFor( eventId: string, revision: number ): string {
	return `${ eventId }-${ revision }`;
}

/** The revision encoded in a requestId of ours, or null when it is someone else's. */
export function revisionOf(
	eventId: string,
	requestId: string | null | undefined
): number | null {
	if ( ! requestId || ! requestId.startsWith( `${ eventId }-` ) ) {
		return null;
	}
	const tail = requestId.slice( eventId.length + 1 );
	return /^\d{1,9}$/.test( tail ) ? Number( tail ) : null;
}
