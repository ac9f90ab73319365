/**
 * Google's OAuth 2.0 / OpenID endpoints: authorization (consent page and its decision), token
 * (code and refresh grants), revocation, userinfo, tokeninfo, JWKS and discovery.
 */
import type { AreaPlugin } from '../area-plugin';
import { authorizeRoute } from './authorize-route';
import { decisionRoute } from './decision-route';
import { identityRoutes } from './identity-routes';
import { revokeRoute } from './revoke-route';
import { tokenRoute } from './token-route';

export const oauthRoutes: AreaPlugin = async ( app, { state } ) => {
	authorizeRoute( app, state );
	decisionRoute( app, state );
	tokenRoute( app, state );
	revokeRoute( app, state );
	identityRoutes( app, state );
};
