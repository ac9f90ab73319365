/**
 * Soak: bookings, reschedules, cancellations, re-bookings and deletions from several clients at
 * once, queue runners working in the background, and random faults all along: Google answering
 * 5xx and 429, losing answers after doing the work, conferences finishing late, access tokens
 * expiring while the token endpoint fails, the sidecar killed, runners killed. At the end the
 * faults stop, the queue settles, and WordPress and the emulator's calendars must match exactly.
 *
 * Size: MFK_SOAK=full (npm run test:soak) runs 3000 operations; otherwise a CI-sized run of 120.
 * MFK_SOAK_OPERATIONS and MFK_SOAK_SEED override size and random seed (the seed is in the figures).
 */
import { isRunning, stopSidecar } from '../harness/testkit';
import { emulatorConfig, emulatorDefaults } from './support/faults';
import { logMark, problemsSince } from './support/log';
import {
	expireLeases,
	settle,
	sleep,
	spawnRunner,
	type RunnerProcess,
} from './support/queue';
import { expectReconciled, Scenario } from './support/scenario';
import { restoreSidecar, tuneSidecar } from './support/sidecar';
import {
	bookOne,
	createWorld,
	remove,
	reschedule,
	setStatus,
	settings,
	ZONES,
	type World,
} from './support/world';

const FULL = process.env.MFK_SOAK === 'full';
const OPERATIONS =
	Number( process.env.MFK_SOAK_OPERATIONS ) || ( FULL ? 3000 : 120 );
const SEED = Number( process.env.MFK_SOAK_SEED ) || Date.now() % 1000000;
const CLIENTS = 4;

/** mulberry32: small, seedable, good enough to pick operations. */
function prng( seed: number ): () => number {
	let a = seed >>> 0;
	return () => {
		a = ( a + 0x6d2b79f5 ) >>> 0;
		let t = a;
		t = Math.imul( t ^ ( t >>> 15 ), t | 1 );
		t ^= t + Math.imul( t ^ ( t >>> 7 ), t | 61 );
		return ( ( t ^ ( t >>> 14 ) ) >>> 0 ) / 4294967296;
	};
}

let world: World;
let mark = 0;

beforeAll( async () => {
	mark = logMark();
	await emulatorDefaults();
	await tuneSidecar();
	world = await createWorld(
		FULL
			? { key: 'soak-full', doctors: 6, patients: 4, syncBudgetMs: 1500 }
			: { doctors: 3, patients: 2, syncBudgetMs: 1500 }
	);
}, 180000 );

afterAll( async () => {
	await emulatorDefaults();
	await settings( { sync_budget_ms: 3000 } );
	await restoreSidecar();
} );

