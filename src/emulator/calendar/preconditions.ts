/**
 * Conditional requests on an event, as Google's Calendar API takes them: `If-Match` on a change
 * (patch, update, delete) goes ahead only while the event still has that etag, else 412
 * `conditionNotMet` and nothing changes; `If-None-Match` on a read answers 304 without a body
 * while the event still has that etag. Insert has no condition (a client-chosen id already makes
 * it conditional).
 */
import type { FastifyRequest } from 'fastify';
import { GoogleApiError } from '../pipeline/google-errors';
import type { StoredEvent } from './event-store';
import { etagOf } from './resources';

const header = ( request: FastifyRequest, name: string ) => {
	const value = request.headers[ name ];
	return typeof value === 'string' ? value.trim() : undefined;
};

/** Throws 412 when the request's `If-Match` names another version of the event. */
export function checkIfMatch( request: FastifyRequest, ev: StoredEvent ): void {
	const wanted = header( request, 'if-match' );
	if ( wanted === undefined || wanted === '*' || wanted === etagOf( ev ) ) {
		return;
	}
	throw new GoogleApiError( 412, 'conditionNotMet', 'Precondition Failed', {
		location: 'If-Match',
		locationType: 'header',
	} );
}

/** True when the request's `If-None-Match` names the event's current version. */
export function notModified(
	request: FastifyRequest,
	ev: StoredEvent
): boolean {
	const known = header( request, 'if-none-match' );
	return known !== undefined && known === etagOf( ev );
}
