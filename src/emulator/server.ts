/**
 * The emulator's HTTP server: Google's OAuth endpoints, Calendar v3 and the control API on one
 * origin. Requests are answered in Google's formats, including for malformed input.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { calendarRoutes } from './calendar';
import { registerControlRoutes } from './control-routes';
import { oauthRoutes } from './oauth';
import { installGoogleBodyParsers } from './pipeline/body-parsers';
import { installGoogleErrorHandlers } from './pipeline/error-handlers';
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
	installGoogleBodyParsers( app );
	installGoogleErrorHandlers( app );
	app.register( oauthRoutes, { state } );
	app.register( calendarRoutes, { state, prefix: '/calendar/v3' } );
	registerControlRoutes( app, state );
	return app;
}
