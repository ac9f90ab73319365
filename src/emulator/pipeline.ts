/**
 * What happens around every emulated Google request: counting, latency, injected faults (before
 * or after the operation), and answers in Google's formats.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultAction, RequestFacts } from './faults';
import { GoogleApiError, OAuthError } from './google-errors';
import type { EmulatorState } from './state';

export interface Outcome {
	status: number;
	body?: unknown;
	headers?: Record< string, string >;
	/** Send `body` as is (HTML, redirects). */
	raw?: boolean;
}

export type Kind = 'api' | 'oauth';

const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

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

function faultOutcome(
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

function send( reply: FastifyReply, outcome: Outcome ): void {
	reply.code( outcome.status );
	for ( const [ k, v ] of Object.entries( outcome.headers ?? {} ) ) {
		reply.header( k, v );
	}
	if ( outcome.raw ) {
		reply.send( outcome.body ?? '' );
		return;
	}
	if ( outcome.status === 204 || outcome.body === undefined ) {
		reply.send();
		return;
	}
	reply.header( 'content-type', 'application/json; charset=UTF-8' );
	reply.send( JSON.stringify( outcome.body ) );
}

/** Takes the reply away from fastify and applies a hang or drop; true when the request is finished. */
function disrupt(
	state: EmulatorState,
	request: FastifyRequest,
	reply: FastifyReply,
	action: FaultAction
): boolean {
	if ( action.type === 'drop' ) {
		reply.hijack();
		request.raw.socket.destroy();
		return true;
	}
	if ( action.type === 'hang' ) {
		reply.hijack();
		const socket = request.raw.socket;
		const handle = { destroy: () => socket.destroy() };
		state.hanging.add( handle );
		socket.once( 'close', () => state.hanging.delete( handle ) );
		return true;
	}
	return false;
}

export async function run(
	state: EmulatorState,
	request: FastifyRequest,
	reply: FastifyReply,
	kind: Kind,
	operation: string,
	facts: () => Omit< RequestFacts, 'operation' | 'method' | 'path' >,
	handler: () => Outcome | Promise< Outcome >
): Promise< void > {
	state.counters.count( operation );
	const latency = state.latency();
	if ( latency > 0 ) {
		await sleep( latency );
	}
	const all: RequestFacts = {
		operation,
		method: request.method,
		path: ( request.raw.url ?? '' ).split( '?' )[ 0 ] ?? '',
		...facts(),
	};
	const before = state.faults.take( all, 'before' );
	if ( before ) {
		if ( before.type === 'delay' ) {
			await sleep( before.ms );
		} else if ( disrupt( state, request, reply, before ) ) {
			state.counters.answered( operation, 0 );
			return;
		} else if ( before.type === 'error' ) {
			const outcome = faultOutcome( before, kind );
			state.counters.answered( operation, outcome.status );
			send( reply, outcome );
			return;
		}
	}
	let outcome: Outcome;
	try {
		outcome = await handler();
	} catch ( error ) {
		outcome = errorOutcome( error, kind );
	}
	const after = state.faults.take( all, 'after' );
	if ( after ) {
		if ( after.type === 'delay' ) {
			await sleep( after.ms );
		} else if ( disrupt( state, request, reply, after ) ) {
			state.counters.answered( operation, 0 );
			return;
		} else if ( after.type === 'error' ) {
			outcome = faultOutcome( after, kind );
		}
	}
	state.counters.answered( operation, outcome.status );
	send( reply, outcome );
}
