/**
 * The sidecar failing under a clinic's feet: not running when patients book, killed while a
 * request is at Google (during a booking, a reschedule and a runner's batch), restarted
 * (gracefully and by SIGKILL) while the queue works through a backlog, and two replicas behind a
 * round-robin proxy, one of which dies. Each scenario ends with the reconciliation of WordPress
 * against the emulator's calendars.
 */
import { isRunning, query, stopSidecar } from '../harness/testkit';
import {
	mapping,
	MAPPINGS,
	setBackgroundSync,
} from '../integration/support/meet';
import { counters, emulatorConfig, emulatorDefaults } from './support/faults';
import { logMark, problemsSince } from './support/log';
import { settle, spawnRunner, until } from './support/queue';
import { eventsByAppointment } from './support/reconcile';
import { expectReconciled, Scenario } from './support/scenario';
import {
	restoreSidecar,
	roundRobinProxy,
	startReplica,
	tuneSidecar,
} from './support/sidecar';
import {
	bookOne,
	createWorld,
	reschedule,
	setStatus,
	settings,
	type World,
} from './support/world';

const GROUP = 'Sidecar';
let world: World;
let mark = 0;

function doctor( i: number ) {
	return world.doctors[ i % world.doctors.length ]!;
}
function patient( i: number ) {
	return world.patients[ i % world.patients.length ]!;
}

async function inserts(): Promise< number > {
	return ( await counters() )[ 'events.insert' ] ?? 0;
}

async function readyCount( ids: number[] ): Promise< number > {
	const rows = await query< { n: number } >(
		`SELECT COUNT(*) AS n FROM ${ MAPPINGS } WHERE state = 'ready' AND appointment_id IN (${ ids.join( ',' ) })`
	);
	return Number( rows[ 0 ]?.n ?? 0 );
}

beforeAll( async () => {
	mark = logMark();
	await emulatorDefaults();
	await tuneSidecar();
	world = await createWorld( {
		doctors: 3,
		patients: 2,
		syncBudgetMs: 2000,
	} );
	// The queue's runners, killed and replayed, are under test: nothing runs behind their back.
	await setBackgroundSync( false );
}, 120000 );

afterEach( async () => {
	if ( ! isRunning( 'sidecar' ) ) {
		await tuneSidecar(); // A failed scenario may have left it stopped.
	}
	await emulatorDefaults();
	await settings( { sync_budget_ms: 2000 } );
} );

afterAll( async () => {
	await setBackgroundSync( true );
	await settings( { sync_budget_ms: 3000 } );
	await restoreSidecar();
} );

it( 'takes bookings while the sidecar is down and makes every link once it is back', async () => {
	const s = new Scenario(
		'sidecar-down',
		GROUP,
		'Sidecar not running while patients book, reschedule and cancel',
		world
	);
	await stopSidecar();
	s.faults.note();
	try {
		for ( let i = 0; i < 6; i++ ) {
			s.add( await bookOne( world, doctor( i ), patient( i ) ) );
		}
		for ( const id of s.ids.slice( 0, 2 ) ) {
			await reschedule( world, id );
		}
		await setStatus( world, s.ids[ 2 ]!, 0 );
		for ( const id of s.ids ) {
			expect( ( await mapping( id ) )!.state ).toBe( 'pending' );
		}
		expect( ( await mapping( s.ids[ 0 ]! ) )!.last_error_code ).toBe(
			'sidecar_unavailable'
		);
	} finally {
		await tuneSidecar();
	}
	s.add( await bookOne( world, doctor( 0 ), patient( 0 ) ) );
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'Every booking succeeded with its meeting pending (sidecar_unavailable); the cancelled one never reached Google.'
		)
	);
}, 120000 );

