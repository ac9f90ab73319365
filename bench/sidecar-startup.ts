/**
 * Sidecar cold start and memory, measured on the built bundle (build/sidecar/sidecar.js):
 *
 * - cold start: spawn → first 200 from GET /healthz, over RUNS runs (default 15): median, min,
 *   p90 of the wall time, and the CPU time the sidecar process used until then (less sensitive
 *   to other load on the machine);
 * - memory once started and idle, then after each of three rounds of CALLS signed calls
 *   (default 10,000; nine in ten are signed pings, one in ten a meeting ensure/get that goes to
 *   the Google emulator): resident set (VmRSS, includes the pages of the Node binary shared with
 *   every other Node process) and private memory (this process only). Measured with Node's
 *   default heap settings and with --max-semi-space-size=1 (see docs/PERFORMANCE.md).
 *
 *   npm run build:sidecar && npx tsx bench/sidecar-startup.ts [--runs 15] [--calls 10000] [--json out.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startEmulator, type RunningEmulator } from '../src/emulator';
import { signedHeaders } from '../src/sidecar/signing';

const ROOT = resolve( __dirname, '..' );
const BUNDLE = resolve( ROOT, 'build/sidecar/sidecar.js' );
const SECRET = randomBytes( 24 ).toString( 'base64url' );
const SEAL_KEYS = `bench:${ randomBytes( 32 ).toString( 'base64' ) }`;
/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICK_MS = 10;

function arg( name: string, fallback: number ): number {
	const i = process.argv.indexOf( `--${ name }` );
	return i > 0 ? Number( process.argv[ i + 1 ] ) : fallback;
}
const RUNS = arg( 'runs', 15 );
const CALLS = arg( 'calls', 10000 );
const jsonAt = process.argv.indexOf( '--json' );
const JSON_OUT = jsonAt > 0 ? process.argv[ jsonAt + 1 ] : undefined;

const sleep = ( ms: number ) => new Promise( ( r ) => setTimeout( r, ms ) );
const round = ( n: number ) => Math.round( n * 10 ) / 10;

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
	return round( Number( /VmRSS:\s+(\d+)/.exec( status )?.[ 1 ] ) / 1024 );
}

/** Memory only this process holds (private pages), as opposed to the shared Node binary. */
function privateMiB( pid: number ): number {
	const rollup = readFileSync( `/proc/${ pid }/smaps_rollup`, 'utf8' );
	const kb = ( name: string ) =>
		Number(
			new RegExp( `${ name }:\\s+(\\d+)` ).exec( rollup )?.[ 1 ] ?? 0
		);
	return round( ( kb( 'Private_Clean' ) + kb( 'Private_Dirty' ) ) / 1024 );
}

const memoryOf = ( pid: number ) => ( {
	rssMiB: rssMiB( pid ),
	privateMiB: privateMiB( pid ),
} );

function cpuMs( pid: number ): number {
	// Fields after the command name: state is field 3, utime 14, stime 15.
	const stat = readFileSync( `/proc/${ pid }/stat`, 'utf8' );
	const fields = stat.slice( stat.lastIndexOf( ')' ) + 2 ).split( ' ' );
	return ( Number( fields[ 11 ] ) + Number( fields[ 12 ] ) ) * TICK_MS;
}

/** One GET /healthz without keep-alive; resolves to the status or 0 when nothing listens. */
function probe( port: number ): Promise< number > {
	return new Promise( ( done ) => {
		const req = http.get(
			{ host: '127.0.0.1', port, path: '/healthz', agent: false },
			( res ) => {
				res.resume();
				res.on( 'end', () => done( res.statusCode ?? 0 ) );
			}
		);
		req.on( 'error', () => done( 0 ) );
	} );
}

