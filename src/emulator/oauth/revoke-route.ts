/**
 * Token revocation (`POST /revoke?token=…` or a form `token`): revokes the whole grant behind the
 * token, every refresh and access token issued with it.
 */
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../pipeline/google-errors';
import { run } from '../pipeline/run';
import { first, type Params } from '../shared/query';
import type { EmulatorState } from '../state';

export function revokeRoute(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.post( '/revoke', ( request, reply ) => {
		const value =
			first( ( request.query ?? {} ) as Params, 'token' ) ??
			first( ( request.body ?? {} ) as Params, 'token' );
		return run(
			state,
			request,
			reply,
			'oauth',
			'oauth.revoke',
			() => ( {} ),
			() => {
				if ( ! value || ! state.auth.tokens.revoke( value ) ) {
					throw new OAuthError(
						400,
						'invalid_token',
						'Token expired or revoked'
					);
				}
				return { status: 200, body: {} };
			}
		);
	} );
}
