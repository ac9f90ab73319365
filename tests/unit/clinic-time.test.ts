/**
 * The browser tests' clinic zone (tests/e2e/support/clinic-time.ts): at every time of day, the
 * consultations they book from hours before now to hours after it start and end on one local
 * day, which KiviCare requires (a doctor's session ends at 24:00).
 */
import {
	clinicSlot,
	clinicToday,
	middayZone,
	wallClock,
} from '../e2e/support/clinic-time';

const MINUTE_MS = 60_000;
const DURATION = 30; // minutes, the consultations' length
// Wider than what the specs book (-120 … +300 minutes), for the time a run takes.
const OFFSETS = [ -180, -120, -1, 0, 5, 90, 120, 180, 240, 300, 360 ];

/** Offset from UTC in minutes of an `Etc/GMT±N` zone, read from its name (signs inverted). */
function offsetOfName( zone: string ): number {
	if ( zone === 'UTC' ) {
		return 0;
	}
	const m = /^Etc\/GMT([+-])(\d{1,2})$/.exec( zone );
	expect( m ).not.toBeNull();
	return ( m![ 1 ] === '-' ? 60 : -60 ) * Number( m![ 2 ] );
}

function minutesOfDay( time: string ): number {
	return Number( time.slice( 0, 2 ) ) * 60 + Number( time.slice( 3, 5 ) );
}

// Every five minutes of a whole day, on a day the year changes and on an ordinary one.
const NOWS = [ Date.UTC( 2026, 11, 31 ), Date.UTC( 2027, 5, 15 ) ].flatMap(
	( day ) =>
		Array.from(
			{ length: 288 },
			( _, i ) => day + i * 5 * MINUTE_MS + 17_000 // seconds past the minute, too
		)
);

describe( 'the clinic zone of the browser tests', () => {
	it( 'puts now between 12:00 and 13:00 local time, at any time of day', () => {
		for ( const now of NOWS ) {
			const zone = middayZone( now );
			const local = minutesOfDay( wallClock( now, zone ).time );
			expect( [ zone, local >= 12 * 60 && local < 13 * 60 ] ).toEqual( [
				zone,
				true,
			] );
		}
	} );

	it( 'books every consultation from hours ago to hours ahead on today’s local date, ending by midnight', () => {
		for ( const now of NOWS ) {
			const zone = middayZone( now );
			const today = clinicToday( now, zone );
			for ( const minutes of OFFSETS ) {
				const slot = clinicSlot( minutes, now, zone );
				const start = minutesOfDay( slot.time );
				expect( {
					at: new Date( now ).toISOString(),
					minutes,
					date: slot.date,
					fits: start + DURATION <= 24 * 60,
				} ).toEqual( {
					at: new Date( now ).toISOString(),
					minutes,
					date: today,
					fits: true,
				} );
			}
		}
	} );

	it( 'gives the wall-clock time of the intended instant in the zone it names', () => {
		for ( const now of NOWS ) {
			const zone = middayZone( now );
			const offset = offsetOfName( zone );
			for ( const minutes of OFFSETS ) {
				const slot = clinicSlot( minutes, now, zone );
				const intended =
					Math.floor( ( now + minutes * MINUTE_MS ) / MINUTE_MS ) *
					MINUTE_MS;
				const read =
					Date.parse( `${ slot.date }T${ slot.time }:00Z` ) -
					offset * MINUTE_MS;
				expect( read ).toBe( intended );
			}
		}
	} );

	it( 'books two hours before 01:49 UTC on the same local day, where UTC has the day before', () => {
		const now = Date.parse( '2026-12-07T01:49:30Z' );
		expect( wallClock( now - 120 * MINUTE_MS, 'UTC' ) ).toEqual( {
			date: '2026-12-06',
			time: '23:49',
		} );
		expect( middayZone( now ) ).toBe( 'Etc/GMT-11' );
		expect( clinicSlot( -120, now, middayZone( now ) ) ).toEqual( {
			date: '2026-12-07',
			time: '10:49',
		} );
	} );
} );
