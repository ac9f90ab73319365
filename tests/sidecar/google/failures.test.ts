/**
 * Google misbehaving: the single retry policy (what is retried, what is not, within the budget)
 * and every error code that comes from Google's answers.
 */
import { signedCall, startRig, times, type Rig } from '../support';

let rig: Rig;
let doctor: { credential: string; email: string };
let seq = 2000;

// Small budget so exhaustion is quick: 2 s total, backoff from 20 ms, and a 500 ms attempt
// timeout so that a hung request is retried well within the budget.
beforeAll( async () => {
	rig = await startRig( { MFK_GOOGLE_TIMEOUT_MS: '500' } );
	doctor = await rig.connect();
} );
afterAll( async () => rig.close() );
afterEach( async () => {
	await rig.control( 'DELETE', '/faults' );
	await rig.control( 'PATCH', '/config', {
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
} );

const meeting = ( over: Record< string, unknown > = {} ) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
	appointmentId: seq++,
	...times( '2031-07-01T10:00:00Z' ),
	...over,
} );
const ensure = ( body = meeting() ) => rig.call( '/v1/meetings/ensure', body );
const fault = (
	operation: string,
	action: Record< string, unknown >,
	extra: Record< string, unknown > = {}
) =>
	rig.control( 'POST', '/faults', {
		match: { operation },
		action,
		...extra,
	} );
const count = async ( op: string ) =>
	(
		await rig.control< { counters: Record< string, number > } >(
			'GET',
			'/counters'
		)
	).counters[ op ] ?? 0;
