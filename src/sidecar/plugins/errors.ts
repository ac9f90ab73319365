/**
 * One answer shape for every failure (errors.ts): the error handler maps what fastify and the
 * handlers throw onto the sidecar's codes; unknown paths are `not_found`, known paths asked with
 * another method `method_not_allowed` (with `Allow`).
 */
import type {
	FastifyError,
	FastifyInstance,
	FastifyReply,
	FastifyRequest,
} from 'fastify';
import fp from 'fastify-plugin';
import {
	errorBody,
	fieldErrors,
	internalError,
	invalidRequest,
	SidecarError,
} from '../errors';

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

function asSidecarError(
	app: FastifyInstance,
	error: FastifyError | Error
): SidecarError {
	if ( error instanceof SidecarError ) {
		return error;
	}
	const e = error as FastifyError;
	if ( e.validation ) {
		return invalidRequest( fieldErrors( e.validation ) );
	}
	switch ( e.code ) {
		case 'FST_ERR_CTP_BODY_TOO_LARGE':
			return new SidecarError(
				'payload_too_large',
				`The request body exceeds ${ app.ctx.config.maxBodyBytes } bytes.`
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
	return internalError( app.log, error );
}

export function errorHandler(
	this: FastifyInstance,
	error: FastifyError,
	request: FastifyRequest,
	reply: FastifyReply
): FastifyReply {
	return sendError( reply, request, asSidecarError( this, error ) );
}

declare module 'fastify' {
	interface FastifyInstance {
		/** The methods routes answer on `path` (HEAD, which comes with GET, aside). */
		methodsOf: ( path: string ) => readonly string[];
	}
}

/** Records every route as it is added, so an unknown method on a known path is told apart. */
export const routeMethods = fp(
	async ( app ) => {
		const known = new Map< string, string[] >();
		app.decorate(
			'methodsOf',
			( path: string ) => known.get( path ) ?? []
		);
		app.addHook( 'onRoute', ( route ) => {
			for ( const method of [ route.method ].flat() ) {
				if ( method !== 'HEAD' ) {
					known.set( route.url, [
						...( known.get( route.url ) ?? [] ),
						method,
					] );
				}
			}
		} );
	},
	{ name: 'mfk-route-methods' }
);

export function notFoundHandler(
	request: FastifyRequest,
	reply: FastifyReply
): FastifyReply {
	const path = ( request.raw.url ?? '' ).split( '?' )[ 0 ] ?? '';
	const allowed = request.server.methodsOf( path );
	if ( allowed.length > 0 ) {
		reply.header( 'allow', allowed.join( ', ' ) );
		return sendError(
			reply,
			request,
			new SidecarError(
				'method_not_allowed',
				`${ request.method } is not allowed on ${ path }; use ${ allowed.join( ' or ' ) }.`
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
}
