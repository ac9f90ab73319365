import {
	backoffDelay,
	RetryBudgetExhausted,
	withRetry,
	type RetryEnv,
} from '../../../../src/sidecar/google/retry';

/** A clock that only moves when the code under test sleeps. */
function fakeEnv( random = () => 1 ): RetryEnv & { slept: number[] } {
	let now = 0;
	const slept: number[] = [];
	return {
		now: () => now,
		random,
		sleep: async ( ms ) => {
			slept.push( ms );
			now += ms;
		},
		slept,
	};
}

const policy = { baseMs: 100, maxDelayMs: 1000 };
const retryable = () => ( { retry: true as const } );

describe( 'retry policy', () => {
	test( 'exponential ceiling with full jitter, capped', () => {
		expect( backoffDelay( policy, 0, () => 0.999 ) ).toBe( 99 );
		expect( backoffDelay( policy, 1, () => 0.999 ) ).toBe( 199 );
		expect( backoffDelay( policy, 3, () => 0.999 ) ).toBe( 799 );
		expect( backoffDelay( policy, 10, () => 0.999 ) ).toBe( 999 );
		expect( backoffDelay( policy, 5, () => 0 ) ).toBe( 0 );
		expect( backoffDelay( policy, 0, () => 0, 1500 ) ).toBe( 1500 ); // e.g. Retry-After
		for ( let i = 0; i < 200; i++ ) {
			const d = backoffDelay( policy, 2, Math.random );
			expect( d ).toBeGreaterThanOrEqual( 0 );
			expect( d ).toBeLessThan( 400 );
		}
	} );

	test( 'retries until success', async () => {
		const env = fakeEnv();
		let calls = 0;
		const result = await withRetry(
			async () => {
				calls++;
				if ( calls < 4 ) {
					throw new Error( 'transient' );
				}
				return 'done';
			},
			retryable,
			policy,
			10000,
			{},
			env
		);
		expect( result ).toBe( 'done' );
		expect( calls ).toBe( 4 );
		expect( env.slept ).toEqual( [ 100, 200, 400 ] );
	} );

	test( 'a final error is rethrown at once', async () => {
		const env = fakeEnv();
		const final = new Error( 'validation' );
		let calls = 0;
		await expect(
			withRetry(
				async () => {
					calls++;
					throw final;
				},
				() => ( { retry: false } ),
				policy,
				10000,
				{},
				env
			)
		).rejects.toBe( final );
		expect( calls ).toBe( 1 );
		expect( env.slept ).toEqual( [] );
	} );

	test( 'never sleeps past the deadline; reports the last error', async () => {
		const env = fakeEnv();
		const hooks = { onRetry: jest.fn() };
		let calls = 0;
		const error = await withRetry(
			async () => {
				calls++;
				throw new Error( `failure ${ calls }` );
			},
			retryable,
			policy,
			1000,
			hooks,
			env
		).catch( ( e: unknown ) => e );
		expect( error ).toBeInstanceOf( RetryBudgetExhausted );
		expect( ( error as RetryBudgetExhausted ).lastError ).toEqual(
			new Error( `failure ${ calls }` )
		);
		expect( env.slept.reduce( ( a, b ) => a + b, 0 ) ).toBeLessThan( 1000 );
		expect( env.slept ).toEqual( [ 100, 200, 400 ] ); // the next (800) would end at 1500
		expect( hooks.onRetry ).toHaveBeenCalledTimes( 3 );
	} );

	test( 'a zero budget means a single attempt', async () => {
		const env = fakeEnv();
		let calls = 0;
		await expect(
			withRetry(
				async () => {
					calls++;
					throw new Error( 'x' );
				},
				retryable,
				policy,
				0,
				{},
				env
			)
		).rejects.toBeInstanceOf( RetryBudgetExhausted );
		expect( calls ).toBe( 1 );
	} );

	test( 'a minimum delay from the classifier is honoured', async () => {
		const env = fakeEnv( () => 0 );
		let calls = 0;
		await withRetry(
			async () => {
				if ( calls++ === 0 ) {
					throw new Error( 'slow down' );
				}
				return true;
			},
			() => ( { retry: true, minDelayMs: 700 } ),
			policy,
			10000,
			{},
			env
		);
		expect( env.slept ).toEqual( [ 700 ] );
	} );
} );
