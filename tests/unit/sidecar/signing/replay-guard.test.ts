import { ReplayCache } from '../../../../src/sidecar/signing/replay-guard';

describe( 'replay cache', () => {
	test( 'a nonce is accepted once within its lifetime', () => {
		const cache = new ReplayCache( 1000, 100 );
		expect( cache.remember( 'n1', 0 ) ).toBe( true );
		expect( cache.remember( 'n1', 999 ) ).toBe( false );
		expect( cache.remember( 'n1', 1000 ) ).toBe( true ); // expired, then remembered again
	} );

	test( 'expired entries are swept as time passes', () => {
		const cache = new ReplayCache( 1000, 100 );
		for ( let i = 0; i < 10; i++ ) {
			cache.remember( `n${ i }`, i * 10 );
		}
		expect( cache.size ).toBe( 10 );
		// n0…n4 expire at 1000…1040; n5…n9 at 1050…1090.
		cache.remember( 'late', 1045 );
		expect( cache.size ).toBe( 6 );
		expect( cache.remember( 'n5', 1045 ) ).toBe( false );
		expect( cache.remember( 'n0', 1045 ) ).toBe( true );
	} );

	test( 'the bound evicts the oldest entries first', () => {
		const cache = new ReplayCache( 60000, 3 );
		[ 'a', 'b', 'c', 'd' ].forEach( ( n ) => cache.remember( n, 0 ) );
		expect( cache.size ).toBe( 3 );
		expect( cache.remember( 'd', 1 ) ).toBe( false );
		expect( cache.remember( 'a', 1 ) ).toBe( true );
	} );
} );
