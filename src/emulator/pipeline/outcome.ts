/**
 * What an emulated Google endpoint answers, and how it is sent: JSON in Google's formats, or raw
 * (HTML pages, redirects). Errors become Google's JSON error (Calendar-style for the APIs,
 * `{ error, error_description }` for the OAuth endpoints).
 */
import { gzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { FaultAction } from '../faults/fault';
import { GoogleApiError, OAuthError } from './google-errors';

export interface Outcome {
	status: number;
	body?: unknown;
	headers?: Record< string, string >;
	/** Send `body` as is (HTML, redirects). */
	raw?: boolean;
}

/** Which error format an endpoint speaks. */
export type Kind = 'api' | 'oauth';

export function errorOutcome( error: unknown, kind: Kind ): Outcome {
	if ( error instanceof GoogleApiError ) {
		return {
			status: error.statusCode,
			body: error.body,
			headers: error.headers,
		};
	}
	if ( error instanceof OAuthError ) {
		return { status: error.statusCode, body: error.body };
	}
	const e = new GoogleApiError( 500, 'backendError', 'Backend Error' );
	// A bug in the emulator should be loud in its own log, not look like a flaky Google.
	process.stderr.write(
		`emulator: unexpected error: ${ error instanceof Error ? error.stack : String( error ) }\n`
	);
	return kind === 'api'
		? { status: 500, body: e.body }
		: {
				status: 500,
				body: {
					error: 'internal_failure',
					error_description: 'Backend Error',
				},
			};
}

/** The answer an injected `error` fault gives. */
export function faultOutcome(
	action: Extract< FaultAction, { type: 'error' } >,
	kind: Kind
): Outcome {
	const headers: Record< string, string > = {};
	if ( action.retryAfterSeconds !== undefined ) {
		headers[ 'retry-after' ] = String( action.retryAfterSeconds );
	}
	if ( kind === 'oauth' ) {
		const error =
			action.reason ??
			( action.status >= 500 ? 'internal_failure' : 'invalid_request' );
		return {
			status: action.status,
			body: {
				error,
				error_description: action.message ?? 'Injected error',
			},
			headers,
		};
	}
	const e = new GoogleApiError(
		action.status,
		action.reason,
		action.message,
		{ headers }
	);
	return {
		status: action.status,
		body: e.body,
		headers: { ...e.headers, ...headers },
	};
}

export function send(
	reply: FastifyReply,
	outcome: Outcome,
	gzip = false,
	/** Told the size of the body as sent. */
	sized: ( bytes: number ) => void = () => {}
): FastifyReply {
	reply.code( outcome.status );
	for ( const [ k, v ] of Object.entries( outcome.headers ?? {} ) ) {
		reply.header( k, v );
	}
	if ( outcome.raw ) {
		const raw = outcome.body ?? '';
		sized(
			typeof raw === 'string' || Buffer.isBuffer( raw )
				? Buffer.byteLength( raw )
				: 0
		);
		return reply.send( raw );
	}
	if ( outcome.status === 204 || outcome.body === undefined ) {
		sized( 0 );
		return reply.send();
	}
	reply.header( 'content-type', 'application/json; charset=UTF-8' );
	const json = JSON.stringify( outcome.body );
	if ( gzip ) {
		reply.header( 'content-encoding', 'gzip' );
		reply.header( 'vary', 'Origin, X-Origin, Referer' );
		const zipped = gzipSync( json );
		sized( zipped.length );
		return reply.send( zipped );
	}
	sized( Buffer.byteLength( json ) );
	return reply.send( json );
}
