/**
 * Who may scrape `/metrics`. With `MFK_METRICS_TOKEN` set, a request must carry
 * `Authorization: Bearer <token>` (compared in constant time, whatever its length); without a
 * token, only scrapers on this machine are answered, as a sidecar bound to loopback always was.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SidecarError } from '../errors';

const digest = ( value: string ): Buffer =>
	createHash( 'sha256' ).update( value, 'utf8' ).digest();

/** 127.0.0.0/8, ::1, and IPv4 loopback as an IPv6-mapped address. */
export function isLoopback( address: string | undefined ): boolean {
	if ( ! address ) {
		return false;
	}
	const v4 = address.startsWith( '::ffff:' ) ? address.slice( 7 ) : address;
	return v4.startsWith( '127.' ) || address === '::1';
}

/** Throws `unauthorized` unless the scrape is allowed. */
export function checkMetricsAccess(
	token: string,
	authorization: string | undefined,
	remoteAddress: string | undefined
): void {
	if ( token === '' ) {
		if ( ! isLoopback( remoteAddress ) ) {
			throw new SidecarError(
				'unauthorized',
				'Metrics are answered on loopback only; set MFK_METRICS_TOKEN to scrape them from another host.'
			);
		}
		return;
	}
	const match = /^Bearer\s+(\S+)\s*$/i.exec( authorization ?? '' );
	// Digests of equal length, so the comparison takes the same time whatever was sent.
	const given = digest( match?.[ 1 ] ?? '' );
	if ( ! match || ! timingSafeEqual( given, digest( token ) ) ) {
		throw new SidecarError(
			'unauthorized',
			'Metrics need the bearer token of MFK_METRICS_TOKEN.'
		);
	}
}
