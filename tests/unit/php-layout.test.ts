/**
 * The PHP plugin's layout: php/ holds the loader and one folder per concern; the class map in
 * php/load.php names every class file and nothing else; no file is longer than 400 lines; every
 * hook is added in php/plugin/hooks.php, with callbacks that exist.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

const PHP_DIR = path.join( REPO_ROOT, 'php' );
const HOOKS = 'plugin/hooks.php';
// PHP files that are not classes: the loader, the hook table, the system-cron script.
const NOT_CLASSES = [ 'load.php', HOOKS, 'cli/run-queue.php' ];
// Hooks added for part of a request only, outside the hook table (listed at its top).
const SCOPED_HOOKS: Record< string, string[] > = {
	'meetings/class-mfk-request-sync.php': [ 'shutdown' ],
	'meetings/class-mfk-background-sync.php': [ 'shutdown' ],
	'notifications/class-mfk-booking-confirmation.php': [ 'shutdown' ],
	'kivicare/class-mfk-busy-store.php': [ 'shutdown' ],
	'notifications/class-mfk-kivicare-mail.php': [
		'action_scheduler_stored_action',
	],
	'sidecar/class-mfk-sidecar-client.php': [
		'pre_http_send_through_proxy',
		'http_request_host_is_external',
	],
};

function phpFiles( dir: string ): string[] {
	return readdirSync( dir ).flatMap( ( name ) => {
		const full = path.join( dir, name );
		if ( statSync( full ).isDirectory() ) {
			return phpFiles( full );
		}
		return name.endsWith( '.php' ) ? [ full ] : [];
	} );
}

const relative = ( file: string ) =>
	path.relative( PHP_DIR, file ).split( path.sep ).join( '/' );

/** Runs PHP with php/load.php loaded (no WordPress) and returns what the code prints. */
function php( code: string ): string {
	return execFileSync(
		'php',
		[
			'-n',
			'-r',
			`define( 'ABSPATH', '/' ); define( 'MFK_PLUGIN_DIR', ${ JSON.stringify(
				REPO_ROOT + '/'
			) } ); require MFK_PLUGIN_DIR . 'php/load.php'; ${ code }`,
		],
		{ encoding: 'utf8' }
	);
}

/** Lowercase fully qualified names of the classes a file declares. */
function declaredClasses( file: string ): string[] {
	const source = readFileSync( file, 'utf8' );
	const namespace = /^namespace\s+([^;]+);/m.exec( source )?.[ 1 ];
	return [
		...source.matchAll( /^(?:final\s+|abstract\s+)?class\s+(\w+)/gm ),
	].map( ( [ , name ] ) =>
		( namespace ? `${ namespace }\\${ name }` : name! ).toLowerCase()
	);
}

describe( 'php/ layout', () => {
	const map: Record< string, string > = JSON.parse(
		php( 'echo json_encode( MFK_CLASS_MAP );' )
	);
	const files = phpFiles( PHP_DIR );

	it( 'keeps only the loader at the top of php/, everything else in folders', () => {
		const top = readdirSync( PHP_DIR ).filter(
			( name ) => ! statSync( path.join( PHP_DIR, name ) ).isDirectory()
		);
		expect( top ).toEqual( [ 'load.php' ] );
	} );

	it( 'maps every class to the one file that declares it, and every class file is mapped', () => {
		for ( const [ name, file ] of Object.entries( map ) ) {
			expect( name ).toBe( name.toLowerCase() );
			expect( [
				file,
				declaredClasses( path.join( PHP_DIR, file ) ),
			] ).toEqual( [ file, [ name ] ] );
		}
		const mapped = new Set( Object.values( map ) );
		const unmapped = files
			.map( relative )
			.filter(
				( file ) =>
					! mapped.has( file ) && ! NOT_CLASSES.includes( file )
			);
		expect( unmapped ).toEqual( [] );
	} );

	it( 'has no PHP file of the plugin over 400 lines', () => {
		const long = [
			...files,
			path.join( REPO_ROOT, 'plugin.php' ),
			path.join( REPO_ROOT, 'uninstall.php' ),
		]
			.map( ( file ) => ( {
				file: path.relative( REPO_ROOT, file ),
				lines: readFileSync( file, 'utf8' ).split( '\n' ).length - 1,
			} ) )
			.filter( ( { lines } ) => lines > 400 );
		expect( long ).toEqual( [] );
	} );

	it( 'adds hooks in the hook table only (and the documented request-scoped ones)', () => {
		const elsewhere = files
			.filter( ( file ) => relative( file ) !== HOOKS )
			.flatMap( ( file ) =>
				[
					...readFileSync( file, 'utf8' ).matchAll(
						/\badd_(?:action|filter)\(\s*'([^']+)'/g
					),
				].map( ( [ , hook ] ) => `${ relative( file ) }: ${ hook }` )
			);
		const allowed = Object.entries( SCOPED_HOOKS ).flatMap(
			( [ file, hooks ] ) =>
				hooks.map( ( hook ) => `${ file }: ${ hook }` )
		);
		expect( elsewhere.sort() ).toEqual( allowed.sort() );
	} );

	it( 'hooks callbacks that exist, under the hook names the classes use', () => {
		const table = readFileSync( path.join( PHP_DIR, HOOKS ), 'utf8' );
		const callbacks = [
			...table.matchAll( /array\(\s*'(MFK_\w+)',\s*'(\w+)'\s*\)/g ),
		];
		expect( callbacks.length ).toBeGreaterThan( 30 );
		for ( const [ , className, method ] of callbacks ) {
			const file = map[ className!.toLowerCase() ];
			expect( [ className, file ] ).toEqual( [
				className,
				expect.any( String ),
			] );
			const source = readFileSync( path.join( PHP_DIR, file! ), 'utf8' );
			expect( [
				className,
				method,
				source.includes( `public static function ${ method }(` ),
			] ).toEqual( [ className, method, true ] );
		}
		const names: Record< string, string > = JSON.parse(
			php(
				"echo json_encode( array( 'tick' => MFK_Queue::CRON_HOOK, 'now' => MFK_Queue::CRON_NOW_HOOK, 'oauth' => MFK_OAuth::ACTION ) );"
			)
		);
		expect( table ).toContain( `add_action( '${ names.tick }',` );
		expect( table ).toContain( `add_action( '${ names.now }',` );
		expect( table ).toContain(
			`add_action( 'admin_post_${ names.oauth }',`
		);
		expect( table ).toContain(
			`add_action( 'admin_post_nopriv_${ names.oauth }',`
		);
	} );
} );
