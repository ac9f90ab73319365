/**
 * The benchmark suite: every figure of docs/PERFORMANCE.md measured side by side in one run, on
 * this machine, offline. Prints the table (target, result, baseline, ratio, met or missed with
 * the reason), writes bench/results/latest.json (plus a timestamped copy, not committed) and the
 * table and the scaling runs into docs/PERFORMANCE.md between their markers.
 *
 *   npm run bench                                   everything (builds first)
 *   npm run bench -- --only booking,queue-tick      some figures (their rows replace the same rows of
 *                                                   latest.json and of the docs' table, which says so)
 *   npm run bench -- --quick                        smaller samples, to try the suite out
 *   npm run bench -- --no-build --keep              skip the builds / keep the bench instance afterwards
 *
 * Figures (for --only): frontend-weight, sidecar-startup (cold start and memory),
 * sidecar-overhead, booking (default path at three latencies, sync, vs PHP-only), meet-mail,
 * burst (and burst-sidecar-killed), recovery, backlog (and backlog-2-sidecars), scaling, queue-tick,
 * google-calls, meet-privacy (meet-privacy-booking, -attendance, -report), calendar-sync,
 * busy-times (busy-times-cached, busy-times-uncached, busy-times-burst),
 * hosted (hosted-fairness, hosted-quiet-booking, hosted-replay-overhead).
 * The WordPress figures run on a throwaway harness instance named `bench` with its own ports,
 * created fresh and removed at the end (never the `test` or `dev` instances).
 */
import './lib/env';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { closeTestkit, query } from '../tests/harness/testkit';
import {
	BACKLOG_TARGET,
	backlogFigure,
	runBacklog,
	type BacklogOptions,
	type BacklogResult,
} from './backlog';
import { bookingFigures, measureBooking } from './booking';
import { frontendFigure, measureFrontend } from './frontend-weight';
import {
	burstFigure,
	measureBurst,
	measureMeetMail,
	meetMailFigure,
} from './meet-mail';
import { load, ROOT } from './lib/procs';
import { verdict, textTable, type Figure } from './lib/report';
import { formatJson, publish, RESULTS, type BenchResult } from './lib/results';
import { round } from './lib/stats';
import {
	benchInstance,
	buildWorld,
	destroyBenchInstance,
	Sidecars,
	type World,
} from './lib/world';
import { hostedFigures, runHosted } from './hosted';
import { tickFigure, measureTick } from './queue-tick';
import { busyTimesFigures, measureBusyTimes } from './busy-times';
import { googleCallsFigure, measureGoogleCalls } from './google-calls';
import { measureMeetPrivacy, meetPrivacyFigures } from './meet-privacy';
import { calendarSyncFigure, measureCalendarSync } from './calendar-sync';
import { measureRecovery, recoveryFigure } from './recovery';
import { overheadFigure, measureOverhead } from './sidecar-overhead';
import { measureStartup, startupFigures } from './sidecar-startup';

type Group =
	| 'frontend-weight'
	| 'sidecar-startup'
	| 'sidecar-overhead'
	| 'booking'
	| 'meet-mail'
	| 'burst'
	| 'recovery'
	| 'backlog'
	| 'scaling'
	| 'queue-tick'
	| 'google-calls'
	| 'meet-privacy'
	| 'calendar-sync'
	| 'busy-times'
	| 'hosted';

const argv = process.argv.slice( 2 );
const flag = ( name: string ) => argv.includes( `--${ name }` );
const onlyAt = argv.indexOf( '--only' );
const only =
	onlyAt >= 0
		? new Set( ( argv[ onlyAt + 1 ] ?? '' ).split( ',' ).filter( Boolean ) )
		: null;
const quick = flag( 'quick' );
const selected = ( g: Group ) =>
	! only ||
	only.has( g ) ||
	// Row ids select their group too.
	( g === 'sidecar-startup' &&
		( only.has( 'sidecar-cold-start' ) ||
			only.has( 'sidecar-memory' ) ) ) ||
	( g === 'booking' &&
		[ ...only ].some( ( id ) => id.startsWith( 'booking' ) ) ) ||
	( g === 'burst' && only.has( 'burst-sidecar-killed' ) ) ||
	( g === 'backlog' && only.has( 'backlog-2-sidecars' ) ) ||
	( g === 'hosted' &&
		[ ...only ].some( ( id ) => id.startsWith( 'hosted' ) ) ) ||
	( g === 'meet-privacy' &&
		[ ...only ].some( ( id ) => id.startsWith( 'meet-privacy' ) ) );

