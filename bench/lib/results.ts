/**
 * bench/results/latest.json: the figures of the last full run, with the rows a partial run
 * (`npm run bench -- --only …`) measured again merged in. Every figure says which run measured
 * it (date, commit, command, load), so a merged table never passes one run's rows off as
 * another's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { ROOT } from './procs';
import { markdownTable, writeBetweenMarkers, type Figure } from './report';

export const DOCS = path.join( ROOT, 'docs', 'PERFORMANCE.md' );
export const RESULTS = path.join( ROOT, 'bench', 'results' );
const LATEST = path.join( RESULTS, 'latest.json' );
const SCALING_BEGIN = '<!-- bench:scaling:begin (written by npm run bench) -->';
const SCALING_END = '<!-- bench:scaling:end -->';

/** Which run measured a figure. */
export interface FigureRun {
	date: string;
	commit: string;
	command: string;
}

export type StoredFigure = Figure & { verdict?: string; run?: FigureRun };

/** A partial run merged into the results. */
export interface PartialRun {
	date: string;
	commit: string;
	only: string[];
	figures: string[];
	loadAverage: Record< string, number[] >;
	durationSeconds: number;
	node: string;
}

export interface BenchResult {
	date: string;
	durationSeconds: number;
	buildSeconds: number;
	quick: boolean;
	only: string[] | null;
	machine: Record< string, unknown > & { cpus: number; node: string };
	commit: string;
	loadAverage: Record< string, number[] >;
	figures: StoredFigure[];
	scaling: unknown[];
	/** Partial runs merged in since the full run, oldest first. */
	partialRuns?: PartialRun[];
}

export function commandOf( only: string[] | null ): string {
	return only
		? `npm run bench -- --only ${ only.join( ',' ) }`
		: 'npm run bench';
}

/** The figures of `result`, each marked with the run that measured it. */
function marked( result: BenchResult ): StoredFigure[] {
	return result.figures.map( ( f ) => ( {
		...f,
		run: f.run ?? {
			date: result.date,
			commit: result.commit,
			command: commandOf( result.only ),
		},
	} ) );
}

/**
 * `partial`'s figures in place of the same rows of `full` (new rows at the end); everything else
 * of the full run (its date, load, machine, scaling runs) stays, and the partial run is listed.
 */
export function mergePartial(
	full: BenchResult,
	partial: BenchResult
): BenchResult {
	const fresh = new Map(
		marked( partial ).map( ( f ) => [ f.id, f ] as const )
	);
	const figures = marked( full ).map( ( f ) => fresh.get( f.id ) ?? f );
	for ( const f of fresh.values() ) {
		if ( ! figures.some( ( g ) => g.id === f.id ) ) {
			figures.push( f );
		}
	}
	return {
		...full,
		figures,
		partialRuns: [
			...( full.partialRuns ?? [] ),
			{
				date: partial.date,
				commit: partial.commit,
				only: partial.only ?? [],
				figures: [ ...fresh.keys() ],
				loadAverage: partial.loadAverage,
				durationSeconds: partial.durationSeconds,
				node: partial.machine.node,
			},
		],
	};
}

const minute = ( iso: string ) =>
	iso.slice( 0, 16 ).replace( 'T', ' ' ) + ' UTC';

/** The header of the table in docs/PERFORMANCE.md: the full run, then each partial run merged in. */
export function tableContext( result: BenchResult ): {
	date: string;
	load: string;
	command: string;
	updates: string[];
} {
	const m = result.machine;
	const l = result.loadAverage;
	const load = `load average ${ ( l.start ?? [] ).join( ' / ' ) } (1/5/15 min) when it started and ${ ( l.end ?? [] ).join( ' / ' ) } when it ended, ${ m.cpus } CPUs; Node ${ m.node }, PHP ${ String( m.php ?? '?' ) }, MariaDB ${ String( m.mariadb ?? '?' ) }; commit ${ result.commit }; ${ result.durationSeconds } s including ${ result.buildSeconds } s of builds`;
	const names = ( ids: string[] ) =>
		ids
			.map(
				( id ) =>
					result.figures.find( ( f ) => f.id === id )?.figure ?? id
			)
			.join( ', ' );
	const updates = ( result.partialRuns ?? [] )
		// Only the runs whose rows are still in the table.
		.filter( ( p ) =>
			result.figures.some( ( f ) => f.run?.date === p.date )
		)
		.map(
			( p ) =>
				`${ names(
					p.figures.filter(
						( id ) =>
							result.figures.find( ( f ) => f.id === id )?.run
								?.date === p.date
					)
				) }: from \`${ commandOf( p.only ) }\` of ${ minute( p.date ) } (load average ${ ( p.loadAverage.start ?? [] ).join( ' / ' ) } when it started and ${ ( p.loadAverage.end ?? [] ).join( ' / ' ) } when it ended; Node ${ p.node }; commit ${ p.commit }; ${ p.durationSeconds } s).`
		);
	return {
		date: minute( result.date ),
		load,
		command: commandOf( result.only ),
		updates,
	};
}

/** JSON as the repository's prettier settings want it (the lint checks JSON files). */
export async function formatJson( value: unknown ): Promise< string > {
	return prettier.format( JSON.stringify( value ), {
		...( await prettier.resolveConfig( LATEST ) ),
		parser: 'json',
	} );
}

/**
 * latest.json and the table of docs/PERFORMANCE.md: a full run replaces them (and the scaling
 * table when it has one); a partial run (`--only`) replaces the rows it measured and says so in
 * the table's header. Returns what happened, for the log.
 */
export async function publish(
	result: BenchResult,
	scalingMarkdown: string | null
): Promise< string > {
	const merged =
		result.only && existsSync( LATEST )
			? mergePartial(
					JSON.parse( readFileSync( LATEST, 'utf8' ) ) as BenchResult,
					result
				)
			: result;
	writeFileSync( LATEST, await formatJson( merged ) );
	const okTable = writeBetweenMarkers(
		DOCS,
		markdownTable( merged.figures, tableContext( merged ) )
	);
	const okScaling = scalingMarkdown
		? writeBetweenMarkers(
				DOCS,
				scalingMarkdown,
				SCALING_BEGIN,
				SCALING_END
			)
		: true;
	return okTable && okScaling
		? `docs/PERFORMANCE.md and bench/results/latest.json updated${ result.only ? ` (rows of ${ result.only.join( ', ' ) })` : '' }`
		: 'bench/results/latest.json updated; docs/PERFORMANCE.md has no bench markers: not updated';
}