it(
	`${ OPERATIONS } operations with random faults end with WordPress and Google in agreement`,
	async () => {
		const random = prng( SEED );
		const pick = < T >( list: T[] ): T =>
			list[ Math.floor( random() * list.length ) ]!;
		const s = new Scenario(
			FULL ? 'soak-full' : 'soak-ci',
			'Soak',
			`Soak: ${ OPERATIONS } operations from ${ CLIENTS } clients with random faults`,
			world
		);

		// Faults that stay on for the whole run, each hitting a share of Google calls.
		await s.faults.add( {
			match: { operation: 'events.*' },
			action: { type: 'error', status: 503, reason: 'backendError' },
			times: 0,
			probability: 0.05,
		} );
		await s.faults.add( {
			match: { operation: 'events.*' },
			action: {
				type: 'error',
				status: 429,
				reason: 'rateLimitExceeded',
				retryAfterSeconds: 1,
			},
			times: 0,
			probability: 0.03,
		} );
		await s.faults.add( {
			match: { operation: 'events.insert' },
			action: { type: 'error', status: 503 },
			times: 0,
			probability: 0.04,
			when: 'after',
		} );
		await s.faults.add( {
			match: { operation: 'events.patch' },
			action: { type: 'drop' },
			times: 0,
			probability: 0.03,
			when: 'after',
		} );
		await s.faults.add( {
			match: { operation: 'events.get' },
			action: { type: 'error', status: 500 },
			times: 0,
			probability: 0.03,
		} );
		await s.faults.add( {
			match: { operation: 'oauth.token*' },
			action: { type: 'error', status: 503 },
			times: 0,
			probability: 0.2,
		} );
		// Access tokens live 70 s; the sidecar renews them a minute before they expire, so every
		// doctor's token is refreshed every few seconds, through a token endpoint that fails often.
		await emulatorConfig( {
			conferenceDelayMs: 400,
			latencyJitterMs: 60,
			accessTokenTtlSeconds: 70,
		} );

		const active: number[] = [];
		const cancelled: number[] = [];
		const busy = new Set< number >();
		const failures: string[] = [];
		const counts = {
			book: 0,
			reschedule: 0,
			cancel: 0,
			rebook: 0,
			delete: 0,
			sidecarKills: 0,
			runnerKills: 0,
		};
		let next = 0;
		let done = false;

		const take = ( list: number[] ): number | undefined => {
			const free = list.filter( ( id ) => ! busy.has( id ) );
			if ( ! free.length ) {
				return undefined;
			}
			const id = pick( free );
			busy.add( id );
			return id;
		};
		const move = ( id: number, from: number[], to: number[] | null ) => {
			from.splice( from.indexOf( id ), 1 );
			to?.push( id );
		};

		async function operation(): Promise< void > {
			const roll = random();
			if ( roll < 0.25 ) {
				const id = take( active );
				if ( id !== undefined ) {
					try {
						await reschedule(
							world,
							id,
							random() < 0.3 ? pick( [ ...ZONES ] ) : undefined
						);
						counts.reschedule++;
					} finally {
						busy.delete( id );
					}
					return;
				}
			} else if ( roll < 0.4 ) {
				const id = take( active );
				if ( id !== undefined ) {
					try {
						await setStatus( world, id, 0 );
						move( id, active, cancelled );
						counts.cancel++;
					} finally {
						busy.delete( id );
					}
					return;
				}
			} else if ( roll < 0.47 ) {
				const id = take( cancelled );
				if ( id !== undefined ) {
					try {
						await setStatus( world, id, 1 );
						move( id, cancelled, active );
						counts.rebook++;
					} finally {
						busy.delete( id );
					}
					return;
				}
			} else if ( roll < 0.55 ) {
				const fromActive = random() < 0.6;
				const list = fromActive ? active : cancelled;
				const id = take( list );
				if ( id !== undefined ) {
					try {
						await remove( world, id );
						move( id, list, null );
						counts.delete++;
					} finally {
						busy.delete( id );
					}
					return;
				}
			}
			const id = await bookOne(
				world,
				pick( world.doctors ),
				pick( world.patients ),
				pick( [ ...ZONES ] )
			);
			s.add( id );
			active.push( id );
			counts.book++;
		}

		async function client(): Promise< void > {
			while ( next < OPERATIONS ) {
				next++;
				try {
					await operation();
				} catch ( error ) {
					failures.push( ( error as Error ).message );
				}
			}
		}

		// Queue runners in the background, the way system cron keeps starting them.
		const runners = new Set< RunnerProcess >();
		async function cron(): Promise< void > {
			while ( ! done ) {
				const runner = spawnRunner( [
					'--max-seconds=4',
					'--batch-size=10',
				] );
				runners.add( runner );
				await runner.done;
				runners.delete( runner );
			}
		}

		// Now and then: the sidecar killed, or a runner killed.
		async function chaos(): Promise< void > {
			while ( ! done ) {
				await sleep( 1500 + random() * 2500 );
				if ( done ) {
					break;
				}
				const roll = random();
				if ( roll < 0.5 || ! runners.size ) {
					await stopSidecar( { signal: 'SIGKILL' } );
					s.faults.note();
					counts.sidecarKills++;
					await sleep( 200 + random() * 800 );
					await tuneSidecar();
				} else {
					[ ...runners ][ 0 ]!.kill( 'SIGKILL' );
					s.faults.note();
					counts.runnerKills++;
				}
			}
		}

		const background = [ cron(), cron(), chaos() ];
		try {
			await Promise.all(
				Array.from( { length: CLIENTS }, () => client() )
			);
		} finally {
			done = true;
			await Promise.all( background );
			if ( ! isRunning( 'sidecar' ) ) {
				await tuneSidecar();
			}
		}

		// Faults stop; killed runners' leases run out; the queue settles.
		await s.faults.clear();
		await emulatorDefaults();
		await expireLeases( s.ids );
		await settle( s.ids, {
			timeoutMs: FULL ? 600000 : 120000,
			batchSize: 50,
		} );
		s.extraOperations = 0;
		const summary = Object.entries( counts )
			.map( ( [ k, v ] ) => `${ k } ${ v }` )
			.join( ', ' );
		expectReconciled(
			await s.conclude(
				`Seed ${ SEED }. ${ summary }. Failed KiviCare requests: ${ failures.length }${ failures.length ? ` (first: ${ failures.slice( 0, 3 ).join( ' | ' ) })` : '' }.`
			)
		);
		expect( failures ).toEqual( [] );
	},
	FULL ? 3600000 : 600000
);

it( 'left no PHP warning and no database error in the debug log', () => {
	expect( problemsSince( mark ) ).toEqual( [] );
} );
