/**
 * npm run plugin-zip: the package holds the plugin's PHP, built assets and built sidecar under
 * one top folder, and nothing from development (sources, tests, the emulator, configs).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

const SCRIPT = path.join( REPO_ROOT, 'scripts', 'plugin-zip.mjs' );

function tree( root: string, files: string[] ): void {
	for ( const file of files ) {
		mkdirSync( path.dirname( path.join( root, file ) ), {
			recursive: true,
		} );
		writeFileSync( path.join( root, file ), `${ file }\n` );
	}
}

describe( 'plugin zip', () => {
	let dir: string;

	beforeEach( () => {
		dir = mkdtempSync( path.join( tmpdir(), 'mfk-zip-unit-' ) );
	} );
	afterEach( () => rmSync( dir, { recursive: true, force: true } ) );

	it( 'packages the plugin files under meet-for-kivicare/ and leaves development files out', () => {
		const root = path.join( dir, 'checkout' );
		tree( root, [
			'plugin.php',
			'uninstall.php',
			'readme.txt',
			'php/load.php',
			'php/cli/run-queue.php',
			'build/blocks/meet-controls/block.json',
			'build/blocks/meet-controls/index.js',
			'build/blocks/meet-controls/index.js.map',
			'build/blocks/meet-controls/render.php',
			'build/admin/index.js',
			'build/admin/index.asset.php',
			'build/sidecar/sidecar.js',
			'bin/sidecar',
			'bin/dev',
			'build/emulator/emulator.js',
			'languages/index.php',
			'build/languages/meet-for-kivicare.pot',
			'src/sidecar/main.ts',
			'blocks/meet-controls/edit.tsx',
			'tests/unit/x.test.ts',
			'tests/kivicare-stand-in/kivicare-clinic-management-system.php',
			'node_modules/fastify/index.js',
			'package.json',
			'webpack.config.js',
			'.wp-env.json',
			'docs/ARCHITECTURE.md',
			'php/.DS_Store',
		] );
		const out = path.join( dir, 'out', 'plugin.zip' );
		execFileSync(
			process.execPath,
			[ SCRIPT, '--root', root, '--out', out ],
			{
				encoding: 'utf8',
			}
		);
		const entries = execFileSync( 'unzip', [ '-Z1', out ], {
			encoding: 'utf8',
		} )
			.split( '\n' )
			.filter( ( line ) => line && ! line.endsWith( '/' ) )
			.sort();
		expect( entries ).toEqual(
			[
				'plugin.php',
				'uninstall.php',
				'readme.txt',
				'php/load.php',
				'php/cli/run-queue.php',
				'build/blocks/meet-controls/block.json',
				'build/blocks/meet-controls/index.js',
				'build/blocks/meet-controls/render.php',
				'build/admin/index.js',
				'build/admin/index.asset.php',
				'build/sidecar/sidecar.js',
				'bin/sidecar',
				'languages/index.php',
				'languages/meet-for-kivicare.pot',
			]
				.map( ( file ) => `meet-for-kivicare/${ file }` )
				.sort()
		);
	} );

	it( 'refuses to build without the built assets and says what to run', () => {
		const root = path.join( dir, 'checkout' );
		tree( root, [
			'plugin.php',
			'php/load.php',
			'build/blocks/x/block.json',
		] );
		const result = spawnSync(
			process.execPath,
			[ SCRIPT, '--root', root, '--out', path.join( dir, 'x.zip' ) ],
			{ encoding: 'utf8' }
		);
		expect( result.status ).toBe( 1 );
		expect( result.stderr ).toContain(
			'missing: build/admin, build/sidecar'
		);
		expect( result.stderr ).toContain( 'npm run build' );
	} );
} );
