/**
 * Where the harness keeps things. Everything it creates lives under `<repo>/.harness/`
 * (ignored by git): one folder per instance plus a shared download cache.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRepoRoot(): string {
	if ( process.env.MFK_REPO_ROOT ) {
		return path.resolve( process.env.MFK_REPO_ROOT );
	}
	// CommonJS (tsx, babel-jest, Playwright) gives us __dirname; fall back to the working
	// directory so the module still works if it is ever loaded as an ES module.
	const start =
		typeof __dirname !== 'undefined'
			? path.resolve( __dirname, '..', '..' )
			: process.cwd();
	let dir = start;
	for (;;) {
		if (
			existsSync( path.join( dir, 'plugin.php' ) ) &&
			existsSync( path.join( dir, 'package.json' ) )
		) {
			return dir;
		}
		const parent = path.dirname( dir );
		if ( parent === dir ) {
			return start;
		}
		dir = parent;
	}
}

export const REPO_ROOT = findRepoRoot();
export const HARNESS_ROOT = path.join( REPO_ROOT, '.harness' );
export const CACHE_DIR = path.join( HARNESS_ROOT, 'cache' );
export const HARNESS_SRC = path.join( REPO_ROOT, 'tests', 'harness' );
export const HARNESS_PHP = path.join( HARNESS_SRC, 'php' );
export const STAND_IN_DIR = path.join(
	REPO_ROOT,
	'tests',
	'kivicare-stand-in'
);
export const STAND_IN_MAIN = path.join(
	STAND_IN_DIR,
	'kivicare-clinic-management-system.php'
);
export const SIDECAR_BUNDLE = path.join(
	REPO_ROOT,
	'build',
	'sidecar',
	'sidecar.js'
);
/** How the sidecar is started everywhere (Node's flags and settings live there). */
export const SIDECAR_LAUNCHER = path.join( REPO_ROOT, 'bin', 'sidecar' );
export const EMULATOR_BUNDLE = path.join(
	REPO_ROOT,
	'build',
	'emulator',
	'emulator.js'
);

export const PLUGIN_SLUG = 'meet-for-kivicare';
export const STAND_IN_SLUG = 'kivicare-clinic-management-system';