it( 'loses nothing when the sidecar is killed while a request is at Google', async () => {
	const s = new Scenario(
		'sidecar-killed',
		GROUP,
		'Sidecar killed (SIGKILL) while Google holds its request: during a booking, a reschedule and a runner batch',
		world
	);
	const d = doctor( 0 );

	// During a booking: Google has the insert, the sidecar dies before answering.
	let before = await inserts();
	await s.faults.add(
		{
			match: { operation: 'events.insert', account: d.email },
			action: { type: 'delay', ms: 1500 },
		},
		{ counted: false }
	);
	const booking = bookOne( world, d, patient( 0 ) );
	await until(
		'the insert to reach Google',
		async () => ( await inserts() ) > before
	);
	await stopSidecar( { signal: 'SIGKILL' } );
	s.faults.note();
	const booked = await booking;
	s.add( booked );
	expect( ( await mapping( booked ) )!.state ).toBe( 'pending' );
	await tuneSidecar();
	// Google finishes the insert the dead sidecar had started.
	await until( 'the orphaned insert to land', async () =>
		( await eventsByAppointment( world ) ).has( booked )
	);

	// During a reschedule.
	const moved = await bookOne( world, d, patient( 1 ) );
	s.add( moved );
	const patches = ( await counters() )[ 'events.patch' ] ?? 0;
	await s.faults.add(
		{
			match: { operation: 'events.patch', account: d.email },
			action: { type: 'delay', ms: 1500 },
		},
		{ counted: false }
	);
	const move = reschedule( world, moved );
	await until(
		'the patch to reach Google',
		async () => ( ( await counters() )[ 'events.patch' ] ?? 0 ) > patches
	);
	await stopSidecar( { signal: 'SIGKILL' } );
	s.faults.note();
	await move;
	await tuneSidecar();

	// During a runner's batch.
	await settings( { sync_budget_ms: 0 } );
	const queued: number[] = [];
	for ( let i = 0; i < 5; i++ ) {
		queued.push( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	s.add( ...queued );
	before = await inserts();
	await s.faults.add(
		{
			match: { operation: 'events.insert' },
			action: { type: 'delay', ms: 1500 },
			times: 5,
		},
		{ counted: false }
	);
	const runner = spawnRunner( [ '--batch-size=5' ] );
	await until(
		'the batch to reach Google',
		async () => ( await inserts() ) > before
	);
	await stopSidecar( { signal: 'SIGKILL' } );
	s.faults.note();
	const ended = await runner.done;
	expect( ended.code ).toBe( 0 );
	expect( ended.stats ).toMatchObject( { lost: 0 } );
	for ( const id of queued ) {
		expect( ( await mapping( id ) )!.state ).toBe( 'pending' );
	}
	await tuneSidecar();

	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'WordPress sees the connection drop (sidecar_unavailable) and keeps the row pending; the replay adopts the event Google created meanwhile (409), so no second event.'
		)
	);
}, 120000 );

it( 'keeps working through a backlog while the sidecar restarts, gracefully and by SIGKILL', async () => {
	const s = new Scenario(
		'sidecar-restart-backlog',
		GROUP,
		'Sidecar restarted twice (SIGTERM, then SIGKILL) while a runner works through a backlog',
		world
	);
	await settings( { sync_budget_ms: 0 } );
	for ( let i = 0; i < 10; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	await emulatorConfig( { latencyMs: 300 } );
	const runner = spawnRunner( [ '--max-seconds=6', '--batch-size=2' ] );
	await until(
		'the first links',
		async () => ( await readyCount( s.ids ) ) >= 2
	);
	await stopSidecar(); // SIGTERM: in-flight requests finish within the grace period.
	s.faults.note();
	await tuneSidecar();
	await until( 'more links', async () => ( await readyCount( s.ids ) ) >= 5 );
	await stopSidecar( { signal: 'SIGKILL' } );
	s.faults.note();
	await tuneSidecar();
	const ended = await runner.done;
	expect( ended.code ).toBe( 0 );
	await emulatorConfig( { latencyMs: 0 } );
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'Batches cut by a restart come back pending (short outage backoff) and are finished by the next passes.'
		)
	);
}, 120000 );

it( 'runs two replicas behind a round-robin proxy, and survives one of them dying', async () => {
	const s = new Scenario(
		'sidecar-two-replicas',
		GROUP,
		'Two sidecar replicas, WordPress alternating between them; one replica killed halfway',
		world
	);
	const one = await startReplica();
	const two = await startReplica();
	await stopSidecar();
	const proxy = await roundRobinProxy( [ one.port, two.port ] );
	try {
		for ( let i = 0; i < 6; i++ ) {
			s.add( await bookOne( world, doctor( i ), patient( i ) ) );
		}
		for ( const id of s.ids.slice( 0, 2 ) ) {
			await reschedule( world, id );
		}
		await setStatus( world, s.ids[ 3 ]!, 0 );
		await setStatus( world, s.ids[ 4 ]!, 0 );

		await settings( { sync_budget_ms: 0 } );
		const queued: number[] = [];
		for ( let i = 0; i < 6; i++ ) {
			queued.push( await bookOne( world, doctor( i ), patient( i ) ) );
		}
		s.add( ...queued );
		const runners = [
			spawnRunner( [ '--batch-size=3' ] ),
			spawnRunner( [ '--batch-size=3' ] ),
		];
		for ( const r of runners ) {
			expect( ( await r.done ).code ).toBe( 0 );
		}
		expect( proxy.counts.every( ( n ) => n > 0 ) ).toBe( true );

		await one.stop( 'SIGKILL' );
		s.faults.note();
		await settings( { sync_budget_ms: 2000 } );
		for ( let i = 0; i < 3; i++ ) {
			s.add( await bookOne( world, doctor( i ), patient( i ) ) );
		}
		await reschedule( world, s.ids[ 0 ]! );
		await settle( s.ids );
		expectReconciled(
			await s.conclude(
				`Connections per replica: ${ proxy.counts.join( ' / ' ) }. Replicas share nothing but the secrets; requests sent to the dead one fail as sidecar_unavailable and go through the other on the next pass.`
			)
		);
	} finally {
		await proxy.close();
		await one.stop();
		await two.stop();
		await tuneSidecar();
	}
}, 120000 );

it( 'left no PHP warning and no database error in the debug log', () => {
	expect( problemsSince( mark ) ).toEqual( [] );
} );
