/**
 * calendarList.list as Google pages it: the calendars the caller sees, primary first, filtered by
 * `minAccessRole`, `maxResults` per page (default 100, at most 250) and an opaque `pageToken`.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import { GoogleApiError } from '../pipeline/google-errors';
import { first, type QueryOf } from '../shared/query';
import type { EmulatorState } from '../state';
import { ACCESS_ROLES, type AccessRole } from './calendar-store';
import { calendarListEntry } from './resources';

export type CalendarListQuery = QueryOf<
	Pick<
		calendar_v3.Params$Resource$Calendarlist$List,
		'maxResults' | 'minAccessRole' | 'pageToken' | 'showHidden'
	>
>;

const DEFAULT_PAGE = 100;
const MAX_PAGE = 250;

function minRole( q: CalendarListQuery ): number {
	const v = first( q, 'minAccessRole' );
	if ( v === undefined ) {
		return 0;
	}
	const index = ACCESS_ROLES.indexOf( v as AccessRole );
	if ( index < 0 ) {
		throw new GoogleApiError(
			400,
			'invalidParameter',
			`Invalid value for: ${ v } is not a valid value`,
			{ location: 'minAccessRole' }
		);
	}
	return index;
}

function pageSize( q: CalendarListQuery ): number {
	const v = first( q, 'maxResults' );
	if ( v === undefined ) {
		return DEFAULT_PAGE;
	}
	const n = Number( v );
	if ( ! Number.isInteger( n ) || n < 1 ) {
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid value '${ v }'. Values must be within the range: [1, 250]`,
			{ location: 'maxResults' }
		);
	}
	return Math.min( n, MAX_PAGE );
}

function offset( q: CalendarListQuery ): number {
	const v = first( q, 'pageToken' );
	if ( v === undefined ) {
		return 0;
	}
	const n = Number( Buffer.from( v, 'base64url' ).toString( 'utf8' ) );
	if ( ! Number.isInteger( n ) || n < 0 ) {
		throw new GoogleApiError( 400, 'invalid', 'Invalid page token value.', {
			location: 'pageToken',
		} );
	}
	return n;
}

export function listCalendars(
	state: EmulatorState,
	email: string,
	q: CalendarListQuery
): calendar_v3.Schema$CalendarList {
	const least = minRole( q );
	const size = pageSize( q );
	const from = offset( q );
	const entries = state.calendars
		.visibleTo( email )
		.map( ( cal ) => ( {
			cal,
			role: state.calendars.roleOf( cal, email ) as AccessRole,
		} ) )
		.filter( ( { role } ) => ACCESS_ROLES.indexOf( role ) >= least );
	const page = entries.slice( from, from + size );
	const next = from + size;
	return {
		kind: 'calendar#calendarList',
		etag: `"${ entries.length }"`,
		items: page.map( ( { cal, role } ) => calendarListEntry( cal, role ) ),
		...( next < entries.length
			? {
					nextPageToken: Buffer.from( String( next ) ).toString(
						'base64url'
					),
				}
			: { nextSyncToken: `sync-${ entries.length }` } ),
	};
}
