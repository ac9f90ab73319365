/**
 * Figures of the security suite: each test writes what it tried and what it found to
 * tests/artifacts/security/<id>.json (before asserting), and tests/reliability/render-figures.ts
 * turns them into the tables of docs/SECURITY.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTANCE_NAME } from '../../harness/testkit';
import { ARTIFACTS } from './collect';

/** One folder per harness instance, as for the reliability figures. */
export const SECURITY_FIGURES = path.join(
	ARTIFACTS,
	'security',
	INSTANCE_NAME
);

export interface SecurityFigures {
	id: string;
	title: string;
	/** What was tried (e.g. requests sent, cells of the matrix, pages rendered). */
	attempts: number;
	/** What had to be refused, escaped or absent, and was. */
	held: number;
	/** What was not (must be 0). */
	failures: number;
	/** Column name → value, shown in the table (e.g. `4xx: 412`). */
	details: Record< string, number | string >;
	notes?: string;
	problems?: string[];
}

export function recordSecurity( figures: SecurityFigures ): void {
	mkdirSync( SECURITY_FIGURES, { recursive: true } );
	writeFileSync(
		path.join( SECURITY_FIGURES, `${ figures.id }.json` ),
		JSON.stringify(
			{
				...figures,
				at: new Date().toISOString(),
				instance: INSTANCE_NAME,
			},
			null,
			'\t'
		) + '\n'
	);
}
