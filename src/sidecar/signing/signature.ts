/**
 * Request signing between WordPress and the sidecar (docs/sidecar-api.md, "Signing").
 * HMAC-SHA256 over method, path with query, timestamp, nonce and the SHA-256 of the raw body.
 */
import {
	createHmac,
	createSecretKey,
	hash,
	randomBytes,
	timingSafeEqual,
	type KeyObject,
} from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export interface SignatureInput {
	method: string;
	/** Path including the query string, exactly as sent on the request line. */
	path: string;
	timestamp: string;
	nonce: string;
	body: Uint8Array | string;
}

export function sha256Hex( body: Uint8Array | string ): string {
	// One call rather than a Hash object: this runs for every request.
	return hash( 'sha256', body, 'hex' );
}

/** The shared secret as an HMAC key, made once rather than for every request. */
let hmacKey: { secret: string; key: KeyObject } | undefined;
function keyFor( secret: string ): KeyObject {
	if ( hmacKey?.secret !== secret ) {
		hmacKey = {
			secret,
			key: createSecretKey( Buffer.from( secret, 'utf8' ) ),
		};
	}
	return hmacKey.key;
}

export function canonicalString( input: SignatureInput ): string {
	return [
		SIGNATURE_VERSION,
		input.method.toUpperCase(),
		input.path,
		input.timestamp,
		input.nonce,
		sha256Hex( input.body ),
	].join( '\n' );
}

/** The `X-MFK-Signature` header value for a request. */
export function sign( secret: string, input: SignatureInput ): string {
	return (
		`${ SIGNATURE_VERSION }=` +
		createHmac( 'sha256', keyFor( secret ) )
			.update( canonicalString( input ) )
			.digest( 'hex' )
	);
}

/** Headers a client sends; used by tests, tools and the benchmark. */
export function signedHeaders(
	secret: string,
	input: Omit< SignatureInput, 'timestamp' | 'nonce' > & {
		timestamp?: string;
		nonce?: string;
	}
): Record< string, string > {
	const timestamp =
		input.timestamp ?? String( Math.floor( Date.now() / 1000 ) );
	const nonce = input.nonce ?? randomBytes( 18 ).toString( 'base64url' );
	return {
		'x-mfk-timestamp': timestamp,
		'x-mfk-nonce': nonce,
		'x-mfk-signature': sign( secret, { ...input, timestamp, nonce } ),
	};
}

/** Which check refused a request (metrics label). */
export type VerifyFailure =
	| 'missing'
	| 'timestamp_format'
	| 'nonce_format'
	| 'clock_skew'
	| 'signature';

export type VerifyResult =
	| { ok: true; nonce: string; timestamp: number }
	| { ok: false; failure: VerifyFailure; reason: string };

export interface VerifyOptions {
	secret: string;
	clockSkewSeconds: number;
	nowMs?: number;
}

type Headers = Record< string, string | string[] | undefined >;

function header( headers: Headers, name: string ): string | undefined {
	const value = headers[ name ];
	return Array.isArray( value ) ? undefined : value;
}

/**
 * Checks headers, clock skew and the HMAC. Replays are checked by the caller afterwards, so an
 * unauthenticated request can never fill the nonce memory. Messages say which check failed,
 * never what was expected.
 */
export function verifySignature(
	headers: Headers,
	method: string,
	path: string,
	body: Uint8Array | string,
	options: VerifyOptions
): VerifyResult {
	const timestamp = header( headers, 'x-mfk-timestamp' );
	const nonce = header( headers, 'x-mfk-nonce' );
	const signature = header( headers, 'x-mfk-signature' );
	if ( ! timestamp || ! nonce || ! signature ) {
		return {
			ok: false,
			failure: 'missing',
			reason: 'missing X-MFK-Timestamp, X-MFK-Nonce or X-MFK-Signature header',
		};
	}
	if ( ! /^\d{1,12}$/.test( timestamp ) ) {
		return {
			ok: false,
			failure: 'timestamp_format',
			reason: 'X-MFK-Timestamp must be Unix time in seconds',
		};
	}
	if ( ! NONCE_PATTERN.test( nonce ) ) {
		return {
			ok: false,
			failure: 'nonce_format',
			reason: 'X-MFK-Nonce must be 16-64 characters [A-Za-z0-9_-]',
		};
	}
	const now = ( options.nowMs ?? Date.now() ) / 1000;
	if ( Math.abs( now - Number( timestamp ) ) > options.clockSkewSeconds ) {
		return {
			ok: false,
			failure: 'clock_skew',
			reason: 'timestamp outside the allowed clock skew',
		};
	}
	const expected = Buffer.from(
		sign( options.secret, { method, path, timestamp, nonce, body } ),
		'utf8'
	);
	const given = Buffer.from( signature, 'utf8' );
	// Length differs only for malformed values; comparing equal-length buffers keeps the
	// comparison itself constant-time.
	if (
		given.length !== expected.length ||
		! timingSafeEqual( given, expected )
	) {
		return {
			ok: false,
			failure: 'signature',
			reason: 'signature does not match',
		};
	}
	return { ok: true, nonce, timestamp: Number( timestamp ) };
}
