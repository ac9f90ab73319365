import { SidecarError } from '../../../../src/sidecar/errors';
import {
	Pacer,
	type QuotaOptions,
} from '../../../../src/sidecar/google/pacing';
import { LocalBuckets } from '../../../../src/sidecar/google/rate-buckets';

/** A pacer on a fake clock: sleeping moves the clock, nothing waits for real. */
function fakeClock( quota: Partial< QuotaOptions >, concurrency = 64 ) {
	const clock = { now: 0, slept: [] as number[] };
	const pacer = new Pacer( {
		concurrency,
		quota,
		now: () => clock.now,
		sleep: async ( ms ) => {
			clock.slept.push( ms );
			clock.now += ms;
		},
	} );
	return { clock, pacer };
}

const unpaced = { userPerMinute: null, projectPerMinute: null };

describe( 'token buckets (GCRA)', () => {
	test( 'a full bucket lets its burst through at once, then one call per interval', () => {
		let now = 0;
		const buckets = new LocalBuckets( () => now );
		const spec = [ { key: 'p', intervalMs: 100, burst: 3 } ];
		const waits = Array.from(
			{ length: 6 },
			() => buckets.reserveNow( spec, 1, 10000 ).waitMs
		);
		expect( waits ).toEqual( [ 0, 0, 0, 100, 200, 300 ] );
		// Time refills it: after 1 s of nothing the burst is available again.
		now = 1600;
		expect( buckets.reserveNow( spec, 1, 10000 ).waitMs ).toBe( 0 );
		expect( buckets.reserveNow( spec, 1, 10000 ).waitMs ).toBe( 0 );
		expect( buckets.reserveNow( spec, 1, 10000 ).waitMs ).toBe( 0 );
		expect( buckets.reserveNow( spec, 1, 10000 ).waitMs ).toBe( 100 );
	} );

	test( 'a call waits for the slowest of its buckets and takes a token from each', () => {
		const buckets = new LocalBuckets( () => 0 );
		const user = { key: 'u', intervalMs: 100, burst: 1 };
		const project = { key: 'p', intervalMs: 10, burst: 1 };
		expect( buckets.reserveNow( [ user, project ], 1, 1000 ).waitMs ).toBe(
			0
		);
		expect( buckets.reserveNow( [ user, project ], 1, 1000 ).waitMs ).toBe(
			100
		);
		// The project's token was taken at 100: another user's call waits for it.
		expect(
			buckets.reserveNow(
				[ { key: 'v', intervalMs: 100, burst: 1 }, project ],
				1,
				1000
			).waitMs
		).toBe( 110 );
	} );

	test( 'a reservation beyond the allowed wait takes nothing', () => {
		const buckets = new LocalBuckets( () => 0 );
		const spec = [ { key: 'p', intervalMs: 100, burst: 1 } ];
		buckets.reserveNow( spec, 1, 0 );
		expect( buckets.reserveNow( spec, 1, 50 ) ).toEqual( {
			granted: false,
			waitMs: 100,
		} );
		expect( buckets.reserveNow( spec, 1, 100 ) ).toEqual( {
			granted: true,
			waitMs: 100,
		} );
	} );
} );

