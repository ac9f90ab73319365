/**
 * calendars.get and calendarList.get: what the product reads to know whether Meet is allowed on
 * a calendar (`conferenceProperties.allowedConferenceSolutionTypes`).
 */
import type { FastifyInstance } from 'fastify';
import { apiRoute, type ApiRoute } from '../pipeline/api-route';
import type { EmulatorState } from '../state';
import { calendarOf } from './request';
import { calendarListEntry, calendarResource } from './resources';
import { CALENDAR_LIST_READ, CALENDARS_READ } from './scopes';

export function calendarMetadataRoutes(
	app: FastifyInstance,
	state: EmulatorState,
	facts: ApiRoute[ 'facts' ]
): void {
	apiRoute( app, state, {
		method: 'GET',
		url: '/calendars/:calendarId',
		operation: 'calendars.get',
		scopes: CALENDARS_READ,
		facts,
		handler: ( caller, request ) => ( {
			status: 200,
			body: calendarResource( calendarOf( state, caller, request ) ),
		} ),
	} );

	apiRoute( app, state, {
		method: 'GET',
		url: '/users/me/calendarList/:calendarId',
		operation: 'calendarList.get',
		scopes: CALENDAR_LIST_READ,
		facts,
		handler: ( caller, request ) => ( {
			status: 200,
			body: calendarListEntry( calendarOf( state, caller, request ) ),
		} ),
	} );
}
