#!/usr/bin/env node
/**
 * `php -l` on every PHP file of the repository (plugin, blocks, stand-in, harness), a few at a
 * time. Prints the failures and exits non-zero when there is any.
 *
 *   node scripts/lint-php.mjs [folder…]
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify( execFile );
const root = path.resolve(
	path.dirname( fileURLToPath( import.meta.url ) ),
	'..'
);
const SKIP = new Set( [
	'node_modules',
	'vendor',
	'.git',
	'.harness',
	'.tools',
	'build',
	'dist',
	'test-results',
	'playwright-report',
] );

export function findPhpFiles( dir ) {
	const files = [];
	for ( const entry of readdirSync( dir, { withFileTypes: true } ) ) {
		if ( SKIP.has( entry.name ) ) {
			continue;
		}
		const full = path.join( dir, entry.name );
		if ( entry.isDirectory() ) {
			files.push( ...findPhpFiles( full ) );
		} else if ( entry.isFile() && entry.name.endsWith( '.php' ) ) {
			files.push( full );
		}
	}
	return files;
}

async function lint( file ) {
	try {
		await run( 'php', [ '-n', '-d', 'display_errors=1', '-l', file ] );
		return null;
	} catch ( error ) {
		return ( error.stdout || error.stderr || String( error ) ).trim();
	}
}

const targets = process.argv.slice( 2 );
const files = ( targets.length ? targets : [ root ] ).flatMap( ( target ) =>
	findPhpFiles( path.resolve( target ) )
);
const queue = [ ...files ];
const failures = [];
await Promise.all(
	Array.from( { length: Math.max( 2, availableParallelism() ) }, async () => {
		while ( queue.length ) {
			const problem = await lint( queue.shift() );
			if ( problem ) {
				failures.push( problem );
			}
		}
	} )
);
for ( const failure of failures ) {
	console.error( failure );
}
console.log(
	`php -l: ${ files.length } files, ${ failures.length } with syntax errors`
);
process.exitCode = failures.length ? 1 : 0;
