/**
 * The instant of a Calendar EventDateTime, as Google reads it: `dateTime` with an offset, a local
 * `dateTime` with a `timeZone` (the zone's rules, DST included), or an all-day `date`.
 */
import { GoogleApiError } from '../pipeline/google-errors';
import { isObject } from '../shared/values';

function zoneOffsetMs( zone: string, utcMs: number ): number {
	const parts = new Intl.DateTimeFormat( 'en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	} ).formatToParts( new Date( utcMs ) );
	const get = ( t: string ) =>
		Number( parts.find( ( p ) => p.type === t )?.value );
	return (
		Date.UTC(
			get( 'year' ),
			get( 'month' ) - 1,
			get( 'day' ),
			get( 'hour' ),
			get( 'minute' ),
			get( 'second' )
		) -
		Math.floor( utcMs / 1000 ) * 1000
	);
}

function validZone( zone: unknown ): boolean {
	if (
		typeof zone !== 'string' ||
		! /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test( zone )
	) {
		return false;
	}
	try {
		new Intl.DateTimeFormat( 'en-US', { timeZone: zone } );
		return true;
	} catch {
		return false;
	}
}

const DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** A local date-time in a zone; two rounds settle the offset across a DST change. */
function localInstant( m: RegExpExecArray, zone: string ): number {
	const local = Date.UTC(
		+m[ 1 ]!,
		+m[ 2 ]! - 1,
		+m[ 3 ]!,
		+m[ 4 ]!,
		+m[ 5 ]!,
		+m[ 6 ]!
	);
	const guess = local - zoneOffsetMs( zone, local );
	return local - zoneOffsetMs( zone, guess );
}

/**
 * Milliseconds since the epoch of `start` or `end` of an event body (read from untrusted JSON,
 * hence `unknown`); Google's 400 errors otherwise.
 */
export function instant( t: unknown, which: 'start' | 'end' ): number {
	if ( ! isObject( t ) ) {
		throw new GoogleApiError( 400, 'required', `Missing ${ which } time.` );
	}
	if ( t.timeZone !== undefined && ! validZone( t.timeZone ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid time zone definition for ${ which } time.`
		);
	}
	if ( typeof t.dateTime === 'string' ) {
		const m = DATE_TIME.exec( t.dateTime );
		const ms = m?.[ 8 ] ? Date.parse( t.dateTime ) : 0;
		if ( ! m || Number.isNaN( ms ) ) {
			throw new GoogleApiError(
				400,
				'invalid',
				`Invalid ${ which } time.`
			);
		}
		if ( m[ 8 ] ) {
			return ms;
		}
		if ( typeof t.timeZone !== 'string' ) {
			throw new GoogleApiError(
				400,
				'required',
				`Missing time zone definition for ${ which } time.`
			);
		}
		return localInstant( m, t.timeZone );
	}
	if ( typeof t.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test( t.date ) ) {
		const ms = Date.parse( `${ t.date }T00:00:00Z` );
		if ( ! Number.isNaN( ms ) ) {
			return ms;
		}
	}
	throw new GoogleApiError( 400, 'required', `Missing ${ which } time.` );
}
