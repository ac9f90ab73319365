/**
 * Validation of the appointment's time: Google gets an RFC 3339 date-time that carries its offset
 * (so the instant never depends on a server's zone) plus an IANA zone name (so the doctor's
 * calendar shows local time, DST included).
 */
import type { FieldError } from '../errors';
import { LINKS, ZONES } from '../generated/time-zones';

export interface EventTime {
	dateTime: string;
	timeZone: string;
}

const RFC3339 =
	/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,3}$/;

function daysInMonth( year: number, month: number ): number {
	return new Date( Date.UTC( year, month, 0 ) ).getUTCDate();
}

/** Milliseconds since the epoch, or null when `value` is not an RFC 3339 date-time with an offset. */
export function parseDateTime( value: string ): number | null {
	const m = RFC3339.exec( value );
	if ( ! m ) {
		return null;
	}
	const [ year, month, day, hour, minute, second ] = m
		.slice( 1, 7 )
		.map( Number ) as [ number, number, number, number, number, number ];
	if (
		year < 1900 ||
		month < 1 ||
		month > 12 ||
		day < 1 ||
		day > daysInMonth( year, month )
	) {
		return null;
	}
	if ( hour > 23 || minute > 59 || second > 59 ) {
		return null;
	}
	if (
		m[ 8 ] !== 'Z' &&
		( Number( m[ 9 ] ) > 23 || Number( m[ 10 ] ) > 59 )
	) {
		return null;
	}
	const ms = Date.parse( value );
	return Number.isFinite( ms ) ? ms : null;
}

const zoneCache = new Map< string, string | null >();

/**
 * Lower-cased name → the answer for it: a zone in ICU's letter case, or '' for a link (answered
 * as given, like ICU's answer below). Names ICU was asked about at build time
 * (generated/time-zones.ts), so the common case needs no `Intl.DateTimeFormat`, whose locale and
 * calendar data would stay paged in for the process's life (about 6 MiB).
 */
let listed: Map< string, string > | undefined;
function listedZone( zone: string ): string | undefined {
	if ( ! listed ) {
		listed = new Map();
		for ( const name of ZONES ) {
			listed.set( name.toLowerCase(), name );
		}
		for ( const name of LINKS ) {
			listed.set( name.toLowerCase(), '' );
		}
	}
	return listed.get( zone.toLowerCase() );
}

/** ICU's answer, for a name the table does not list. */
function icuZone( zone: string ): string | null {
	try {
		const resolved = new Intl.DateTimeFormat( 'en-US', {
			timeZone: zone,
		} ).resolvedOptions().timeZone;
		// Fix the letter case only: ICU maps some current names to older aliases
		// (America/Argentina/Buenos_Aires → America/Buenos_Aires), which is not an improvement.
		return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
	} catch {
		return null;
	}
}

/** `zone` in its proper letter case, or null when it is not an IANA zone the runtime knows. */
export function canonicalTimeZone( zone: string ): string | null {
	const cached = zoneCache.get( zone );
	if ( cached !== undefined ) {
		return cached;
	}
	let result: string | null = null;
	// The pattern keeps out what ICU would also accept but Google would not (e.g. "+01:00").
	if ( zone.length <= 64 && ZONE_NAME.test( zone ) ) {
		const known = listedZone( zone );
		result = known === undefined ? icuZone( zone ) : known || zone;
	}
	if ( zoneCache.size < 2000 ) {
		zoneCache.set( zone, result );
	}
	return result;
}

export interface ValidatedRange {
	start: EventTime;
	end: EventTime;
	startMs: number;
	endMs: number;
}

/** Checks start/end; returns field errors (paths like `/start/dateTime`) or the normalised range. */
export function validateRange(
	start: EventTime,
	end: EventTime
): { errors: FieldError[] } | { range: ValidatedRange } {
	const errors: FieldError[] = [];
	const check = (
		name: 'start' | 'end',
		t: EventTime
	): { ms: number | null; zone: string | null } => {
		const ms = parseDateTime( t.dateTime );
		if ( ms === null ) {
			errors.push( {
				path: `/${ name }/dateTime`,
				message:
					'must be an RFC 3339 date-time with an offset, e.g. 2026-03-29T09:30:00+01:00',
			} );
		}
		const zone = canonicalTimeZone( t.timeZone );
		if ( zone === null ) {
			errors.push( {
				path: `/${ name }/timeZone`,
				message: `unknown IANA time zone "${ t.timeZone.slice( 0, 64 ) }"`,
			} );
		}
		return { ms, zone };
	};
	const s = check( 'start', start );
	const e = check( 'end', end );
	if ( s.ms !== null && e.ms !== null && e.ms <= s.ms ) {
		errors.push( {
			path: '/end/dateTime',
			message: 'end must be after start',
		} );
	}
	if (
		errors.length > 0 ||
		s.ms === null ||
		e.ms === null ||
		s.zone === null ||
		e.zone === null
	) {
		return { errors };
	}
	return {
		range: {
			start: { dateTime: start.dateTime, timeZone: s.zone },
			end: { dateTime: end.dateTime, timeZone: e.zone },
			startMs: s.ms,
			endMs: e.ms,
		},
	};
}
