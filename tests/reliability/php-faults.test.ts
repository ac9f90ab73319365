/**
 * PHP and the database failing: a queue runner and a web request killed (SIGKILL) right after
 * the sidecar answered and before WordPress wrote the result, two requests saving the same
 * appointment at once, several queue runners at once while new intents and Google errors keep
 * arriving, and MariaDB killed and restarted while a runner works through a backlog. Each
 * scenario ends with the reconciliation of WordPress against the emulator's calendars.
 */
import { execFile } from 'node:child_process';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {
	closeTestkit,
	harness,
	instance,
	query,
	startMariadb,
	stopProcess,
	wpJson,
} from '../harness/testkit';
import { ensurePhpServer } from '../harness/wordpress';
import {
	mapping,
	MAPPINGS,
	setBackgroundSync,
} from '../integration/support/meet';
import { emulatorConfig, emulatorDefaults } from './support/faults';
import { excuse, logMark, problemsSince } from './support/log';
import {
	expireLeases,
	settle,
	sleep,
	spawnRunner,
	until,
} from './support/queue';
import { eventsByAppointment } from './support/reconcile';
import { expectReconciled, Scenario } from './support/scenario';
import { restoreSidecar, tuneSidecar } from './support/sidecar';
import {
	bookOne,
	createWorld,
	reschedule,
	setStatus,
	settings,
	type World,
} from './support/world';

const GROUP = 'PHP and database';
let world: World;
let mark = 0;

const content = () => path.join( harness().docroot, 'wp-content' );
const muPlugin = () =>
	path.join( content(), 'mu-plugins', 'mfk-rel-crash-after-sidecar.php' );
const planFile = () => path.join( content(), 'mfk-rel-crash-plan.json' );
const answerFile = () => path.join( content(), 'mfk-rel-crash-answer.json' );

function planCrash( route: string ): void {
	rmSync( answerFile(), { force: true } );
	rmSync( `${ planFile() }.taken`, { force: true } );
	writeFileSync( planFile(), JSON.stringify( { route } ) );
}

function crashAnswer(): any {
	return JSON.parse( readFileSync( answerFile(), 'utf8' ) );
}

function doctor( i: number ) {
	return world.doctors[ i % world.doctors.length ]!;
}
function patient( i: number ) {
	return world.patients[ i % world.patients.length ]!;
}

async function insertAnswers(): Promise< Record< string, number > > {
	const res = await fetch( `${ harness().emulatorUrl }/__emulator/counters` );
	const body = ( await res.json() ) as {
		statuses: Record< string, Record< string, number > >;
	};
	return body.statuses[ 'events.insert' ] ?? {};
}

beforeAll( async () => {
	mark = logMark();
	mkdirSync( path.dirname( muPlugin() ), { recursive: true } );
	copyFileSync(
		path.join( __dirname, 'support', 'crash-after-sidecar.php' ),
		muPlugin()
	);
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
	rmSync( planFile(), { force: true } );
	await emulatorDefaults();
	await settings( { sync_budget_ms: 2000 } );
} );

afterAll( async () => {
	await setBackgroundSync( true );
	for ( const file of [
		muPlugin(),
		planFile(),
		`${ planFile() }.taken`,
		answerFile(),
	] ) {
		rmSync( file, { force: true } );
	}
	await settings( { sync_budget_ms: 3000 } );
	await restoreSidecar();
} );

