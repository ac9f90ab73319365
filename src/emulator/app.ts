/**
 * The emulator's HTTP application: Google's OAuth endpoints, Calendar v3, Meet v2 and the control API on
 * one origin, each area a fastify plugin with its own routes. Requests are answered in Google's
 * formats, including for malformed input. Listening is the caller's job (index.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { batchRoutes } from './batch';
import { calendarRoutes } from './calendar';
import { controlRoutes } from './control';
import { meetRoutes } from './meet';
import { oauthRoutes } from './oauth';
import { installGoogleBodyParsers } from './pipeline/body-parsers';
import { installGoogleErrorHandlers } from './pipeline/error-handlers';
import type { EmulatorState } from './state';

export function buildEmulatorApp(
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

	// Registered one by one (no autoload): the emulator is a single esbuild bundle.
	app.register( oauthRoutes, { state } );
	app.register( calendarRoutes, { state, prefix: '/calendar/v3' } );
	app.register( meetRoutes, { state, prefix: '/v2' } );
	app.register( batchRoutes, { prefix: '/batch' } );
	app.register( controlRoutes, { state, prefix: '/__emulator' } );
	return app;
}
