/**
 * Test rig: a Google emulator on real HTTP (port 0) and the sidecar's app in this process, driven
 * with `app.inject()` by a client that signs requests exactly as WordPress does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { buildApp, loadConfig, signedHeaders } from '../../src/sidecar';
import type { SidecarContext } from '../../src/sidecar/context';

export const CLIENT_ID = 'demo-client.apps.googleusercontent.com';
export const CLIENT_SECRET = 'demo-client-secret';
export const SHARED_SECRET = 'test-shared-secret-0123456789-abcdefghij';
export const REDIRECT_URI =
	'https://clinic.example.test/wp-json/meet-for-kivicare/v1/oauth/callback';

export interface Answer< T = any > {
	status: number;
	body: T;
	headers: Headers;
}

export class LogCapture extends Writable {
	readonly lines: string[] = [];

	override _write( chunk: Buffer, _enc: string, done: () => void ): void {
		this.lines.push(
			...chunk.toString( 'utf8' ).split( '\n' ).filter( Boolean )
		);
		done();
	}

	get text(): string {
		return this.lines.join( '\n' );
	}
}

export interface Rig {
	google: RunningEmulator;
	/** The sidecar, built and ready, not listening. */
	app: FastifyInstance;
	context: SidecarContext;
	logs: LogCapture;
	siteId: string;
	/** The site's OAuth client with its secret sealed by the sidecar. */
	client: { clientId: string; clientSecret: string };
	call: < T = any >(
		path: string,
		body?: unknown,
		options?: CallOptions
	) => Promise< Answer< T > >;
	/** A request exactly as given: unsigned unless its headers carry a signature. */
	send: < T = any >( request: InjectOptions ) => Promise< Answer< T > >;
	/** Another sidecar on the same keys and Google, with settings of its own (close it after). */
	sidecarWith: ( env: Record< string, string > ) => FastifyInstance;
	/** A doctor connected through the consent page; returns the sealed credential. */
	connect: (
		email?: string,
		options?: { untick?: string[] }
	) => Promise< { credential: string; email: string; scopes: string[] } >;
	control: < T = any >(
		method: string,
		path: string,
		body?: unknown
	) => Promise< T >;
	close: () => Promise< void >;
}

export interface CallOptions {
	secret?: string;
	headers?: Record< string, string >;
	method?: string;
	rawBody?: string;
}

/** Sends `request` to the app and reads the answer as the rig's callers expect it. */
export async function send< T = any >(
	app: FastifyInstance,
	request: InjectOptions
): Promise< Answer< T > > {
	const res = await app.inject( request );
	let parsed: unknown = res.body;
	try {
		parsed = JSON.parse( res.body );
	} catch {
		// not JSON (metrics)
	}
	const headers = new Headers();
	for ( const [ name, value ] of Object.entries( res.headers ) ) {
		for ( const v of [ value ?? [] ].flat() ) {
			headers.append( name, String( v ) );
		}
	}
	return { status: res.statusCode, body: parsed as T, headers };
}

/** A request signed as WordPress signs it (docs/sidecar-api.md, "Signing"). */
export function signedCall< T = any >(
	app: FastifyInstance,
	path: string,
	body?: unknown,
	options: CallOptions = {}
): Promise< Answer< T > > {
	const method = options.method ?? 'POST';
	const raw =
		options.rawBody ?? ( body === undefined ? '' : JSON.stringify( body ) );
	return send< T >( app, {
		method: method as InjectOptions[ 'method' ],
		url: path,
		headers: {
			...( raw !== ''
				? { 'content-type': 'application/json; charset=utf-8' }
				: {} ),
			...signedHeaders( options.secret ?? SHARED_SECRET, {
				method,
				path,
				body: raw,
			} ),
			...options.headers,
		},
		...( raw !== '' ? { payload: raw } : {} ),
	} );
}

export function sealKeyEnv( kids: string[] = [ 'k1' ] ): string {
	return kids
		.map(
			( kid ) => `${ kid }:${ randomBytes( 32 ).toString( 'base64' ) }`
		)
		.join( ',' );
}