describe( 'pacing to the configured quota', () => {
	test( 'a backlog drains at the quota rate: the burst, then one call per interval', async () => {
		// 600/min per project at 100 %: 10/s, a burst of half a second (5 calls).
		const { clock, pacer } = fakeClock( {
			userPerMinute: null,
			projectPerMinute: 600,
			percent: 100,
			burstSeconds: 0.5,
		} );
		const starts: number[] = [];
		for ( let i = 0; i < 25; i++ ) {
			const release = await pacer.acquire(
				{ user: `user:${ i % 5 }`, project: 'project:p' },
				clock.now + 60000
			);
			starts.push( clock.now );
			release();
		}
		expect( starts.slice( 0, 5 ) ).toEqual( [ 0, 0, 0, 0, 0 ] );
		// 20 more calls at 100 ms each: the 25th starts at 2 s.
		expect( starts[ 24 ] ).toBeCloseTo( 2000, 6 );
		for ( let i = 6; i < 25; i++ ) {
			expect( starts[ i ]! - starts[ i - 1 ]! ).toBeCloseTo( 100, 6 );
		}
	} );

	test( 'the percent and the replica share scale the rate', async () => {
		// 1,200/min at 50 %, two replicas: 5/s for this replica, burst 2.5.
		const { clock, pacer } = fakeClock( {
			userPerMinute: null,
			projectPerMinute: 1200,
			percent: 50,
			localShare: 0.5,
			burstSeconds: 0.5,
		} );
		const keys = { project: 'project:p' };
		for ( let i = 0; i < 12; i++ ) {
			( await pacer.acquire( keys, clock.now + 60000 ) )();
		}
		// Two at once, the third after the half token left (100 ms), then 9 more 200 ms apart.
		expect( clock.now ).toBeCloseTo( 1900, 6 );
	} );

	test( 'per-user buckets hold one account back while others go', async () => {
		const { clock, pacer } = fakeClock( {
			userPerMinute: 60,
			projectPerMinute: null,
			percent: 100,
			burstSeconds: 1,
		} );
		( await pacer.acquire( { user: 'user:a' }, 60000 ) )();
		expect( pacer.available( { user: 'user:a' } ) ).toBe( false );
		expect( pacer.available( { user: 'user:b' } ) ).toBe( true );
		( await pacer.acquire( { user: 'user:b' }, 60000 ) )();
		expect( clock.now ).toBe( 0 );
		( await pacer.acquire( { user: 'user:a' }, 60000 ) )();
		expect( clock.now ).toBe( 1000 );
	} );

	test( "a call that could not start before the caller's deadline is refused at once with rate_limited", async () => {
		const { clock, pacer } = fakeClock( {
			userPerMinute: null,
			projectPerMinute: 60,
			percent: 100,
			burstSeconds: 1,
		} );
		( await pacer.acquire( { project: 'project:p' }, 10000 ) )();
		const error = await pacer
			.acquire( { project: 'project:p' }, 500 )
			.catch( ( e: unknown ) => e );
		expect( error ).toBeInstanceOf( SidecarError );
		expect( ( error as SidecarError ).code ).toBe( 'rate_limited' );
		expect( ( error as SidecarError ).details.retryAfterMs ).toBe( 1000 );
		expect( clock.slept ).toEqual( [] );
		// The refusal took nothing: the next caller with time left gets the token at 1 s.
		( await pacer.acquire( { project: 'project:p' }, 5000 ) )();
		expect( clock.now ).toBe( 1000 );
	} );
} );

