/**
 * events.insert, events.get, events.patch, events.update, events.delete and events.list.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiRoute, type ApiRoute, type Caller } from '../pipeline/api-route';
import type { Outcome } from '../pipeline/outcome';
import type { QueryOf } from '../shared/query';
import type { EmulatorState } from '../state';
import type { Calendar } from './calendar-store';
import { listEvents, type ListQuery } from './event-list';
import type { StoredEvent } from './event-store';
import {
	calendarOf,
	checkSendUpdates,
	conferenceWrite,
	eventBody,
	pathOf,
	type EventPath,
	type WriteQuery,
} from './request';
import { checkIfMatch, notModified } from './preconditions';
import { etagOf, eventResource } from './resources';
import { EVENTS_READ, EVENTS_WRITE } from './scopes';

const EVENTS = '/calendars/:calendarId/events';
const EVENT = `${ EVENTS }/:eventId`;

const answer = ( cal: Calendar, ev: StoredEvent ): Outcome => ( {
	status: 200,
	body: eventResource( cal, ev ),
	headers: { etag: etagOf( ev ) },
} );

export function eventRoutes(
	app: FastifyInstance,
	state: EmulatorState,
	/** Fault facts of a calendar route (the calendar id, `primary` resolved). */
	facts: ApiRoute[ 'facts' ]
): void {
	const route = (
		method: ApiRoute[ 'method' ],
		url: string,
		operation: string,
		handler: ApiRoute[ 'handler' ]
	) =>
		apiRoute( app, state, {
			method,
			url,
			operation,
			scopes: method === 'GET' ? EVENTS_READ : EVENTS_WRITE,
			facts,
			handler,
		} );

	route( 'POST', EVENTS, 'events.insert', ( caller, request ) => {
		const q = request.query as WriteQuery;
		checkSendUpdates( q );
		const cal = calendarOf( state, caller, request, 'writer' );
		const body = eventBody( request );
		return answer(
			cal,
			state.events.insert( cal, body, conferenceWrite( state, cal, q ) )
		);
	} );

	route( 'GET', EVENT, 'events.get', ( caller, request ) => {
		const cal = calendarOf( state, caller, request );
		const ev = state.events.get(
			cal,
			pathOf< EventPath >( request ).eventId
		);
		return notModified( request, ev )
			? { status: 304, headers: { etag: etagOf( ev ) } }
			: answer( cal, ev );
	} );

	const modify =
		( mode: 'patch' | 'update' ) =>
		( caller: Caller, request: FastifyRequest ) => {
			const q = request.query as WriteQuery;
			checkSendUpdates( q );
			const cal = calendarOf( state, caller, request, 'writer' );
			const body = eventBody( request );
			const { eventId } = pathOf< EventPath >( request );
			checkIfMatch( request, state.events.get( cal, eventId ) );
			return answer(
				cal,
				state.events.modify(
					cal,
					eventId,
					body,
					mode,
					conferenceWrite( state, cal, q )
				)
			);
		};
	route( 'PATCH', EVENT, 'events.patch', modify( 'patch' ) );
	route( 'PUT', EVENT, 'events.update', modify( 'update' ) );

	route( 'DELETE', EVENT, 'events.delete', ( caller, request ) => {
		checkSendUpdates(
			request.query as QueryOf< calendar_v3.Params$Resource$Events$Delete >
		);
		const cal = calendarOf( state, caller, request, 'writer' );
		const { eventId } = pathOf< EventPath >( request );
		checkIfMatch( request, state.events.get( cal, eventId ) );
		state.events.delete( cal, eventId );
		return { status: 204 };
	} );

	route( 'GET', EVENTS, 'events.list', ( caller, request ) => ( {
		status: 200,
		body: listEvents(
			calendarOf( state, caller, request ),
			request.query as ListQuery,
			state.events.lastChange
		),
	} ) );
}
