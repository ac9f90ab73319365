import {
	base32hex,
	eventIdFor,
	requestIdFor,
	revisionOf,
} from '../../../../src/sidecar/meetings/event-id';

describe( 'event id', () => {
	test( 'base32hex follows RFC 4648 (test vectors, lowercase, unpadded)', () => {
		const vectors: [ string, string ][] = [
			[ '', '' ],
			[ 'f', 'co' ],
			[ 'fo', 'cpng' ],
			[ 'foo', 'cpnmu' ],
			[ 'foob', 'cpnmuog' ],
			[ 'fooba', 'cpnmuoj1' ],
			[ 'foobar', 'cpnmuoj1e8' ],
		];
		for ( const [ input, output ] of vectors ) {
			expect( base32hex( Buffer.from( input ) ) ).toBe( output );
		}
	} );

	// The vectors published in docs/sidecar-api.md (also computed with Python's base64.b32hexencode).
	test.each( [
		[
			'8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f',
			42,
			'mfkgitnu4t5hrdapttfe4o1g7oan48a19953mhq6r1p',
		],
		[
			'8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f',
			43,
			'mfklkkd30dbcntvt7mucmkivtp3b8sc8vau6reurcb2',
		],
		[
			'00000000-0000-4000-8000-000000000000',
			1,
			'mfkia1ha9u2h1vrd5avmuc9co49d1aebv3vpubuafb4',
		],
	] )( 'site %s, appointment %d → %s', ( site, appointment, expected ) => {
		expect( eventIdFor( site, appointment ) ).toBe( expected );
		expect( eventIdFor( site, String( appointment ) ) ).toBe( expected );
	} );

	test( 'always a valid Google event id, different per site and appointment', () => {
		const seen = new Set< string >();
		for ( let i = 1; i <= 500; i++ ) {
			const id = eventIdFor( 'site-a-0001', i );
			expect( id ).toMatch( /^[a-v0-9]{5,1024}$/ );
			expect( id ).toHaveLength( 43 );
			seen.add( id );
			seen.add( eventIdFor( 'site-b-0001', i ) );
		}
		expect( seen.size ).toBe( 1000 );
	} );

	test( 'requestId carries the revision', () => {
		const id = eventIdFor( 'site-a-0001', 7 );
		expect( requestIdFor( id, 0 ) ).toBe( `${ id }-0` );
		expect( revisionOf( id, requestIdFor( id, 12 ) ) ).toBe( 12 );
		expect( revisionOf( id, 'someone-else' ) ).toBeNull();
		expect( revisionOf( id, `${ id }-x` ) ).toBeNull();
		expect( revisionOf( id, undefined ) ).toBeNull();
	} );
} );
