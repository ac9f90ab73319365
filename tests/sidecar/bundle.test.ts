/**
 * The built files as they ship: build/sidecar/sidecar.js (alone, no node_modules needed, started
 * by bin/sidecar as in production) and build/emulator/emulator.js, started as processes.
 */
import {
	execFileSync,
	spawn,
	spawnSync,
	type ChildProcess,
} from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signedHeaders } from '../../src/sidecar/signing/signature';

const ROOT = resolve( __dirname, '../..' );
const SECRET = randomBytes( 24 ).toString( 'base64url' );
const KEYS = `k1:${ randomBytes( 32 ).toString( 'base64' ) }`;
let isolated: string;

beforeAll( () => {
	// Built into a directory of its own (not build/, which running instances may be using), and
	// run from a directory with nothing else in it: the bundle must be self-contained.
	isolated = mkdtempSync( join( tmpdir(), 'mfk-sidecar-' ) );
	execFileSync(
		process.execPath,
		[ join( ROOT, 'scripts/build-sidecar.mjs' ), '--out', isolated ],
		{ cwd: ROOT, stdio: 'pipe' }
	);
} );
afterAll( () => rmSync( isolated, { recursive: true, force: true } ) );

interface Proc {
	child: ChildProcess;
	out: () => string;
	err: () => string;
	exited: Promise< number | null >;
}

/** `node file`, or with `launcher` the sidecar bundle `file` started by bin/sidecar. */
function run(
	file: string,
	env: Record< string, string >,
	launcher = false
): Proc {
	const child = launcher
		? spawn( 'sh', [ join( ROOT, 'bin/sidecar' ) ], {
				cwd: isolated,
				env: {
					PATH: process.env.PATH ?? '',
					MFK_NODE: process.execPath,
					MFK_SIDECAR_BUNDLE: file,
					...env,
				},
				stdio: [ 'ignore', 'pipe', 'pipe' ],
			} )
		: spawn( process.execPath, [ file ], {
				cwd: isolated,
				env: { PATH: process.env.PATH ?? '', ...env },
				stdio: [ 'ignore', 'pipe', 'pipe' ],
			} );
	let out = '';
	let err = '';
	child.stdout?.on( 'data', ( d: Buffer ) => ( out += d.toString() ) );
	child.stderr?.on( 'data', ( d: Buffer ) => ( err += d.toString() ) );
	const exited = new Promise< number | null >( ( r ) =>
		child.once( 'exit', ( code ) => r( code ) )
	);
	return { child, out: () => out, err: () => err, exited };
}

/** The URL a process logs once it listens: waits for its output, or for it to exit. */
function listening( proc: Proc, pattern: RegExp ): Promise< string > {
	return new Promise( ( resolvePromise, reject ) => {
		const check = () => {
			const m = pattern.exec( proc.out() );
			if ( m?.[ 1 ] ) {
				done();
				resolvePromise( m[ 1 ] );
			}
		};
		const exited = () => {
			done();
			reject( new Error( `exited before listening: ${ proc.err() }` ) );
		};
		const done = () => {
			proc.child.stdout?.off( 'data', check );
			proc.child.off( 'exit', exited );
		};
		proc.child.stdout?.on( 'data', check );
		proc.child.once( 'exit', exited );
		check();
	} );
}

test( 'the sidecar bundle refuses a broken configuration clearly, before listening', async () => {
	const proc = run( join( isolated, 'sidecar/sidecar.js' ), {
		MFK_SHARED_SECRET: 'short',
		MFK_SEAL_KEYS: 'k1:not-a-key',
		MFK_SIDECAR_PORT: 'eighty',
	} );
	expect( await proc.exited ).toBe( 78 );
	expect( proc.err() ).toContain( 'Invalid sidecar configuration' );
	expect( proc.err() ).toMatch( /MFK_SIDECAR_PORT must be an integer/ );
	expect( proc.err() ).toMatch(
		/MFK_SHARED_SECRET must be at least 32 characters/
	);
	expect( proc.err() ).toMatch(
		/MFK_SEAL_KEYS: key "k1" must be the base64 encoding of exactly 32 random bytes/
	);
	expect( proc.err() ).not.toContain( 'short' );
	expect( proc.out() ).toBe( '' );
} );