const eventsOf = async ( appointmentId: number ) =>
	(
		await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ encodeURIComponent( doctor.email ) }/events`
		)
	).items.filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId ===
			String( appointmentId )
	);

describe( 'retried, then success', () => {
	test.each( [
		[ '503', { type: 'error', status: 503 } ],
		[ '500', { type: 'error', status: 500 } ],
		[ '502', { type: 'error', status: 502 } ],
		[ '504', { type: 'error', status: 504 } ],
		[ '429', { type: 'error', status: 429, reason: 'rateLimitExceeded' } ],
		[
			'403 rateLimitExceeded',
			{ type: 'error', status: 403, reason: 'rateLimitExceeded' },
		],
		[
			'403 userRateLimitExceeded',
			{ type: 'error', status: 403, reason: 'userRateLimitExceeded' },
		],
		[ 'a dropped connection', { type: 'drop' } ],
	] )( '%s on events.insert', async ( _name, action ) => {
		const body = meeting();
		await fault( 'events.insert', action, { times: 2 } );
		const before = await count( 'events.insert' );
		const answer = await ensure( body );
		expect( answer.status ).toBe( 200 );
		expect( answer.body.status ).toBe( 'ready' );
		expect( await count( 'events.insert' ) ).toBe( before + 3 );
		expect( await eventsOf( body.appointmentId ) ).toHaveLength( 1 );
	} );

	test( 'a request Google never answers times out and is tried again', async () => {
		await fault( 'events.get', { type: 'hang' } );
		const body = meeting();
		await ensure( body );
		const answer = await rig.call( '/v1/meetings/get', body ); // first attempt hangs 500 ms
		expect( answer.status ).toBe( 200 );
		expect( answer.body.status ).toBe( 'ready' );
	} );

	test( 'an insert that reached Google but whose answer was lost is adopted, not duplicated', async () => {
		const body = meeting();
		await rig.control( 'POST', '/faults', {
			match: { operation: 'events.insert' },
			action: { type: 'drop' },
			when: 'after',
		} );
		const answer = await ensure( body );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toMatchObject( {
			status: 'ready',
			created: false,
		} );
		expect( await eventsOf( body.appointmentId ) ).toHaveLength( 1 );
	} );

	test( 'a failing token endpoint is retried too', async () => {
		const other = await rig.connect();
		await rig.control( 'POST', '/tokens/expire', { email: other.email } );
		await fault( 'oauth.token.refresh', { type: 'error', status: 503 } );
		const answer = await ensure(
			meeting( { credential: other.credential } )
		);
		expect( answer.status ).toBe( 200 );
		expect( answer.body.credential ).toEqual( expect.any( String ) );
	} );
} );

describe( 'not retried', () => {
	test( '403 quotaExceeded: quota_exceeded after a single call', async () => {
		await fault( 'events.insert', {
			type: 'error',
			status: 403,
			reason: 'quotaExceeded',
		} );
		const before = await count( 'events.insert' );
		const answer = await ensure();
		expect( answer.status ).toBe( 429 );
		expect( answer.body ).toMatchObject( {
			code: 'quota_exceeded',
			data: {
				status: 429,
				retryable: false,
				googleReason: 'quotaExceeded',
			},
		} );
		expect( await count( 'events.insert' ) ).toBe( before + 1 );
	} );

	test( '400 from Google: google_error after a single call', async () => {
		await fault( 'events.insert', {
			type: 'error',
			status: 400,
			reason: 'invalid',
			message: 'Invalid value',
		} );
		const before = await count( 'events.insert' );
		const answer = await ensure();
		expect( answer.status ).toBe( 502 );
		expect( answer.body ).toMatchObject( {
			code: 'google_error',
			data: { retryable: false },
		} );
		expect( answer.body.message ).toContain( 'Invalid value' );
		expect( await count( 'events.insert' ) ).toBe( before + 1 );
	} );

	test( '403 insufficientPermissions: insufficient_scope', async () => {
		await fault( 'events.insert', {
			type: 'error',
			status: 403,
			reason: 'insufficientPermissions',
		} );
		const answer = await ensure();
		expect( answer.status ).toBe( 403 );
		expect( answer.body.code ).toBe( 'insufficient_scope' );
	} );

	test( '401 even after a fresh token: token_revoked, one refresh only', async () => {
		await fault(
			'events.insert',
			{ type: 'error', status: 401, reason: 'authError' },
			{ times: 2 }
		);
		const refreshes = await count( 'oauth.token.refresh' );
		const inserts = await count( 'events.insert' );
		const answer = await ensure();
		expect( answer.status ).toBe( 401 );
		expect( answer.body.code ).toBe( 'token_revoked' );
		expect( await count( 'oauth.token.refresh' ) ).toBe( refreshes + 1 );
		expect( await count( 'events.insert' ) ).toBe( inserts + 2 );
	} );
} );

describe( 'retries exhausted within the budget', () => {
	test( 'persistent 5xx: google_unavailable, retryable', async () => {
		await fault(
			'events.insert',
			{ type: 'error', status: 503 },
			{ times: 0 }
		);
		const before = await count( 'events.insert' );
		const answer = await ensure();
		expect( answer.status ).toBe( 503 );
		expect( answer.body ).toMatchObject( {
			code: 'google_unavailable',
			data: {
				status: 503,
				retryable: true,
				retryAfterMs: expect.any( Number ),
			},
		} );
		expect( answer.headers.get( 'retry-after' ) ).toMatch( /^\d+$/ );
		// Tried again, then given up within the 2 s budget (an endless retry never answers).
		expect( await count( 'events.insert' ) ).toBeGreaterThan( before + 1 );
	} );

	test( 'persistent rate limiting: rate_limited, retryable, with a hint', async () => {
		await fault(
			'events.insert',
			{
				type: 'error',
				status: 429,
				reason: 'rateLimitExceeded',
				retryAfterSeconds: 1,
			},
			{ times: 0 }
		);
		const answer = await ensure();
		expect( answer.status ).toBe( 429 );
		expect( answer.body ).toMatchObject( {
			code: 'rate_limited',
			data: {
				status: 429,
				retryable: true,
				retryAfterMs: expect.any( Number ),
			},
		} );
	} );

	test( 'Google unreachable: google_unavailable', async () => {
		await fault( 'events.*', { type: 'drop' }, { times: 0 } );
		const answer = await ensure();
		expect( answer.body.code ).toBe( 'google_unavailable' );
	} );

	test( "the emulator's per-user rate limit, as Google answers it", async () => {
		// A budget far longer than the quota's pace (1 call a second), so how many calls get
		// through depends on Google's answers, not on how busy this machine is.
		const paced = rig.sidecarWith( { MFK_RETRY_BUDGET_MS: '8000' } );
		await rig.control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: 60 },
		} ); // 1/s, burst 1
		try {
			const answers = await Promise.all(
				Array.from( { length: 4 }, () =>
					signedCall( paced, '/v1/meetings/get', meeting() )
				)
			);
			// Every call either got Google's answer (404: no such meeting) or ran out of budget while paced.
			for ( const a of answers ) {
				expect( [ 'not_found', 'rate_limited' ] ).toContain(
					a.body.code
				);
			}
			expect(
				answers.filter( ( a ) => a.body.code === 'not_found' ).length
			).toBeGreaterThanOrEqual( 2 );
			const statuses = (
				await rig.control< {
					statuses: Record< string, Record< string, number > >;
				} >( 'GET', '/counters' )
			).statuses[ 'events.get' ];
			expect( statuses?.[ '403' ] ).toBeGreaterThan( 0 );
		} finally {
			await paced.close();
		}
	} );
} );

describe( 'the client libraries do not retry on their own', () => {
	test( 'with a zero retry budget, one failing call is one request to Google', async () => {
		const noRetry = rig.sidecarWith( { MFK_RETRY_BUDGET_MS: '0' } );
		const call = async ( path: string, body: unknown ) =>
			( await signedCall< { code?: string } >( noRetry, path, body ) )
				.body;
		try {
			// events.get is a GET, which the libraries would retry three times by default.
			await fault(
				'events.get',
				{ type: 'error', status: 503 },
				{ times: 0 }
			);
			const gets = await count( 'events.get' );
			expect( ( await call( '/v1/meetings/get', meeting() ) ).code ).toBe(
				'google_unavailable'
			);
			expect( await count( 'events.get' ) ).toBe( gets + 1 );

			// Token refreshes are POSTs the auth library marks as retryable.
			await rig.control( 'DELETE', '/faults' );
			const other = await rig.connect();
			await rig.control( 'POST', '/tokens/expire', {
				email: other.email,
			} );
			await fault(
				'oauth.token.refresh',
				{ type: 'error', status: 503 },
				{ times: 0 }
			);
			const refreshes = await count( 'oauth.token.refresh' );
			expect(
				(
					await call(
						'/v1/meetings/get',
						meeting( { credential: other.credential } )
					)
				).code
			).toBe( 'google_unavailable' );
			expect( await count( 'oauth.token.refresh' ) ).toBe(
				refreshes + 1
			);
		} finally {
			await noRetry.close();
		}
	} );
} );