it( 'a queue runner killed after Google created the events: the replay adopts them', async () => {
	const s = new Scenario(
		'php-runner-killed',
		GROUP,
		'Queue runner killed (SIGKILL) after the sidecar answered a batch, before the database write',
		world
	);
	await settings( { sync_budget_ms: 0 } );
	for ( let i = 0; i < 5; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	const before = await insertAnswers();
	planCrash( '/v1/batch' );
	const runner = spawnRunner( [ '--batch-size=5' ] );
	const ended = await runner.done;
	expect( ended.signal ).toBe( 'SIGKILL' );
	s.faults.note();
	const answer = crashAnswer();
	const links = new Map< number, string >();
	for ( const r of answer.results as Array< {
		id: string;
		ok: boolean;
		result: { meetUrl: string };
	} > ) {
		expect( r.ok ).toBe( true );
		links.set( r.id as unknown as number, r.result.meetUrl );
	}
	// Google has the events; WordPress knows nothing of them yet, and the rows are still leased.
	const events = await eventsByAppointment( world );
	for ( const id of s.ids ) {
		expect(
			events.get( id )?.filter( ( e ) => e.status === 'confirmed' )
		).toHaveLength( 1 );
		expect( await mapping( id ) ).toMatchObject( {
			state: 'pending',
			url: '',
		} );
		expect( ( await mapping( id ) )!.lease_token ).not.toBeNull();
	}
	expect( await expireLeases( s.ids ) ).toBe( 5 );
	await settle( s.ids );
	const after = await insertAnswers();
	// One creation per appointment; the replay's inserts were answered 409 and adopted.
	expect( ( after[ '200' ] ?? 0 ) - ( before[ '200' ] ?? 0 ) ).toBe( 5 );
	expect( ( after[ '409' ] ?? 0 ) - ( before[ '409' ] ?? 0 ) ).toBe( 5 );
	const rows = await query< {
		id: number;
		appointment_id: number;
		url: string;
	} >(
		`SELECT id, appointment_id, url FROM ${ MAPPINGS } WHERE appointment_id IN (${ s.ids.join( ',' ) })`
	);
	for ( const row of rows ) {
		expect( row.url ).toBe(
			links.get( String( row.id ) as unknown as number )
		);
	}
	expectReconciled(
		await s.conclude(
			'The dead runner\u2019s leases run out; the replay gets 409 from Google for each event id and adopts the event with its link.'
		)
	);
}, 120000 );

it( 'a web request killed after the sidecar moved the event: the replay adopts the moved event', async () => {
	const s = new Scenario(
		'php-request-killed',
		GROUP,
		'Web request killed (SIGKILL) after the sidecar answered the end-of-request sync of a reschedule',
		world
	);
	for ( let i = 0; i < 3; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	const id = s.ids[ 0 ]!;
	const link = ( await mapping( id ) )!.url;
	planCrash( '/v1/meetings/ensure' );
	// The answer may or may not reach the browser before the process dies (PHP's built-in
	// server streams it); what matters is what happens to the meeting.
	await reschedule( world, id ).catch( () => undefined );
	s.faults.note();
	expect( existsSync( answerFile() ) ).toBe( true );
	try {
		// KiviCare committed the new time before the crash; Google has the event at that time.
		const row = await mapping( id );
		expect( row ).toMatchObject( { state: 'pending', url: link } );
		expect( row!.lease_token ).not.toBeNull();
	} finally {
		// A killed worker of PHP's built-in server is not replaced: restart the server (only it:
		// the emulator's state must survive).
		await stopProcess( 'wordpress' );
		await ensurePhpServer( instance() );
	}
	await reschedule( world, s.ids[ 1 ]! );
	expect( await expireLeases( [ id ] ) ).toBe( 1 );
	await settle( s.ids );
	expect( ( await mapping( id ) )!.url ).toBe( link );
	expectReconciled(
		await s.conclude(
			'The new time is in KiviCare and at Google, not yet in the row; the replay finds the event already in line and keeps its link.'
		)
	);
}, 120000 );

it( 'two requests saving the same appointment at once end with one event at the time that won', async () => {
	const s = new Scenario(
		'php-concurrent-saves',
		GROUP,
		'Two requests saving the same appointment at once (different times, or a move and a cancellation), with a runner alongside',
		world
	);
	for ( let i = 0; i < 6; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	const runner = spawnRunner( [ '--max-seconds=4' ] );
	s.faults.note( s.ids.length ); // One conflicting pair of saves per appointment.
	await Promise.all(
		s.ids.map( ( id, i ) =>
			i < 4
				? Promise.all( [
						reschedule( world, id ),
						reschedule( world, id ),
					] )
				: Promise.all( [
						reschedule( world, id ),
						setStatus( world, id, 0 ),
					] )
		)
	);
	await runner.done;
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'KiviCare serialises the saves; each request records its intent from the committed row at its end, so the later one wins and the event follows it.'
		)
	);
}, 120000 );

it( 'several queue runners at once, while intents and Google errors keep coming', async () => {
	const s = new Scenario(
		'php-concurrent-runners',
		GROUP,
		'Three queue runners at once over a backlog, with new bookings, moves and cancellations arriving and 15% of Google calls failing',
		world
	);
	await settings( { sync_budget_ms: 0 } );
	for ( let i = 0; i < 16; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	// One call per change leaves only about a dozen Google calls in this scenario: the first
	// three fail for certain, so the runners always meet errors, then more at random.
	await s.faults.add( {
		match: { operation: 'events.*' },
		action: { type: 'error', status: 503 },
		times: 3,
	} );
	await s.faults.add( {
		match: { operation: 'events.*' },
		action: { type: 'error', status: 503 },
		times: 0,
		probability: 0.15,
	} );
	await s.faults.add( {
		match: { operation: 'events.insert' },
		action: { type: 'error', status: 503 },
		times: 0,
		probability: 0.05,
		when: 'after',
	} );
	const runners = [ 1, 2, 3 ].map( () =>
		spawnRunner( [ '--max-seconds=4', '--batch-size=3' ] )
	);
	for ( const id of s.ids.slice( 0, 4 ) ) {
		await reschedule( world, id );
	}
	for ( const id of s.ids.slice( 4, 7 ) ) {
		await setStatus( world, id, 0 );
	}
	for ( let i = 0; i < 4; i++ ) {
		s.add( await bookOne( world, doctor( i ), patient( i ) ) );
	}
	const results = await Promise.all( runners.map( ( r ) => r.done ) );
	for ( const r of results ) {
		expect( r.code ).toBe( 0 );
		expect( r.stats ).toMatchObject( { lost: 0 } );
	}
	await s.faults.clear();
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			`Runners claimed ${ results.map( ( r ) => r.stats?.claimed ?? 0 ).join( ' + ' ) } rows; a row is claimed by one runner at a time and a result only lands while the lease is held.`
		)
	);
}, 120000 );

