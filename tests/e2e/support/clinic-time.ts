/**
 * The clinic's time zone for browser tests that book consultations "N minutes from now".
 *
 * KiviCare refuses a consultation that runs past midnight (a doctor's session ends at 24:00),
 * so booking such times in UTC fails near midnight UTC. Booked instead in a fixed-offset zone
 * in which it is about noon now, consultations from hours before now to hours after it all
 * fall on one local day, whatever the time of day the suite runs at.
 */

const MINUTE_MS = 60_000;

/**
 * The whole-hour `Etc/GMT` zone in which `now` is between 12:00 and 13:00 local time. (Etc/GMT
 * signs are inverted: `Etc/GMT-3` is three hours ahead of UTC.)
 */
export function middayZone( now: number = Date.now() ): string {
	const ahead = 12 - new Date( now ).getUTCHours(); // -11 … +12 hours
	if ( ahead === 0 ) {
		return 'UTC';
	}
	return `Etc/GMT${ ahead > 0 ? '-' : '+' }${ Math.abs( ahead ) }`;
}

const formats = new Map< string, Intl.DateTimeFormat >();

/** `YYYY-MM-DD` and `HH:MM` of an instant as wall-clock time in `zone`. */
export function wallClock(
	instant: number,
	zone: string
): { date: string; time: string } {
	let format = formats.get( zone );
	if ( ! format ) {
		format = new Intl.DateTimeFormat( 'en-CA', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
		} );
		formats.set( zone, format );
	}
	const parts = format.formatToParts( new Date( instant ) );
	const part = ( type: Intl.DateTimeFormatPartTypes ) =>
		parts.find( ( p ) => p.type === type )!.value;
	return {
		date: `${ part( 'year' ) }-${ part( 'month' ) }-${ part( 'day' ) }`,
		time: `${ part( 'hour' ) }:${ part( 'minute' ) }`,
	};
}

/**
 * The clinic's zone for this test run: chosen once, when the tests start, so every booking,
 * the site's zone and the dates the tests compute agree (a run lasts far less than the hours
 * of margin around noon).
 */
export const CLINIC_ZONE = middayZone();

/** Date and time in the clinic's zone, `minutes` from `now` (rounded down to the minute). */
export function clinicSlot(
	minutes: number,
	now: number = Date.now(),
	zone: string = CLINIC_ZONE
): { date: string; time: string } {
	return wallClock( now + minutes * MINUTE_MS, zone );
}

/** Today's date (`YYYY-MM-DD`) in the clinic's zone. */
export function clinicToday(
	now: number = Date.now(),
	zone: string = CLINIC_ZONE
): string {
	return wallClock( now, zone ).date;
}
