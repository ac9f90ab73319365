/** Request schemas of the site routes (hosted sidecar). */
import { siteId } from './common';

export const siteMetricsBody = {
	type: [ 'object', 'null' ],
	properties: { siteId },
};