const log = ( message: string ) =>
	process.stderr.write( `[bench] ${ message }\n` );

const TWO_SIDECARS = '4 runners, 2 sidecars behind a balancer';

/** Scaling runs besides the main backlog figure (same backlog, other runner/replica/quota settings). */
const SCALING: Array< { label: string; options: Partial< BacklogOptions > } > =
	[
		{ label: '1 runner, 1 sidecar', options: { runners: 1, replicas: 1 } },
		{ label: TWO_SIDECARS, options: { runners: 4, replicas: 2 } },
		{
			label: '4 runners, 1 sidecar, no project quota',
			options: { runners: 4, replicas: 1, perProjectPerMinute: null },
		},
		{
			label: '4 runners, 2 sidecars, no project quota',
			options: { runners: 4, replicas: 2, perProjectPerMinute: null },
		},
	];

function build(): number {
	const started = Date.now();
	for ( const script of [ 'build:sidecar', 'build:blocks' ] ) {
		log( `npm run ${ script }` );
		const r = spawnSync( 'npm', [ 'run', script ], {
			cwd: ROOT,
			encoding: 'utf8',
		} );
		if ( r.status !== 0 ) {
			throw new Error(
				`npm run ${ script } failed:\n${ r.stdout }\n${ r.stderr }`
			);
		}
	}
	return Date.now() - started;
}

function notMeasured(
	id: string,
	figure: string,
	target: string,
	error: unknown
): Figure {
	const message = error instanceof Error ? error.message : String( error );
	log( `${ figure }: ${ error instanceof Error ? error.stack : message }` );
	return {
		id,
		figure,
		how: '',
		command: `npm run bench -- --only ${ id }`,
		target,
		result: '—',
		baseline: '—',
		ratio: null,
		met: null,
		reason: `the run failed: ${ message.split( '\n' )[ 0 ] }`,
		details: {},
	};
}

function scalingTable(
	runs: Array< { label: string; result: BacklogResult; load?: number[] } >
): string {
	const rows = runs.map( ( { label, result: r, load: l } ) => {
		const refused = `${ r.refused } (${ r.refusedPercent } %)`;
		const cpu = r.cpuPerAppointmentMs;
		const ratio = Number.isFinite( r.ratio )
			? `${ r.ratio.toFixed( 2 ) }×`
			: '—';
		return `| ${ label } | ${ r.options.perProjectPerMinute === null ? 'none' : `${ r.options.perProjectPerMinute.toLocaleString( 'en' ) }/min` } | ${ r.seconds } s | ${ r.perSecond }/s | ${ r.floorSeconds } s | ${ ratio } | ${ refused } | ${ cpu.php } / ${ cpu.sidecar } / ${ cpu.mariadb } / ${ cpu.emulator } | ${ r.duplicates } / ${ r.missing } | ${ l?.[ 0 ] ?? '' } |`;
	} );
	return [
		`Each run: ${ runs[ 0 ]?.result.options.count.toLocaleString( 'en' ) } appointments over ${ runs[ 0 ]?.result.options.doctors } doctors, emulator latency ${ runs[ 0 ]?.result.options.latencyMs } ms, 600/min per user; batches of ${ runs[ 0 ]?.result.options.batchSize }.`,
		'',
		'| runners and sidecars | project quota | time | throughput | quota floor | ratio | refused by Google (429/403, % of calls) | CPU ms per appointment: PHP / sidecar / MariaDB / emulator | duplicates / missing | load average |',
		'|---|---|---:|---:|---:|---:|---:|---|---|---:|',
		...rows,
	].join( '\n' );
}