it( 'MariaDB killed and restarted while a runner works through a backlog', async () => {
	const s = new Scenario(
		'php-mariadb-restart',
		GROUP,
		'MariaDB killed (SIGKILL) and restarted while a runner works through a backlog',
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
		async () =>
			Number(
				(
					await query< { n: number } >(
						`SELECT COUNT(*) AS n FROM ${ MAPPINGS } WHERE state = 'ready' AND appointment_id IN (${ s.ids.join( ',' ) })`
					)
				)[ 0 ]!.n
			) >= 2
	);
	const outage = logMark();
	await stopProcess( 'mariadb', { signal: 'SIGKILL' } );
	s.faults.note();
	await closeTestkit(); // The pool's connections died with the server.
	await sleep( 1000 );
	await startMariadb();
	await runner.done; // It may end early: the database went away under it.
	excuse( outage, logMark() ); // What the runner logged while the server was gone.
	await emulatorConfig( { latencyMs: 0 } );
	// Rows whose write was lost are still leased by the runner: their lease runs out.
	await expireLeases( s.ids );
	await settle( s.ids );
	expectReconciled(
		await s.conclude(
			'Writes lost with the server leave rows leased or pending; after the restart the replay adopts what Google already made.'
		)
	);
}, 120000 );

it( 'runners claiming and requests saving the same rows at once never deadlock and never share a row', async () => {
	await wpJson(
		`global $wpdb;
		$t = MFK_Schema::table();
		$wpdb->query( "DELETE FROM \`$t\` WHERE calendar_id = 'stress'" );
		for ( $i = 0; $i < 200; $i++ ) {
			$now = gmdate( 'Y-m-d H:i:s' );
			$wpdb->insert( $t, array(
				'appointment_id' => 2000000000 + $i, 'event_id' => "stress$i", 'url' => '', 'password' => '', 'event_url' => '',
				'created_at' => $now, 'updated_at' => $now, 'state' => 'pending', 'desired' => 'active', 'calendar_id' => 'stress',
				'doctor_id' => 1, 'intent_seq' => 1, 'intent_at' => $now, 'timezone' => 'UTC',
				'next_attempt_at' => gmdate( 'Y-m-d H:i:s', time() - random_int( 0, 100 ) ),
				'start_utc' => gmdate( 'Y-m-d H:i:s', time() + DAY_IN_SECONDS ), 'end_utc' => gmdate( 'Y-m-d H:i:s', time() + DAY_IN_SECONDS + 1800 ),
			) );
		}
		return true;`
	);
	const from = logMark();
	try {
		const reports = await Promise.all(
			[ 'claim', 'claim', 'claim', 'save', 'save', 'save' ].map(
				( mode ) =>
					new Promise< {
						mode: string;
						operations: number;
						lost: number;
						failed: number;
					} >( ( resolve, reject ) =>
						execFile(
							'php',
							[
								path.join(
									__dirname,
									'support',
									'claim-stress.php'
								),
								harness().docroot,
								mode,
								'8',
							],
							{ timeout: 60000 },
							( error, stdout ) =>
								error
									? reject( error )
									: resolve(
											JSON.parse(
												stdout
													.trim()
													.split( '\n' )
													.pop()!
											)
										)
						)
					)
			)
		);
		const sum = ( key: 'operations' | 'lost' | 'failed', mode: string ) =>
			reports
				.filter( ( r ) => r.mode === mode )
				.reduce( ( n, r ) => n + r[ key ], 0 );
		expect( sum( 'operations', 'claim' ) ).toBeGreaterThan( 100 );
		expect( sum( 'operations', 'save' ) ).toBeGreaterThan( 100 );
		expect( {
			lost: sum( 'lost', 'claim' ),
			failedClaims: sum( 'failed', 'claim' ),
			failedSaves: sum( 'failed', 'save' ),
		} ).toEqual( { lost: 0, failedClaims: 0, failedSaves: 0 } );
		expect(
			problemsSince( from ).filter( ( p ) => /Deadlock/.test( p ) )
		).toEqual( [] );
	} finally {
		await query(
			"DELETE FROM wp_kc_appointment_google_meet_mappings WHERE calendar_id = 'stress'"
		);
	}
}, 120000 );

it( 'left no PHP warning and no database error in the debug log', () => {
	expect( problemsSince( mark ) ).toEqual( [] );
} );
