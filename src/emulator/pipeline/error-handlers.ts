/**
 * Answers for what no endpoint handled: errors fastify raises itself (body too large, malformed
 * JSON) and unknown paths. Under a Google API's path they are Google's JSON errors, so the client
 * libraries parse them as they would Google's; elsewhere a short `{ error }`.
 */
import type {
	FastifyError,
	FastifyInstance,
	FastifyReply,
	FastifyRequest,
} from 'fastify';
import { GoogleApiError } from './google-errors';
import { send } from './outcome';

/** Paths served in the Google API error format. */
const GOOGLE_API_PATHS = [ '/calendar/', '/batch/', '/v2/' ];

const isGoogleApi = ( request: FastifyRequest ) =>
	GOOGLE_API_PATHS.some( ( p ) => request.url.startsWith( p ) );

const sendApiError = ( reply: FastifyReply, e: GoogleApiError ) =>
	send( reply, { status: e.statusCode, body: e.body } );

export function installGoogleErrorHandlers( app: FastifyInstance ): void {
	app.setErrorHandler( ( error: FastifyError, request, reply ) => {
		let status = 500;
		if ( error instanceof GoogleApiError ) {
			status = error.statusCode;
		} else if ( error.statusCode && error.statusCode < 500 ) {
			status = error.statusCode;
		}
		if ( isGoogleApi( request ) ) {
			return sendApiError(
				reply,
				error instanceof GoogleApiError
					? error
					: new GoogleApiError(
							status,
							undefined,
							status === 400 ? 'Bad Request' : undefined
						)
			);
		}
		return reply.code( status ).send( { error: error.message } );
	} );

	app.setNotFoundHandler( ( request, reply ) => {
		if ( isGoogleApi( request ) ) {
			return sendApiError(
				reply,
				new GoogleApiError( 404, 'notFound', 'Not Found' )
			);
		}
		return reply.code( 404 ).send( {
			error: `no route ${ request.method } ${ request.url.split( '?' )[ 0 ] }`,
		} );
	} );
}
