/**
 * Every answer carries the request id and is never cached; every request gets one JSON log line
 * and its metrics (route, method, error code, duration), whatever the outcome.
 *
 * The line is written by a child of the app's logger without its redaction: it holds only the
 * request id, the method, the route's pattern (never the URL or the body), the status, the error
 * code and the duration, so there is nothing to redact, and redaction's scan of every field for
 * eleven wildcard paths cost more than the rest of the line (about 25 µs of CPU per request).
 * Every other log call goes through the redacting logger.
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
		const lines = app.log.child( {}, { redact: [] } );
		app.addHook( 'onRequest', ( request, reply, done ) => {
			reply.header( 'x-request-id', request.id );
			reply.header( 'cache-control', 'no-store' );
			done();
		} );
		app.addHook( 'onResponse', ( request, reply, done ) => {
			const route = request.routeOptions.url ?? 'unmatched';
			const code = request.errorCode ?? 'ok';
			const { metrics } = app.ctx;
			metrics.httpRequests.inc( { route, method: request.method, code } );
			metrics.httpDuration.observe( { route }, reply.elapsedTime / 1000 );
			const line = {
				reqId: request.id,
				method: request.method,
				route,
				status: reply.statusCode,
				code,
				ms: Math.round( reply.elapsedTime * 10 ) / 10,
				// A hosted sidecar's lines name the site that signed (not bound by `lines`).
				...( request.siteId ? { site: request.siteId } : {} ),
			};
			if ( reply.statusCode >= 500 ) {
				lines.warn( line, 'request' );
			} else {
				lines.info( line, 'request' );
			}
			done();
		} );
	},
	{ name: 'mfk-request-log', dependencies: [ 'mfk-context' ] }
);
