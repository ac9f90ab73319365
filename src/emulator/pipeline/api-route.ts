/**
 * A Google API route (Calendar today): the request pipeline, then Google's checks in Google's
 * order (bearer token, scopes, quota), then the handler with the caller.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken } from '../oauth/bearer';
import type { Grant } from '../oauth/grants';
import type { EmulatorState } from '../state';
import {
	insufficientScopes,
	invalidCredentials,
	missingCredentials,
	serviceDisabled,
} from './google-errors';
import type { Outcome } from './outcome';
import { chargeQuota, type Caller } from './quota';
import { run, type EndpointFacts } from './run';

export type { Caller };

export interface ApiRoute {
	method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
	url: string;
	/** Operation name for counters, faults and operation costs (`events.insert`). */
	operation: string;
	/** Any one of these scopes is enough. */
	scopes: ReadonlySet< string >;
	/** Facts for fault matching besides the account (e.g. the calendar id). */
	facts?: (
		request: FastifyRequest,
		grant: Grant | undefined
	) => EndpointFacts;
	handler: ( caller: Caller, request: FastifyRequest ) => Outcome;
	/** The API's own answer to a token without the scope (Calendar's when absent). */
	insufficientScopes?: () => Error;
}

/** The live grant behind the request's bearer token, if any. */
function bearerGrant(
	state: EmulatorState,
	request: FastifyRequest
): { grant: Grant; scopes: string[] } | undefined {
	const token = bearerToken( request );
	const resolved = token
		? state.auth.tokens.resolveAccessToken( token )
		: undefined;
	return resolved
		? { grant: resolved.grant, scopes: resolved.token.scopes }
		: undefined;
}

function authorize(
	state: EmulatorState,
	request: FastifyRequest,
	route: ApiRoute
): Caller {
	if ( ! request.headers.authorization ) {
		throw missingCredentials();
	}
	const bearer = bearerGrant( state, request );
	if ( ! bearer ) {
		throw invalidCredentials();
	}
	// A project without the API enabled is refused before scopes or quota are looked at.
	const project = state.auth.clients.get( bearer.grant.clientId )?.project;
	if ( project && ! project.calendarApiEnabled ) {
		throw serviceDisabled( project.projectNumber );
	}
	if ( ! bearer.scopes.some( ( s ) => route.scopes.has( s ) ) ) {
		throw ( route.insufficientScopes ?? insufficientScopes )();
	}
	const caller = {
		email: bearer.grant.email,
		clientId: bearer.grant.clientId,
	};
	chargeQuota( state, caller, route.operation );
	return caller;
}

export function apiRoute(
	app: FastifyInstance,
	state: EmulatorState,
	route: ApiRoute
): void {
	app.route( {
		method: route.method,
		url: route.url,
		handler: ( request, reply ) =>
			run(
				state,
				request,
				reply,
				'api',
				route.operation,
				() => {
					const grant = bearerGrant( state, request )?.grant;
					return {
						...( grant ? { account: grant.email } : {} ),
						...route.facts?.( request, grant ),
					};
				},
				() =>
					route.handler( authorize( state, request, route ), request )
			),
	} );
}
