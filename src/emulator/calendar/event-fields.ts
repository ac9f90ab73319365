/**
 * The fields of an event a client writes, and their checks. Only fields Google's `Schema$Event`
 * defines can be listed here (tsc checks it); everything else in a request body is dropped, as
 * Google drops read-only and unknown fields.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import { GoogleApiError } from '../pipeline/google-errors';
import { isEmail, isObject, type Json } from '../shared/values';
import { instant } from './event-times';

const WRITABLE_FIELDS = [
	'summary',
	'description',
	'location',
	'start',
	'end',
	'attendees',
	'extendedProperties',
	'visibility',
	'transparency',
	'guestsCanSeeOtherGuests',
	'guestsCanInviteOthers',
	'guestsCanModify',
	'anyoneCanAddSelf',
	'reminders',
	'colorId',
	'source',
	'status',
	'recurrence',
	'attachments',
] as const satisfies readonly ( keyof calendar_v3.Schema$Event )[];

type WritableField = ( typeof WRITABLE_FIELDS )[ number ];

/** What a client wrote, as Google's type describes it (read from untrusted JSON: checked below). */
export type EventFields = Pick< calendar_v3.Schema$Event, WritableField >;

const WRITABLE: ReadonlySet< string > = new Set( WRITABLE_FIELDS );
const STATUSES = new Set( [ 'confirmed', 'tentative', 'cancelled' ] );

export function writable( body: calendar_v3.Schema$Event ): EventFields {
	const out: Json = {};
	for ( const [ k, v ] of Object.entries( body ) ) {
		if ( WRITABLE.has( k ) ) {
			out[ k ] = v;
		}
	}
	return out as EventFields;
}

function deepMerge( base: Json, patch: Json ): Json {
	const out: Json = { ...base };
	for ( const [ k, v ] of Object.entries( patch ) ) {
		if ( v === null ) {
			delete out[ k ];
		} else if (
			isObject( v ) &&
			isObject( out[ k ] ) &&
			k !== 'start' &&
			k !== 'end'
		) {
			out[ k ] = deepMerge( out[ k ] as Json, v );
		} else {
			out[ k ] = structuredClone( v );
		}
	}
	return out;
}

/**
 * Google's patch: objects merge (e.g. `extendedProperties.private`), arrays and `start`/`end`
 * are replaced, `null` removes a field.
 */
export function patchFields(
	current: EventFields,
	patch: EventFields
): EventFields {
	return deepMerge( current as Json, patch as Json ) as EventFields;
}

/** Checks what Google checks on a write; returns the event's instants. */
export function validateFields( fields: EventFields ): {
	startMs: number;
	endMs: number;
} {
	const startMs = instant( fields.start, 'start' );
	const endMs = instant( fields.end, 'end' );
	if ( endMs < startMs ) {
		throw new GoogleApiError(
			400,
			'timeRangeEmpty',
			'The specified time range is empty.',
			{ location: 'timeMax', locationType: 'parameter' }
		);
	}
	if (
		fields.status !== undefined &&
		! STATUSES.has( String( fields.status ) )
	) {
		throw new GoogleApiError( 400, 'invalid', 'Invalid value for: status' );
	}
	const attendees: unknown = fields.attendees;
	if ( attendees !== undefined && ! Array.isArray( attendees ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			'Invalid value for: attendees'
		);
	}
	for ( const a of ( attendees ?? [] ) as unknown[] ) {
		if ( ! isObject( a ) || ! isEmail( a.email ) ) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid attendee email.'
			);
		}
	}
	return { startMs, endMs };
}
