/**
 * Driving the queue in the reliability suite: runner processes (php-cli, as system cron runs
 * them), "time passes" helpers that make rows due or let a dead worker's lease run out instead
 * of sleeping through backoff, and settle(), which runs the queue until every row of a scenario
 * reached a final state.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../harness/paths';
import { harness, query } from '../../harness/testkit';
import {
	MAPPINGS,
	runQueue,
	runnerSummary,
	type RunnerResult,
} from '../../integration/support/meet';

export { runQueue, type RunnerResult };

const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

function inList( ids: number[] ): string {
	return ids.length ? ids.map( () => '?' ).join( ',' ) : 'NULL';
}

/**
 * Backoff elapses: pending rows of these appointments whose lease is free (or over) are due
 * now. (Backoff itself is covered by the integration suite; here it would only cost time.)
 */
export async function makeDue( ids: number[] ): Promise< void > {
	if ( ids.length ) {
		await query(
			`UPDATE ${ MAPPINGS } SET next_attempt_at = UTC_TIMESTAMP() WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP()) AND appointment_id IN (${ inList( ids ) })`,
			ids
		);
	}
}

/**
 * The lease of a worker that died runs out: its rows come back by themselves, exactly as
 * docs/queue.md describes, without waiting the lease length.
 */
export async function expireLeases( ids: number[] ): Promise< number > {
	if ( ! ids.length ) {
		return 0;
	}
	const rows = await query< { n: number } >(
		`SELECT COUNT(*) AS n FROM ${ MAPPINGS } WHERE lease_token IS NOT NULL AND appointment_id IN (${ inList( ids ) })`,
		ids
	);
	await query(
		`UPDATE ${ MAPPINGS } SET lease_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND, next_attempt_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE lease_token IS NOT NULL AND appointment_id IN (${ inList( ids ) })`,
		ids
	);
	return Number( rows[ 0 ]?.n ?? 0 );
}

export async function pendingCount( ids: number[] ): Promise< number > {
	if ( ! ids.length ) {
		return 0;
	}
	const rows = await query< { n: number } >(
		`SELECT COUNT(*) AS n FROM ${ MAPPINGS } WHERE state = 'pending' AND appointment_id IN (${ inList( ids ) })`,
		ids
	);
	return Number( rows[ 0 ]?.n ?? 0 );
}

/**
 * Runs the queue (one runner process per pass) until no row of `ids` is pending, making rows
 * due between passes. Conferences Google finishes late need real time: passes continue until
 * `timeoutMs`. Resolves with the number of passes.
 */
export async function settle(
	ids: number[],
	{ timeoutMs = 60000, batchSize = 25 } = {}
): Promise< number > {
	const deadline = Date.now() + timeoutMs;
	let passes = 0;
	while ( ( await pendingCount( ids ) ) > 0 && Date.now() < deadline ) {
		await makeDue( ids );
		const stats = await runQueue( [ `--batch-size=${ batchSize }` ] );
		passes++;
		if ( stats.claimed === 0 ) {
			await sleep( 300 );
		}
	}
	return passes;
}

export interface RunnerProcess {
	pid: number;
	/** Resolves when the process ends: its statistics, or how it died. */
	done: Promise< {
		stats?: RunnerResult;
		code: number | null;
		signal: NodeJS.Signals | null;
	} >;
	kill: ( signal?: NodeJS.Signals ) => void;
}

/** Starts `php php/cli/run-queue.php` in the background (a runner that can be killed). */
export function spawnRunner( extra: string[] = [] ): RunnerProcess {
	const child = spawn(
		'php',
		[
			path.join( REPO_ROOT, 'php', 'cli', 'run-queue.php' ),
			`--path=${ harness().docroot }`,
			...extra,
		],
		{ stdio: [ 'ignore', 'pipe', 'pipe' ] }
	);
	let out = '';
	let err = '';
	child.stdout.on( 'data', ( c: Buffer ) => ( out += c.toString() ) );
	child.stderr.on( 'data', ( c: Buffer ) => ( err += c.toString() ) );
	const done = new Promise< {
		stats?: RunnerResult;
		code: number | null;
		signal: NodeJS.Signals | null;
	} >( ( resolve ) => {
		child.on( 'close', ( code, signal ) => {
			let stats: RunnerResult | undefined;
			try {
				stats = runnerSummary( out );
			} catch {
				stats = undefined;
			}
			if ( code !== 0 && ! signal && err ) {
				process.stderr.write(
					`[runner ${ child.pid }] ${ err.slice( 0, 2000 ) }\n`
				);
			}
			resolve( { stats, code, signal } );
		} );
	} );
	return {
		pid: child.pid ?? 0,
		done,
		kill: ( signal = 'SIGKILL' ) => {
			child.kill( signal );
		},
	};
}

/** Waits until `check` holds (polling), or throws after timeoutMs with `what`. */
export async function until(
	what: string,
	check: () => Promise< boolean > | boolean,
	{ timeoutMs = 20000, everyMs = 100 } = {}
): Promise< void > {
	const deadline = Date.now() + timeoutMs;
	while ( ! ( await check() ) ) {
		if ( Date.now() > deadline ) {
			throw new Error( `Timed out waiting for ${ what }` );
		}
		await sleep( everyMs );
	}
}

export { sleep };
