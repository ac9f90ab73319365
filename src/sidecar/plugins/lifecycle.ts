/**
 * Shutting down gracefully: once closing starts, readiness answers 503 and every answer closes its
 * connection, so keep-alive connections do not hold the server open once the requests in flight
 * are answered.
 */
import fp from 'fastify-plugin';

declare module 'fastify' {
	interface FastifyInstance {
		/** True from the moment the instance starts closing. */
		isClosing: () => boolean;
	}
}

export default fp(
	async ( app ) => {
		let closing = false;
		app.decorate( 'isClosing', () => closing );
		app.addHook( 'preClose', async () => {
			closing = true;
		} );
		app.addHook( 'onSend', ( _request, reply, payload, done ) => {
			if ( closing ) {
				reply.header( 'connection', 'close' );
			}
			done( null, payload );
		} );
		app.addHook( 'onResponse', ( _request, _reply, done ) => {
			if ( closing ) {
				setImmediate( () => app.server.closeIdleConnections() );
			}
			done();
		} );
	},
	{ name: 'mfk-lifecycle' }
);
