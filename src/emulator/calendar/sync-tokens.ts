/**
 * Incremental sync for `events.list`: the last page of a list carries `nextSyncToken`; a later list
 * with `syncToken` returns only the events changed since (deleted ones included, as "cancelled"),
 * refuses the filters Google refuses with it, and answers 410 `fullSyncRequired` once the token is
 * no longer valid (after the control API invalidated the calendar's tokens).
 */
import { GoogleApiError } from '../pipeline/google-errors';
import { first, type QueryOf } from '../shared/query';
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { Calendar } from './calendar-store';

type ListParams = QueryOf< calendar_v3.Params$Resource$Events$List >;

/** Parameters Google does not accept together with `syncToken`. */
const NOT_WITH_SYNC_TOKEN = [
	'timeMin',
	'timeMax',
	'updatedMin',
	'q',
	'privateExtendedProperty',
	'sharedExtendedProperty',
	'iCalUID',
	'orderBy',
] as const;

interface TokenBody {
	/** Calendar the token was issued for. */
	c: string;
	/** Changes up to this sequence number were seen. */
	s: number;
	/** The calendar's sync epoch when issued. */
	e: number;
}

export function issueSyncToken( cal: Calendar, lastChange: number ): string {
	const body: TokenBody = { c: cal.id, s: lastChange, e: cal.syncEpoch };
	return Buffer.from( JSON.stringify( body ) ).toString( 'base64url' );
}

/**
 * The change sequence number a list with `syncToken` starts after, or undefined for a full list.
 * Throws Google's answers for a token used with other filters, a malformed one, or an expired one.
 */
export function syncPoint( cal: Calendar, q: ListParams ): number | undefined {
	const token = first( q, 'syncToken' );
	if ( token === undefined ) {
		return undefined;
	}
	for ( const name of NOT_WITH_SYNC_TOKEN ) {
		if ( first( q, name ) !== undefined ) {
			throw new GoogleApiError(
				400,
				'invalid',
				`The ${ name } parameter cannot be used together with syncToken.`,
				{ location: name }
			);
		}
	}
	if ( first( q, 'showDeleted' ) === 'false' ) {
		throw new GoogleApiError(
			400,
			'invalid',
			'Deleted events are always returned with syncToken; showDeleted cannot be false.',
			{ location: 'showDeleted' }
		);
	}
	let body: Partial< TokenBody >;
	try {
		body = JSON.parse( Buffer.from( token, 'base64url' ).toString() );
	} catch {
		body = {};
	}
	if ( typeof body.s !== 'number' || typeof body.e !== 'number' ) {
		throw new GoogleApiError( 400, 'invalid', 'Invalid sync token value.', {
			location: 'syncToken',
		} );
	}
	if ( body.c !== cal.id || body.e !== cal.syncEpoch ) {
		throw new GoogleApiError(
			410,
			'fullSyncRequired',
			'Sync token is no longer valid, a full sync is required.'
		);
	}
	return body.s;
}
