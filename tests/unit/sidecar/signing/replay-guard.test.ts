import { randomBytes } from 'node:crypto';
import { ReplayGuard } from '../../../../src/sidecar/signing/replay-guard';

const SKEW = 300;
const T = 1767225600; // a request's timestamp, in seconds
const at = ( seconds: number ) => seconds * 1000;
const nonce = () => randomBytes( 18 ).toString( 'base64url' );

describe( 'replay guard', () => {
	test( 'a nonce is accepted once while its timestamp is acceptable, and forgotten after', () => {
		const guard = new ReplayGuard( 1000, SKEW );
		expect( guard.check( 'n1-aaaaaaaaaaaaaa', T, at( T ) ) ).toBe(
			'fresh'
		);
		expect( guard.check( 'n1-aaaaaaaaaaaaaa', T, at( T + 1 ) ) ).toBe(
			'replay'
		);
		// The last instant the signature check still accepts this timestamp.
		expect( guard.check( 'n1-aaaaaaaaaaaaaa', T, at( T + SKEW ) ) ).toBe(
			'replay'
		);
		// After that the timestamp is refused anyway; the slot is free again.
		expect(
			guard.check( 'n1-aaaaaaaaaaaaaa', T, at( T + SKEW ) + 1 )
		).toBe( 'fresh' );
	} );

	test( 'a timestamp from the future is remembered until it is too old itself', () => {
		const guard = new ReplayGuard( 1000, SKEW );
		const ahead = T + SKEW;
		expect( guard.check( 'n2-bbbbbbbbbbbbbb', ahead, at( T ) ) ).toBe(
			'fresh'
		);
		expect(
			guard.check( 'n2-bbbbbbbbbbbbbb', ahead, at( T + 2 * SKEW ) )
		).toBe( 'replay' );
	} );

	test( 'a replay within the window is refused however many requests came in between', () => {
		const guard = new ReplayGuard( 1000, SKEW );
		const first = nonce();
		expect( guard.check( first, T, at( T ) ) ).toBe( 'fresh' );
		const others = Array.from( { length: 1500 }, nonce );
		for ( const n of others ) {
			expect( guard.check( n, T, at( T + 1 ) ) ).toBe( 'fresh' );
		}
		expect( guard.check( first, T, at( T + 2 ) ) ).toBe( 'replay' );
		expect(
			others.every(
				( n ) => guard.check( n, T, at( T + 3 ) ) === 'replay'
			)
		).toBe( true );
	} );

	test( 'its memory is fixed when it is made, whatever the number of requests', () => {
		const guard = new ReplayGuard( 1000, SKEW );
		const bytes = guard.bytes;
		expect( bytes ).toBe( 2 * 1000 * 8 );
		for ( let i = 0; i < 20000; i++ ) {
			guard.check( nonce(), T + i, at( T + i ) );
		}
		expect( guard.bytes ).toBe( bytes );
		expect( guard.live( at( T + 20000 ) ) ).toBeLessThanOrEqual( SKEW + 1 );
	} );

	test( 'when its buckets are full it refuses, it never forgets a live nonce', () => {
		// Capacity 8: two buckets of 16 slots, so every nonce has both as candidates.
		const guard = new ReplayGuard( 8, SKEW );
		const kept = Array.from( { length: 32 }, nonce );
		for ( const n of kept ) {
			expect( guard.check( n, T, at( T ) ) ).toBe( 'fresh' );
		}
		expect( guard.check( nonce(), T, at( T ) ) ).toBe( 'full' );
		for ( const n of kept ) {
			expect( guard.check( n, T, at( T + SKEW ) ) ).toBe( 'replay' );
		}
		expect( guard.check( nonce(), T + SKEW, at( T + SKEW + 1 ) ) ).toBe(
			'fresh'
		);
	} );

	test( 'the same nonces are placed differently by every process (seeded hashes)', () => {
		const a = new ReplayGuard( 8, SKEW, Buffer.alloc( 12, 1 ) );
		const b = new ReplayGuard( 8, SKEW, Buffer.alloc( 12, 2 ) );
		const same = new ReplayGuard( 8, SKEW, Buffer.alloc( 12, 1 ) );
		const nonces = Array.from( { length: 40 }, nonce );
		const verdicts = ( g: ReplayGuard ) =>
			nonces.map( ( n ) => g.check( n, T, at( T ) ) ).join( ',' );
		expect( verdicts( a ) ).toBe( verdicts( same ) );
		expect( verdicts( a ) ).not.toBe( verdicts( b ) );
	} );
} );
