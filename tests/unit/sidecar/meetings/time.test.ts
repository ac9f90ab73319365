import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LINKS, ZONES } from '../../../../src/sidecar/generated/time-zones';
import {
	GENERATED_TIME_ZONES,
	icuTimeZone,
	namesIn,
	timeZonesModule,
	tzdataNames,
} from '../../../../src/sidecar/meetings/generate-time-zones';
import {
	canonicalTimeZone,
	parseDateTime,
	validateRange,
} from '../../../../src/sidecar/meetings/time';

/** What the check answered before the table: ICU's name when it differs in letter case only. */
function icuAnswer( zone: string ): string | null {
	const resolved = icuTimeZone( zone );
	if ( resolved === null ) {
		return null;
	}
	return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

describe( 'time validation', () => {
	test.each( [
		[ '2026-03-29T01:30:00+00:00', Date.UTC( 2026, 2, 29, 1, 30 ) ],
		[ '2026-03-29T03:00:00+01:00', Date.UTC( 2026, 2, 29, 2, 0 ) ],
		[ '2026-03-29T01:30:00Z', Date.UTC( 2026, 2, 29, 1, 30 ) ],
		[
			'2024-02-29T23:59:59.5-05:30',
			Date.UTC( 2024, 2, 1, 5, 29, 59, 500 ),
		],
	] )( 'parses %s', ( text, ms ) => {
		expect( parseDateTime( text ) ).toBe( ms );
	} );

	test.each( [
		'2026-03-29T01:30:00', // no offset: the instant would depend on a server's zone
		'2026-03-29 01:30:00+00:00',
		'2026-02-30T10:00:00Z',
		'2025-02-29T10:00:00Z',
		'2026-13-01T10:00:00Z',
		'2026-03-29T24:00:00Z',
		'2026-03-29T10:60:00Z',
		'2026-03-29T10:00:00+24:00',
		'0000-01-01T00:00:00Z',
		'tomorrow',
		'',
	] )( 'refuses %s', ( text ) => {
		expect( parseDateTime( text ) ).toBeNull();
	} );

	test( 'IANA zones only, canonical spelling', () => {
		expect( canonicalTimeZone( 'Europe/London' ) ).toBe( 'Europe/London' );
		expect( canonicalTimeZone( 'America/Argentina/Buenos_Aires' ) ).toBe(
			'America/Argentina/Buenos_Aires'
		);
		expect( canonicalTimeZone( 'america/new_york' ) ).toBe(
			'America/New_York'
		);
		expect( canonicalTimeZone( 'UTC' ) ).toBe( 'UTC' );
		expect( canonicalTimeZone( 'europe/london' ) ).toBe( 'Europe/London' );
		expect( canonicalTimeZone( 'Mars/Olympus_Mons' ) ).toBeNull();
		expect( canonicalTimeZone( '+01:00' ) ).toBeNull();
		expect( canonicalTimeZone( 'Europe/London<script>' ) ).toBeNull();
		expect( canonicalTimeZone( '' ) ).toBeNull();
	} );

	test( 'the DST example of the contract is a valid 30-minute range', () => {
		const r = validateRange(
			{
				dateTime: '2026-03-29T01:30:00+00:00',
				timeZone: 'Europe/London',
			},
			{ dateTime: '2026-03-29T03:00:00+01:00', timeZone: 'Europe/London' }
		);
		expect( 'range' in r && r.range.endMs - r.range.startMs ).toBe(
			30 * 60 * 1000
		);
	} );

	test( 'end must be after start; every problem is reported with its path', () => {
		const same = validateRange(
			{ dateTime: '2026-03-29T10:00:00Z', timeZone: 'UTC' },
			{ dateTime: '2026-03-29T11:00:00+01:00', timeZone: 'UTC' }
		);
		expect( same ).toEqual( {
			errors: [
				{ path: '/end/dateTime', message: 'end must be after start' },
			],
		} );
		const bad = validateRange(
			{ dateTime: 'nope', timeZone: 'Nowhere/City' },
			{ dateTime: '2026-03-29T10:00:00Z', timeZone: 'UTC' }
		);
		expect( 'errors' in bad && bad.errors.map( ( e ) => e.path ) ).toEqual(
			[ '/start/dateTime', '/start/timeZone' ]
		);
	} );

	test( "the table of zones agrees with ICU name by name: zones in ICU's letter case, links accepted", () => {
		expect( ZONES.length ).toBeGreaterThan( 400 );
		expect( LINKS.length ).toBeGreaterThan( 100 );
		for ( const zone of ZONES ) {
			expect( [ zone, icuTimeZone( zone ) ] ).toEqual( [ zone, zone ] );
		}
		for ( const link of LINKS ) {
			const resolved = icuTimeZone( link );
			expect( [ link, typeof resolved ] ).toEqual( [ link, 'string' ] );
			expect( resolved?.toLowerCase() ).not.toBe( link.toLowerCase() );
		}
		// Names WordPress offers that ICU knows under an older name are listed.
		expect( LINKS ).toEqual(
			expect.arrayContaining( [ 'Asia/Kolkata', 'Europe/Kyiv' ] )
		);
	} );

	test( 'the committed table is what the build writes from it (reproducible without tzdata)', () => {
		const committed = readFileSync(
			resolve( __dirname, '../../../..', GENERATED_TIME_ZONES ),
			'utf8'
		);
		expect( timeZonesModule( namesIn( committed ) ) ).toBe( committed );
		expect(
			tzdataNames(
				'Z Europe/Kyiv 2:2:4 - LMT 1880\nL Europe/Kyiv Europe/Kiev\nR d 1916 o -'
			)
		).toEqual( [ 'Europe/Kyiv', 'Europe/Kiev' ] );
	} );

	test( 'listed names are answered as ICU answers them, without building a date formatter', () => {
		const formatter = jest.spyOn( Intl, 'DateTimeFormat' );
		const samples = [
			'Europe/London',
			'europe/LONDON',
			'Asia/Kolkata',
			'asia/kolkata',
			'Asia/Calcutta',
			'America/Argentina/Buenos_Aires',
			'GMT',
			'utc',
			'Etc/GMT+5',
			'US/Eastern',
		];
		const answers = samples.map( canonicalTimeZone );
		expect( formatter ).not.toHaveBeenCalled();
		formatter.mockRestore();
		expect( answers ).toEqual( samples.map( icuAnswer ) );
	} );

	test( 'a name the table does not list is still asked of ICU', () => {
		// Java-style ids ICU accepts, absent from the tz database.
		expect( ZONES ).not.toContain( 'ACT' );
		expect( LINKS ).not.toContain( 'ACT' );
		expect( canonicalTimeZone( 'ACT' ) ).toBe( icuAnswer( 'ACT' ) );
		expect( canonicalTimeZone( 'ACT' ) ).toBe( 'ACT' );
		expect( canonicalTimeZone( 'Factory' ) ).toBeNull();
	} );
} );
