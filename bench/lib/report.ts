/**
 * One row of the benchmark table, how it is printed, and how it is written into
 * docs/PERFORMANCE.md (between markers, so the rest of the page stays hand-written).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Figure {
	/** Stable key in results JSON, e.g. `booking-sync`. */
	id: string;
	/** Row title, as in the table of targets. */
	figure: string;
	/** What is compared (one line). */
	how: string;
	/** Command that reproduces this figure alone. */
	command: string;
	target: string;
	result: string;
	/** What the result is compared with ('—' when nothing meaningful exists). */
	baseline: string;
	/** result / baseline (as stated in `ratioOf`), or null. */
	ratio: number | null;
	/** What the ratio divides, e.g. "ours / PHP-only". */
	ratioOf?: string;
	/** null: could not be measured in this run (see `reason`). */
	met: boolean | null;
	/** Why a target was missed (and what would fix it), or why nothing was measured. */
	reason?: string;
	/** Everything measured, for results JSON. */
	details: Record< string, unknown >;
	/** Load averages (1, 5, 15 min) when its measurement started. */
	load?: number[];
}

export function verdict( f: Figure ): 'met' | 'missed' | 'not measured' {
	if ( f.met === null ) {
		return 'not measured';
	}
	return f.met ? 'met' : 'missed';
}

const fmtRatio = ( f: Figure ) =>
	f.ratio === null || ! Number.isFinite( f.ratio )
		? '—'
		: `${ f.ratio.toFixed( 2 ) }×`;

/** Plain-text table for the terminal. */
export function textTable( figures: Figure[] ): string {
	const rows = [
		[ 'figure', 'target', 'result', 'baseline', 'ratio', 'verdict' ],
		...figures.map( ( f ) => [
			f.figure,
			f.target,
			f.result,
			f.baseline,
			fmtRatio( f ),
			f.met === false ? 'MISSED' : verdict( f ),
		] ),
	];
	const widths = rows[ 0 ]!.map( ( _, c ) =>
		Math.min( 60, Math.max( ...rows.map( ( r ) => r[ c ]!.length ) ) )
	);
	const line = ( r: string[] ) =>
		r.map( ( cell, c ) => cell.padEnd( widths[ c ]! ) ).join( '  ' );
	const out = [
		line( rows[ 0 ]! ),
		widths.map( ( w ) => '-'.repeat( w ) ).join( '  ' ),
	];
	for ( const r of rows.slice( 1 ) ) {
		out.push( line( r ) );
	}
	const notes = figures
		.filter( ( f ) => f.met !== true && f.reason )
		.map( ( f ) => `- ${ f.figure }: ${ f.reason }` );
	return [ ...out, ...( notes.length ? [ '', ...notes ] : [] ) ].join( '\n' );
}

const cell = ( s: string ) => s.replace( /\|/g, '\\|' ).replace( /\n/g, ' ' );

/** Markdown table (and the notes on misses) for docs/PERFORMANCE.md. */
export function markdownTable(
	figures: Figure[],
	context: { date: string; load: string; command: string; updates?: string[] }
): string {
	const lines = [
		`Run of ${ context.date } (\`${ context.command }\`); ${ context.load }.`,
		...( context.updates?.length
			? [
					'',
					'Rows measured again since by partial runs:',
					'',
					...context.updates.map( ( u ) => `- ${ u }` ),
				]
			: [] ),
		'',
		'| figure | target | result | baseline | ratio | verdict |',
		'|---|---|---|---|---:|---|',
		...figures.map(
			( f ) =>
				`| ${ cell( f.figure ) } | ${ cell( f.target ) } | ${ cell( f.result ) } | ${ cell( f.baseline ) } | ${ fmtRatio( f ) }${ f.ratioOf ? ` (${ cell( f.ratioOf ) })` : '' } | ${ f.met === true ? 'met' : `**${ verdict( f ) }**` } |`
		),
		'',
		'How each figure is obtained, and the command that reproduces it alone:',
		'',
		...figures.map(
			( f ) =>
				`- **${ f.figure }**: ${ f.how } \`${ f.command }\`${ f.load ? ` (load average ${ f.load[ 0 ] } when it started)` : '' }`
		),
	];
	const misses = figures.filter( ( f ) => f.met !== true && f.reason );
	if ( misses.length ) {
		lines.push(
			'',
			'Missed or not measured:',
			'',
			...misses.map( ( f ) => `- **${ f.figure }**: ${ f.reason }` )
		);
	}
	return lines.join( '\n' );
}

export const BEGIN_MARKER =
	'<!-- bench:table:begin (written by npm run bench) -->';
export const END_MARKER = '<!-- bench:table:end -->';

/** Replaces the text between two markers (which must exist) in a Markdown file. */
export function writeBetweenMarkers(
	file: string,
	body: string,
	beginMarker = BEGIN_MARKER,
	endMarker = END_MARKER
): boolean {
	const text = readFileSync( file, 'utf8' );
	const begin = text.indexOf( beginMarker );
	const end = text.indexOf( endMarker );
	if ( begin < 0 || end < begin ) {
		return false;
	}
	const next =
		text.slice( 0, begin + beginMarker.length ) +
		'\n' +
		body +
		'\n' +
		text.slice( end );
	writeFileSync( file, next );
	return true;
}
