/**
 * `events.list` over one calendar: time window (overlap), cancelled events only with
 * `showDeleted`, private extended properties, text search, `updatedMin`, ordering and pages, and
 * incremental sync (`nextSyncToken` on the last page, `syncToken` for the changes since).
 * Linear in the calendar's events.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import { GoogleApiError } from '../pipeline/google-errors';
import { all, first, type QueryOf } from '../shared/query';
import type { Calendar } from './calendar-store';
import type { StoredEvent } from './event-store';
import { DEFAULT_REMINDERS, eventResource } from './resources';
import { issueSyncToken, syncPoint } from './sync-tokens';

export type ListQuery = QueryOf< calendar_v3.Params$Resource$Events$List >;

const MAX_RESULTS = 2500;
const DEFAULT_RESULTS = 250;

function timeWindow( q: ListQuery ): { minMs: number; maxMs: number } {
	const timeMin = first( q, 'timeMin' );
	const timeMax = first( q, 'timeMax' );
	const minMs = timeMin === undefined ? -Infinity : Date.parse( timeMin );
	const maxMs = timeMax === undefined ? Infinity : Date.parse( timeMax );
	if ( Number.isNaN( minMs ) || Number.isNaN( maxMs ) ) {
		throw new GoogleApiError( 400, 'badRequest', 'Bad Request' );
	}
	if ( minMs > maxMs ) {
		throw new GoogleApiError(
			400,
			'timeRangeEmpty',
			'The specified time range is empty.',
			{ location: 'timeMax' }
		);
	}
	return { minMs, maxMs };
}

/** The test an event must pass to be listed. */
function filterOf(
	q: ListQuery,
	since: number | undefined
): ( ev: StoredEvent ) => boolean {
	if ( since !== undefined ) {
		// Everything changed since the token, deleted events included.
		return ( ev ) => ev.etagSeq > since;
	}
	const { minMs, maxMs } = timeWindow( q );
	const showDeleted = first( q, 'showDeleted' ) === 'true';
	const props = all( q, 'privateExtendedProperty' ).map( ( p ) => {
		const eq = p.indexOf( '=' );
		return [ p.slice( 0, eq ), p.slice( eq + 1 ) ] as const;
	} );
	const text = first( q, 'q' )?.toLowerCase();
	const updatedMin = first( q, 'updatedMin' );
	const updatedMinMs = updatedMin ? Date.parse( updatedMin ) : -Infinity;
	return ( ev ) => {
		if ( ev.status === 'cancelled' && ! showDeleted ) {
			return false;
		}
		if (
			ev.endMs <= minMs ||
			ev.startMs >= maxMs ||
			ev.updatedMs < updatedMinMs
		) {
			return false;
		}
		if ( props.length > 0 ) {
			const priv = ev.fields.extendedProperties?.private ?? {};
			if ( ! props.every( ( [ k, v ] ) => priv[ k ] === v ) ) {
				return false;
			}
		}
		if ( text ) {
			const hay =
				`${ String( ev.fields.summary ?? '' ) } ${ String( ev.fields.description ?? '' ) }`.toLowerCase();
			if ( ! hay.includes( text ) ) {
				return false;
			}
		}
		return true;
	};
}

function sortBy( q: ListQuery, items: StoredEvent[] ): void {
	const orderBy = first( q, 'orderBy' );
	if ( orderBy === 'startTime' ) {
		if ( first( q, 'singleEvents' ) !== 'true' ) {
			throw new GoogleApiError(
				400,
				'invalid',
				'The requested ordering is not available for the particular query.',
				{ location: 'orderBy' }
			);
		}
		items.sort( ( a, b ) => a.startMs - b.startMs );
	} else if ( orderBy === 'updated' ) {
		items.sort( ( a, b ) => a.updatedMs - b.updatedMs );
	}
}

export function listEvents(
	cal: Calendar,
	q: ListQuery,
	/** The store's last change, for `nextSyncToken`. */
	lastChange: number
): calendar_v3.Schema$Events {
	const since = syncPoint( cal, q );
	const maxResults = Math.min(
		MAX_RESULTS,
		Math.max(
			1,
			Number( first( q, 'maxResults' ) ?? DEFAULT_RESULTS ) ||
				DEFAULT_RESULTS
		)
	);
	const matches = filterOf( q, since );
	const items = [ ...cal.events.values() ].filter( matches );
	sortBy( q, items );
	const offset =
		Number(
			Buffer.from( first( q, 'pageToken' ) ?? '', 'base64url' ).toString()
		) || 0;
	const page = items.slice( offset, offset + maxResults );
	const result: calendar_v3.Schema$Events = {
		kind: 'calendar#events',
		etag: `"${ Date.now() }"`,
		summary: cal.summary,
		updated: new Date().toISOString(),
		timeZone: cal.timeZone,
		accessRole: 'owner',
		defaultReminders: DEFAULT_REMINDERS,
		items: page.map( ( ev ) => eventResource( cal, ev ) ),
	};
	if ( offset + maxResults < items.length ) {
		result.nextPageToken = Buffer.from(
			String( offset + maxResults )
		).toString( 'base64url' );
	} else {
		result.nextSyncToken = issueSyncToken( cal, lastChange );
	}
	return result;
}
