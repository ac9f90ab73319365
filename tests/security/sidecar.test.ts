/**
 * The running sidecar process, as WordPress reaches it: request signing (unsigned, wrong
 * secret, stale and future timestamps, replays, a signature moved to another body or path,
 * malformed headers), its listening address (loopback only, also when no host is configured),
 * and every route fuzzed with signed hostile bodies built from valid requests (each field
 * missing, of the wrong type, out of range or malformed; impossible dates, unknown zones,
 * negative and huge ids; malformed, deeply nested, oversized and non-JSON bodies). Every refusal
 * must be a 4xx in the documented error shape, no answer a 5xx, nothing may reach the doctor's
 * calendar, and the sidecar must still serve WordPress afterwards.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { freePort } from '../harness/instances';
import { SIDECAR_BUNDLE } from '../harness/paths';
import { harness, sidecarEnv, wpJson } from '../harness/testkit';
import {
	calendarEvents,
	configureMeet,
	telemedScenario,
	type Scenario,
} from '../integration/support/meet';
import { collect } from './support/collect';
import { recordSecurity } from './support/figures';
import { HOSTILE_STRINGS, pool, WRONG_TYPES } from './support/fuzz';
import { until } from '../reliability/support/queue';

type Json = Record< string, unknown >;

interface Answer {
	status: number;
	body: any;
	text: string;
}

let sc: Scenario;
let fields: {
	siteId: string;
	client: { clientId: string; clientSecret: string };
	credential: string;
};

function sign(
	secret: string,
	method: string,
	path: string,
	body: string,
	timestamp: number,
	nonce: string
): string {
	const canonical = [
		'v1',
		method,
		path,
		String( timestamp ),
		nonce,
		createHash( 'sha256' ).update( body ).digest( 'hex' ),
	].join( '\n' );
	return (
		'v1=' +
		createHmac( 'sha256', secret ).update( canonical ).digest( 'hex' )
	);
}

function signedHeaders(
	path: string,
	body: string,
	{
		secret = harness().sidecarSecret,
		timestamp = Math.floor( Date.now() / 1000 ),
		nonce = randomBytes( 18 ).toString( 'base64url' ),
		method = 'POST',
	} = {}
): Record< string, string > {
	return {
		'X-MFK-Timestamp': String( timestamp ),
		'X-MFK-Nonce': nonce,
		'X-MFK-Signature': sign( secret, method, path, body, timestamp, nonce ),
	};
}

async function raw( path: string, init: RequestInit ): Promise< Answer > {
	const res = await fetch( `${ harness().sidecarUrl }${ path }`, init );
	const text = await res.text();
	collect( 'sidecar', `${ init.method ?? 'GET' } ${ path }`, text );
	let body: unknown = null;
	try {
		body = JSON.parse( text );
	} catch {
		body = null;
	}
	return { status: res.status, body, text };
}

/** A correctly signed POST of `body` (a string is sent as is). */
function call(
	path: string,
	body: unknown,
	contentType = 'application/json'
): Promise< Answer > {
	const text = typeof body === 'string' ? body : JSON.stringify( body );
	return raw( path, {
		method: 'POST',
		headers: {
			'Content-Type': contentType,
			...signedHeaders( path, text ),
		},
		body: text,
	} );
}

function errorShapeProblem( a: Answer ): string | null {
	const b = a.body as {
		code?: unknown;
		message?: unknown;
		data?: { status?: unknown; retryable?: unknown };
	} | null;
	if (
		! b ||
		typeof b.code !== 'string' ||
		typeof b.message !== 'string' ||
		b.message === ''
	) {
		return `no {code, message}: ${ a.text.slice( 0, 200 ) }`;
	}
	if (
		b.data?.status !== a.status ||
		typeof b.data?.retryable !== 'boolean'
	) {
		return `data.status/retryable do not match HTTP ${ a.status }`;
	}
	return null;
}

beforeAll( async () => {
	await configureMeet();
	sc = await telemedScenario();
	fields = await wpJson(
		'return MFK_Doctor_Connection::request_fields( $args );',
		sc.doctor.id
	);
}, 120000 );

