/**
 * The emulator's HTTP server: Google's OAuth endpoints, Calendar v3 and the control API on one
 * origin. Requests are answered in Google's formats, including for malformed input.
 */
import { parse as parseQuery } from 'node:querystring';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerCalendarRoutes } from './calendar-routes';
import { registerControlRoutes } from './control-routes';
import { GoogleApiError } from './google-errors';
import { registerOAuthRoutes } from './oauth-routes';
import type { EmulatorState } from './state';

export function buildEmulatorServer(
	state: EmulatorState,
	logLevel: string | false
): FastifyInstance {
	const app = Fastify( {
		logger: logLevel ? { level: logLevel } : false,
		bodyLimit: 1024 * 1024,
		forceCloseConnections: true,
		routerOptions: { maxParamLength: 2048 },
	} );

	app.removeAllContentTypeParsers();
	app.addContentTypeParser(
		'application/json',
		{ parseAs: 'string' },
		( _request, body: string, done ) => {
			if ( body.trim() === '' ) {
				done( null, undefined );
				return;
			}
			try {
				done( null, JSON.parse( body ) );
			} catch {
				done(
					new GoogleApiError( 400, 'parseError', 'Parse Error' ),
					undefined
				);
			}
		}
	);
	app.addContentTypeParser(
		'application/x-www-form-urlencoded',
		{ parseAs: 'string' },
		( _request, body: string, done ) => {
			done( null, parseQuery( body ) );
		}
	);
	// Anything else (text/plain, no type…) is read and ignored, like Google ignores unknown bodies.
	app.addContentTypeParser(
		'*',
		{ parseAs: 'string' },
		( _request, _body, done ) => done( null, undefined )
	);

	app.setErrorHandler( ( error: FastifyError, request, reply ) => {
		let status = 500;
		if ( error instanceof GoogleApiError ) {
			status = error.statusCode;
		} else if ( error.statusCode && error.statusCode < 500 ) {
			status = error.statusCode;
		}
		if ( request.url.startsWith( '/calendar/' ) ) {
			const e =
				error instanceof GoogleApiError
					? error
					: new GoogleApiError(
							status,
							undefined,
							status === 400 ? 'Bad Request' : undefined
						);
			return reply
				.code( e.statusCode )
				.header( 'content-type', 'application/json; charset=UTF-8' )
				.send( JSON.stringify( e.body ) );
		}
		return reply.code( status ).send( { error: error.message } );
	} );

	app.setNotFoundHandler( ( request, reply ) => {
		if ( request.url.startsWith( '/calendar/' ) ) {
			const e = new GoogleApiError( 404, 'notFound', 'Not Found' );
			return reply
				.code( 404 )
				.header( 'content-type', 'application/json; charset=UTF-8' )
				.send( JSON.stringify( e.body ) );
		}
		return reply.code( 404 ).send( {
			error: `no route ${ request.method } ${ request.url.split( '?' )[ 0 ] }`,
		} );
	} );

	registerOAuthRoutes( app, state );
	registerCalendarRoutes( app, state );
	registerControlRoutes( app, state );
	return app;
}
