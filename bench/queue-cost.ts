/**
 * Deterministic cost of the queue's batch path (no timing): SQL queries per appointment, grouped
 * by shape, and the PHP process's CPU time (getrusage), for one queue run that works through a
 * backlog recorded by MFK_Backfill (bench/php/backlog.php), as `php php/cli/run-queue.php
 * --batch-size=25` does. Uses the benchmark's own `bench` instance (its sidecar run by the
 * harness) and keeps it running between calls, so a change of PHP code can be measured again at
 * once:
 *
 *   npx tsx bench/queue-cost.ts setup          # fresh instance, 4 connected doctors
 *   npx tsx bench/queue-cost.ts [count=100]    # seed `count` appointments, measure one run
 *   npx tsx bench/queue-cost.ts down           # stop the instance
 *
 * TRACE=<regex> lists who sent the queries matching it (call chains); WITHOUT=hook:Class:method,…
 * leaves those callbacks out, to see their share. The instance is `npm run bench`'s: never run
 * both at once.
 */
import { BENCH_INSTANCE } from './lib/env';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_PHP, buildWorld, php, type World } from './lib/world';
import { createThrowawayInstance, down, up } from '../tests/harness/instance';
import { getInstance } from '../tests/harness/instances';
import { emulatorControl } from './lib/google';

interface Cost {
	queries: number;
	cpuMs: number;
	stats: Record< string, number >;
	shapes: Record< string, number >;
	callers: Record< string, number >;
}

async function main(): Promise< void > {
	const what = process.argv[ 2 ] ?? '100';
	if ( what === 'setup' ) {
		const instance = await createThrowawayInstance( BENCH_INSTANCE, {
			plugin: true,
			standIn: true,
			googleServices: true,
			disableWpCron: true,
			autoLogin: false,
		} );
		await up( instance );
		// The benchmark's switches (bench/lib/world.ts): e-mails composed, not handed to the sink.
		const muPlugins = path.join(
			instance.paths.docroot,
			'wp-content',
			'mu-plugins'
		);
		mkdirSync( muPlugins, { recursive: true } );
		writeFileSync(
			path.join( muPlugins, 'mfk-bench.php' ),
			`<?php\nrequire ${ JSON.stringify(
				path.join( BENCH_PHP, 'bench-hooks.php' )
			) };\n`
		);
		const world = await buildWorld( instance, 4 );
		writeFileSync(
			path.join( instance.dir, 'queue-cost-world.json' ),
			JSON.stringify( {
				...world,
				instance: undefined,
				google: undefined,
			} )
		);
		console.log(
			`bench instance ready, ${ world.doctors.length } doctors`
		);
		return;
	}
	const instance = getInstance( BENCH_INSTANCE );
	if ( what === 'down' ) {
		await down( instance );
		return;
	}
	const file = path.join( instance.dir, 'queue-cost-world.json' );
	if ( ! existsSync( file ) ) {
		throw new Error( 'run `npx tsx bench/queue-cost.ts setup` first' );
	}
	await up( instance );
	const world: World = {
		...( JSON.parse( readFileSync( file, 'utf8' ) ) as Omit<
			World,
			'instance' | 'google'
		> ),
		instance,
		google: emulatorControl( instance.urls.emulator ),
	};
	await world.google.config( {
		latencyMs: 0,
		latencyJitterMs: 0,
		conferenceDelayMs: 0,
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} );
	const count = Number( what );
	// Each call books further ahead, past the previous calls' appointments.
	const runs = Number(
		await php(
			world,
			`return (int) get_option( 'mfk_bench_cost_runs', 0 );`
		)
	);
	await php(
		world,
		`update_option( 'mfk_bench_cost_runs', $args + 1, false ); return true;`,
		runs
	);
	const seed = await php< { count: number; recorded: number } >(
		world,
		`require_once $args['file']; return mfk_bench_seed_backlog( $args );`,
		{
			file: path.join( BENCH_PHP, 'backlog.php' ),
			count,
			doctors: world.doctors.map( ( d ) => ( {
				id: d.id,
				telemedService: d.telemedService,
			} ) ),
			patient: world.patient.id,
			clinic: world.clinicId,
			firstDay: 200 + runs * 30,
			zone: 'Europe/Berlin',
		}
	);
	if ( seed.recorded !== count ) {
		throw new Error( `seeding: ${ JSON.stringify( seed ) }` );
	}
	const cost = await php< Cost >(
		world,
		`require_once $args['file']; return mfk_bench_queue_cost( $args );`,
		{
			file: path.join( BENCH_PHP, 'queue-cost.php' ),
			batchSize: 25,
			top: 40,
			trace: process.env.TRACE ?? '',
			without: process.env.WITHOUT
				? process.env.WITHOUT.split( ',' ).map( ( h ) =>
						h.split( ':' )
					)
				: [],
		}
	);
	console.log(
		JSON.stringify(
			{
				count,
				queries: cost.queries,
				queriesPerAppointment:
					Math.round( ( cost.queries / count ) * 100 ) / 100,
				cpuMs: cost.cpuMs,
				cpuPerAppointmentMs:
					Math.round( ( cost.cpuMs / count ) * 100 ) / 100,
				stats: cost.stats,
			},
			null,
			1
		)
	);
	for ( const [ shape, n ] of Object.entries( cost.shapes ) ) {
		console.log( String( n ).padStart( 6 ), shape );
	}
	for ( const [ chain, n ] of Object.entries( cost.callers ?? {} ) ) {
		console.log( String( n ).padStart( 6 ), chain );
	}
}

main().then(
	() => process.exit( 0 ),
	( e ) => {
		console.error( e );
		process.exit( 1 );
	}
);
