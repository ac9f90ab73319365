/**
 * Google's batch format (`POST {root}batch/calendar/v3`): many Calendar calls in one HTTP
 * request, a `multipart/mixed` body with one `application/http` part per call, answered with one
 * part per call in the same order, each with its own status line, headers and body. A batch
 * saves round trips, not quota: every inner call counts as one call for Google's limits, and the
 * pacer takes one token per part.
 */
import { randomBytes } from 'node:crypto';
import type { SidecarError } from '../errors';
import {
	describeGoogleError,
	retryDecision,
	toSidecarError,
	type FailureContext,
	type GoogleFailure,
} from './errors';
import { backoffDelay, type RetryPolicy } from './retry';

export interface BatchCall {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	/** Path under the API root, e.g. `/calendar/v3/calendars/primary/events/abc`. */
	path: string;
	query?: Record< string, string >;
	headers?: Record< string, string >;
	/** JSON body. */
	body?: unknown;
}

export interface BatchPartAnswer {
	status: number;
	headers: Headers;
	/** Parsed JSON when the part answered JSON, its text otherwise ('' without a body). */
	data: unknown;
}

/** Google accepts at most this many calls in one batch request. */
export const MAX_BATCH_CALLS = 1000;

export function newBoundary(): string {
	return `batch_${ randomBytes( 12 ).toString( 'hex' ) }`;
}

/** The request body for `calls`; part `i` has `Content-ID: <item-i>`. */
export function encodeBatch( calls: BatchCall[], boundary: string ): string {
	if ( calls.length === 0 || calls.length > MAX_BATCH_CALLS ) {
		throw new RangeError(
			`a batch holds 1-${ MAX_BATCH_CALLS } calls (got ${ calls.length })`
		);
	}
	const parts = calls.map( ( call, i ) => {
		const query = call.query
			? `?${ new URLSearchParams( call.query ).toString() }`
			: '';
		const lines = [
			`--${ boundary }`,
			'Content-Type: application/http',
			`Content-ID: <item-${ i }>`,
			'',
			`${ call.method } ${ call.path }${ query } HTTP/1.1`,
		];
		for ( const [ name, value ] of Object.entries( call.headers ?? {} ) ) {
			lines.push( `${ name }: ${ value }` );
		}
		if ( call.body !== undefined ) {
			lines.push( 'Content-Type: application/json; charset=UTF-8' );
			lines.push( '', JSON.stringify( call.body ) );
		} else {
			lines.push( '' );
		}
		return lines.join( '\r\n' );
	} );
	return `${ parts.join( '\r\n' ) }\r\n--${ boundary }--\r\n`;
}

function boundaryOf( contentType: string ): string | undefined {
	const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec( contentType );
	return m?.[ 1 ] ?? m?.[ 2 ];
}

/** Splits a block of `Name: value` lines and what follows the blank line. */
function headBody( text: string ): { head: string[]; body: string } {
	const normalized = text.replace( /\r\n/g, '\n' );
	const at = normalized.indexOf( '\n\n' );
	return at < 0
		? { head: normalized.split( '\n' ), body: '' }
		: {
				head: normalized.slice( 0, at ).split( '\n' ),
				body: normalized.slice( at + 2 ),
			};
}

function headersOf( lines: string[] ): Headers {
	const headers = new Headers();
	for ( const line of lines ) {
		const colon = line.indexOf( ':' );
		if ( colon > 0 ) {
			headers.append(
				line.slice( 0, colon ).trim(),
				line.slice( colon + 1 ).trim()
			);
		}
	}
	return headers;
}

/**
 * The answers of a batch response, in the order of the calls (by `Content-ID:
 * <response-item-i>`, else by position). Throws when the body is not a batch answer of `count`
 * parts.
 */
export function decodeBatch(
	body: string,
	contentType: string,
	count: number
): BatchPartAnswer[] {
	const boundary = boundaryOf( contentType );
	if ( ! boundary ) {
		throw new Error( 'batch answer without a multipart boundary' );
	}
	const answers: BatchPartAnswer[] = new Array( count );
	const chunks = body.split( `--${ boundary }` ).slice( 1 );
	let position = 0;
	for ( const chunk of chunks ) {
		if ( chunk.startsWith( '--' ) ) {
			break;
		}
		const outer = headBody( chunk.replace( /^\r?\n/, '' ) );
		const id = /<response-item-(\d+)>/.exec(
			headersOf( outer.head ).get( 'content-id' ) ?? ''
		);
		const index = id ? Number( id[ 1 ] ) : position;
		position++;
		const inner = headBody( outer.body );
		const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(
			inner.head[ 0 ] ?? ''
		);
		if ( ! status || index >= count ) {
			throw new Error( 'malformed part in the batch answer' );
		}
		const headers = headersOf( inner.head.slice( 1 ) );
		const text = inner.body.replace( /\s+$/, '' );
		let data: unknown = text;
		if (
			text !== '' &&
			/json/i.test( headers.get( 'content-type' ) ?? '' )
		) {
			try {
				data = JSON.parse( text );
			} catch {
				data = text;
			}
		}
		answers[ index ] = { status: Number( status[ 1 ] ), headers, data };
	}
	for ( let i = 0; i < count; i++ ) {
		if ( ! answers[ i ] ) {
			throw new Error( `the batch answer has no part for call ${ i }` );
		}
	}
	return answers;
}

/**
 * A failed part in the shape the client libraries throw (status, parsed body, headers), so that
 * google/errors.ts reads it like any other failure.
 */
export function partError( answer: BatchPartAnswer ): Error {
	return Object.assign(
		new Error( `batch part answered ${ answer.status }` ),
		{
			config: {},
			response: {
				status: answer.status,
				data: answer.data,
				headers: answer.headers,
			},
		}
	);
}

/**
 * What becomes of a failed part: answered with its error (not retryable, or its backoff would
 * end after the deadline), or sent again after `delayMs`: the policy a single call follows.
 */
export function retryPart(
	answer: BatchPartAnswer,
	options: {
		policy: RetryPolicy;
		attempt: number;
		deadline: number;
		context: FailureContext;
	}
): { error: SidecarError } | { delayMs: number; failure: GoogleFailure } {
	const failure = describeGoogleError( partError( answer ) );
	const decision = retryDecision( failure );
	if ( ! decision.retry ) {
		return { error: toSidecarError( failure, options.context ) };
	}
	const delayMs = backoffDelay(
		options.policy,
		options.attempt,
		Math.random,
		decision.minDelayMs
	);
	if ( Date.now() + delayMs >= options.deadline ) {
		return { error: toSidecarError( failure, options.context, true ) };
	}
	return { delayMs, failure };
}