describe( 'request signing', () => {
	it( 'refuses unsigned, wrongly signed, stale, future, replayed and moved requests without saying what was expected', async () => {
		const path = '/v1/ping';
		const body = '{}';
		const json = { 'Content-Type': 'application/json' };
		const now = Math.floor( Date.now() / 1000 );
		const replayed = signedHeaders( path, body );
		const attempts: Array<
			[ string, Promise< Answer > | ( () => Promise< Answer > ) ]
		> = [
			[
				'unsigned',
				raw( path, { method: 'POST', headers: json, body } ),
			],
			[
				'wrong secret',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						...signedHeaders( path, body, {
							secret: 'not-the-secret-but-long-enough-to-look-right',
						} ),
					},
					body,
				} ),
			],
			[
				'timestamp 301 s old',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						...signedHeaders( path, body, {
							timestamp: now - 301,
						} ),
					},
					body,
				} ),
			],
			[
				'timestamp 301 s ahead',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						...signedHeaders( path, body, {
							timestamp: now + 301,
						} ),
					},
					body,
				} ),
			],
			[
				'signature of another body',
				raw( path, {
					method: 'POST',
					headers: { ...json, ...signedHeaders( path, '{"a":1}' ) },
					body,
				} ),
			],
			[
				'signature of another path',
				raw( '/v1/meetings/get', {
					method: 'POST',
					headers: { ...json, ...signedHeaders( path, body ) },
					body,
				} ),
			],
			[
				'signature of another method',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						...signedHeaders( path, body, { method: 'GET' } ),
					},
					body,
				} ),
			],
			[
				'nonce too short',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						...signedHeaders( path, body, { nonce: 'short' } ),
					},
					body,
				} ),
			],
			[
				'timestamp not a number',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						'X-MFK-Timestamp': 'yesterday',
						'X-MFK-Nonce':
							randomBytes( 18 ).toString( 'base64url' ),
						'X-MFK-Signature': 'v1=00',
					},
					body,
				} ),
			],
			[
				'signature with markup',
				raw( path, {
					method: 'POST',
					headers: {
						...json,
						...signedHeaders( path, body ),
						'X-MFK-Signature': 'v1=<script>',
					},
					body,
				} ),
			],
		];
		const results: Array< [ string, Answer ] > = [];
		for ( const [ name, attempt ] of attempts ) {
			results.push( [
				name,
				await ( typeof attempt === 'function' ? attempt() : attempt ),
			] );
		}
		// The same signed request twice: the first passes, the replay is refused.
		const first = await raw( path, {
			method: 'POST',
			headers: { ...json, ...replayed },
			body,
		} );
		expect( first.status ).toBe( 200 );
		results.push( [
			'replay',
			await raw( path, {
				method: 'POST',
				headers: { ...json, ...replayed },
				body,
			} ),
		] );

		const secret = harness().sidecarSecret;
		const problems: string[] = [];
		for ( const [ name, answer ] of results ) {
			if (
				answer.status !== 401 ||
				answer.body?.code !== 'unauthorized'
			) {
				problems.push(
					`${ name }: HTTP ${ answer.status } ${ answer.text.slice( 0, 200 ) }`
				);
			}
			if (
				answer.text.includes( secret ) ||
				/[0-9a-f]{64}/.test( answer.text )
			) {
				problems.push(
					`${ name }: the answer reveals a secret or a signature`
				);
			}
		}
		expect(
			results.find( ( [ n ] ) => n === 'replay' )![ 1 ].body.message
		).toMatch( /replay/ );
		recordSecurity( {
			id: 'sidecar-signing',
			title: 'Sidecar request signing',
			attempts: results.length,
			held: results.length - problems.length,
			failures: problems.length,
			details: {
				refused: results.filter( ( [ , a ] ) => a.status === 401 )
					.length,
				kinds: results.map( ( [ n ] ) => n ).join( '; ' ),
			},
			problems,
		} );
		expect( problems ).toEqual( [] );
	} );
} );

/** Addresses a TCP port listens on, from /proc/net/tcp{,6}. */
function listening( port: number ): string[] {
	const out: string[] = [];
	for ( const file of [ '/proc/net/tcp', '/proc/net/tcp6' ] ) {
		let text = '';
		try {
			text = readFileSync( file, 'utf8' );
		} catch {
			continue;
		}
		for ( const line of text.split( '\n' ).slice( 1 ) ) {
			const cols = line.trim().split( /\s+/ );
			if ( cols.length < 4 || cols[ 3 ] !== '0A' ) {
				continue; // Not LISTEN.
			}
			const [ addr, hexPort ] = cols[ 1 ]!.split( ':' ) as [
				string,
				string,
			];
			if ( parseInt( hexPort, 16 ) !== port ) {
				continue;
			}
			if ( addr.length === 8 ) {
				out.push(
					[ 3, 2, 1, 0 ]
						.map( ( i ) =>
							parseInt( addr.slice( i * 2, i * 2 + 2 ), 16 )
						)
						.join( '.' )
				);
			} else {
				const named: Record< string, string > = {
					'00000000000000000000000001000000': '::1',
					'00000000000000000000000000000000': '::',
				};
				out.push( named[ addr ] ?? `ipv6:${ addr }` );
			}
		}
	}
	return out;
}

