/**
 * What an enrolled site may read about itself on a hosted sidecar: its own request and Google
 * call figures, never another site's (the operator's `/metrics` has every site's).
 */
import type { FastifyPluginAsync } from 'fastify';
import { SidecarError } from '../../errors';
import { siteMetricsBody } from '../../schemas/site';

const site: FastifyPluginAsync = async ( app ) => {
	app.post(
		'/v1/site/metrics',
		{ schema: { body: siteMetricsBody } },
		async ( request ) => {
			if ( ! request.siteId ) {
				throw new SidecarError(
					'not_configured',
					'Per-site figures are kept by a sidecar serving many sites; this one serves a single site (see /metrics).'
				);
			}
			return {
				siteId: request.siteId,
				...app.ctx.metrics.sites.view( request.siteId ),
			};
		}
	);
};

export default site;
