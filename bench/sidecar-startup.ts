/**
 * Sidecar cold start and memory, measured on the built bundle (build/sidecar/sidecar.js):
 *
 * - cold start: spawn → first 200 from GET /healthz, median of RUNS (default 15) runs;
 * - RSS (from /proc) once started and idle, after 10k signed calls, after 20k signed calls
 *   (a mix: signed pings, and meeting ensure/get against the Google emulator).
 *
 *   npm run build:sidecar && npx tsx bench/sidecar-startup.ts [--runs 15] [--calls 10000] [--json out.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startEmulator } from '../src/emulator';
import { signedHeaders } from '../src/sidecar/signing';

const ROOT = resolve( __dirname, '..' );
const BUNDLE = resolve( ROOT, 'build/sidecar/sidecar.js' );
const SECRET = randomBytes( 24 ).toString( 'base64url' );
const SEAL_KEYS = `bench:${ randomBytes( 32 ).toString( 'base64' ) }`;

function arg( name: string, fallback: number ): number {
	const i = process.argv.indexOf( `--${ name }` );
	return i > 0 ? Number( process.argv[ i + 1 ] ) : fallback;
}
const RUNS = arg( 'runs', 15 );
const CALLS = arg( 'calls', 10000 );
const jsonAt = process.argv.indexOf( '--json' );
const JSON_OUT = jsonAt > 0 ? process.argv[ jsonAt + 1 ] : undefined;

function freePort(): Promise< number > {
	return new Promise( ( resolvePort, reject ) => {
		const s = createServer();
		s.once( 'error', reject );
		s.listen( 0, '127.0.0.1', () => {
			const port = ( s.address() as { port: number } ).port;
			s.close( () => resolvePort( port ) );
		} );
	} );
}

function rssMiB( pid: number ): number {
	const status = readFileSync( `/proc/${ pid }/status`, 'utf8' );
	const kb = Number( /VmRSS:\s+(\d+)/.exec( status )?.[ 1 ] );
	return Math.round( ( kb / 1024 ) * 10 ) / 10;
}

const sleep = ( ms: number ) => new Promise( ( r ) => setTimeout( r, ms ) );

async function startProcess(
	port: number,
	extraEnv: Record< string, string > = {}
): Promise< { child: ChildProcess; ms: number } > {
	const started = process.hrtime.bigint();
	const child = spawn( process.execPath, [ BUNDLE ], {
		env: {
			...process.env,
			MFK_SIDECAR_PORT: String( port ),
			MFK_SHARED_SECRET: SECRET,
			MFK_SEAL_KEYS: SEAL_KEYS,
			MFK_LOG_LEVEL: 'warn',
			...extraEnv,
		},
		stdio: [ 'ignore', 'ignore', 'inherit' ],
	} );
	for (;;) {
		try {
			const res = await fetch( `http://127.0.0.1:${ port }/healthz` );
			if ( res.status === 200 ) {
				await res.arrayBuffer();
				return {
					child,
					ms: Number( process.hrtime.bigint() - started ) / 1e6,
				};
			}
		} catch {
			// not listening yet
		}
		if ( child.exitCode !== null ) {
			throw new Error( `sidecar exited with ${ child.exitCode }` );
		}
		await sleep( 1 );
	}
}

async function stop( child: ChildProcess ): Promise< void > {
	if ( child.exitCode !== null ) {
		return;
	}
	const exited = new Promise( ( r ) => child.once( 'exit', r ) );
	child.kill( 'SIGTERM' );
	await exited;
}

function percentile( sorted: number[], p: number ): number {
	return sorted[
		Math.min( sorted.length - 1, Math.floor( ( p / 100 ) * sorted.length ) )
	] as number;
}

async function main(): Promise< void > {
	if ( ! existsSync( BUNDLE ) ) {
		throw new Error(
			'build/sidecar/sidecar.js is missing: run npm run build:sidecar first'
		);
	}
	const port = await freePort();

	// Cold start.
	const samples: number[] = [];
	for ( let i = 0; i < RUNS; i++ ) {
		const { child, ms } = await startProcess( port );
		samples.push( ms );
		await stop( child );
	}
	const sorted = [ ...samples ].sort( ( a, b ) => a - b );

	// Memory under signed calls.
	const google = await startEmulator( { port: 0 } );
	const { child } = await startProcess( port, google.sidecarEnv() );
	const base = `http://127.0.0.1:${ port }`;
	const call = async ( path: string, body: unknown ) => {
		const raw = JSON.stringify( body );
		const res = await fetch( base + path, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				...signedHeaders( SECRET, { method: 'POST', path, body: raw } ),
			},
			body: raw,
		} );
		const json = ( await res.json() ) as Record< string, unknown >;
		if ( res.status !== 200 ) {
			throw new Error(
				`${ path } answered ${ res.status }: ${ JSON.stringify( json ) }`
			);
		}
		return json;
	};
	await sleep( 1000 ); // let the deferred Google client load finish
	const rssStarted = rssMiB( child.pid as number );

	// One connected doctor, through the emulator's consent flow.
	const siteId = randomUUID();
	const client = {
		clientId: 'demo-client.apps.googleusercontent.com',
		clientSecret: (
			await call( '/v1/oauth/client/seal', {
				siteId,
				clientSecret: 'demo-client-secret',
			} )
		).clientSecret,
	};
	const redirectUri = 'https://clinic.example.test/callback';
	const { url } = ( await call( '/v1/oauth/authorize-url', {
		siteId,
		client,
		redirectUri,
		state: 'bench-state',
	} ) ) as { url: string };
	const page = await ( await fetch( url ) ).text();
	const form = new URLSearchParams( {
		request: /name="request" value="([^"]+)"/.exec( page )?.[ 1 ] ?? '',
		email: 'bench@example.test',
		decision: 'allow',
	} );
	form.append( 'scope', 'https://www.googleapis.com/auth/calendar.events' );
	const back = await fetch( `${ google.url }/o/oauth2/v2/auth/decision`, {
		method: 'POST',
		body: form,
		redirect: 'manual',
	} );
	const code = new URL(
		back.headers.get( 'location' ) as string
	).searchParams.get( 'code' );
	let credential = (
		await call( '/v1/oauth/exchange', {
			siteId,
			client,
			redirectUri,
			code,
		} )
	).credential as string;

	const start = Date.parse( '2031-01-01T09:00:00Z' );
	let n = 0;
	const runCalls = async ( count: number ) => {
		const worker = async () => {
			while ( n < count ) {
				const i = n++;
				if ( i % 10 === 0 ) {
					// One in ten calls is a meeting operation (ensure, then get) through Google.
					const appointmentId = 1 + ( i % 500 );
					const s = new Date(
						start + appointmentId * 3600000
					).toISOString();
					const e = new Date(
						start + appointmentId * 3600000 + 1800000
					).toISOString();
					const op = i % 20 === 0 ? 'ensure' : 'get';
					const body =
						op === 'ensure'
							? {
									siteId,
									client,
									credential,
									appointmentId,
									start: {
										dateTime: s,
										timeZone: 'Europe/London',
									},
									end: {
										dateTime: e,
										timeZone: 'Europe/London',
									},
								}
							: { siteId, client, credential, appointmentId };
					try {
						const r = await call( `/v1/meetings/${ op }`, body );
						if ( typeof r.credential === 'string' ) {
							credential = r.credential;
						}
					} catch ( error ) {
						if ( ! String( error ).includes( 'not_found' ) ) {
							throw error;
						}
					}
				} else {
					await call( '/v1/ping', {} );
				}
			}
		};
		await Promise.all( Array.from( { length: 8 }, worker ) );
	};
	const t0 = Date.now();
	await runCalls( CALLS );
	const seconds = ( Date.now() - t0 ) / 1000;
	await sleep( 500 );
	const rssAfter = rssMiB( child.pid as number );
	n = 0;
	await runCalls( CALLS );
	await sleep( 500 );
	const rssAfter2 = rssMiB( child.pid as number );
	await stop( child );
	await google.close();

	const result = {
		date: new Date().toISOString(),
		node: process.version,
		cpus: cpus().length,
		loadAverage: loadavg().map( ( l ) => Math.round( l * 100 ) / 100 ),
		bundleKiB: Math.round( readFileSync( BUNDLE ).length / 1024 ),
		coldStartMs: {
			runs: RUNS,
			median: Math.round( percentile( sorted, 50 ) * 10 ) / 10,
			min: Math.round( ( sorted[ 0 ] as number ) * 10 ) / 10,
			p90: Math.round( percentile( sorted, 90 ) * 10 ) / 10,
			samples: samples.map( ( s ) => Math.round( s * 10 ) / 10 ),
		},
		rssMiB: {
			afterStart: rssStarted,
			[ `after${ CALLS }Calls` ]: rssAfter,
			[ `after${ 2 * CALLS }Calls` ]: rssAfter2,
		},
		callsPerSecond: Math.round( CALLS / seconds ),
	};
	process.stdout.write( JSON.stringify( result, null, 2 ) + '\n' );
	if ( JSON_OUT ) {
		writeFileSync( JSON_OUT, JSON.stringify( result, null, 2 ) + '\n' );
	}
}

main().catch( ( error: unknown ) => {
	process.stderr.write(
		`${ error instanceof Error ? error.stack : String( error ) }\n`
	);
	process.exit( 1 );
} );
