/**
 * One fault scenario from start to figures: what it did (KiviCare operations, faults injected),
 * the reconciliation of WordPress against Google at the end, and a JSON summary under
 * tests/artifacts/reliability/ that tests/reliability/render-figures.ts turns into the table of
 * docs/RELIABILITY.md. The summary is written before anything is asserted, so a failing run
 * leaves its true figures behind.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTANCE_NAME } from '../../harness/testkit';
import { ARTIFACTS } from '../../security/support/collect';
import { FaultLedger } from './faults';
import { reconcile, statesOf, type Reconciliation } from './reconcile';
import type { World } from './world';

/** One folder per harness instance: runs on other instances do not mix their figures in. */
export const FIGURES_DIR = path.join( ARTIFACTS, 'reliability', INSTANCE_NAME );

export interface ScenarioFigures {
	id: string;
	group: string;
	title: string;
	/** KiviCare operations (bookings, reschedules, cancellations, deletions) plus other work. */
	operations: number;
	/** Requests hit by injected faults, plus crashes, restarts and revocations. */
	faults: number;
	expected: number;
	found: number;
	duplicates: number;
	lost: number;
	stray: number;
	cancelledOrDeleted: number;
	states: Record< string, number >;
	notes: string;
	seconds: number;
	at: string;
	instance: string;
	cpus: number;
}

export class Scenario {
	readonly ids: number[] = [];
	readonly faults = new FaultLedger();
	private readonly started = Date.now();
	private readonly opsAtStart: number;
	/** Work counted besides KiviCare operations (queue passes asked by hand, retries…). */
	extraOperations = 0;

	constructor(
		readonly id: string,
		readonly group: string,
		readonly title: string,
		readonly world: World
	) {
		this.opsAtStart = world.operations;
	}

	/** Remembers appointments this scenario made. */
	add( ...ids: number[] ): number[] {
		this.ids.push( ...ids );
		return ids;
	}

	operations(): number {
		return this.world.operations - this.opsAtStart + this.extraOperations;
	}

	/**
	 * Reconciles and writes the figures (assert them with expectReconciled()).
	 */
	async conclude(
		notes = ''
	): Promise< Reconciliation & { faults: number } > {
		await this.faults.clear();
		const result = await reconcile( this.world, this.ids );
		const figures: ScenarioFigures = {
			id: this.id,
			group: this.group,
			title: this.title,
			operations: this.operations(),
			faults: await this.faults.injected(),
			expected: result.expected,
			found: result.found,
			duplicates: result.duplicates,
			lost: result.lost,
			stray: result.stray,
			cancelledOrDeleted: result.withoutMeeting,
			states: await statesOf( this.ids ),
			notes,
			seconds: Math.round( ( Date.now() - this.started ) / 100 ) / 10,
			at: new Date().toISOString(),
			instance: INSTANCE_NAME,
			cpus: os.cpus().length,
		};
		mkdirSync( FIGURES_DIR, { recursive: true } );
		writeFileSync(
			path.join( FIGURES_DIR, `${ this.id }.json` ),
			JSON.stringify(
				{ ...figures, problems: result.problems },
				null,
				'\t'
			) + '\n'
		);
		return { ...result, faults: figures.faults };
	}
}

/**
 * The verdict on a concluded scenario: every expected meeting found, no duplicate, nothing
 * lost, no live event for a cancelled or deleted appointment, and faults really injected.
 */
export function expectReconciled(
	result: Reconciliation & { faults: number }
): void {
	expect( result.problems ).toEqual( [] );
	expect( {
		found: result.found,
		duplicates: result.duplicates,
		lost: result.lost,
		stray: result.stray,
	} ).toEqual( {
		found: result.expected,
		duplicates: 0,
		lost: 0,
		stray: 0,
	} );
	expect( result.expected ).toBeGreaterThan( 0 );
	expect( result.faults ).toBeGreaterThan( 0 );
}
