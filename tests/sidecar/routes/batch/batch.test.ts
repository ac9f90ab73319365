/**
 * `/v1/batch`: many operations, paced per Google account.
 */
import { signedCall, startRig, times, type Rig } from '../../support';

let rig: Rig;
let alice: { credential: string; email: string };
let bob: { credential: string; email: string };

beforeAll( async () => {
	// Room for all eight operations of a doctor at once, so every operation of a batch starts
	// as soon as it arrives: what a batch's budget cuts off is then only what waits for Google's
	// pacing, never what a busy machine is slow to get to.
	rig = await startRig( { MFK_ACCOUNT_CONCURRENCY: '8' } );
	alice = await rig.connect( 'alice@example.test' );
	bob = await rig.connect( 'bob@example.test' );
} );
afterAll( async () => rig.close() );
afterEach( async () => {
	await rig.control( 'PATCH', '/config', {
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
	await rig.control( 'DELETE', '/faults' );
} );

const op = (
	opName: string,
	id: string,
	credential: string,
	appointmentId: number,
	over: Record< string, unknown > = {}
) => ( {
	op: opName,
	id,
	siteId: rig.siteId,
	client: rig.client,
	credential,
	appointmentId,
	...times( `2031-08-0${ 1 + ( appointmentId % 9 ) }T10:00:00Z` ),
	...over,
} );
const eventsOf = async ( email: string ) =>
	(
		await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ encodeURIComponent( email ) }/events`
		)
	).items;

describe( 'batch', () => {
	test( 'runs every kind of operation, answers in the order given, invalid ones on their own', async () => {
		await rig.call(
			'/v1/meetings/ensure',
			op( 'ensure', '', alice.credential, 3001 )
		);
		const answer = await rig.call( '/v1/batch', {
			operations: [
				op( 'ensure', 'a1', alice.credential, 3002 ),
				op( 'get', 'a2', alice.credential, 3001 ),
				op(
					'reschedule',
					'a3',
					alice.credential,
					3001,
					times( '2031-09-01T12:00:00Z' )
				),
				op( 'cancel', 'b1', bob.credential, 3003 ),
				op( 'ensure', 'bad', alice.credential, 3004, {
					end: { dateTime: '2000-01-01T00:00:00Z', timeZone: 'UTC' },
				} ),
				{ op: 'get', id: 'broken', appointmentId: 'x' },
				op( 'get', 'missing', bob.credential, 3999 ),
			],
		} );
		expect( answer.status ).toBe( 200 );
		const results = answer.body.results;
		expect(
			results.map( ( r: { id: string; ok: boolean } ) => [ r.id, r.ok ] )
		).toEqual( [
			[ 'a1', true ],
			[ 'a2', true ],
			[ 'a3', true ],
			[ 'b1', true ],
			[ 'bad', false ],
			[ 'broken', false ],
			[ 'missing', false ],
		] );
		expect( results[ 0 ].result ).toMatchObject( {
			status: 'ready',
			created: true,
		} );
		expect( results[ 1 ].result ).toMatchObject( { status: 'ready' } );
		expect( results[ 2 ].result ).toMatchObject(
			times( '2031-09-01T12:00:00Z' )
		);
		expect( results[ 3 ].result ).toEqual( {
			cancelled: true,
			existed: false,
		} );
		expect( results[ 4 ].error ).toMatchObject( {
			code: 'invalid_request',
			data: {
				status: 400,
				errors: [
					{
						path: '/end/dateTime',
						message: 'end must be after start',
					},
				],
			},
		} );
		expect( results[ 5 ].error.code ).toBe( 'invalid_request' );
		expect(
			results[ 5 ].error.data.errors.map(
				( e: { path: string } ) => e.path
			)
		).toEqual( expect.arrayContaining( [ '/siteId', '/appointmentId' ] ) );
		expect( results[ 6 ].error ).toMatchObject( {
			code: 'not_found',
			data: { status: 404 },
		} );
	} );

	test( 'a backlog for two doctors: one event per appointment, the same answer as single calls', async () => {
		const operations = [];
		for ( let i = 0; i < 30; i++ ) {
			operations.push(
				op( 'ensure', `a${ i }`, alice.credential, 4000 + i )
			);
			operations.push(
				op( 'ensure', `b${ i }`, bob.credential, 5000 + i )
			);
		}
		const answer = await rig.call( '/v1/batch', { operations } );
		expect(
			answer.body.results.every( ( r: { ok: boolean } ) => r.ok )
		).toBe( true );
		// Running it again adopts everything.
		const again = await rig.call( '/v1/batch', { operations } );
		expect(
			again.body.results.every(
				( r: { ok: boolean; result: { created: boolean } } ) =>
					r.ok && r.result.created === false
			)
		).toBe( true );
		const mine = ( items: any[], from: number ) =>
			items.filter(
				( e ) =>
					Number( e.extendedProperties?.private?.mfkAppointmentId ) >=
						from &&
					Number( e.extendedProperties?.private?.mfkAppointmentId ) <
						from + 30
			);
		expect( mine( await eventsOf( alice.email ), 4000 ) ).toHaveLength(
			30
		);
		expect( mine( await eventsOf( bob.email ), 5000 ) ).toHaveLength( 30 );
	} );

	test( 'a rate-limited doctor is paced while the other keeps going', async () => {
		// Google keeps answering "rate limit" for Alice only.
		await rig.control( 'POST', '/faults', {
			match: { operation: 'events.*', account: alice.email },
			action: {
				type: 'error',
				status: 403,
				reason: 'userRateLimitExceeded',
			},
			times: 0,
		} );
		const calls = async () =>
			(
				await rig.control< { faults: { hits: number }[] } >(
					'GET',
					'/faults'
				)
			).faults[ 0 ]?.hits ?? 0;
		const operations = [];
		for ( let i = 0; i < 8; i++ ) {
			operations.push(
				op( 'ensure', `a${ i }`, alice.credential, 6000 + i )
			);
			operations.push(
				op( 'ensure', `b${ i }`, bob.credential, 7000 + i )
			);
		}
		const answer = await rig.call( '/v1/batch', {
			operations,
			budgetMs: 1000,
		} );
		const results: {
			id: string;
			ok: boolean;
			error?: {
				code: string;
				data: { retryable: boolean; retryAfterMs: number };
			};
		}[] = answer.body.results;
		expect(
			results
				.filter( ( r ) => r.id.startsWith( 'b' ) )
				.every( ( r ) => r.ok )
		).toBe( true );
		for ( const r of results.filter( ( x ) => x.id.startsWith( 'a' ) ) ) {
			expect( r.error ).toMatchObject( {
				code: 'rate_limited',
				data: { retryable: true, retryAfterMs: expect.any( Number ) },
			} );
		}
		// Paced, not hammered: one probe at a time while throttled, far fewer calls than 8
		// operations retried at the 20 ms backoff step would make (8 first tries, then probes
		// whose pauses double within the operations' 2 s retry budget).
		expect( await calls() ).toBeLessThan( 25 );

		// Once Google lets Alice through again, the same operations complete, without duplicates.
		await rig.control( 'DELETE', '/faults' );
		const retry = await rig.call( '/v1/batch', {
			operations: operations.filter( ( o ) => o.id.startsWith( 'a' ) ),
			budgetMs: 30000,
		} );
		expect(
			retry.body.results.every( ( r: { ok: boolean } ) => r.ok )
		).toBe( true );
		const count = ( items: any[], from: number ) =>
			items.filter(
				( e ) =>
					Math.floor(
						Number(
							e.extendedProperties?.private?.mfkAppointmentId
						) / 1000
					) ===
						from / 1000 && e.status === 'confirmed'
			).length;
		expect( count( await eventsOf( alice.email ), 6000 ) ).toBe( 8 );
		expect( count( await eventsOf( bob.email ), 7000 ) ).toBe( 8 );
	} );

	test( "the emulator's per-user quota is used fully, not exceeded", async () => {
		// Each operation may retry for longer than the whole batch needs at the quota's pace (3 s),
		// so whether all complete depends on Google's answers, not on this machine's speed.
		const patient = rig.sidecarWith( {
			MFK_ACCOUNT_CONCURRENCY: '8',
			MFK_RETRY_BUDGET_MS: '30000',
		} );
		await rig.control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: 600 },
		} ); // 10/s, burst 10
		const operations = Array.from( { length: 30 }, ( _, i ) =>
			op( 'ensure', `q${ i }`, bob.credential, 8000 + i )
		);
		const answer = await signedCall( patient, '/v1/batch', {
			operations,
			budgetMs: 30000,
		} ).finally( () => patient.close() );
		expect(
			answer.body.results.every( ( r: { ok: boolean } ) => r.ok )
		).toBe( true );
		const statuses =
			(
				await rig.control< {
					statuses: Record< string, Record< string, number > >;
				} >( 'GET', '/counters' )
			).statuses[ 'events.insert' ] ?? {};
		expect( statuses[ '200' ] ).toBeGreaterThanOrEqual( 30 );
	} );
} );
