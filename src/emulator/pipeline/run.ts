/**
 * What happens around every emulated Google request: counting, latency, injected faults (before
 * or after the operation), and answers in Google's formats.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultAction, FaultStage, RequestFacts } from '../faults/fault';
import type { EmulatorState } from '../state';
import type { ApiErrorBody } from './google-errors';
import { parseFields, select, type Selection } from './partial-response';
import {
	errorOutcome,
	faultOutcome,
	send,
	type Kind,
	type Outcome,
} from './outcome';

/** Facts of a request that only its endpoint knows (for fault matching). */
export type EndpointFacts = Omit<
	RequestFacts,
	'operation' | 'method' | 'path'
>;

/** The standard `fields` parameter, parsed (undefined when absent). */
function fieldsOf( request: FastifyRequest ): Selection | undefined {
	const fields = ( request.query as { fields?: unknown } | undefined )
		?.fields;
	return typeof fields === 'string' ? parseFields( fields ) : undefined;
}

const isJsonSuccess = ( o: Outcome ) =>
	o.status >= 200 && o.status < 300 && ! o.raw && o.body !== undefined;

const LIMIT_REASONS = new Set( [
	'rateLimitExceeded',
	'userRateLimitExceeded',
	'quotaExceeded',
	'dailyLimitExceeded',
] );

/** A call Google turned away for its limits (429, or 403 with a usage-limit reason). */
function refused( o: Outcome ): boolean {
	if ( o.status === 429 ) {
		return true;
	}
	const reason = ( o.body as ApiErrorBody | undefined )?.error?.errors?.[ 0 ]
		?.reason;
	return o.status === 403 && LIMIT_REASONS.has( String( reason ) );
}

/**
 * Google compresses an answer when the client asks for it twice: `Accept-Encoding: gzip` and a
 * `User-Agent` that contains `gzip` (Google's performance guide).
 */
function acceptsGzip( request: FastifyRequest ): boolean {
	const accept = String( request.headers[ 'accept-encoding' ] ?? '' );
	const agent = String( request.headers[ 'user-agent' ] ?? '' );
	return /\bgzip\b/i.test( accept ) && /gzip/i.test( agent );
}

const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

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

/**
 * Applies the fault of one stage, if any. Returns the answer that replaces the normal one,
 * `'done'` when the request was dropped or is held, or undefined to go on.
 */
async function applyFault(
	state: EmulatorState,
	request: FastifyRequest,
	reply: FastifyReply,
	kind: Kind,
	facts: RequestFacts,
	stage: FaultStage
): Promise< Outcome | 'done' | undefined > {
	const action = state.faults.take( facts, stage );
	if ( ! action ) {
		return undefined;
	}
	if ( action.type === 'delay' ) {
		await sleep( action.ms );
		return undefined;
	}
	if ( disrupt( state, request, reply, action ) ) {
		state.counters.answered( facts.operation, 0 );
		return 'done';
	}
	return action.type === 'error' ? faultOutcome( action, kind ) : undefined;
}

export async function run(
	state: EmulatorState,
	request: FastifyRequest,
	reply: FastifyReply,
	kind: Kind,
	operation: string,
	facts: () => EndpointFacts,
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
	if ( kind === 'api' ) {
		state.counters.received( all.account );
	}
	const before = await applyFault(
		state,
		request,
		reply,
		kind,
		all,
		'before'
	);
	if ( before === 'done' ) {
		return;
	}
	let outcome: Outcome;
	if ( before ) {
		outcome = before;
	} else {
		try {
			// Google checks the selection before it does anything.
			const selection = kind === 'api' ? fieldsOf( request ) : undefined;
			outcome = await handler();
			if ( selection && isJsonSuccess( outcome ) ) {
				outcome = {
					...outcome,
					body: select( outcome.body, selection ),
				};
			}
		} catch ( error ) {
			outcome = errorOutcome( error, kind );
		}
		const after = await applyFault(
			state,
			request,
			reply,
			kind,
			all,
			'after'
		);
		if ( after === 'done' ) {
			return;
		}
		outcome = after ?? outcome;
	}
	state.counters.answered(
		operation,
		outcome.status,
		all.account,
		kind === 'api' && refused( outcome )
	);
	send( reply, outcome, kind === 'api' && acceptsGzip( request ), ( n ) =>
		state.counters.sent( operation, n )
	);
}
