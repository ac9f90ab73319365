/**
 * Renders the figures the reliability and security suites wrote under tests/artifacts/ into the
 * tables of docs/RELIABILITY.md and docs/SECURITY.md (between their `<!-- figures:… -->`
 * markers), so the documents show what the last runs measured, not numbers typed by hand.
 *
 *     node --import tsx tests/reliability/render-figures.ts [--instance=test]
 *
 * Figures are kept per harness instance (tests/artifacts/{reliability,security}/<instance>/);
 * the instance is the one named, else MFK_TEST_INSTANCE, else `test`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

const ARTIFACTS = path.join( REPO_ROOT, 'tests', 'artifacts' );
const INSTANCE =
	process.argv
		.find( ( a ) => a.startsWith( '--instance=' ) )
		?.slice( '--instance='.length ) ||
	process.env.MFK_TEST_INSTANCE ||
	'test';

function load< T >( dir: string ): T[] {
	const full = path.join( ARTIFACTS, dir, INSTANCE );
	if ( ! existsSync( full ) ) {
		return [];
	}
	return readdirSync( full )
		.filter( ( f ) => f.endsWith( '.json' ) )
		.map(
			( f ) =>
				JSON.parse( readFileSync( path.join( full, f ), 'utf8' ) ) as T
		);
}

function cell( value: unknown ): string {
	return String( value ?? '' )
		.replace( /\|/g, '\\|' )
		.replace( /\n/g, ' ' );
}

function replaceBlock( file: string, name: string, content: string ): void {
	const text = readFileSync( file, 'utf8' );
	const start = `<!-- ${ name }:start -->`;
	const end = `<!-- ${ name }:end -->`;
	const from = text.indexOf( start );
	const to = text.indexOf( end );
	if ( from < 0 || to < from ) {
		throw new Error(
			`${ path.relative( REPO_ROOT, file ) } has no ${ start } … ${ end } block`
		);
	}
	writeFileSync(
		file,
		text.slice( 0, from + start.length ) +
			'\n' +
			content.trim() +
			'\n' +
			text.slice( to )
	);
}

interface Scenario {
	id: string;
	group: string;
	title: string;
	operations: number;
	faults: number;
	expected: number;
	found: number;
	duplicates: number;
	lost: number;
	stray: number;
	cancelledOrDeleted: number;
	notes: string;
	seconds: number;
	at: string;
	instance: string;
	cpus: number;
}

const GROUPS = [ 'Google', 'Sidecar', 'PHP and database', 'Soak' ];

function reliability(): string {
	const all = load< Scenario >( 'reliability' ).sort(
		( a, b ) =>
			GROUPS.indexOf( a.group ) - GROUPS.indexOf( b.group ) ||
			a.id.localeCompare( b.id )
	);
	if ( ! all.length ) {
		return '_No figures yet: run the suite, then this script._';
	}
	const lines = [
		'| Scenario | Operations | Faults injected | Meetings expected | Found | Duplicates | Lost | Stray | Cancelled or deleted | Time (s) |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for ( const s of all ) {
		lines.push(
			`| **${ cell( s.group ) }**: ${ cell( s.title ) } | ${ s.operations } | ${ s.faults } | ${ s.expected } | ${ s.found } | ${ s.duplicates } | ${ s.lost } | ${ s.stray } | ${ s.cancelledOrDeleted } | ${ s.seconds } |`
		);
	}
	const total = ( key: keyof Scenario ) =>
		all.reduce( ( n, s ) => n + Number( s[ key ] ), 0 );
	lines.push(
		`| **Total** | ${ total( 'operations' ) } | ${ total( 'faults' ) } | ${ total( 'expected' ) } | ${ total( 'found' ) } | ${ total( 'duplicates' ) } | ${ total( 'lost' ) } | ${ total( 'stray' ) } | ${ total( 'cancelledOrDeleted' ) } | |`
	);
	lines.push( '', 'What each scenario observed:', '' );
	for ( const s of all ) {
		lines.push(
			`- **${ cell( s.title ) }** (\`${ s.id }\`): ${ cell( s.notes ) }`
		);
	}
	const dates = all.map( ( s ) => s.at ).sort();
	lines.push(
		'',
		`_Runs from ${ dates[ 0 ]!.slice( 0, 16 ).replace( 'T', ' ' ) } to ${ dates[ dates.length - 1 ]!.slice( 0, 16 ).replace( 'T', ' ' ) } UTC on ${ all[ 0 ]!.cpus } CPU(s), harness instance \`${ all[ 0 ]!.instance }\`. Times are wall-clock on a shared machine and only indicative._`
	);
	return lines.join( '\n' );
}

interface Check {
	id: string;
	title: string;
	attempts: number;
	held: number;
	failures: number;
	details: Record< string, unknown >;
	notes?: string;
	at: string;
}

const MARKS: Record< string, string > = {
	allowed: '✅ allowed',
	refused: '⛔ refused',
};

const ORDER = [
	'rest-fuzz',
	'sidecar-fuzz',
	'access-matrix',
	'sidecar-signing',
	'sidecar-exposure',
	'oauth-state',
	'oauth-redirects',
	'stored-xss',
	'privacy-event',
	'secrets-scan',
];

function security(): { summary: string; matrix: string } {
	const all = load< Check >( 'security' );
	const checks = all
		.filter( ( c ) => c.id !== 'access-matrix-table' )
		.sort( ( a, b ) => ORDER.indexOf( a.id ) - ORDER.indexOf( b.id ) );
	const lines = [
		'| Check | Tried | Held | Failures | Details |',
		'|---|---:|---:|---:|---|',
	];
	for ( const c of checks ) {
		const details = Object.entries( c.details )
			.map( ( [ k, v ] ) => `${ k }: ${ v }` )
			.join( '; ' );
		lines.push(
			`| ${ cell( c.title ) } (\`${ c.id }\`) | ${ c.attempts } | ${ c.held } | ${ c.failures } | ${ cell( details ) } |`
		);
	}
	if ( checks.length ) {
		const dates = checks.map( ( c ) => c.at ).sort();
		lines.push(
			'',
			`_Runs from ${ dates[ 0 ]!.slice( 0, 16 ).replace( 'T', ' ' ) } to ${ dates[ dates.length - 1 ]!.slice( 0, 16 ).replace( 'T', ' ' ) } UTC._`
		);
	}
	const table = all.find( ( c ) => c.id === 'access-matrix-table' );
	let matrix = '_No matrix yet._';
	if ( table?.notes ) {
		const data = JSON.parse( table.notes ) as Record<
			string,
			Record< string, string >
		>;
		const actors = [
			...new Set(
				Object.values( data ).flatMap( ( r ) => Object.keys( r ) )
			),
		].filter( ( a ) => ! a.includes( 'CSRF' ) );
		const rows = [
			`| Action | ${ actors.map( cell ).join( ' | ' ) } |`,
			`|---|${ actors.map( () => ':-:' ).join( '|' ) }|`,
		];
		const csrf: string[] = [];
		for ( const [ action, byActor ] of Object.entries( data ) ) {
			const csrfCell = Object.entries( byActor ).find( ( [ a ] ) =>
				a.includes( 'CSRF' )
			);
			if ( csrfCell ) {
				csrf.push( `| ${ cell( action ) } | ${ csrfCell[ 1 ] } |` );
				continue;
			}
			rows.push(
				`| ${ cell( action ) } | ${ actors.map( ( a ) => MARKS[ byActor[ a ] ?? '' ] ?? cell( byActor[ a ] ?? '' ) ).join( ' | ' ) } |`
			);
		}
		matrix = rows.join( '\n' );
		if ( csrf.length ) {
			matrix += `\n\nCross-site requests carrying a logged-in doctor's cookies:\n\n| Request | Result |\n|---|:-:|\n${ csrf.join( '\n' ).replace( /\| refused \|/g, '| ⛔ refused |' ) }`;
		}
	}
	return {
		summary: checks.length ? lines.join( '\n' ) : '_No figures yet._',
		matrix,
	};
}

replaceBlock(
	path.join( REPO_ROOT, 'docs', 'RELIABILITY.md' ),
	'figures',
	reliability()
);
const sec = security();
replaceBlock(
	path.join( REPO_ROOT, 'docs', 'SECURITY.md' ),
	'figures',
	sec.summary
);
replaceBlock(
	path.join( REPO_ROOT, 'docs', 'SECURITY.md' ),
	'matrix',
	sec.matrix
);
process.stdout.write(
	'docs/RELIABILITY.md and docs/SECURITY.md updated from tests/artifacts/.\n'
);
