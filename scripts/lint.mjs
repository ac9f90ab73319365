#!/usr/bin/env node
/**
 * Every static check, each run even when an earlier one fails, with a summary:
 * eslint (WordPress rules + prettier), prettier --check, tsc --noEmit, php -l.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
	path.dirname( fileURLToPath( import.meta.url ) ),
	'..'
);
const checks = [
	[ 'eslint', 'lint:js' ],
	[ 'prettier', 'lint:format' ],
	[ 'tsc', 'typecheck' ],
	[ 'php -l', 'lint:php' ],
];
const failed = [];
for ( const [ name, script ] of checks ) {
	console.log( `\n--- ${ name } (npm run ${ script })` );
	const result = spawnSync( 'npm', [ 'run', '--silent', script ], {
		cwd: root,
		stdio: 'inherit',
	} );
	if ( result.status !== 0 ) {
		failed.push( name );
	}
}
console.log(
	failed.length
		? `\nLint failed: ${ failed.join( ', ' ) }`
		: '\nLint passed: eslint, prettier, tsc, php -l'
);
process.exitCode = failed.length ? 1 : 0;
