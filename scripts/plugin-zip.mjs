#!/usr/bin/env node
/**
 * Builds the installable plugin package dist/meet-for-kivicare.zip, with one top folder
 * `meet-for-kivicare/` holding what a WordPress site needs and nothing else: plugin.php,
 * uninstall.php, php/, the built blocks and admin scripts, the built sidecar (one
 * self-contained file), languages/ and readme.txt. Never the Google emulator, sources, tests,
 * node_modules or development configuration. Run `npm run build` first.
 *
 *   node scripts/plugin-zip.mjs [--root <checkout>] [--out <file.zip>]
 */
import { execFileSync } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	rmSync,
	statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SLUG = 'meet-for-kivicare';

/** What goes into the package: [path, required]. Folders are copied whole, minus IGNORED. */
export const CONTENTS = [
	[ 'plugin.php', true ],
	[ 'uninstall.php', false ],
	[ 'php', true ],
	[ 'build/blocks', true ],
	[ 'build/admin', true ],
	[ 'build/sidecar', true ],
	[ 'languages', false ],
	[ 'readme.txt', false ],
];

// Editor and OS litter, source maps and tests never ship, even inside the folders above.
const IGNORED =
	/(^|\/)(\.DS_Store|Thumbs\.db|\.gitkeep)$|\.map$|\.test\.[jt]sx?$/;

function option( name, fallback ) {
	const index = process.argv.indexOf( `--${ name }` );
	return index >= 0 ? path.resolve( process.argv[ index + 1 ] ) : fallback;
}

const scriptRoot = path.resolve(
	path.dirname( fileURLToPath( import.meta.url ) ),
	'..'
);
const root = option( 'root', scriptRoot );
const out = option( 'out', path.join( root, 'dist', `${ SLUG }.zip` ) );

const missing = CONTENTS.filter(
	( [ entry, required ] ) =>
		required && ! existsSync( path.join( root, entry ) )
).map( ( [ entry ] ) => entry );
if ( missing.length ) {
	console.error(
		`Cannot build the plugin zip, missing: ${ missing.join(
			', '
		) }. Run \`npm run build\` first.`
	);
	process.exit( 1 );
}

const staging = mkdtempSync( path.join( tmpdir(), 'mfk-zip-' ) );
try {
	const top = path.join( staging, SLUG );
	mkdirSync( top );
	for ( const [ entry ] of CONTENTS ) {
		const source = path.join( root, entry );
		if ( ! existsSync( source ) ) {
			continue;
		}
		cpSync( source, path.join( top, entry ), {
			recursive: true,
			dereference: true,
			filter: ( file ) =>
				! IGNORED.test(
					path.relative( root, file ).split( path.sep ).join( '/' )
				),
		} );
	}
	mkdirSync( path.dirname( out ), { recursive: true } );
	rmSync( out, { force: true } );
	// -X: no extra file attributes (uid/gid), so the archive does not depend on who built it.
	execFileSync( 'zip', [ '-r', '-X', '-q', out, SLUG ], { cwd: staging } );
	const files = execFileSync( 'unzip', [ '-Z1', out ], { encoding: 'utf8' } )
		.split( '\n' )
		.filter( ( line ) => line && ! line.endsWith( '/' ) );
	const size = ( statSync( out ).size / 1024 ).toFixed( 0 );
	console.log(
		`${ path.relative( process.cwd(), out ) }: ${ files.length } files, ${ size } KiB`
	);
} finally {
	rmSync( staging, { recursive: true, force: true } );
}
