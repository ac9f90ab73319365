/**
 * The queue sends `/v1/batch` up to 25 operations at a time by default (MFK_Queue,
 * php/cli/run-queue.php --batch-size). With the sidecar's default concurrency, such a batch for
 * as many doctors must reach Google in one wave: a second wave costs another Google round trip
 * per batch, which kept the backlog benchmark well above the quota floor.
 */
import { startRig, times, type Rig } from '../../support';

const QUEUE_DEFAULT_BATCH = 25;

let rig: Rig;

beforeAll( async () => {
	// Default batch concurrency. A long Google timeout, so no held call times out and is sent
	// again while the test counts; no retries, so the held calls end as soon as Google does.
	rig = await startRig( {
		MFK_GOOGLE_TIMEOUT_MS: '120000',
		MFK_RETRY_BUDGET_MS: '0',
	} );
} );
afterAll( async () => rig.close() );

test( 'a default-sized batch for as many doctors goes to Google at once', async () => {
	const doctors = [];
	for ( let i = 0; i < QUEUE_DEFAULT_BATCH; i++ ) {
		doctors.push( await rig.connect( `wave-${ i }@example.test` ) );
	}
	// Google holds every insert: only what the sidecar sends concurrently can arrive.
	await rig.control( 'POST', '/faults', {
		match: { operation: 'events.insert' },
		action: { type: 'hang' },
		times: 0,
	} );
	await rig.control( 'DELETE', '/counters' );
	const batch = rig
		.call( '/v1/batch', {
			operations: doctors.map( ( d, i ) => ( {
				op: 'ensure',
				id: `op${ i }`,
				siteId: rig.siteId,
				client: rig.client,
				credential: d.credential,
				appointmentId: 7000 + i,
				...times( '2031-10-01T10:00:00Z' ),
			} ) ),
		} )
		.catch( () => undefined );

	// Until Google holds them all (the test's time limit catches a batch that never gets there).
	let received = 0;
	while ( received < QUEUE_DEFAULT_BATCH ) {
		await new Promise( ( r ) => setTimeout( r, 50 ) );
		const { counters } = await rig.control< {
			counters: Record< string, number >;
		} >( 'GET', '/counters' );
		received = counters[ 'events.insert' ] ?? 0;
	}
	expect( received ).toBe( QUEUE_DEFAULT_BATCH );

	// Let the held calls go (closing the emulator ends them) before the rig shuts down.
	await rig.control( 'DELETE', '/faults' );
	await rig.google.close();
	await batch;
} );
