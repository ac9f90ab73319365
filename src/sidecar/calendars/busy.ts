/**
 * A doctor's busy times (docs/sidecar-api.md, "Busy times"): one `freebusy.query` with the
 * doctor's own token for their calendars (at most 50). Google answers merged intervals without
 * titles; a calendar Google does not show answers an `errors` entry, not a failure.
 */
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import type { GoogleSession } from '../google/session';

const AUTH = 'https://www.googleapis.com/auth/';

/** The narrowest scope Google documents for freebusy.query: asked with incremental consent. */
export const FREEBUSY_SCOPE = `${ AUTH }calendar.events.freebusy`;

/** Any of these lets the sidecar read free/busy (broader grants included; not calendar.events). */
const FREEBUSY_GRANTS = [
	FREEBUSY_SCOPE,
	`${ AUTH }calendar.freebusy`,
	`${ AUTH }calendar.readonly`,
	`${ AUTH }calendar`,
];

/** Google's ceiling on calendars per freebusy.query. */
export const MAX_BUSY_CALENDARS = 50;

export interface BusyInterval {
	start: string;
	end: string;
}

export interface BusyAnswer {
	timeMin: string;
	timeMax: string;
	calendars: Array< {
		id: string;
		busy: BusyInterval[];
		/** Google's reasons when this calendar could not be read (e.g. notFound). */
		errors?: string[];
	} >;
}

export function canReadBusy( scopes: readonly string[] ): boolean {
	return FREEBUSY_GRANTS.some( ( s ) => scopes.includes( s ) );
}

function instant( value: string, name: string ): number {
	const ms = Date.parse( value );
	if ( Number.isNaN( ms ) || ! /[zZ]|[+-]\d\d:\d\d$/.test( value ) ) {
		throw new SidecarError(
			'invalid_request',
			`${ name } must be an RFC 3339 time with an offset.`
		);
	}
	return ms;
}

/** One freebusy.query for the doctor's calendars between timeMin and timeMax. */
export async function busyTimes(
	session: GoogleSession,
	options: { calendarIds: string[]; timeMin: string; timeMax: string }
): Promise< BusyAnswer > {
	const min = instant( options.timeMin, 'timeMin' );
	const max = instant( options.timeMax, 'timeMax' );
	if ( max <= min ) {
		throw new SidecarError(
			'invalid_request',
			'timeMax must be after timeMin.'
		);
	}
	const ids = [ ...new Set( options.calendarIds ) ];
	if ( ids.length === 0 || ids.length > MAX_BUSY_CALENDARS ) {
		throw new SidecarError(
			'invalid_request',
			`Between 1 and ${ MAX_BUSY_CALENDARS } calendars are asked at once.`
		);
	}
	if ( ! canReadBusy( session.scopes ) ) {
		throw new SidecarError(
			'insufficient_scope',
			'The Google grant does not allow reading busy times (calendar.events.freebusy): the doctor must allow it first.',
			{ scope: FREEBUSY_SCOPE }
		);
	}
	const timeMin = new Date( min ).toISOString();
	const timeMax = new Date( max ).toISOString();
	const data = await session.calendar(
		'freebusy.query',
		'other',
		async ( auth: OAuth2Client ) =>
			(
				await session.api.calendar.freebusy.query( {
					requestBody: {
						timeMin,
						timeMax,
						items: ids.map( ( id ) => ( { id } ) ),
					},
					auth,
				} )
			).data
	);
	const found = data.calendars ?? {};
	return {
		timeMin,
		timeMax,
		calendars: ids.map( ( id ) => {
			const entry = found[ id ] ?? {};
			const errors = ( entry.errors ?? [] )
				.map( ( e ) => e.reason ?? '' )
				.filter( ( r ) => r !== '' );
			return {
				id,
				busy: ( entry.busy ?? [] )
					.filter( ( b ) => b.start && b.end )
					.map( ( b ) => ( {
						start: b.start as string,
						end: b.end as string,
					} ) ),
				...( errors.length ? { errors } : {} ),
			};
		} ),
	};
}
