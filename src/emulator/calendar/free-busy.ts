/**
 * freebusy.query: for each calendar asked (at most 50), the busy intervals of its opaque, not
 * cancelled events inside the window, merged and clipped, without titles; a calendar the caller
 * does not see answers `errors: notFound` instead of failing the whole request.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { FastifyInstance } from 'fastify';
import { apiRoute } from '../pipeline/api-route';
import { GoogleApiError } from '../pipeline/google-errors';
import { isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import type { Calendar } from './calendar-store';
import { FREEBUSY } from './scopes';

/** Calendars one request may ask for (Google's `calendarExpansionMax` ceiling). */
export const MAX_CALENDARS = 50;

type Interval = [ number, number ];

/** Google writes free/busy times in UTC without fractions. */
const rfc3339 = ( ms: number ) =>
	new Date( ms ).toISOString().replace( /\.\d{3}Z$/, 'Z' );

function requiredTime( value: unknown, name: string ): number {
	const ms = typeof value === 'string' ? Date.parse( value ) : NaN;
	if ( typeof value !== 'string' ) {
		throw new GoogleApiError( 400, 'required', 'Required', {
			location: name,
		} );
	}
	if ( Number.isNaN( ms ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid value for: ${ name }`,
			{
				location: name,
			}
		);
	}
	return ms;
}

/** Busy intervals of a calendar inside [minMs, maxMs), merged. */
export function busyIntervals(
	cal: Calendar,
	minMs: number,
	maxMs: number
): Interval[] {
	const spans: Interval[] = [];
	for ( const ev of cal.events.values() ) {
		if (
			ev.status === 'cancelled' ||
			ev.fields.transparency === 'transparent' ||
			ev.endMs <= minMs ||
			ev.startMs >= maxMs
		) {
			continue;
		}
		spans.push( [
			Math.max( ev.startMs, minMs ),
			Math.min( ev.endMs, maxMs ),
		] );
	}
	spans.sort( ( a, b ) => a[ 0 ] - b[ 0 ] );
	const merged: Interval[] = [];
	for ( const span of spans ) {
		const last = merged[ merged.length - 1 ];
		if ( last && span[ 0 ] <= last[ 1 ] ) {
			last[ 1 ] = Math.max( last[ 1 ], span[ 1 ] );
		} else {
			merged.push( [ ...span ] );
		}
	}
	return merged;
}

/** The calendar `id` names for free/busy: any role, free/busy only included. */
function visibleCalendar(
	state: EmulatorState,
	id: string,
	email: string
): Calendar | undefined {
	if ( id === 'primary' || id.toLowerCase() === email.toLowerCase() ) {
		return state.calendars.primary( email );
	}
	const cal = state.calendars.find( id );
	return cal && state.calendars.roleOf( cal, email ) ? cal : undefined;
}

export function freeBusyRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	apiRoute( app, state, {
		method: 'POST',
		url: '/freeBusy',
		operation: 'freebusy.query',
		scopes: FREEBUSY,
		handler: ( caller, request ) => {
			if ( ! isObject( request.body ) ) {
				throw new GoogleApiError( 400, 'parseError', 'Parse Error' );
			}
			const body = request.body as calendar_v3.Schema$FreeBusyRequest;
			const minMs = requiredTime( body.timeMin, 'timeMin' );
			const maxMs = requiredTime( body.timeMax, 'timeMax' );
			if ( minMs > maxMs ) {
				throw new GoogleApiError(
					400,
					'timeRangeEmpty',
					'The specified time range is empty.',
					{ location: 'timeMax' }
				);
			}
			const items = Array.isArray( body.items ) ? body.items : [];
			const calendars: Record<
				string,
				calendar_v3.Schema$FreeBusyCalendar
			> = {};
			items.forEach( ( item, index ) => {
				const id = typeof item?.id === 'string' ? item.id : '';
				if ( index >= MAX_CALENDARS ) {
					calendars[ id ] = {
						busy: [],
						errors: [
							{
								domain: 'global',
								reason: 'tooManyCalendarsRequested',
							},
						],
					};
					return;
				}
				const cal = id
					? visibleCalendar( state, id, caller.email )
					: undefined;
				calendars[ id ] = cal
					? {
							busy: busyIntervals( cal, minMs, maxMs ).map(
								( [ s, e ] ) => ( {
									start: rfc3339( s ),
									end: rfc3339( e ),
								} )
							),
						}
					: {
							busy: [],
							errors: [
								{ domain: 'global', reason: 'notFound' },
							],
						};
			} );
			const answer: calendar_v3.Schema$FreeBusyResponse = {
				kind: 'calendar#freeBusy',
				timeMin: rfc3339( minMs ),
				timeMax: rfc3339( maxMs ),
				calendars,
			};
			return { status: 200, body: answer };
		},
	} );
}
