/**
 * Reading a Calendar request: path and query parameters named as in Google's generated
 * `Params$Resource$…` types, the JSON body as a `Schema$Event`, and Google's checks on them.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../pipeline/api-route';
import { GoogleApiError } from '../pipeline/google-errors';
import { first, type QueryOf } from '../shared/query';
import { isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import type { Calendar } from './calendar-store';
import type { ConferenceWrite } from './event-store';

export type EventPath = Required<
	Pick< calendar_v3.Params$Resource$Events$Get, 'calendarId' | 'eventId' >
>;
export type CalendarPath = Required<
	Pick< calendar_v3.Params$Resource$Calendars$Get, 'calendarId' >
>;

type WriteParams = Pick<
	calendar_v3.Params$Resource$Events$Insert,
	'conferenceDataVersion' | 'sendUpdates'
>;
export type WriteQuery = QueryOf< WriteParams >;

const SEND_UPDATES = new Set( [ 'all', 'externalOnly', 'none' ] );

export const pathOf = < P extends CalendarPath >( request: FastifyRequest ) =>
	request.params as P;

/** The calendar the path names, for this caller (404 when they do not see it, 403 when they may only read it and `need` writing). */
export function calendarOf(
	state: EmulatorState,
	caller: Caller,
	request: FastifyRequest,
	need: 'reader' | 'writer' = 'reader'
): Calendar {
	return state.calendars.resolve(
		pathOf( request ).calendarId,
		caller.email,
		need
	);
}

/** The event body (JSON object) of a write. */
export function eventBody( request: FastifyRequest ): calendar_v3.Schema$Event {
	if ( ! isObject( request.body ) ) {
		throw new GoogleApiError( 400, 'parseError', 'Parse Error' );
	}
	return request.body as calendar_v3.Schema$Event;
}

/** `sendUpdates` must be one of Google's values; nobody is e-mailed either way. */
export function checkSendUpdates( q: Pick< WriteQuery, 'sendUpdates' > ): void {
	const v = first( q, 'sendUpdates' );
	if ( v !== undefined && ! SEND_UPDATES.has( v ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid value for: sendUpdates`,
			{ location: 'sendUpdates' }
		);
	}
}

/** Whether a write honours `conferenceData` (conferenceDataVersion=1), with the calendar's settings. */
export function conferenceWrite(
	state: EmulatorState,
	cal: Calendar,
	q: WriteQuery
): ConferenceWrite {
	const v = first( q, 'conferenceDataVersion' );
	if ( v !== undefined && v !== '0' && v !== '1' ) {
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid value '${ v }'. Values must match the following regular expression: '[01]'`,
			{ location: 'conferenceDataVersion' }
		);
	}
	return {
		enabled: v === '1',
		settings: state.conferenceSettings( cal.id ),
	};
}