describe( 'AIMD after a rate-limit answer', () => {
	test( 'halves the rate once per burst of answers, then grows it back additively', () => {
		const { clock, pacer } = fakeClock( {
			...unpaced,
			decrease: 0.5,
			increasePerSecond: 0.1,
			decreaseCooldownMs: 1000,
		} );
		expect( pacer.factor( 'project:p' ) ).toBe( 1 );
		pacer.penalize( 'project:p' );
		expect( pacer.factor( 'project:p' ) ).toBe( 0.5 );
		clock.now = 200;
		pacer.penalize( 'project:p' ); // same burst: no further cut
		expect( pacer.factor( 'project:p' ) ).toBeCloseTo( 0.52, 6 );
		clock.now = 1000;
		expect( pacer.factor( 'project:p' ) ).toBeCloseTo( 0.6, 6 );
		pacer.penalize( 'project:p' ); // a new burst: halved again
		expect( pacer.factor( 'project:p' ) ).toBeCloseTo( 0.3, 6 );
		clock.now = 3000;
		expect( pacer.factor( 'project:p' ) ).toBeCloseTo( 0.5, 6 );
		clock.now = 20000;
		expect( pacer.factor( 'project:p' ) ).toBe( 1 );
		expect( pacer.factor( 'project:q' ) ).toBe( 1 );
	} );

	test( 'never below the floor, however long the storm', () => {
		const { clock, pacer } = fakeClock( {
			...unpaced,
			minFactor: 1 / 8,
			increasePerSecond: 0,
		} );
		for ( let i = 0; i < 20; i++ ) {
			pacer.penalize( 'user:a' );
			clock.now += 1000;
		}
		expect( pacer.factor( 'user:a' ) ).toBe( 1 / 8 );
	} );

	test( 'the cut rate spaces the calls out', async () => {
		const { clock, pacer } = fakeClock( {
			userPerMinute: null,
			projectPerMinute: 600,
			percent: 100,
			burstSeconds: 0.1,
			increasePerSecond: 0,
		} );
		const keys = { project: 'project:p' };
		( await pacer.acquire( keys, 60000 ) )();
		( await pacer.acquire( keys, 60000 ) )();
		expect( clock.now ).toBe( 100 );
		pacer.penalize( 'project:p' );
		( await pacer.acquire( keys, 60000 ) )();
		( await pacer.acquire( keys, 60000 ) )();
		// 10/s halved: 200 ms between calls.
		expect( clock.now ).toBe( 400 );
	} );

	test( 'Retry-After pauses the key; a pause beyond the deadline is refused', async () => {
		const { clock, pacer } = fakeClock( unpaced );
		expect( pacer.penalize( 'user:a', 5000 ) ).toBe( 5000 );
		expect( pacer.penalize( 'user:a' ) ).toBe( 5000 ); // the pause stands
		expect( pacer.pauseRemaining( { user: 'user:a' } ) ).toBe( 5000 );
		expect( pacer.pauseRemaining( { user: 'user:b' } ) ).toBe( 0 );
		const error = await pacer
			.acquire( { user: 'user:a' }, 1000 )
			.catch( ( e: unknown ) => e );
		expect( ( error as SidecarError ).code ).toBe( 'rate_limited' );
		expect( ( error as SidecarError ).details.retryAfterMs ).toBe( 5000 );
		( await pacer.acquire( { user: 'user:a' }, 10000 ) )();
		expect( clock.now ).toBe( 5000 );
	} );

	test( 'a project pause applies to every account of the project', () => {
		const { pacer } = fakeClock( unpaced );
		pacer.penalize( 'project:p', 50 );
		expect(
			pacer.pauseRemaining( { user: 'user:x', project: 'project:p' } )
		).toBe( 50 );
		expect(
			pacer.available( { user: 'user:x', project: 'project:p' } )
		).toBe( false );
	} );
} );

describe( 'shared budget', () => {
	test( 'uses the shared reserver, and its share of the quota when the reserver fails', async () => {
		const failures: unknown[] = [];
		let now = 0;
		let fail = false;
		const asked: number[] = [];
		const pacer = new Pacer( {
			concurrency: 64,
			quota: {
				userPerMinute: null,
				projectPerMinute: 600,
				percent: 100,
				localShare: 0.5,
				burstSeconds: 0.1,
			},
			now: () => now,
			sleep: async ( ms ) => {
				now += ms;
			},
			onSharedFailure: ( e ) => failures.push( e ),
		} );
		pacer.shareThrough( {
			reserve: async ( buckets ) => {
				if ( fail ) {
					throw new Error( 'Redis is reconnecting' );
				}
				asked.push( buckets[ 0 ]!.intervalMs );
				return { granted: true, waitMs: 0 };
			},
		} );
		( await pacer.acquire( { project: 'project:p' }, 10000 ) )();
		// The shared buckets get the whole quota: 10/s.
		expect( asked ).toEqual( [ 100 ] );
		fail = true;
		( await pacer.acquire( { project: 'project:p' }, 10000 ) )();
		( await pacer.acquire( { project: 'project:p' }, 10000 ) )();
		// Locally, half of it: 5/s, 200 ms apart; never blocked on the store.
		expect( now ).toBe( 200 );
		expect( failures ).toHaveLength( 2 );
	} );
} );

describe( 'calls in flight per account', () => {
	test( 'limits calls in flight per account, hands slots over in order', async () => {
		const pacer = new Pacer( { concurrency: 2, quota: unpaced } );
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

	test( 'one call at a time probes an account Google is throttling', () => {
		const pacer = new Pacer( { concurrency: 4, quota: unpaced } );
		expect( pacer.parallelism( 'user:a' ) ).toBe( 4 );
		pacer.penalize( 'user:a' );
		expect( pacer.parallelism( 'user:a' ) ).toBe( 1 );
		pacer.succeed( 'user:a' );
		expect( pacer.parallelism( 'user:a' ) ).toBe( 4 );
	} );
} );
