/**
 * Everything the reliability and security suites receive from WordPress (REST answers, page
 * HTML, what the browser loads, e-mails) is appended here, so that the secrets scan at the end
 * of the run can prove that no token, client secret, shared secret or sealed credential ever
 * left the server. Files live under tests/artifacts/security/collected/ (one per process); the
 * scan removes what it has read.
 */
import {
	appendFileSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
} from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../harness/paths';
import { INSTANCE_NAME, type Session } from '../../harness/testkit';

export const ARTIFACTS = path.join( REPO_ROOT, 'tests', 'artifacts' );
const DIR = path.join( ARTIFACTS, 'security', 'collected' );

export type Kind = 'rest' | 'page' | 'browser' | 'mail' | 'sidecar';

export interface Collected {
	kind: Kind;
	source: string;
	body: string;
}

function file(): string {
	return path.join( DIR, `${ INSTANCE_NAME }-${ process.pid }.jsonl` );
}

/** Records one answer for the secrets scan. */
export function collect( kind: Kind, source: string, body: string ): void {
	mkdirSync( DIR, { recursive: true } );
	appendFileSync(
		file(),
		JSON.stringify( { kind, source, body } satisfies Collected ) + '\n'
	);
}

/** Wraps a session so every REST answer and fetched page it receives is recorded. */
export function track( session: Session ): Session {
	if ( ( session as { tracked?: boolean } ).tracked ) {
		return session;
	}
	const rest = session.rest;
	const fetchPage = session.fetch;
	return Object.assign( Object.create( null ), session, {
		tracked: true,
		rest: async (
			route: string,
			options?: Parameters< Session[ 'rest' ] >[ 1 ]
		) => {
			const res = await rest( route, options );
			collect(
				'rest',
				`${ options?.method ?? 'GET' } ${ route }`,
				typeof res.body === 'string'
					? res.body
					: JSON.stringify( res.body )
			);
			return res;
		},
		fetch: async ( pathOrUrl: string, init?: RequestInit ) => {
			const res = await fetchPage( pathOrUrl, init );
			collect( 'page', pathOrUrl, await res.clone().text() );
			return res;
		},
	} ) as Session;
}

/** Files collected for this instance so far (by any process). */
export function collectedFiles(): string[] {
	try {
		return readdirSync( DIR )
			.filter(
				( f ) =>
					f.startsWith( `${ INSTANCE_NAME }-` ) &&
					f.endsWith( '.jsonl' )
			)
			.map( ( f ) => path.join( DIR, f ) );
	} catch {
		return [];
	}
}

export function* readCollected( files: string[] ): Generator< Collected > {
	for ( const f of files ) {
		for ( const line of readFileSync( f, 'utf8' ).split( '\n' ) ) {
			if ( line ) {
				yield JSON.parse( line ) as Collected;
			}
		}
	}
}

export function forget( files: string[] ): void {
	for ( const f of files ) {
		rmSync( f, { force: true } );
	}
}
