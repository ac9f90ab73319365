/**
 * How the harness finds system programs: on PATH first, then where distributions install them
 * (a normal Debian user's PATH has no /usr/sbin, where mariadbd is), older names as a fallback,
 * and a missing program reported with its Debian package, never as a bare ENOENT; a service
 * whose program cannot be run fails its start without ending the process.
 */
import {
	chmodSync,
	mkdirSync,
	mkdtempSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Instance } from '../harness/instances';
import { spawnService } from '../harness/proc';
import {
	MissingProgramError,
	SYSTEM_DIRS,
	findProgram,
	searchDirs,
} from '../harness/programs';

let root: string;

/** A folder under the test's root holding the given programs (executable unless said). */
function folder(
	name: string,
	programs: string[],
	{ executable = true } = {}
): string {
	const dir = path.join( root, name );
	mkdirSync( dir, { recursive: true } );
	for ( const file of programs ) {
		writeFileSync( path.join( dir, file ), '#!/bin/sh\nexit 0\n' );
		chmodSync( path.join( dir, file ), executable ? 0o755 : 0o644 );
	}
	return dir;
}

beforeEach( () => {
	root = mkdtempSync( path.join( tmpdir(), 'mfk-programs-' ) );
} );
afterEach( () => rmSync( root, { recursive: true, force: true } ) );

describe( 'findProgram', () => {
	it( 'finds a server program in a system folder that is not on PATH', () => {
		const userBin = folder( 'usr/bin', [ 'php' ] );
		const sbin = folder( 'usr/sbin', [ 'mariadbd' ] );
		expect(
			findProgram( 'mariadbd', {
				pathVariable: userBin,
				systemDirs: [ sbin, userBin ],
			} )
		).toBe( path.join( sbin, 'mariadbd' ) );
	} );

	it( 'prefers PATH, in its order, to the system folders', () => {
		const mine = folder( 'opt/mariadb/bin', [ 'mariadbd' ] );
		const sbin = folder( 'usr/sbin', [ 'mariadbd' ] );
		expect(
			findProgram( 'mariadbd', {
				pathVariable: [ folder( 'empty', [] ), mine ].join(
					path.delimiter
				),
				systemDirs: [ sbin ],
			} )
		).toBe( path.join( mine, 'mariadbd' ) );
	} );

	it( 'falls back to an older name of the same program', () => {
		const sbin = folder( 'usr/sbin', [ 'mysqld' ] );
		expect(
			findProgram( 'mariadbd', {
				pathVariable: '',
				systemDirs: [ sbin ],
			} )
		).toBe( path.join( sbin, 'mysqld' ) );
	} );

	it( 'skips files that cannot be run', () => {
		const broken = folder( 'broken', [ 'php' ], { executable: false } );
		const bin = folder( 'usr/bin', [ 'php' ] );
		expect(
			findProgram( 'php', {
				pathVariable: broken,
				systemDirs: [ bin ],
			} )
		).toBe( path.join( bin, 'php' ) );
	} );

	it( 'names the package to install when a program is nowhere', () => {
		const bin = folder( 'usr/bin', [ 'php' ] );
		let error: unknown;
		try {
			findProgram( 'mariadbd', {
				pathVariable: bin,
				systemDirs: [ bin ],
			} );
		} catch ( e ) {
			error = e;
		}
		expect( error ).toBeInstanceOf( MissingProgramError );
		expect( error ).toMatchObject( {
			code: 'MFK_MISSING_PROGRAM',
			programName: 'mariadbd',
			packageName: 'mariadb-server',
		} );
		expect( ( error as Error ).message ).toContain(
			'sudo apt-get install mariadb-server'
		);
		expect( ( error as Error ).message ).toContain( bin );
		expect( ( error as Error ).message ).not.toContain( 'ENOENT' );
	} );

	it( 'searches the folders distributions install servers into', () => {
		expect( SYSTEM_DIRS ).toEqual(
			expect.arrayContaining( [
				'/usr/sbin',
				'/usr/bin',
				'/usr/local/sbin',
				'/usr/local/bin',
			] )
		);
		expect(
			searchDirs( `/usr/bin${ path.delimiter }/usr/bin/`, SYSTEM_DIRS )
		).toEqual( [
			'/usr/bin',
			...SYSTEM_DIRS.filter( ( d ) => d !== '/usr/bin' ),
		] );
	} );
} );

describe( 'spawnService', () => {
	it( 'fails to start a program that cannot be run without ending the process', async () => {
		const instance = {
			name: 'probe',
			paths: {
				pids: path.join( root, 'pids' ),
				logs: root,
			},
		} as unknown as Instance;
		expect( () =>
			spawnService( instance, 'mariadb', {
				command: path.join( root, 'no-such-mariadbd' ),
				args: [],
				port: 1,
				marker: 'probe',
			} )
		).toThrow(
			/Could not start mariadb: .*no-such-mariadbd cannot be run/
		);
		// The child's 'error' event is emitted on the next tick, after the throw; unhandled,
		// it would fail this test as an uncaught exception.
		await new Promise( ( resolve ) => setImmediate( resolve ) );
	} );
} );