async function startSidecar(
	port: number,
	flags: string[],
	extraEnv: Record< string, string > = {}
): Promise< { child: ChildProcess; ms: number; cpu: number } > {
	const started = process.hrtime.bigint();
	const child = spawn( process.execPath, [ ...flags, BUNDLE ], {
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
		if ( ( await probe( port ) ) === 200 ) {
			const ms = Number( process.hrtime.bigint() - started ) / 1e6;
			return { child, ms, cpu: cpuMs( child.pid as number ) };
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

async function coldStart( port: number ) {
	const wall: number[] = [];
	const cpu: number[] = [];
	for ( let i = 0; i < RUNS; i++ ) {
		const run = await startSidecar( port, [] );
		wall.push( run.ms );
		cpu.push( run.cpu );
		await stop( run.child );
	}
	const sorted = [ ...wall ].sort( ( a, b ) => a - b );
	const cpuSorted = [ ...cpu ].sort( ( a, b ) => a - b );
	return {
		runs: RUNS,
		medianMs: round( percentile( sorted, 50 ) ),
		minMs: round( sorted[ 0 ] as number ),
		p90Ms: round( percentile( sorted, 90 ) ),
		medianCpuMs: percentile( cpuSorted, 50 ),
		samplesMs: wall.map( round ),
	};
}

async function memory(
	port: number,
	google: RunningEmulator,
	flags: string[]
) {
	const { child } = await startSidecar( port, flags, google.sidecarEnv() );
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
		return {
			status: res.status,
			body: ( await res.json() ) as Record< string, unknown >,
		};
	};
	try {
		await sleep( 1000 ); // past the deferred load of the Google client
		const afterStart = memoryOf( child.pid as number );

		// One doctor, connected through the emulator's consent page.
		const siteId = randomUUID();
		const client = {
			clientId: 'demo-client.apps.googleusercontent.com',
			clientSecret: (
				await call( '/v1/oauth/client/seal', {
					siteId,
					clientSecret: 'demo-client-secret',
				} )
			).body.clientSecret,
		};
		const redirectUri = 'https://clinic.example.test/callback';
		const { url } = (
			await call( '/v1/oauth/authorize-url', {
				siteId,
				client,
				redirectUri,
				state: 'bench',
			} )
		).body as { url: string };
		const page = await ( await fetch( url ) ).text();
		const form = new URLSearchParams( {
			request: /name="request" value="([^"]+)"/.exec( page )?.[ 1 ] ?? '',
			email: 'bench@example.test',
			decision: 'allow',
		} );
		form.append(
			'scope',
			'https://www.googleapis.com/auth/calendar.events'
		);
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
		).body.credential as string;

		const start = Date.parse( '2031-01-01T09:00:00Z' );
		const runCalls = async ( count: number ) => {
			let n = 0;
			const worker = async () => {
				while ( n < count ) {
					const i = n++;
					if ( i % 10 !== 0 ) {
						const r = await call( '/v1/ping', {} );
						if ( r.status !== 200 ) {
							throw new Error( `ping answered ${ r.status }` );
						}
						continue;
					}
					// One call in ten goes to Google: ensure (creating, later adopting) or get.
					const appointmentId = 1 + ( i % 500 );
					const at = start + appointmentId * 3600000;
					const ensure = i % 20 === 0;
					const body = ensure
						? {
								siteId,
								client,
								credential,
								appointmentId,
								start: {
									dateTime: new Date( at ).toISOString(),
									timeZone: 'Europe/London',
								},
								end: {
									dateTime: new Date(
										at + 1800000
									).toISOString(),
									timeZone: 'Europe/London',
								},
							}
						: { siteId, client, credential, appointmentId };
					const r = await call(
						`/v1/meetings/${ ensure ? 'ensure' : 'get' }`,
						body
					);
					if ( r.status !== 200 && r.body.code !== 'not_found' ) {
						throw new Error(
							`meeting call answered ${ r.status }: ${ JSON.stringify( r.body ) }`
						);
					}
					if ( typeof r.body.credential === 'string' ) {
						credential = r.body.credential;
					}
				}
			};
			const t0 = Date.now();
			await Promise.all( Array.from( { length: 8 }, worker ) );
			return count / ( ( Date.now() - t0 ) / 1000 );
		};
		const rounds: Record< string, unknown > = { afterStart };
		let perSecond = 0;
		for ( let round_ = 1; round_ <= 3; round_++ ) {
			perSecond = await runCalls( CALLS );
			await sleep( 1000 );
			rounds[ `after${ round_ * CALLS }Calls` ] = memoryOf(
				child.pid as number
			);
		}
		return {
			flags: flags.join( ' ' ) || '(none)',
			...rounds,
			callsPerSecond: Math.round( perSecond ),
		};
	} finally {
		await stop( child );
	}
}

async function main(): Promise< void > {
	if ( ! existsSync( BUNDLE ) ) {
		throw new Error(
			'build/sidecar/sidecar.js is missing: run npm run build:sidecar first'
		);
	}
	const port = await freePort();
	const load = loadavg().map( ( l ) => Math.round( l * 100 ) / 100 );
	const cold = await coldStart( port );
	const google = await startEmulator( { port: 0 } );
	try {
		const result = {
			date: new Date().toISOString(),
			node: process.version,
			cpus: cpus().length,
			loadAverageBefore: load,
			bundleKiB: Math.round( readFileSync( BUNDLE ).length / 1024 ),
			coldStart: cold,
			memory: [
				await memory( port, google, [] ),
				await memory( port, google, [ '--max-semi-space-size=1' ] ),
			],
		};
		process.stdout.write( JSON.stringify( result, null, 2 ) + '\n' );
		if ( JSON_OUT ) {
			writeFileSync( JSON_OUT, JSON.stringify( result, null, 2 ) + '\n' );
		}
	} finally {
		await google.close();
	}
}

main().catch( ( error: unknown ) => {
	process.stderr.write(
		`${ error instanceof Error ? error.stack : String( error ) }\n`
	);
	process.exit( 1 );
} );
