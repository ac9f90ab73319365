import {
	canonicalTimeZone,
	parseDateTime,
	validateRange,
} from '../../../../src/sidecar/meetings/time';

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
} );