test( 'the emulator bundle and the sidecar bundle work together; SIGTERM stops both gracefully', async () => {
	const started: Proc[] = [];
	try {
		const google = run( join( isolated, 'emulator/emulator.js' ), {
			EMULATOR_PORT: '0',
		} );
		started.push( google );
		const googleUrl = await listening(
			google,
			/"url":"(http:\/\/127\.0\.0\.1:\d+)"/
		);
		expect(
			await ( await fetch( `${ googleUrl }/__emulator/health` ) ).json()
		).toEqual( { ok: true } );
		const env = JSON.parse(
			/"sidecarEnv":(\{[^}]+\})/.exec( google.out() )?.[ 1 ] as string
		) as Record< string, string >;

		const sidecar = run(
			join( isolated, 'sidecar/sidecar.js' ),
			{
				MFK_SHARED_SECRET: SECRET,
				MFK_SEAL_KEYS: KEYS,
				MFK_SIDECAR_PORT: '0',
				...env,
			},
			true
		);
		started.push( sidecar );
		const url = await listening(
			sidecar,
			/"url":"(http:\/\/127\.0\.0\.1:\d+)","googleApiRoot"/
		);
		expect( ( await fetch( `${ url }/healthz` ) ).status ).toBe( 200 );
		// The launcher handed over to Node in the same process: signals reach the sidecar itself.
		expect(
			readFileSync( `/proc/${ sidecar.child.pid }/cmdline`, 'utf8' )
		).toContain( join( isolated, 'sidecar/sidecar.js' ) );

		// Signed calls that go all the way to Google and back.
		const call = async ( path: string, body: unknown ) => {
			const raw = JSON.stringify( body );
			const res = await fetch( url + path, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					...signedHeaders( SECRET, {
						method: 'POST',
						path,
						body: raw,
					} ),
				},
				body: raw,
			} );
			return { status: res.status, body: await res.json() };
		};
		const siteId = 'bundle-test-site-0001';
		const sealed = await call( '/v1/oauth/client/seal', {
			siteId,
			clientSecret: 'demo-client-secret',
		} );
		const client = {
			clientId: 'demo-client.apps.googleusercontent.com',
			clientSecret: sealed.body.clientSecret,
		};
		const check = await call( '/v1/connection/test', { siteId, client } );
		expect( check ).toEqual( {
			status: 200,
			body: {
				ok: true,
				checks: [
					{ id: 'client', ok: true, message: expect.any( String ) },
				],
			},
		} );
		const authorize = await call( '/v1/oauth/authorize-url', {
			siteId,
			client,
			redirectUri: 'https://clinic.example/cb',
			state: 'abc',
		} );
		expect(
			authorize.body.url.startsWith( `${ googleUrl }/o/oauth2/v2/auth?` )
		).toBe( true );

		// A request in flight when SIGTERM arrives is still answered, then the process exits 0.
		await fetch( `${ googleUrl }/__emulator/config`, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify( { latencyMs: 400 } ),
		} );
		const received = async () =>
			Object.values(
				(
					( await (
						await fetch( `${ googleUrl }/__emulator/counters` )
					).json() ) as { counters: Record< string, number > }
				 ).counters
			).reduce( ( sum, n ) => sum + n, 0 );
		const before = await received();
		const inFlight = call( '/v1/connection/test', { siteId, client } );
		// SIGTERM once Google (slowed to 400 ms) holds the sidecar's call for that request.
		while ( ( await received() ) === before ) {
			await new Promise( ( r ) => setTimeout( r, 10 ) );
		}
		sidecar.child.kill( 'SIGTERM' );
		expect( ( await inFlight ).status ).toBe( 200 );
		expect( await sidecar.exited ).toBe( 0 );
		const lines = sidecar
			.out()
			.trim()
			.split( '\n' )
			.map( ( l ) => JSON.parse( l ) as { msg: string } );
		expect( lines.map( ( l ) => l.msg ) ).toEqual(
			expect.arrayContaining( [
				'sidecar listening',
				'shutting down: finishing requests in flight',
				'stopped',
			] )
		);
		expect( sidecar.out() + sidecar.err() ).not.toContain( SECRET );
		expect( sidecar.out() + sidecar.err() ).not.toContain(
			'demo-client-secret'
		);

		google.child.kill( 'SIGTERM' );
		expect( await google.exited ).toBe( 0 );
	} finally {
		for ( const p of started ) {
			if ( p.child.exitCode === null ) {
				p.child.kill( 'SIGKILL' );
			}
		}
	}
} );

test( 'the sidecar bundle contains no reference to the emulator and needs no node_modules', () => {
	const bundle = readFileSync(
		join( isolated, 'sidecar/sidecar.js' ),
		'utf8'
	);
	expect( bundle ).not.toMatch( /__emulator|src\/emulator/ );
	expect( bundle ).not.toMatch(
		/require\("(?!node:)(?:fastify|google-auth-library|@googleapis)/
	);
} );

test( "the bundle's enrol command prints an enrolment key from MFK_MASTER_KEYS alone; beyond loopback without TLS it refuses to start", () => {
	const bundle = join( isolated, 'sidecar/sidecar.js' );
	const master = `m1:${ Buffer.alloc( 32, 1 ).toString( 'base64' ) }`;
	const siteId = '0b7c2f1e-1111-4222-8333-444455556666';
	const out = execFileSync(
		process.execPath,
		[
			bundle,
			'enrol',
			'--site-id',
			siteId,
			'--site-url',
			'https://clinic.example',
			'--json',
		],
		{
			cwd: isolated,
			env: { PATH: process.env.PATH ?? '', MFK_MASTER_KEYS: master },
			encoding: 'utf8',
		}
	);
	expect( JSON.parse( out ) ).toEqual( {
		siteId,
		siteUrl: 'https://clinic.example',
		keyId: 'm1',
		// The vector of tests/unit/sidecar/tenancy/enrolment.test.ts.
		enrolmentKey: `mfke1.m1.${ siteId }.VuZLogwA3tg-VqEtJnZsth0LtmWwNoMSuni839n4lhY`,
	} );

	const refused = spawnSync( process.execPath, [ bundle ], {
		cwd: isolated,
		env: {
			PATH: process.env.PATH ?? '',
			MFK_SHARED_SECRET: SECRET,
			MFK_SEAL_KEYS: KEYS,
			MFK_SIDECAR_HOST: '0.0.0.0',
			MFK_SIDECAR_PORT: '0',
		},
		encoding: 'utf8',
	} );
	expect( refused.status ).toBe( 78 );
	expect( refused.stderr ).toMatch( /listens beyond loopback/ );
} );
