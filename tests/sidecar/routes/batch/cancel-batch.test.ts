/**
 * `/v1/batch` with several cancellations of one doctor: they reach Google through its batch
 * endpoint, and each part that fails is retried on its own.
 */
import { eventIdFor } from '../../../../src/sidecar/meetings/event-id';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;
let doctor: { credential: string; email: string };

beforeAll( async () => {
	rig = await startRig( { MFK_RETRY_BUDGET_MS: '10000' } );
	doctor = await rig.connect( 'leaving@example.test' );
} );
afterAll( async () => rig.close() );

const body = ( appointmentId: number ) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
	appointmentId,
	...times( `2031-10-0${ 1 + ( appointmentId % 9 ) }T10:00:00Z` ),
} );
const counters = () =>
	rig.control< { counters: Record< string, number > } >( 'GET', '/counters' );

test( 'cancellations go in batch requests; failed parts are retried one by one', async () => {
	const ids = [ 501, 502, 503, 504, 505, 506, 507 ];
	for ( const id of ids ) {
		const made = await rig.call( '/v1/meetings/ensure', body( id ) );
		expect( made.status ).toBe( 200 );
	}
	const fail = ( id: number, action: Record< string, unknown > ) =>
		rig.control( 'POST', '/faults', {
			match: {
				operation: 'events.delete',
				path: `/events/${ eventIdFor( rig.siteId, id ) }$`,
			},
			action,
			times: 1,
		} );
	// Each of these parts fails once, each in its own way; 507 is refused for good.
	await fail( 502, { type: 'error', status: 503 } );
	await fail( 504, {
		type: 'error',
		status: 429,
		reason: 'rateLimitExceeded',
	} );
	await fail( 506, {
		type: 'error',
		status: 403,
		reason: 'userRateLimitExceeded',
	} );
	await fail( 507, { type: 'error', status: 400, reason: 'invalid' } );
	await rig.control( 'DELETE', '/counters' );
	const metrics = rig.context.metrics.googleCalls;
	const batches = metrics.get( { method: 'batch', outcome: 'ok' } );
	const singles = metrics.get( { method: 'events.delete', outcome: 'ok' } );

	const answer = await rig.call( '/v1/batch', {
		operations: [ ...ids, 599 ].map( ( id ) => ( {
			op: 'cancel',
			id: `c${ id }`,
			...body( id ),
		} ) ),
		budgetMs: 10000,
	} );
	expect( answer.status ).toBe( 200 );
	const results: Array< {
		id: string;
		ok: boolean;
		result?: { cancelled: boolean; existed: boolean };
		error?: { code: string };
	} > = answer.body.results;
	expect( results.map( ( r ) => r.id ) ).toEqual( [
		'c501',
		'c502',
		'c503',
		'c504',
		'c505',
		'c506',
		'c507',
		'c599',
	] );
	for ( const r of results.slice( 0, 6 ) ) {
		expect( r ).toMatchObject( {
			ok: true,
			result: { cancelled: true, existed: true },
		} );
	}
	expect( results[ 6 ] ).toMatchObject( {
		ok: false,
		error: { code: 'google_error' },
	} );
	// Never created: already cancelled.
	expect( results[ 7 ] ).toMatchObject( {
		ok: true,
		result: { cancelled: true, existed: false },
	} );

	// Batch requests only: the 8 calls in requests of at most 4 (the doctor's burst at 600/min),
	// then the retried parts in requests of their own.
	expect(
		metrics.get( { method: 'batch', outcome: 'ok' } ) - batches
	).toBeGreaterThanOrEqual( 3 );
	expect( metrics.get( { method: 'events.delete', outcome: 'ok' } ) ).toBe(
		singles
	);
	// One delete per operation, and one more for each of the three parts that failed and were
	// retried: the retries did not resend the parts that had succeeded.
	const counted = ( await counters() ).counters;
	expect( counted[ 'events.delete' ] ).toBe( 8 + 3 );
	const faults = await rig.control< { faults: { hits: number }[] } >(
		'GET',
		'/faults'
	);
	expect( faults.faults.every( ( f ) => f.hits === 1 ) ).toBe( true );

	const events = (
		await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ encodeURIComponent( doctor.email ) }/events`
		)
	).items;
	const statusOf = ( id: number ) =>
		events.find( ( e ) => e.id === eventIdFor( rig.siteId, id ) )?.status;
	for ( const id of ids.slice( 0, 6 ) ) {
		expect( statusOf( id ) ).toBe( 'cancelled' );
	}
	expect( statusOf( 507 ) ).toBe( 'confirmed' );
} );
