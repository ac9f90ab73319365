/**
 * A cross-process lock built on an atomic mkdir. Several jest/Playwright runs (or `bin/dev`)
 * may try to set up the same instance at the same moment; only one does the work, the others
 * wait and then find everything in place. A lock left by a dead process is taken over.
 */
import {
	mkdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { isAlive } from './proc';

const sleep = ( ms: number ) =>
	new Promise< void >( ( resolve ) => setTimeout( resolve, ms ) );

function safeMtime( file: string ): number {
	try {
		return statSync( file ).mtimeMs;
	} catch {
		return Date.now();
	}
}

export async function withLock< T >(
	dir: string,
	work: () => Promise< T >,
	{ timeoutMs = 10 * 60 * 1000 } = {}
): Promise< T > {
	const lockDir = `${ dir }.lock`;
	mkdirSync( path.dirname( lockDir ), { recursive: true } );
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			mkdirSync( lockDir );
			writeFileSync(
				path.join( lockDir, 'owner' ),
				String( process.pid )
			);
			break;
		} catch ( error ) {
			if ( ( error as NodeJS.ErrnoException ).code !== 'EEXIST' ) {
				throw error;
			}
			let owner = 0;
			try {
				owner = Number(
					readFileSync( path.join( lockDir, 'owner' ), 'utf8' )
				);
			} catch {
				// The owner is between mkdir and writing its pid; give it a moment.
			}
			const orphaned =
				! owner && Date.now() - safeMtime( lockDir ) > 10000;
			if ( ( owner && ! isAlive( owner ) ) || orphaned ) {
				rmSync( lockDir, { recursive: true, force: true } );
				continue;
			}
			if ( Date.now() > deadline ) {
				throw new Error(
					`Timed out waiting for ${ lockDir } (held by pid ${ owner })`
				);
			}
			await sleep( 200 );
		}
	}
	try {
		return await work();
	} finally {
		rmSync( lockDir, { recursive: true, force: true } );
	}
}
