/**
 * bin/sidecar, the one start command of the sidecar: the Node flags and allocator settings it
 * starts the bundle with, and that everything which starts the sidecar goes through it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve( __dirname, '../..' );
const LAUNCHER = join( ROOT, 'bin/sidecar' );
let dir: string;
let fakeNode: string;

beforeAll( () => {
	dir = mkdtempSync( join( tmpdir(), 'mfk-launcher-' ) );
	// Stands in for node: reports its process id, the allocator settings and its arguments.
	fakeNode = join( dir, 'node' );
	writeFileSync(
		fakeNode,
		'#!/bin/sh\necho "pid=$$"\necho "MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-}"\necho "MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-}"\nfor a in "$@"; do echo "arg=$a"; done\n',
		{ mode: 0o755 }
	);
} );
afterAll( () => rmSync( dir, { recursive: true, force: true } ) );

function launch( env: Record< string, string > = {} ): Promise< {
	pid: number;
	lines: string[];
} > {
	return new Promise( ( done, fail ) => {
		const child = spawn( 'sh', [ LAUNCHER, '--extra' ], {
			cwd: dir,
			env: { PATH: process.env.PATH ?? '', MFK_NODE: fakeNode, ...env },
		} );
		let out = '';
		child.stdout.on( 'data', ( chunk: Buffer ) => ( out += chunk ) );
		child.once( 'error', fail );
		child.once( 'exit', ( code ) =>
			code === 0
				? done( {
						pid: child.pid as number,
						lines: out.trim().split( '\n' ),
					} )
				: fail( new Error( `bin/sidecar exited with ${ code }` ) )
		);
	} );
}

test( 'starts the checkout’s bundle with the sidecar’s Node flags and allocator settings, in the same process', async () => {
	const { pid, lines } = await launch();
	expect( lines ).toEqual( [
		// exec: the process started is node itself, so supervisors signal and watch the sidecar.
		`pid=${ pid }`,
		'MALLOC_ARENA_MAX=1',
		'MALLOC_TRIM_THRESHOLD_=131072',
		'arg=--max-semi-space-size=1',
		'arg=--heap-growing-percent=20',
		'arg=--single-threaded-gc',
		`arg=${ join( ROOT, 'build/sidecar/sidecar.js' ) }`,
		'arg=--extra',
	] );
} );

test( 'MFK_SIDECAR_BUNDLE starts another build the same way', async () => {
	const { lines } = await launch( {
		MFK_SIDECAR_BUNDLE: '/tmp/other/sidecar.js',
	} );
	expect( lines ).toContain( 'arg=/tmp/other/sidecar.js' );
	expect( lines ).toContain( 'arg=--single-threaded-gc' );
	expect( lines.join( '\n' ) ).not.toContain( 'build/sidecar/sidecar.js' );
} );

test( 'npm run sidecar, the harness, the benchmark and the service unit all start bin/sidecar', () => {
	const scripts = JSON.parse(
		readFileSync( join( ROOT, 'package.json' ), 'utf8' )
	).scripts as Record< string, string >;
	expect( scripts.sidecar ).toBe( 'sh bin/sidecar' );
	expect(
		readFileSync( join( ROOT, 'tests/harness/services.ts' ), 'utf8' )
	).toContain( 'SIDECAR_LAUNCHER' );
	expect(
		readFileSync( join( ROOT, 'bench/lib/procs.ts' ), 'utf8' )
	).toContain( "resolve( ROOT, 'bin/sidecar' )" );
	const readme = readFileSync( join( ROOT, 'README.md' ), 'utf8' );
	expect( readme ).toMatch(
		/^\s*ExecStart=\/bin\/sh \S+\/meet-for-kivicare\/bin\/sidecar$/m
	);
	// Nowhere else are the sidecar's Node flags written down as a way to start it.
	const mentions = execFileSync(
		'git',
		[
			'grep',
			'-l',
			'-e',
			'--heap-growing-percent',
			'--',
			':!docs',
			':!bench/results',
		],
		{ cwd: ROOT, encoding: 'utf8' }
	)
		.trim()
		.split( '\n' )
		.sort();
	expect( mentions ).toEqual( [
		'bin/sidecar',
		'tests/unit/sidecar-launcher.test.ts',
	] );
} );