function connects( host: string, port: number ): Promise< boolean > {
	return new Promise( ( resolve ) => {
		const socket = net.connect( { host, port } );
		socket.setTimeout( 2000 );
		socket.once( 'connect', () => {
			socket.destroy();
			resolve( true );
		} );
		socket.once( 'error', () => resolve( false ) );
		socket.once( 'timeout', () => {
			socket.destroy();
			resolve( false );
		} );
	} );
}

describe( 'network exposure', () => {
	it( 'listens on loopback only, also when no host is configured', async () => {
		const port = harness().ports.sidecar;
		expect( listening( port ) ).toEqual( [ '127.0.0.1' ] );
		const external = Object.values( os.networkInterfaces() )
			.flat()
			.filter( ( i ) => i && ! i.internal && i.family === 'IPv4' )
			.map( ( i ) => i!.address );
		for ( const address of external ) {
			expect( [ address, await connects( address, port ) ] ).toEqual( [
				address,
				false,
			] );
		}

		// The bundle with no MFK_SIDECAR_HOST at all.
		const own = await freePort();
		const env: NodeJS.ProcessEnv = {
			PATH: process.env.PATH,
			...sidecarEnv(),
			MFK_SIDECAR_PORT: String( own ),
		};
		delete env.MFK_SIDECAR_HOST;
		const child = spawn( process.execPath, [ SIDECAR_BUNDLE ], {
			env,
			stdio: 'ignore',
		} );
		try {
			await until(
				'the sidecar to listen',
				() => listening( own ).length > 0
			);
			const addresses = listening( own );
			expect( addresses ).toEqual( [ '127.0.0.1' ] );
			recordSecurity( {
				id: 'sidecar-exposure',
				title: 'Sidecar reachable from loopback only',
				attempts: 2 + external.length,
				held: 2 + external.length,
				failures: 0,
				details: {
					'listening on': addresses.join( ', ' ),
					'non-loopback addresses tried': external.length,
				},
			} );
		} finally {
			child.kill( 'SIGTERM' );
		}
	} );
} );

function times( days: number ) {
	const start = new Date( Date.now() + days * 86400000 );
	const end = new Date( start.getTime() + 1800000 );
	return {
		start: { dateTime: start.toISOString(), timeZone: 'Europe/Berlin' },
		end: { dateTime: end.toISOString(), timeZone: 'Europe/Berlin' },
	};
}

/** Valid bodies, one per signed route; every fuzz case changes one thing in one of them. */
function bases(): Record< string, Json > {
	const meeting = {
		...fields,
		appointmentId: 987654321,
		calendarId: 'primary',
	};
	return {
		'/v1/ping': {},
		'/v1/oauth/client/seal': { siteId: fields.siteId, clientSecret: 'x' },
		'/v1/oauth/authorize-url': {
			siteId: fields.siteId,
			client: fields.client,
			redirectUri: 'https://clinic.example/cb',
			state: 'abc',
		},
		'/v1/oauth/exchange': {
			siteId: fields.siteId,
			client: fields.client,
			redirectUri: 'https://clinic.example/cb',
			code: 'a-code',
		},
		'/v1/oauth/revoke': {
			siteId: fields.siteId,
			client: fields.client,
			credential: fields.credential,
		},
		'/v1/connection/test': {
			siteId: fields.siteId,
			client: fields.client,
			credential: fields.credential,
			probe: false,
		},
		'/v1/meetings/ensure': {
			...meeting,
			revision: 0,
			summary: 'Video consultation',
			description: '',
			...times( 500 ),
			attendees: [],
			sendUpdates: 'none',
			waitMs: 0,
		},
		'/v1/meetings/reschedule': { ...meeting, ...times( 501 ) },
		'/v1/meetings/cancel': { ...meeting, sendUpdates: 'none' },
		'/v1/meetings/get': meeting,
		'/v1/batch': { operations: [ { op: 'get', id: 'a', ...meeting } ] },
	};
}