export async function startRig(
	env: Record< string, string > = {}
): Promise< Rig > {
	const google = await startEmulator( { port: 0 } );
	const logs = new LogCapture();
	const settings = {
		MFK_SIDECAR_PORT: '0',
		MFK_SHARED_SECRET: SHARED_SECRET,
		MFK_SEAL_KEYS: sealKeyEnv(),
		MFK_LOG_LEVEL: 'debug',
		MFK_RETRY_BASE_MS: '20',
		MFK_RETRY_MAX_DELAY_MS: '200',
		MFK_RETRY_BUDGET_MS: '2000',
		MFK_GOOGLE_TIMEOUT_MS: '1500',
		...google.sidecarEnv(),
		...env,
	};
	const config = loadConfig( settings );
	const app = buildApp( config, { logDestination: logs } );
	await app.ready();
	const siteId = randomUUID();
	const call: Rig[ 'call' ] = ( path, body, options ) =>
		signedCall( app, path, body, options );

	const sealed = await call< { clientSecret: string } >(
		'/v1/oauth/client/seal',
		{ siteId, clientSecret: CLIENT_SECRET }
	);
	if ( sealed.status !== 200 ) {
		throw new Error(
			`sealing the client secret failed: ${ JSON.stringify( sealed.body ) }`
		);
	}
	const client = {
		clientId: CLIENT_ID,
		clientSecret: sealed.body.clientSecret,
	};

	const control: Rig[ 'control' ] = async ( method, path, body ) => {
		const res = await fetch( `${ google.url }/__emulator${ path }`, {
			method,
			...( body !== undefined
				? {
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify( body ),
					}
				: {} ),
		} );
		const text = await res.text();
		if ( res.status >= 400 ) {
			throw new Error(
				`control ${ method } ${ path }: ${ res.status } ${ text }`
			);
		}
		return text ? JSON.parse( text ) : undefined;
	};

	const connect: Rig[ 'connect' ] = ( email, options = {} ) =>
		connectDoctor( call, siteId, client, email, options.untick );

	return {
		google,
		app,
		context: app.ctx,
		logs,
		siteId,
		client,
		call,
		send: ( request ) => send( app, request ),
		sidecarWith: ( other ) =>
			buildApp(
				loadConfig( { ...settings, MFK_LOG_LEVEL: 'silent', ...other } )
			),
		connect,
		control,
		close: async () => {
			await app.close();
			await google.close();
		},
	};
}

type Call = Rig[ 'call' ];

/**
 * Connects a doctor through the consent page for `siteId`, with the calls of `call` (signed as
 * that site); returns the sealed credential.
 */
export async function connectDoctor(
	call: Call,
	siteId: string,
	client: { clientId: string; clientSecret: string },
	email = `doctor-${ randomBytes( 4 ).toString( 'hex' ) }@example.test`,
	untick: string[] = []
): Promise< { credential: string; email: string; scopes: string[] } > {
	const state = randomBytes( 16 ).toString( 'hex' );
	const urlAnswer = await call< { url: string } >(
		'/v1/oauth/authorize-url',
		{
			siteId,
			client,
			redirectUri: REDIRECT_URI,
			state,
			loginHint: email,
		}
	);
	if ( urlAnswer.status !== 200 ) {
		throw new Error(
			`authorize-url failed: ${ JSON.stringify( urlAnswer.body ) }`
		);
	}
	const code = await consent( urlAnswer.body.url, email, untick );
	const exchanged = await call( '/v1/oauth/exchange', {
		siteId,
		client,
		redirectUri: REDIRECT_URI,
		code,
	} );
	if ( exchanged.status !== 200 ) {
		throw Object.assign(
			new Error(
				`exchange failed: ${ JSON.stringify( exchanged.body ) }`
			),
			{ answer: exchanged }
		);
	}
	return {
		credential: exchanged.body.credential,
		email: exchanged.body.account.email,
		scopes: exchanged.body.scopes,
	};
}

/** Drives the emulator's consent page like a browser: load it, submit the form with "Allow". */
export async function consent(
	authorizeUrl: string,
	email: string,
	untick: string[] = [],
	decision: 'allow' | 'deny' = 'allow'
): Promise< string > {
	const page = await fetch( authorizeUrl );
	const html = await page.text();
	if ( page.status !== 200 ) {
		throw new Error( `consent page answered ${ page.status }: ${ html }` );
	}
	const pendingId = /name="request" value="([^"]+)"/.exec( html )?.[ 1 ];
	const scopes = [ ...html.matchAll( /name="scope" value="([^"]+)"/g ) ]
		.map( ( m ) => m[ 1 ] as string )
		.filter( ( s ) => ! untick.some( ( u ) => s.endsWith( u ) ) );
	const form = new URLSearchParams( {
		request: pendingId ?? '',
		email,
		decision,
	} );
	for ( const s of scopes ) {
		form.append( 'scope', s );
	}
	const origin = new URL( authorizeUrl ).origin;
	const res = await fetch( `${ origin }/o/oauth2/v2/auth/decision`, {
		method: 'POST',
		body: form,
		redirect: 'manual',
	} );
	const location = res.headers.get( 'location' );
	if ( res.status !== 302 || ! location ) {
		throw new Error( `consent decision answered ${ res.status }` );
	}
	const back = new URL( location );
	const code = back.searchParams.get( 'code' );
	if ( ! code ) {
		throw Object.assign(
			new Error( `no code: ${ back.searchParams.get( 'error' ) }` ),
			{ redirect: back }
		);
	}
	return code;
}

export function times(
	start: string,
	minutes = 30,
	timeZone = 'Europe/London'
) {
	const s = new Date( start );
	const e = new Date( s.getTime() + minutes * 60000 );
	return {
		start: { dateTime: s.toISOString().replace( '.000Z', 'Z' ), timeZone },
		end: { dateTime: e.toISOString().replace( '.000Z', 'Z' ), timeZone },
	};
}
