/**
 * Every answer carries the request id and is never cached; every request gets one JSON log line
 * and its metrics (route, method, error code, duration), whatever the outcome.
 */
import fp from 'fastify-plugin';
import type { ErrorCode } from '../errors';

declare module 'fastify' {
	interface FastifyRequest {
		/** The code of the error answered, for the log line and the metrics. */
		errorCode?: ErrorCode;
	}
}

export default fp(
	async ( app ) => {
		app.addHook( 'onRequest', async ( request, reply ) => {
			reply.header( 'x-request-id', request.id );
			reply.header( 'cache-control', 'no-store' );
		} );
		app.addHook( 'onResponse', async ( request, reply ) => {
			const route = request.routeOptions.url ?? 'unmatched';
			const code = request.errorCode ?? 'ok';
			const { metrics } = app.ctx;
			metrics.httpRequests.inc( { route, method: request.method, code } );
			metrics.httpDuration.observe( { route }, reply.elapsedTime / 1000 );
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
	},
	{ name: 'mfk-request-log', dependencies: [ 'mfk-context' ] }
);