/** Invalid replacements for a field, by what the field holds. */
function invalidFor(
	field: string,
	value: unknown
): Array< [ string, unknown ] > {
	const out: Array< [ string, unknown ] > = WRONG_TYPES.filter(
		( [ label ] ) =>
			! (
				label === 'null' &&
				/calendarId|waitMs|revision|summary|description|attendees|sendUpdates|probe|loginHint/.test(
					field
				)
			) && ! ( label === 'boolean' && typeof value === 'boolean' )
	);
	if ( typeof value === 'string' ) {
		out.push( [ 'number', 12 ] );
	}
	if ( typeof value === 'number' ) {
		out.push(
			[ 'negative', -1 ],
			[ 'huge', 2 ** 63 ],
			[ 'fraction', 1.5 ],
			[ 'string', '42' ],
			[ 'SQL', '1 OR 1=1' ]
		);
	}
	if ( field === 'siteId' ) {
		out.push(
			...HOSTILE_STRINGS.filter( ( [ l ] ) => l !== 'huge string' ),
			[ 'too short', 'abc' ]
		);
	}
	if ( field === 'redirectUri' ) {
		out.push(
			[ 'javascript: URL', 'javascript:alert(1)' ],
			[ 'relative', '/cb' ],
			[ 'with spaces', 'https://a b/' ]
		);
	}
	if ( field === 'sendUpdates' ) {
		out.push( [ 'unknown value', 'everyone' ] );
	}
	if ( field === 'clientId' ) {
		out.push( [ 'with spaces', 'a client id' ], [ 'empty', '' ] );
	}
	return out;
}

function mutations( path: string, base: Json ): Array< [ string, unknown ] > {
	const out: Array< [ string, unknown ] > = [];
	// The connection test takes no credential (then it checks the client only), and reports a
	// credential that does not open as a failed check of a 200 answer (docs/sidecar-api.md).
	const optionalCredential = path === '/v1/connection/test';
	for ( const [ field, value ] of Object.entries( base ) ) {
		if ( optionalCredential && field === 'credential' ) {
			continue;
		}
		if ( path !== '/v1/ping' ) {
			const { [ field ]: _gone, ...without } = base;
			if (
				! [
					'calendarId',
					'revision',
					'summary',
					'description',
					'attendees',
					'sendUpdates',
					'waitMs',
					'probe',
				].includes( field )
			) {
				out.push( [ `${ field } missing`, without ] );
			}
		}
		for ( const [ label, bad ] of invalidFor( field, value ) ) {
			out.push( [
				`${ field }: ${ label }`,
				{ ...base, [ field ]: bad },
			] );
		}
		if ( field === 'client' ) {
			out.push( [
				'client.clientSecret not sealed',
				{
					...base,
					client: { ...fields.client, clientSecret: 'plain-secret' },
				},
			] );
			for ( const [ label, bad ] of invalidFor( 'clientId', 'x' ) ) {
				out.push( [
					`client.clientId: ${ label }`,
					{ ...base, client: { ...fields.client, clientId: bad } },
				] );
			}
		}
		if ( field === 'credential' ) {
			out.push( [
				'credential tampered',
				{
					...base,
					credential: fields.credential.slice( 0, -6 ) + 'AAAAAA',
				},
			] );
		}
		if ( field === 'start' || field === 'end' ) {
			const t = value as { dateTime: string; timeZone: string };
			out.push(
				[
					`${ field }: impossible date`,
					{
						...base,
						[ field ]: {
							...t,
							dateTime: '2031-02-30T25:61:00+01:00',
						},
					},
				],
				[
					`${ field }: no offset`,
					{
						...base,
						[ field ]: { ...t, dateTime: '2031-05-01T09:00:00' },
					},
				],
				[
					`${ field }: unknown time zone`,
					{
						...base,
						[ field ]: { ...t, timeZone: 'Mars/Olympus_Mons' },
					},
				],
				[
					`${ field }: SQL time zone`,
					{
						...base,
						[ field ]: { ...t, timeZone: "UTC' OR '1'='1" },
					},
				],
				[
					`${ field }: year 275760`,
					{
						...base,
						[ field ]: {
							...t,
							dateTime: '+275760-09-13T00:00:00Z',
						},
					},
				]
			);
		}
		if ( field === 'operations' ) {
			const op = ( base.operations as Json[] )[ 0 ]!;
			out.push(
				[ 'operations empty', { operations: [] } ],
				[
					'101 operations',
					{ operations: new Array( 101 ).fill( op ) },
				],
				[
					'unknown op',
					{ operations: [ { ...op, op: 'delete-everything' } ] },
				],
				[
					'op without id',
					{ operations: [ { ...op, id: undefined } ] },
				]
			);
		}
	}
	if ( path === '/v1/meetings/ensure' ) {
		out.push( [
			'end before start',
			{ ...base, end: base.start as Json },
		] );
	}
	return out;
}

