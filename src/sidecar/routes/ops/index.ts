/**
 * Operations: liveness, readiness and metrics for supervisors and monitoring (not signed, no secret
 * in any answer; metrics behind a bearer token when one is configured, else loopback only), and
 * the signed no-op WordPress uses to check that its signatures are accepted.
 */
import type { FastifyPluginAsync } from 'fastify';
import { checkMetricsAccess } from '../../observability/metrics-access';
import { pingBody } from '../../schemas/ops';
import { VERSION } from '../../version';

const unsigned = { config: { unsigned: true } };

const ops: FastifyPluginAsync = async ( app ) => {
	const { ctx } = app;

	app.get( '/healthz', unsigned, async () => ( {
		status: 'ok',
		version: VERSION,
		// WordPress tells its admin when it is configured for the other mode.
		mode: ctx.siteKeys.hosted ? 'hosted' : 'single-site',
		uptimeSeconds: Math.round( process.uptime() * 10 ) / 10,
	} ) );

	app.get( '/readyz', unsigned, async ( _request, reply ) => {
		const checks = {
			sharedSecret:
				ctx.config.sharedSecret.length >= 32 ||
				( ctx.config.hosted?.masterKeys.length ?? 0 ) > 0,
			sharedState: ctx.state.ready(),
			sealKey: ctx.config.sealKeys.length > 0,
			googleClient: ctx.googleLoaded(),
			googleEndpoints: {
				apiRoot: ctx.config.google.apiRoot,
				oauthToken: ctx.config.google.tokenUrl,
			},
		};
		const ready =
			! app.isClosing() &&
			checks.sharedSecret &&
			checks.sealKey &&
			checks.sharedState &&
			checks.googleClient;
		reply.code( ready ? 200 : 503 );
		return { ready, checks };
	} );

	app.get( '/metrics', unsigned, async ( request, reply ) => {
		if ( ctx.config.metricsToken !== '' ) {
			// Scrapers learn how to authenticate (RFC 6750), also when they are refused.
			reply.header( 'www-authenticate', 'Bearer realm="mfk-sidecar"' );
		}
		checkMetricsAccess(
			ctx.config.metricsToken,
			request.headers.authorization,
			request.socket.remoteAddress
		);
		reply.type( 'text/plain; version=0.0.4; charset=utf-8' );
		return ctx.metrics.render();
	} );

	app.post( '/v1/ping', { schema: { body: pingBody } }, async () => ( {
		ok: true,
		version: VERSION,
		time: Math.floor( Date.now() / 1000 ),
	} ) );
};

export default ops;