async function main(): Promise< void > {
	const startedAt = new Date();
	const t0 = Date.now();
	const loads: Record< string, number[] > = { start: load() };
	log(
		`load average at start: ${ loads.start!.join( ', ' ) } (${ cpus().length } CPUs)`
	);
	if ( ( loads.start![ 0 ] ?? 0 ) > cpus().length * 0.75 ) {
		log(
			'the machine is busy: absolute figures will be slower than on an idle machine'
		);
	}
	const buildMs = flag( 'no-build' ) ? 0 : build();
	const figures: Figure[] = [];
	const details: Record< string, unknown > = {};
	const scaling: Array< {
		label: string;
		result: BacklogResult;
		load?: number[];
	} > = [];

	if ( selected( 'frontend-weight' ) ) {
		try {
			figures.push( frontendFigure( measureFrontend() ) );
		} catch ( e ) {
			figures.push(
				notMeasured(
					'frontend-weight',
					'front-end weight',
					'≤ 2 KB / ≤ 30 KB',
					e
				)
			);
		}
	}
	if ( selected( 'sidecar-startup' ) ) {
		log( 'sidecar cold start and memory' );
		loads[ 'sidecar-startup' ] = load();
		try {
			figures.push(
				...startupFigures(
					await measureStartup( {
						runs: quick ? 5 : 15,
						calls: quick ? 2000 : 10000,
					} )
				)
			);
		} catch ( e ) {
			figures.push(
				notMeasured(
					'sidecar-cold-start',
					'sidecar cold start',
					'≤ 250 ms median',
					e
				)
			);
			figures.push(
				notMeasured(
					'sidecar-memory',
					'sidecar idle memory',
					'≤ 70 MB after start; after 30k calls ≤ 1.1× after 10k and ≤ 90 MiB',
					e
				)
			);
		}
	}
	if ( selected( 'sidecar-overhead' ) ) {
		log( 'sidecar overhead per ensure' );
		loads[ 'sidecar-overhead' ] = load();
		try {
			figures.push(
				overheadFigure(
					await measureOverhead(
						quick ? 200 : 1000,
						quick ? 50 : 200
					)
				)
			);
		} catch ( e ) {
			figures.push(
				notMeasured(
					'sidecar-overhead',
					'sidecar overhead per ensure',
					'≤ 1 ms p50, ≤ 3 ms p99',
					e
				)
			);
		}
	}

	const needsWordPress = (
		[
			'booking',
			'meet-mail',
			'burst',
			'recovery',
			'backlog',
			'scaling',
			'queue-tick',
			'google-calls',
			'meet-privacy',
			'calendar-sync',
			'busy-times',
			'hosted',
		] as const
	 ).some( selected );
	let world: World | undefined;
	let sidecars: Sidecars | undefined;
	let versions: Record< string, string > = {};
	if ( needsWordPress ) {
		log(
			'bench instance: MariaDB, WordPress, KiviCare stand-in, emulator; 40 connected doctors'
		);
		const instance = await benchInstance();
		try {
			sidecars = new Sidecars( instance );
			await sidecars.start( 1 );
			world = await buildWorld( instance, 40 );
			versions = {
				php: execFileSync( 'php', [ '-r', 'echo PHP_VERSION;' ], {
					encoding: 'utf8',
				} ),
				mariadb: String(
					(
						await query< { v: string } >( 'SELECT VERSION() AS v' )
					)[ 0 ]?.v
				),
			};

			if ( selected( 'booking' ) ) {
				log(
					'booking overhead (default path at three latencies, sync, PHP-only)'
				);
				loads.booking = load();
				try {
					figures.push(
						...bookingFigures(
							await measureBooking(
								world,
								quick ? 8 : 40,
								quick ? 2 : 3
							)
						)
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'booking-default',
							'booking overhead, default path',
							'added ≤ 10 ms p50 at L = 0, 250 and 1000 ms',
							e
						)
					);
				}
			}
			if ( selected( 'meet-mail' ) ) {
				log( "KiviCare's Meet e-mail after a booking" );
				loads[ 'meet-mail' ] = load();
				try {
					figures.push(
						meetMailFigure(
							await measureMeetMail( world, {
								bookings: quick ? 8 : 40,
							} )
						)
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'meet-mail',
							"KiviCare's Meet e-mail after a booking",
							'≤ L + 500 ms p50, ≤ L + 2 s p99',
							e
						)
					);
				}
			}
			if ( selected( 'burst' ) ) {
				for ( const kill of [ false, true ] ) {
					const id = kill ? 'burst-sidecar-killed' : 'burst';
					if ( only && ! only.has( 'burst' ) && ! only.has( id ) ) {
						continue;
					}
					log( kill ? 'burst, sidecar killed for 5 s' : 'burst' );
					loads[ id ] = load();
					try {
						figures.push(
							burstFigure(
								await measureBurst( world, sidecars, {
									bookings: quick ? 40 : 200,
									kill,
									firstDay: kill ? 90 : 80,
								} )
							)
						);
					} catch ( e ) {
						figures.push(
							notMeasured(
								id,
								'burst of bookings',
								'exactly one Meet e-mail each, 0 duplicates',
								e
							)
						);
						if ( sidecars.count === 0 ) {
							await sidecars.start( 1 );
						}
					}
				}
			}
			if ( selected( 'recovery' ) ) {
				log( 'recovery after a sidecar outage' );
				loads.recovery = load();
				try {
					figures.push(
						recoveryFigure(
							await measureRecovery( world, sidecars, {
								bookings: quick ? 40 : 200,
							} )
						)
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'recovery',
							'recovery',
							'all links ready ≤ 60 s after it returns',
							e
						)
					);
				}
			}
			const count = quick ? 400 : 2000;
			let firstDay = 200;
			const oneSidecar = ! only || only.has( 'backlog' );
			if ( selected( 'backlog' ) && oneSidecar ) {
				log( `backlog of ${ count }` );
				loads.backlog = load();
				try {
					const result = await runBacklog( world, sidecars, {
						count,
						firstDay,
					} );
					scaling.push( {
						label: `${ result.options.runners } runners, 1 sidecar (the figure above)`,
						result,
						load: loads.backlog,
					} );
					figures.push( backlogFigure( result ) );
				} catch ( e ) {
					figures.push(
						notMeasured(
							'backlog',
							'backlog throughput',
							BACKLOG_TARGET,
							e
						)
					);
				}
				firstDay += 10;
			}
			if ( selected( 'backlog' ) ) {
				log( `backlog of ${ count }, 2 sidecars` );
				loads[ 'backlog-2-sidecars' ] = load();
				try {
					const result = await runBacklog( world, sidecars, {
						count,
						firstDay,
						replicas: 2,
					} );
					scaling.push( {
						label: TWO_SIDECARS,
						result,
						load: loads[ 'backlog-2-sidecars' ],
					} );
					figures.push(
						backlogFigure( result, 'backlog-2-sidecars' )
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'backlog-2-sidecars',
							'backlog throughput, 2 sidecars',
							BACKLOG_TARGET,
							e
						)
					);
				}
				firstDay += 10;
				await sidecars.start( 1 );
			}
			if ( selected( 'scaling' ) ) {
				for ( const run of SCALING ) {
					if (
						scaling.some( ( done ) => done.label === run.label )
					) {
						continue; // Measured as a figure above.
					}
					log( `scaling: ${ run.label }` );
					loads[ `scaling: ${ run.label }` ] = load();
					try {
						scaling.push( {
							label: run.label,
							load: loads[ `scaling: ${ run.label }` ],
							result: await runBacklog( world, sidecars, {
								count,
								firstDay,
								...run.options,
							} ),
						} );
					} catch ( e ) {
						log(
							`scaling run failed: ${ e instanceof Error ? e.stack : String( e ) }`
						);
					}
					firstDay += 10;
				}
				await sidecars.start( 1 );
			}
			if ( selected( 'queue-tick' ) ) {
				log( 'empty queue tick' );
				loads[ 'queue-tick' ] = load();
				try {
					figures.push( tickFigure( await measureTick( world ) ) );
				} catch ( e ) {
					figures.push(
						notMeasured(
							'queue-tick',
							'queue tick, empty',
							'≤ 2 ms, one query',
							e
						)
					);
				}
			}
			if ( selected( 'google-calls' ) ) {
				log( 'Google calls per change' );
				loads[ 'google-calls' ] = load();
				try {
					figures.push(
						googleCallsFigure( await measureGoogleCalls( world ) )
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'google-calls',
							'Google calls per change',
							'booking 1, reschedule 1, cancel 1, delete 1, re-save 0, regenerate ≤ 2 (polls ≤ 3)',
							e
						)
					);
				}
			}
			if ( selected( 'meet-privacy' ) ) {
				log(
					'Meet steps: booking with and without, attendance collection, the visits report'
				);
				loads[ 'meet-privacy' ] = load();
				try {
					figures.push(
						...meetPrivacyFigures(
							await measureMeetPrivacy(
								world,
								quick
									? { rounds: 8, visits: 5000, runs: 5 }
									: {}
							)
						)
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'meet-privacy-booking',
							'booking overhead with the Meet steps, default path',
							'≤ 15 ms p50 added in total',
							e
						)
					);
				}
			}
			if ( selected( 'calendar-sync' ) ) {
				log( 'calendar sync per doctor, nothing changed' );
				loads[ 'calendar-sync' ] = load();
				try {
					figures.push(
						calendarSyncFigure( await measureCalendarSync( world ) )
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'calendar-sync',
							'calendar sync per doctor, nothing changed',
							'one Google call, ≤ 5 ms of PHP',
							e
						)
					);
				}
			}
			if ( selected( 'busy-times' ) ) {
				log( 'busy times in slot views' );
				loads[ 'busy-times' ] = load();
				try {
					figures.push(
						...busyTimesFigures( await measureBusyTimes( world ) )
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'busy-times-cached',
							'slot view: busy times, cached',
							'≤ 3 ms p50',
							e
						)
					);
				}
			}
			if ( selected( 'hosted' ) ) {
				log(
					'hosted fleet: 3 sites draining at once, a quiet site booking'
				);
				loads.hosted = load();
				await sidecars.stop();
				try {
					figures.push(
						...hostedFigures(
							await runHosted(
								world,
								quick
									? { meetingsPerSite: 200, pings: 300 }
									: {}
							)
						)
					);
				} catch ( e ) {
					figures.push(
						notMeasured(
							'hosted-fairness',
							'hosted fleet: fairness between sites',
							'slowest / fastest ≥ 0.8; total ≤ 1.15× quota floor; 0 duplicates',
							e
						)
					);
				}
				await sidecars.start( 1 );
			}
		} finally {
			await sidecars?.stop();
			await closeTestkit();
			if ( ! flag( 'keep' ) ) {
				await destroyBenchInstance( instance );
			}
		}
	}
	loads.end = load();
	const groupOf = ( id: string ) => {
		if ( id.startsWith( 'booking' ) ) {
			return 'booking';
		}
		if ( id === 'sidecar-cold-start' || id === 'sidecar-memory' ) {
			return 'sidecar-startup';
		}
		if ( id.startsWith( 'hosted' ) ) {
			return 'hosted';
		}
		if ( id.startsWith( 'meet-privacy' ) ) {
			return 'meet-privacy';
		}
		return id === 'frontend-weight' ? 'start' : id;
	};
	for ( const f of figures ) {
		f.load ??= loads[ groupOf( f.id ) ];
	}

	const commit = execFileSync( 'git', [ 'rev-parse', '--short', 'HEAD' ], {
		cwd: ROOT,
		encoding: 'utf8',
	} ).trim();
	const result = {
		date: startedAt.toISOString(),
		durationSeconds: round( ( Date.now() - t0 ) / 1000 ),
		buildSeconds: round( buildMs / 1000 ),
		quick,
		only: only ? [ ...only ] : null,
		machine: {
			cpus: cpus().length,
			cpuModel: cpus()[ 0 ]?.model,
			node: process.version,
			...versions,
		},
		commit,
		loadAverage: loads,
		figures: figures.map( ( f ) => ( { ...f, verdict: verdict( f ) } ) ),
		scaling: scaling.map( ( s ) => ( { label: s.label, ...s.result } ) ),
		...details,
	};

	process.stdout.write( `\n${ textTable( figures ) }\n` );
	if ( scaling.length ) {
		process.stdout.write(
			`\nScaling (backlog runs):\n${ scalingTable( scaling ) }\n`
		);
	}
	mkdirSync( RESULTS, { recursive: true } );
	const stamp = startedAt.toISOString().replace( /[:.]/g, '-' );
	writeFileSync(
		path.join( RESULTS, `${ stamp }.json` ),
		await formatJson( result )
	);
	log(
		quick
			? `results: bench/results/${ stamp }.json (quick run: latest.json and the docs are left as they are)`
			: await publish(
					result as BenchResult,
					scaling.length ? scalingTable( scaling ) : null
				)
	);
	log( `done in ${ result.durationSeconds } s` );
}

main()
	.then( () => process.exit( 0 ) )
	.catch( ( error: unknown ) => {
		process.stderr.write(
			`${ error instanceof Error ? error.stack : String( error ) }\n`
		);
		process.exit( 1 );
	} );
