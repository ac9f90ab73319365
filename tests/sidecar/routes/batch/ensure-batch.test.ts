/**
 * `/v1/batch` with several ensures of one doctor (a backfill, the resync after a reconnect): their
 * first calls reach Google through its batch endpoint (insert-first for new events, a conditional
 * patch for known ones), each failed part is retried on its own, a 409 adopts the event, and each
 * answer is the single route's.
 */
import { eventIdFor } from '../../../../src/sidecar/meetings/event-id';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;
let doctor: { credential: string; email: string };

beforeAll( async () => {
	rig = await startRig( { MFK_RETRY_BUDGET_MS: '10000' } );
	doctor = await rig.connect( 'backfill@example.test' );
} );
afterAll( async () => rig.close() );

type Over = Record< string, unknown >;
const slot = ( appointmentId: number, hour = 10 ) =>
	times(
		`2031-11-0${ 1 + ( appointmentId % 9 ) }T${ String( hour ).padStart(
			2,
			'0'
		) }:00:00Z`
	);
const body = ( appointmentId: number, over: Over = {} ) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
	appointmentId,
	...slot( appointmentId ),
	waitMs: 10000,
	...over,
} );
const counters = async () =>
	(
		await rig.control< { counters: Record< string, number > } >(
			'GET',
			'/counters'
		)
	).counters;
const events = async () =>
	(
		await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ encodeURIComponent( doctor.email ) }/events`
		)
	).items;

test( 'ensures go in batch requests; parts fail one by one; 409 adopts; answers as the single route', async () => {
	// 605 exists already (an earlier attempt): its insert is answered 409 and the event adopted,
	// at the new time. 606 is known to WordPress: a conditional patch.
	const earlier = await rig.call( '/v1/meetings/ensure', body( 605 ) );
	expect( earlier.status ).toBe( 200 );
	const known = await rig.call( '/v1/meetings/ensure', body( 606 ) );
	expect( known.status ).toBe( 200 );

	// Four inserts fail once each, each in its own way; the 400 for good.
	const fail = ( action: Record< string, unknown > ) =>
		rig.control( 'POST', '/faults', {
			match: { operation: 'events.insert' },
			action,
			times: 1,
		} );
	await fail( { type: 'error', status: 503 } );
	await fail( { type: 'error', status: 429, reason: 'rateLimitExceeded' } );
	await fail( {
		type: 'error',
		status: 403,
		reason: 'userRateLimitExceeded',
	} );
	await fail( { type: 'error', status: 400, reason: 'invalid' } );
	await rig.control( 'DELETE', '/counters' );
	const metrics = rig.context.metrics.googleCalls;
	const batches = metrics.get( { method: 'batch', outcome: 'ok' } );
	const singleInserts = metrics.get( {
		method: 'events.insert',
		outcome: 'ok',
	} );

	const operations = [
		body( 601 ),
		body( 602 ),
		body( 603 ),
		body( 604 ),
		body( 605, slot( 605, 15 ) ),
		body( 606, {
			...slot( 606, 16 ),
			known: {
				eventId: known.body.eventId,
				etag: known.body.etag,
				revision: known.body.revision,
				start: known.body.start,
				end: known.body.end,
			},
		} ),
		body( 607 ),
	].map( ( b ) => ( { op: 'ensure', id: `e${ b.appointmentId }`, ...b } ) );
	const answer = await rig.call( '/v1/batch', {
		operations,
		budgetMs: 10000,
	} );
	expect( answer.status ).toBe( 200 );
	const results: Array< {
		id: string;
		ok: boolean;
		result?: any;
		error?: { code: string };
	} > = answer.body.results;
	expect( results.map( ( r ) => r.id ) ).toEqual(
		operations.map( ( o ) => o.id )
	);

	const stored = await events();
	const eventOf = ( id: number ) =>
		stored.filter( ( e ) => e.id === eventIdFor( rig.siteId, id ) );
	// The emulator answers a batch's parts concurrently: which of the four new operations met
	// the 400 is not fixed, but exactly one did, and only that one.
	const firstFour = results.slice( 0, 4 );
	const refused = firstFour.filter( ( r ) => ! r.ok );
	expect( refused ).toHaveLength( 1 );
	const refusedId = Number( refused[ 0 ]?.id.slice( 1 ) );
	const single400 = refused[ 0 ]?.error?.code;
	expect( single400 ).toEqual( expect.any( String ) );
	expect( eventOf( refusedId ) ).toHaveLength( 0 );
	for ( const r of [ ...firstFour, results[ 6 ] ] ) {
		if ( ! r?.ok ) {
			continue;
		}
		const id = Number( r.id.slice( 1 ) );
		const [ event, ...more ] = eventOf( id );
		expect( more ).toHaveLength( 0 );
		expect( r ).toMatchObject( {
			ok: true,
			result: {
				eventId: eventIdFor( rig.siteId, id ),
				status: 'ready',
				created: true,
				meetUrl: event.hangoutLink,
				etag: event.etag,
			},
		} );
	}
	expect( results[ 6 ]?.ok ).toBe( true );
	// Adopted: same event, same link, moved to the appointment's time.
	expect( results[ 4 ] ).toMatchObject( {
		ok: true,
		result: {
			created: false,
			meetUrl: earlier.body.meetUrl,
			start: { dateTime: slot( 605, 15 ).start.dateTime },
		},
	} );
	// Known: patched over its etag, same link.
	expect( results[ 5 ] ).toMatchObject( {
		ok: true,
		result: {
			meetUrl: known.body.meetUrl,
			start: { dateTime: slot( 606, 16 ).start.dateTime },
		},
	} );
	expect( results[ 5 ]?.result.etag ).not.toBe( known.body.etag );

	// Through batch requests: no insert was sent on its own; one insert per new operation, one
	// more for each of the three parts that failed and were retried, one for the 409.
	expect(
		metrics.get( { method: 'batch', outcome: 'ok' } ) - batches
	).toBeGreaterThanOrEqual( 2 );
	expect( metrics.get( { method: 'events.insert', outcome: 'ok' } ) ).toBe(
		singleInserts
	);
	const counted = await counters();
	expect( counted[ 'events.insert' ] ).toBe( 6 + 3 );
	// The adoption reads the event once and moves it; the known event is patched once.
	expect( counted[ 'events.get' ] ).toBe( 1 );
	expect( counted[ 'events.patch' ] ).toBe( 2 );
	const faults = await rig.control< { faults: { hits: number }[] } >(
		'GET',
		'/faults'
	);
	expect( faults.faults.every( ( f ) => f.hits === 1 ) ).toBe( true );

	// The same operation on the single route answers the same error code.
	await rig.control( 'POST', '/faults', {
		match: { operation: 'events.insert' },
		action: { type: 'error', status: 400, reason: 'invalid' },
		times: 1,
	} );
	const alone = await rig.call( '/v1/meetings/ensure', body( refusedId ) );
	expect( alone.body.code ?? alone.body.error?.code ).toBe( single400 );
} );

test( 'a single ensure of a doctor is not batched', async () => {
	const metrics = rig.context.metrics.googleCalls;
	const batches = metrics.get( { method: 'batch', outcome: 'ok' } );
	const answer = await rig.call( '/v1/batch', {
		operations: [ { op: 'ensure', id: 'one', ...body( 611 ) } ],
	} );
	expect( answer.body.results[ 0 ] ).toMatchObject( {
		ok: true,
		result: { created: true, status: 'ready' },
	} );
	expect( metrics.get( { method: 'batch', outcome: 'ok' } ) ).toBe( batches );
} );
