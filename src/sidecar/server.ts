/**
 * The sidecar's HTTP surface (docs/sidecar-api.md): fastify with a schema on every route, request
 * signing checked before anything else is looked at, one error handler, one log line per request.
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import Fastify, {
	LogController,
	type FastifyError,
	type FastifyInstance,
	type FastifyReply,
	type FastifyRequest,
	type FastifyServerOptions,
} from 'fastify';
import { runBatch, internal, type BatchOperation } from './batch';
import type { SidecarConfig } from './config';
import { testConnection } from './connection';
import { createContext, type SidecarContext } from './context';
import {
	errorBody,
	SidecarError,
	type ErrorCode,
	type FieldError,
} from './errors';
import { runMeetingOp, type MeetingBody } from './handlers';
import {
	authorizeUrl,
	exchangeCode,
	openClient,
	revoke,
	sealClientSecret,
	type ClientInput,
} from './oauth';
import { schemas, type BatchOp } from './schemas';
import { ReplayCache, verifySignature } from './signing';
import { compileSchema, type Schema } from './validator';
import { VERSION } from './version';

declare module 'fastify' {
	interface FastifyRequest {
		rawBody?: Buffer;
		malformedJson?: boolean;
		errorCode?: ErrorCode;
	}
	interface FastifyContextConfig {
		signed?: boolean;
	}
}

/** Log redaction: request bodies are never logged, these paths guard what else might be. */
export const REDACT_PATHS = [
	'req.headers.authorization',
	'req.headers["x-mfk-signature"]',
	'*.clientSecret',
	'*.client_secret',
	'*.credential',
	'*.refreshToken',
	'*.refresh_token',
	'*.accessToken',
	'*.access_token',
	'*.id_token',
	'*.code',
	'*.token',
	'*.secret',
	'err.config',
	'err.response',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface ServerOptions {
	/** Where JSON log lines go (default: stdout). */
	logDestination?: Writable;
}

function fieldErrors( error: FastifyError ): FieldError[] {
	return ( error.validation ?? [] ).map( ( v ) => {
		const params = v.params as {
			missingProperty?: string;
			allowedValues?: unknown[];
		};
		const base = v.instancePath || '';
		if ( v.keyword === 'required' && params.missingProperty ) {
			return {
				path: `${ base }/${ params.missingProperty }`,
				message: 'is required',
			};
		}
		if ( v.keyword === 'enum' && params.allowedValues ) {
			return {
				path: base || '/',
				message: `must be one of ${ params.allowedValues.filter( ( a ) => a !== null ).join( ', ' ) }`,
			};
		}
		return { path: base || '/', message: v.message ?? 'is invalid' };
	} );
}

function asSidecarError(
	ctx: SidecarContext,
	error: FastifyError | Error
): SidecarError {
	if ( error instanceof SidecarError ) {
		return error;
	}
	const e = error as FastifyError;
	if ( e.validation ) {
		const errors = fieldErrors( e );
		return new SidecarError(
			'invalid_request',
			'Invalid request: ' +
				errors
					.map( ( f ) => `${ f.path } ${ f.message }` )
					.join( '; ' ),
			{ errors }
		);
	}
	switch ( e.code ) {
		case 'FST_ERR_CTP_BODY_TOO_LARGE':
			return new SidecarError(
				'payload_too_large',
				`The request body exceeds ${ ctx.config.maxBodyBytes } bytes.`
			);
		case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
			return new SidecarError(
				'unsupported_media_type',
				'The request body must be JSON (Content-Type: application/json).'
			);
		case 'FST_ERR_CTP_EMPTY_JSON_BODY':
		case 'FST_ERR_CTP_INVALID_JSON_BODY':
			return new SidecarError(
				'invalid_request',
				'The request body is not valid JSON.'
			);
	}
	if (
		typeof e.statusCode === 'number' &&
		e.statusCode >= 400 &&
		e.statusCode < 500
	) {
		return new SidecarError( 'invalid_request', e.message );
	}
	return internal( ctx, error );
}

function sendError(
	reply: FastifyReply,
	request: FastifyRequest,
	error: SidecarError
): FastifyReply {
	request.errorCode = error.code;
	if ( error.details.retryAfterMs !== undefined ) {
		reply.header(
			'retry-after',
			String(
				Math.max( 1, Math.ceil( error.details.retryAfterMs / 1000 ) )
			)
		);
	}
	return reply
		.code( error.status )
		.type( 'application/json; charset=utf-8' )
		.send( errorBody( error ) );
}

export interface BuiltServer {
	app: FastifyInstance;
	ctx: SidecarContext;
	/** Set while shutting down; readiness then answers 503. */
	markClosing: () => void;
}

export function buildServer(
	config: SidecarConfig,
	options: ServerOptions = {}
): BuiltServer {
	const app = Fastify( {
		logger: {
			level: config.logLevel,
			redact: { paths: REDACT_PATHS, censor: '[redacted]' },
			...( options.logDestination
				? { stream: options.logDestination }
				: {} ),
		},
		// One line per request is written by the onResponse hook instead.
		logController: new LogController( { disableRequestLogging: true } ),
		bodyLimit: config.maxBodyBytes,
		genReqId: ( req ) => {
			const given = req.headers[ 'x-request-id' ];
			return typeof given === 'string' && REQUEST_ID.test( given )
				? given
				: randomUUID();
		},
		forceCloseConnections: 'idle',
		return503OnClosing: true,
		// validator.ts instead of ajv (see there why); responses are plain JSON.stringify.
		schemaController: {
			compilersFactory: {
				buildValidator:
					() =>
					( { schema }: { schema: unknown } ) =>
						compileSchema( schema as Schema ),
				buildSerializer: () => () => ( data: unknown ) =>
					JSON.stringify( data ),
			},
		} as unknown as FastifyServerOptions[ 'schemaController' ],
	} );
	const ctx = createContext( config, app.log );
	let closing = false;
	const replay = new ReplayCache(
		config.clockSkewSeconds * 2000,
		config.replayCacheMax
	);
	const known = new Map< string, Set< string > >();

	// JSON only. The raw bytes are kept for the signature; a parse error is reported only after
	// the signature was checked, so unauthenticated callers learn nothing.
	app.removeAllContentTypeParsers();
	app.addContentTypeParser(
		'application/json',
		{ parseAs: 'buffer' },
		( request, body: Buffer, done ) => {
			request.rawBody = body;
			if ( body.length === 0 ) {
				done( null, undefined );
				return;
			}
			try {
				done(
					null,
					JSON.parse(
						body.toString( 'utf8' ),
						( key, value: unknown ) => {
							if (
								key === '__proto__' ||
								key === 'constructor'
							) {
								throw new Error( 'forbidden key' );
							}
							return value;
						}
					)
				);
			} catch {
				request.malformedJson = true;
				done( null, undefined );
			}
		}
	);

	app.addHook( 'onRequest', async ( request, reply ) => {
		reply.header( 'x-request-id', request.id );
		reply.header( 'cache-control', 'no-store' );
	} );

	app.addHook( 'preValidation', async ( request ) => {
		if ( ! request.routeOptions.config.signed ) {
			return;
		}
		const verdict = verifySignature(
			request.headers,
			request.method,
			request.raw.url ?? request.url,
			request.rawBody ?? '',
			{
				secret: config.sharedSecret,
				clockSkewSeconds: config.clockSkewSeconds,
			}
		);
		if ( ! verdict.ok ) {
			ctx.metrics.authFailures.inc( { reason: verdict.failure } );
			throw new SidecarError(
				'unauthorized',
				`Request refused: ${ verdict.reason }.`
			);
		}
		if ( ! replay.remember( verdict.nonce ) ) {
			ctx.metrics.authFailures.inc( { reason: 'replay' } );
			throw new SidecarError(
				'unauthorized',
				'Request refused: nonce already used (replay).'
			);
		}
		if ( request.malformedJson ) {
			throw new SidecarError(
				'invalid_request',
				'The request body is not valid JSON.'
			);
		}
	} );

	// While shutting down, answers close their connection, so that keep-alive connections do not
	// hold the server open once the requests in flight are answered.
	app.addHook( 'onSend', async ( _request, reply ) => {
		if ( closing ) {
			reply.header( 'connection', 'close' );
		}
	} );

	app.addHook( 'onResponse', async ( request, reply ) => {
		if ( closing ) {
			setImmediate( () => app.server.closeIdleConnections() );
		}
		const route = request.routeOptions.url ?? 'unmatched';
		const code = request.errorCode ?? 'ok';
		const seconds = reply.elapsedTime / 1000;
		ctx.metrics.httpRequests.inc( { route, method: request.method, code } );
		ctx.metrics.httpDuration.observe( { route }, seconds );
		const line = {
			method: request.method,
			route,
			status: reply.statusCode,
			code,
			ms: Math.round( reply.elapsedTime * 10 ) / 10,
		};
		if ( reply.statusCode >= 500 ) {
			request.log.warn( line, 'request' );
		} else {
			request.log.info( line, 'request' );
		}
	} );

	app.setErrorHandler( ( error: FastifyError, request, reply ) =>
		sendError( reply, request, asSidecarError( ctx, error ) )
	);

	app.setNotFoundHandler( ( request, reply ) => {
		const path = ( request.raw.url ?? '' ).split( '?' )[ 0 ] ?? '';
		const methods = known.get( path );
		if ( methods ) {
			reply.header( 'allow', [ ...methods ].join( ', ' ) );
			return sendError(
				reply,
				request,
				new SidecarError(
					'method_not_allowed',
					`${ request.method } is not allowed on ${ path }; use ${ [ ...methods ].join( ' or ' ) }.`
				)
			);
		}
		return sendError(
			reply,
			request,
			new SidecarError(
				'not_found',
				`No route ${ request.method } ${ path.slice( 0, 200 ) }.`
			)
		);
	} );

	const remember = ( method: string, path: string ) => {
		const set = known.get( path ) ?? new Set< string >();
		set.add( method );
		known.set( path, set );
	};
	const get = (
		path: string,
		handler: (
			request: FastifyRequest,
			reply: FastifyReply
		) => Promise< unknown >
	) => {
		remember( 'GET', path );
		app.get(
			path,
			{ schema: { querystring: { type: 'object' } } },
			handler
		);
	};
	const post = < B >(
		path: string,
		body: Schema,
		handler: ( body: B, request: FastifyRequest ) => Promise< object >
	) => {
		remember( 'POST', path );
		app.post(
			path,
			{ schema: { body }, config: { signed: true } },
			async ( request ) => handler( request.body as B, request )
		);
	};

	get( '/healthz', async () => ( {
		status: 'ok',
		version: VERSION,
		uptimeSeconds: Math.round( process.uptime() * 10 ) / 10,
	} ) );

	get( '/readyz', async ( _request, reply ) => {
		const checks = {
			sharedSecret: config.sharedSecret.length >= 32,
			sealKey: config.sealKeys.length > 0,
			googleClient: ctx.googleLoaded(),
			googleEndpoints: {
				apiRoot: config.google.apiRoot,
				oauthToken: config.google.tokenUrl,
			},
		};
		const ready =
			! closing &&
			checks.sharedSecret &&
			checks.sealKey &&
			checks.googleClient;
		reply.code( ready ? 200 : 503 );
		return { ready, checks };
	} );

	get( '/metrics', async ( _request, reply ) => {
		reply.type( 'text/plain; version=0.0.4; charset=utf-8' );
		return ctx.metrics.render();
	} );

	post( '/v1/ping', schemas.empty, async () => ( {
		ok: true,
		version: VERSION,
		time: Math.floor( Date.now() / 1000 ),
	} ) );

	post< { siteId: string; clientSecret: string } >(
		'/v1/oauth/client/seal',
		schemas.clientSeal,
		async ( body ) => ( {
			clientSecret: sealClientSecret(
				ctx,
				body.siteId,
				body.clientSecret
			),
		} )
	);

	post< {
		siteId: string;
		client: ClientInput;
		redirectUri: string;
		state: string;
		loginHint?: string | null;
	} >( '/v1/oauth/authorize-url', schemas.authorizeUrl, async ( body ) => ( {
		url: await authorizeUrl(
			ctx,
			openClient( ctx, body.siteId, body.client ),
			body.redirectUri,
			body.state,
			body.loginHint ?? undefined
		),
	} ) );

	post< {
		siteId: string;
		client: ClientInput;
		redirectUri: string;
		code: string;
	} >( '/v1/oauth/exchange', schemas.exchange, async ( body ) =>
		exchangeCode(
			ctx,
			body.siteId,
			openClient( ctx, body.siteId, body.client ),
			body.redirectUri,
			body.code
		)
	);

	post< { siteId: string; client: ClientInput; credential: string } >(
		'/v1/oauth/revoke',
		schemas.revoke,
		async ( body ) =>
			revoke(
				ctx,
				body.siteId,
				openClient( ctx, body.siteId, body.client ),
				body.credential
			)
	);

	post< {
		siteId: string;
		client: ClientInput;
		credential?: string | null;
		calendarId?: string | null;
		probe?: boolean | null;
	} >( '/v1/connection/test', schemas.connectionTest, async ( body ) =>
		testConnection( ctx, {
			siteId: body.siteId,
			client: openClient( ctx, body.siteId, body.client ),
			...( body.credential ? { credential: body.credential } : {} ),
			calendarId: body.calendarId ?? 'primary',
			probe: body.probe === true,
		} )
	);

	const meetingRoutes: [ BatchOp, Schema ][] = [
		[ 'ensure', schemas.ensure ],
		[ 'reschedule', schemas.reschedule ],
		[ 'cancel', schemas.cancel ],
		[ 'get', schemas.get ],
	];
	for ( const [ op, schema ] of meetingRoutes ) {
		post< MeetingBody >( `/v1/meetings/${ op }`, schema, ( body ) =>
			runMeetingOp( ctx, op, body )
		);
	}
	const opSchemas = new Map( meetingRoutes );

	post< { operations: BatchOperation[]; budgetMs?: number | null } >(
		'/v1/batch',
		schemas.batch,
		async ( body, request ) => {
			const validate = (
				op: BatchOp,
				operation: BatchOperation
			): FieldError[] | null => {
				const fn = request.compileValidationSchema(
					opSchemas.get( op ) as Schema,
					'body'
				);
				if ( fn( operation ) ) {
					return null;
				}
				return fieldErrors( {
					validation: fn.errors ?? [],
				} as unknown as FastifyError );
			};
			return {
				results: await runBatch(
					ctx,
					body.operations,
					validate,
					body.budgetMs ?? undefined
				),
			};
		}
	);

	app.addHook( 'onClose', async () => {
		ctx.close();
	} );

	return {
		app,
		ctx,
		markClosing: () => {
			closing = true;
		},
	};
}
