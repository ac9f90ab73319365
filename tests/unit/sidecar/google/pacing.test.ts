import { SidecarError } from '../../../../src/sidecar/errors';
import { Pacer } from '../../../../src/sidecar/google/pacing';

describe( 'per-account pacing', () => {
	test( 'limits calls in flight per account, hands slots over in order', async () => {
		const pacer = new Pacer( {
			concurrency: 2,
			basePauseMs: 100,
			maxPauseMs: 1000,
		} );
		const order: string[] = [];
		const r1 = await pacer.acquire( { user: 'a' }, Date.now() + 1000 );
		const r2 = await pacer.acquire( { user: 'a' }, Date.now() + 1000 );
		const third = pacer
			.acquire( { user: 'a' }, Date.now() + 1000 )
			.then( ( r ) => {
				order.push( 'third' );
				return r;
			} );
		const other = await pacer.acquire( { user: 'b' }, Date.now() + 1000 ); // other accounts are not held up
		order.push( 'other' );
		expect( order ).toEqual( [ 'other' ] );
		r1();
		r1(); // releasing twice frees one slot only
		const r3 = await third;
		expect( order ).toEqual( [ 'other', 'third' ] );
		r2();
		r3();
		other();
	} );

	test( 'a rate-limit answer pauses the account with growing, jittered pauses', () => {
		let now = 0;
		const pacer = new Pacer( {
			concurrency: 4,
			basePauseMs: 100,
			maxPauseMs: 1000,
			now: () => now,
			random: () => 1,
		} );
		expect( pacer.penalize( 'user:a' ) ).toBe( 100 );
		expect( pacer.pauseRemaining( { user: 'user:a' } ) ).toBe( 100 );
		expect( pacer.pauseRemaining( { user: 'user:b' } ) ).toBe( 0 );
		now = 40;
		expect( pacer.penalize( 'user:a' ) ).toBe( 60 ); // same burst: the pause stands
		now = 100;
		expect( pacer.penalize( 'user:a' ) ).toBe( 200 );
		now = 300;
		expect( pacer.penalize( 'user:a' ) ).toBe( 400 );
		expect( pacer.penalize( 'user:a', 5000 ) ).toBe( 5000 ); // Retry-After wins
		now = 10000;
		pacer.succeed( 'user:a' );
		expect( pacer.penalize( 'user:a' ) ).toBe( 100 );
	} );

	test( 'project pauses apply to every account of the project', () => {
		let now = 0;
		const pacer = new Pacer( {
			concurrency: 4,
			basePauseMs: 100,
			maxPauseMs: 1000,
			now: () => now,
			random: () => 0,
		} );
		pacer.penalize( 'project:p' );
		expect(
			pacer.pauseRemaining( { user: 'user:x', project: 'project:p' } )
		).toBe( 50 );
		now = 60;
		expect(
			pacer.pauseRemaining( { user: 'user:x', project: 'project:p' } )
		).toBe( 0 );
	} );

	test( "refuses to wait beyond the caller's deadline", async () => {
		const pacer = new Pacer( {
			concurrency: 4,
			basePauseMs: 5000,
			maxPauseMs: 5000,
			random: () => 1,
		} );
		pacer.penalize( 'user:a' );
		const error = await pacer
			.acquire( { user: 'user:a' }, Date.now() + 100 )
			.catch( ( e: unknown ) => e );
		expect( error ).toBeInstanceOf( SidecarError );
		expect( ( error as SidecarError ).code ).toBe( 'rate_limited' );
		expect(
			( error as SidecarError ).details.retryAfterMs
		).toBeGreaterThan( 4000 );
	} );
} );