const GENERIC: Array< [ string, string, string ] > = [
	[ 'malformed JSON', '{"siteId": ', 'application/json' ],
	[
		'deeply nested JSON',
		'['.repeat( 50000 ) + ']'.repeat( 50000 ),
		'application/json',
	],
	[
		'body of 300 KiB',
		JSON.stringify( { pad: 'x'.repeat( 300 * 1024 ) } ),
		'application/json',
	],
	[ 'JSON array body', '[1,2,3]', 'application/json' ],
	[
		'prototype pollution',
		'{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
		'application/json',
	],
	[ 'form body', 'siteId=1&x=2', 'application/x-www-form-urlencoded' ],
	[ 'no body', '', 'application/json' ],
];

describe( 'every route fuzzed', () => {
	it( 'refuses hostile bodies with a 4xx in the documented shape, never a 5xx, and creates nothing at Google', async () => {
		const eventsBefore = ( await calendarEvents( sc.doctorEmail ) ).length;
		const cases: Array< [ string, string, string, string ] > = [];
		for ( const [ path, base ] of Object.entries( bases() ) ) {
			for ( const [ label, body ] of mutations( path, base ) ) {
				cases.push( [
					path,
					label,
					JSON.stringify( body ),
					'application/json',
				] );
			}
			if ( path !== '/v1/ping' ) {
				for ( const [ label, body, type ] of GENERIC ) {
					cases.push( [ path, label, body, type ] );
				}
			}
		}
		const answers = await pool(
			cases,
			4,
			async ( [ path, label, body, type ] ) => ( {
				path,
				label,
				answer: await call( path, body, type ),
			} )
		);
		// Unsigned routes and unknown routes.
		for ( const path of [
			'/healthz?x=<script>alert(1)</script>',
			'/readyz?verbose=1',
			'/metrics?format=json',
		] ) {
			const a = await raw( path, { method: 'GET' } );
			expect( a.status ).toBeLessThan( 500 );
			expect( a.text ).not.toContain( '<script>' );
			expect( a.text ).not.toContain( harness().sidecarSecret );
		}
		for ( const [ method, path ] of [
			[ 'GET', '/v1/meetings/ensure' ],
			[ 'DELETE', '/v1/batch' ],
			[ 'POST', '/v1/../../etc/passwd' ],
			[ 'POST', '/v1/meetings/%00' ],
		] as const ) {
			const a = await raw( path, {
				method,
				headers: signedHeaders( path, '', { method } ),
			} );
			answers.push( {
				path,
				label: `${ method } (no such route or method)`,
				answer: a,
			} );
		}

		const problems: string[] = [];
		for ( const { path, label, answer } of answers ) {
			if ( answer.status >= 500 || answer.status < 400 ) {
				problems.push(
					`${ path } (${ label }): HTTP ${ answer.status } ${ answer.text.slice( 0, 200 ) }`
				);
				continue;
			}
			const shape = errorShapeProblem( answer );
			if ( shape ) {
				problems.push( `${ path } (${ label }): ${ shape }` );
			}
		}
		const health = await raw( '/healthz', { method: 'GET' } );
		const ping = await call( '/v1/ping', {} );
		const eventsAfter = ( await calendarEvents( sc.doctorEmail ) ).length;
		const byCode: Record< string, number > = {};
		for ( const { answer } of answers ) {
			const code = String( answer.body?.code ?? answer.status );
			byCode[ code ] = ( byCode[ code ] ?? 0 ) + 1;
		}
		recordSecurity( {
			id: 'sidecar-fuzz',
			title: 'Sidecar routes fuzzed with signed hostile bodies',
			attempts: answers.length,
			held: answers.length - problems.length,
			failures:
				problems.length + ( eventsAfter !== eventsBefore ? 1 : 0 ),
			details: {
				routes: Object.keys( bases() ).length,
				'5xx': answers.filter( ( a ) => a.answer.status >= 500 ).length,
				'events created at Google': eventsAfter - eventsBefore,
				codes: Object.entries( byCode )
					.map( ( [ c, n ] ) => `${ c }×${ n }` )
					.join( ' ' ),
			},
			problems,
		} );
		expect( problems ).toEqual( [] );
		expect( eventsAfter ).toBe( eventsBefore );
		expect( health.status ).toBe( 200 );
		expect( ping.status ).toBe( 200 );
		// The doctor's grant survived the fuzzing of the revoke route.
		const get = await call( '/v1/meetings/get', {
			...fields,
			appointmentId: 987654321,
			calendarId: 'primary',
		} );
		expect( get.body.code ).toBe( 'not_found' );
	}, 180000 );
} );
