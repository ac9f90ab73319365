/**
 * What a doctor does in Google Calendar itself, behind the product's back: move an event, remove
 * or replace its Meet conference, add a busy block; plus the test levers of incremental sync and
 * push (invalidate a calendar's sync tokens, read the channels and what was delivered). Every
 * change goes through the event store, so it bumps etag and sequence and notifies channels as a
 * change made in Google Calendar would.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { FastifyInstance } from 'fastify';
import type { Calendar } from '../calendar/calendar-store';
import { meetCode } from '../calendar/conferences';
import { eventResource } from '../calendar/resources';
import { GoogleApiError } from '../pipeline/google-errors';
import { isEmail, isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import { jsonBody, problem } from './answers';

type CalendarParams = { Params: { calendarId: string } };
type EventParams = { Params: { calendarId: string; eventId: string } };

const isEventTime = ( v: unknown ): v is calendar_v3.Schema$EventDateTime =>
	isObject( v ) &&
	( typeof v.dateTime === 'string' || typeof v.date === 'string' );

export function doctorEditRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	// A primary calendar may be written to before its owner ever signs in.
	const calendar = ( id: string ): Calendar | undefined =>
		state.calendars.find( id ) ??
		( isEmail( id ) ? state.calendars.primary( id ) : undefined );
	const noConferenceWrite = ( cal: Calendar ) => ( {
		enabled: false,
		settings: state.conferenceSettings( cal.id ),
	} );
	const googleProblem = (
		reply: Parameters< typeof problem >[ 0 ],
		e: unknown
	) => {
		if ( e instanceof GoogleApiError ) {
			return problem( reply, e.statusCode, e.message );
		}
		throw e;
	};

	app.post< EventParams >(
		'/calendars/:calendarId/events/:eventId/move',
		async ( request, reply ) => {
			const cal = calendar( request.params.calendarId );
			const ev = cal?.events.get( request.params.eventId );
			if ( ! cal || ! ev ) {
				return problem( reply, 404, 'unknown event' );
			}
			const { start, end } = jsonBody( request.body );
			if ( ! isEventTime( start ) || ! isEventTime( end ) ) {
				return problem(
					reply,
					400,
					'start and end ({ dateTime, timeZone? }) are required'
				);
			}
			try {
				state.events.modify(
					cal,
					ev.id,
					{ start, end },
					'patch',
					noConferenceWrite( cal )
				);
			} catch ( e ) {
				return googleProblem( reply, e );
			}
			return eventResource( cal, ev );
		}
	);

	// { "action": "remove" } strips the Meet conference; "replace" gives the event a new one.
	app.post< EventParams >(
		'/calendars/:calendarId/events/:eventId/conference',
		async ( request, reply ) => {
			const cal = calendar( request.params.calendarId );
			const ev = cal?.events.get( request.params.eventId );
			if ( ! cal || ! ev ) {
				return problem( reply, 404, 'unknown event' );
			}
			const { action } = jsonBody( request.body );
			if ( action === 'remove' ) {
				delete ev.conference;
			} else if ( action === 'replace' ) {
				ev.conference = {
					requestId: `calendar-ui-${ meetCode() }`,
					type: 'hangoutsMeet',
					conferenceId: meetCode(),
					readyAt: Date.now(),
					outcome: 'success',
				};
			} else {
				return problem(
					reply,
					400,
					'action must be "remove" or "replace"'
				);
			}
			state.events.touch( cal, ev );
			return eventResource( cal, ev );
		}
	);

	// A busy block the doctor adds in Google Calendar (opaque unless transparency says otherwise).
	app.post< CalendarParams >(
		'/calendars/:calendarId/busy',
		async ( request, reply ) => {
			const cal = calendar( request.params.calendarId );
			if ( ! cal ) {
				return problem( reply, 404, 'unknown calendar' );
			}
			const b = jsonBody( request.body );
			if ( ! isEventTime( b.start ) || ! isEventTime( b.end ) ) {
				return problem(
					reply,
					400,
					'start and end ({ dateTime, timeZone? }) are required'
				);
			}
			try {
				const ev = state.events.insert(
					cal,
					{
						summary:
							typeof b.summary === 'string' ? b.summary : 'Busy',
						start: b.start,
						end: b.end,
						...( b.transparency === 'transparent'
							? { transparency: 'transparent' }
							: {} ),
					},
					noConferenceWrite( cal )
				);
				return reply.code( 201 ).send( eventResource( cal, ev ) );
			} catch ( e ) {
				return googleProblem( reply, e );
			}
		}
	);

	// Every sync token issued so far for the calendar answers 410 from now on.
	app.post< CalendarParams >(
		'/calendars/:calendarId/sync-tokens/invalidate',
		async ( request, reply ) => {
			const cal = calendar( request.params.calendarId );
			if ( ! cal ) {
				return problem( reply, 404, 'unknown calendar' );
			}
			cal.syncEpoch++;
			return { calendarId: cal.id, invalidated: true };
		}
	);

	app.get( '/channels', async () => ( {
		items: state.channels.list().map( ( c ) => ( {
			id: c.id,
			resourceId: c.resourceId,
			calendarId: c.calendarId,
			address: c.address,
			expiration: c.expiration,
			deliveries: c.deliveries,
		} ) ),
	} ) );
}
