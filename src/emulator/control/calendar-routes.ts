/**
 * Calendars and events behind Google's back: create a secondary calendar (shared with other
 * accounts as reader or writer), delete one as its owner would, set which conference types a
 * calendar allows (a Workspace domain that disabled Meet), list and read events as Google would
 * return them, and edit or delete one as the doctor would in Google Calendar.
 */
import type { FastifyInstance } from 'fastify';
import { ACCESS_ROLES, type AccessRole } from '../calendar/calendar-store';
import { eventResource, calendarResource } from '../calendar/resources';
import { isEmail } from '../shared/values';
import type { EmulatorState } from '../state';
import { jsonBody, problem, strings } from './answers';

const isObjectLike = ( v: unknown ): v is Record< string, unknown > =>
	typeof v === 'object' && v !== null && ! Array.isArray( v );

type CalendarParams = { Params: { calendarId: string } };
type EventParams = { Params: { calendarId: string; eventId: string } };

export function calendarRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.post( '/calendars', async ( request, reply ) => {
		const b = jsonBody( request.body );
		if ( typeof b.id !== 'string' || b.id === '' || ! isEmail( b.owner ) ) {
			return problem( reply, 400, 'id and owner (e-mail) are required' );
		}
		if ( state.calendars.has( b.id ) ) {
			return problem( reply, 409, 'calendar exists' );
		}
		state.auth.accounts.get( b.owner );
		const cal = state.calendars.ensureCalendar(
			b.id,
			b.owner,
			false,
			typeof b.summary === 'string' ? b.summary : undefined
		);
		if ( Array.isArray( b.allowedConferenceSolutionTypes ) ) {
			cal.allowedConferenceSolutionTypes = strings(
				b.allowedConferenceSolutionTypes
			);
		}
		// { "other@example.test": "reader" | "writer" | "freeBusyReader" }
		if ( isObjectLike( b.sharedWith ) ) {
			for ( const [ email, role ] of Object.entries( b.sharedWith ) ) {
				if (
					isEmail( email ) &&
					ACCESS_ROLES.includes( role as AccessRole ) &&
					role !== 'owner'
				) {
					cal.sharedWith.set(
						email.toLowerCase(),
						role as AccessRole
					);
				}
			}
		}
		return reply.code( 201 ).send( calendarResource( cal ) );
	} );

	// "The doctor deleted the calendar in Google Calendar": it and its events are gone.
	app.delete< CalendarParams >(
		'/calendars/:calendarId',
		async ( request, reply ) => {
			const cal = state.calendars.find( request.params.calendarId );
			if ( ! cal || cal.primary ) {
				return problem( reply, 404, 'unknown secondary calendar' );
			}
			state.calendars.removeCalendar( cal.id );
			return { deleted: true };
		}
	);

	app.get< { Params: { email: string } } >(
		'/accounts/:email/calendars',
		async ( request ) => ( {
			items: state.calendars
				.visibleTo( request.params.email )
				.map( ( cal ) => ( {
					...calendarResource( cal ),
					accessRole: state.calendars.roleOf(
						cal,
						request.params.email
					),
				} ) ),
		} )
	);

	app.put< CalendarParams >(
		'/calendars/:calendarId/conference-types',
		async ( request, reply ) => {
			const { calendarId } = request.params;
			const types = jsonBody(
				request.body
			).allowedConferenceSolutionTypes;
			if (
				! Array.isArray( types ) ||
				! types.every( ( t ) => typeof t === 'string' )
			) {
				return problem(
					reply,
					400,
					'allowedConferenceSolutionTypes must be an array of strings'
				);
			}
			// A primary calendar may be configured before its owner ever signs in.
			const cal =
				state.calendars.find( calendarId ) ??
				( isEmail( calendarId )
					? state.calendars.primary(
							state.auth.accounts.get( calendarId ).email
						)
					: undefined );
			if ( ! cal ) {
				return problem( reply, 404, 'unknown calendar' );
			}
			cal.allowedConferenceSolutionTypes = types;
			return calendarResource( cal );
		}
	);

	app.get< CalendarParams & { Querystring: { includeCancelled?: string } } >(
		'/calendars/:calendarId/events',
		async ( request, reply ) => {
			const cal = state.calendars.find( request.params.calendarId );
			if ( ! cal ) {
				return problem( reply, 404, 'unknown calendar' );
			}
			const includeCancelled = request.query.includeCancelled !== 'false';
			const now = Date.now();
			const items = [];
			for ( const ev of cal.events.values() ) {
				if ( includeCancelled || ev.status !== 'cancelled' ) {
					items.push( eventResource( cal, ev, now ) );
				}
			}
			return { calendarId: cal.id, count: items.length, items };
		}
	);

	app.get< EventParams >(
		'/calendars/:calendarId/events/:eventId',
		async ( request, reply ) => {
			const { calendarId, eventId } = request.params;
			const cal = state.calendars.find( calendarId );
			const ev = cal?.events.get( eventId );
			return cal && ev
				? eventResource( cal, ev )
				: problem( reply, 404, 'unknown event' );
		}
	);

	// "The doctor edited it in Google Calendar" (moved it, renamed it, removed its Meet
	// conference with `conferenceData: null`): a patch as Google applies one, new etag included.
	app.patch< EventParams >(
		'/calendars/:calendarId/events/:eventId',
		async ( request, reply ) => {
			const { calendarId, eventId } = request.params;
			const cal = state.calendars.find( calendarId );
			const ev = cal?.events.get( eventId );
			if ( ! cal || ! ev ) {
				return problem( reply, 404, 'unknown event' );
			}
			const body = jsonBody( request.body );
			return eventResource(
				cal,
				state.events.modify( cal, eventId, body, 'patch', {
					enabled: true,
					settings: state.conferenceSettings( cal.id ),
				} )
			);
		}
	);

	// "The doctor deleted it in Google Calendar": cancelled (id kept), or purged without a trace.
	app.delete< EventParams & { Querystring: { purge?: string } } >(
		'/calendars/:calendarId/events/:eventId',
		async ( request, reply ) => {
			const { calendarId, eventId } = request.params;
			const cal = state.calendars.find( calendarId );
			const ev = cal?.events.get( eventId );
			if ( ! cal || ! ev ) {
				return problem( reply, 404, 'unknown event' );
			}
			if ( request.query.purge === 'true' ) {
				state.events.purge( cal, eventId );
				return { deleted: true, purged: true };
			}
			if ( ev.status !== 'cancelled' ) {
				state.events.delete( cal, eventId );
			}
			return { deleted: true, purged: false };
		}
	);
}
