/**
 * The sidecar's HTTP application (docs/sidecar-api.md), composed: the shared services and the
 * request pipeline every route goes through, then one plugin per route area, then one error
 * handler. Building it does not listen (index.ts does); tests drive it with `app.inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { SidecarConfig } from './config/env';
import { serverOptions, type AppOptions } from './config/server-options';
import context from './plugins/context';
import { errorHandler, notFoundHandler, routeMethods } from './plugins/errors';
import jsonBody from './plugins/json-body';
import lifecycle from './plugins/lifecycle';
import requestLog from './plugins/request-log';
import signedRequests from './plugins/signed-requests';
import batchRoutes from './routes/batch';
import calendarRoutes from './routes/calendars';
import meetingRoutes from './routes/meetings';
import oauthRoutes from './routes/oauth';
import opsRoutes from './routes/ops';
import siteRoutes from './routes/site';
import spaceRoutes from './routes/spaces';
import syncRoutes from './routes/sync';

export type { AppOptions };

export function buildApp(
	config: SidecarConfig,
	options: AppOptions = {}
): FastifyInstance {
	const app = Fastify( serverOptions( config, options ) );

	app.register( context, { config } );
	app.register( lifecycle );
	app.register( requestLog );
	app.register( jsonBody );
	app.register( signedRequests );
	app.register( routeMethods );

	app.register( opsRoutes );
	app.register( oauthRoutes );
	app.register( meetingRoutes );
	app.register( batchRoutes );
	app.register( calendarRoutes );
	app.register( siteRoutes );
	app.register( spaceRoutes );
	app.register( syncRoutes );

	app.setErrorHandler( errorHandler );
	app.setNotFoundHandler( notFoundHandler );
	return app;
}
