/**
 * calendars.get, calendars.insert, calendarList.get and calendarList.list: what the product
 * reads to offer a doctor their calendars (writable ones, where Meet is allowed:
 * `conferenceProperties.allowedConferenceSolutionTypes`) and to create one for consultations.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { FastifyInstance } from 'fastify';
import { apiRoute, type ApiRoute } from '../pipeline/api-route';
import { GoogleApiError } from '../pipeline/google-errors';
import { isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import { listCalendars, type CalendarListQuery } from './calendar-list';
import { calendarOf } from './request';
import { calendarListEntry, calendarResource } from './resources';
import { CALENDAR_LIST_READ, CALENDARS_READ, CALENDARS_WRITE } from './scopes';

function newCalendar( body: unknown ): calendar_v3.Schema$Calendar {
	if ( ! isObject( body ) ) {
		throw new GoogleApiError( 400, 'parseError', 'Parse Error' );
	}
	const cal = body as calendar_v3.Schema$Calendar;
	if ( typeof cal.summary !== 'string' || cal.summary.trim() === '' ) {
		throw new GoogleApiError( 400, 'required', 'Missing title.' );
	}
	return cal;
}

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
		method: 'POST',
		url: '/calendars',
		operation: 'calendars.insert',
		scopes: CALENDARS_WRITE,
		handler: ( caller, request ) => {
			const body = newCalendar( request.body );
			const cal = state.calendars.create(
				caller.email,
				body.summary as string
			);
			if ( typeof body.description === 'string' ) {
				cal.description = body.description;
			}
			if ( typeof body.timeZone === 'string' ) {
				cal.timeZone = body.timeZone;
			}
			return { status: 200, body: calendarResource( cal ) };
		},
	} );

	apiRoute( app, state, {
		method: 'GET',
		url: '/users/me/calendarList',
		operation: 'calendarList.list',
		scopes: CALENDAR_LIST_READ,
		handler: ( caller, request ) => ( {
			status: 200,
			body: listCalendars(
				state,
				caller.email,
				request.query as CalendarListQuery
			),
		} ),
	} );

	apiRoute( app, state, {
		method: 'GET',
		url: '/users/me/calendarList/:calendarId',
		operation: 'calendarList.get',
		scopes: CALENDAR_LIST_READ,
		facts,
		handler: ( caller, request ) => {
			const cal = calendarOf( state, caller, request );
			return {
				status: 200,
				body: calendarListEntry(
					cal,
					state.calendars.roleOf( cal, caller.email )
				),
			};
		},
	} );
}
