/**
 * Runs PHP code inside an instance's WordPress from the command line (php-cli loading
 * wp-load.php, like WP-CLI's `wp eval`), so tests and tools can read and change state directly.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Instance } from './instances';
import { HARNESS_PHP } from './paths';
import { program } from './programs';
import { phpArgs, phpEnv } from './wordpress';

const JSON_MARKER = '<<<MFK-JSON>>>';

export class WpEvalError extends Error {
	constructor(
		message: string,
		readonly stdout: string,
		readonly stderr: string,
		readonly exitCode: number | null
	) {
		super( message );
		this.name = 'WpEvalError';
	}
}

function runEval(
	instance: Instance,
	code: string,
	mode: 'raw' | 'json',
	args: unknown,
	env: NodeJS.ProcessEnv
): Promise< string > {
	return new Promise( ( resolve, reject ) => {
		const child = spawn(
			program( 'php' ),
			phpArgs( path.join( HARNESS_PHP, 'eval.php' ), [ mode ] ),
			{
				env: phpEnv( instance, env ),
				stdio: [ 'pipe', 'pipe', 'pipe' ],
			}
		);
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on( 'data', ( chunk: Buffer ) => out.push( chunk ) );
		child.stderr.on( 'data', ( chunk: Buffer ) => err.push( chunk ) );
		child.on( 'error', reject );
		child.on( 'close', ( exitCode ) => {
			const stdout = Buffer.concat( out ).toString( 'utf8' );
			const stderr = Buffer.concat( err ).toString( 'utf8' );
			if ( exitCode !== 0 ) {
				reject(
					new WpEvalError(
						`PHP exited with ${ exitCode }: ${ stderr.trim() || stdout.trim() }`,
						stdout,
						stderr,
						exitCode
					)
				);
				return;
			}
			resolve( stdout );
		} );
		child.stdin.end( `${ JSON.stringify( args ?? null ) }\n${ code }` );
	} );
}

/**
 * Runs `code` (PHP statements, no `<?php` needed) and resolves with what it printed. `args`
 * (any JSON value) is available to the code as the PHP array/value `$args`.
 */
export function wpEvalIn(
	instance: Instance,
	code: string,
	args?: unknown,
	env: NodeJS.ProcessEnv = {}
): Promise< string > {
	return runEval( instance, code, 'raw', args, env );
}

/** Runs `code` and resolves with the value it `return`s, passed through JSON. */
export async function wpJsonIn< T = unknown >(
	instance: Instance,
	code: string,
	args?: unknown,
	env: NodeJS.ProcessEnv = {}
): Promise< T > {
	const stdout = await runEval( instance, code, 'json', args, env );
	const at = stdout.lastIndexOf( JSON_MARKER );
	if ( at < 0 ) {
		throw new WpEvalError( 'No JSON result in the output', stdout, '', 0 );
	}
	return JSON.parse( stdout.slice( at + JSON_MARKER.length ) ) as T;
}
