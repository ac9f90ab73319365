/**
 * The token endpoint (`POST /token`): the authorization-code and refresh-token grants, with
 * Google's errors (`invalid_grant`, `redirect_uri_mismatch`, `unauthorized_client`…).
 */
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../pipeline/google-errors';
import type { Outcome } from '../pipeline/outcome';
import { run } from '../pipeline/run';
import { first, type Params } from '../shared/query';
import type { EmulatorState } from '../state';
import { authenticateClient } from './client-authentication';
import type { KnownClient } from './clients';
import {
	refreshTokensExpireWeekly,
	TESTING_REFRESH_TOKEN_TTL_SECONDS,
} from './project';
import { BASIC_SCOPES } from './scopes';
import { tokenAnswer } from './token-answer';

const OPERATIONS: Record< string, string > = {
	refresh_token: 'oauth.token.refresh',
	authorization_code: 'oauth.token.code',
};

const badRequest = () => new OAuthError( 400, 'invalid_grant', 'Bad Request' );

function codeGrant(
	state: EmulatorState,
	client: KnownClient,
	body: Params
): Promise< Outcome > {
	const value = first( body, 'code' );
	if ( ! value ) {
		throw new OAuthError(
			400,
			'invalid_request',
			'Missing required parameter: code'
		);
	}
	const code = state.auth.requests.code( value );
	if ( ! code ) {
		throw new OAuthError( 400, 'invalid_grant', 'Malformed auth code.' );
	}
	if (
		code.used ||
		code.expiresAt < Date.now() ||
		code.clientId !== client.clientId
	) {
		throw badRequest();
	}
	if ( first( body, 'redirect_uri' ) !== code.redirectUri ) {
		throw new OAuthError( 400, 'redirect_uri_mismatch', 'Bad Request' );
	}
	code.used = true;
	const grant = state.auth.grants.current( client.clientId, code.email );
	if ( ! grant ) {
		throw badRequest();
	}
	// Google sends a refresh token for offline access the first time, or whenever consent was forced.
	const wantsRefresh =
		code.offline &&
		( code.forceConsent || ! state.auth.tokens.hasRefreshToken( grant ) );
	const ttl = refreshTokensExpireWeekly(
		client.project,
		code.scopes,
		BASIC_SCOPES
	)
		? TESTING_REFRESH_TOKEN_TTL_SECONDS
		: state.behaviour.refreshTokenTtlSeconds;
	const rt = wantsRefresh
		? state.auth.tokens.issueRefreshToken( grant, ttl )
		: undefined;
	return tokenAnswer( state, grant, code.scopes, rt );
}

function refreshGrant(
	state: EmulatorState,
	client: KnownClient,
	refreshToken: string | undefined
): Promise< Outcome > {
	if ( ! refreshToken ) {
		throw new OAuthError(
			400,
			'invalid_request',
			'Missing required parameter: refresh_token'
		);
	}
	const grant = state.auth.tokens.resolveRefreshToken( refreshToken );
	if ( ! grant ) {
		throw new OAuthError(
			400,
			'invalid_grant',
			'Token has been expired or revoked.'
		);
	}
	if ( grant.clientId !== client.clientId ) {
		throw new OAuthError( 401, 'unauthorized_client', 'Unauthorized' );
	}
	// No new refresh token on refresh, as Google does.
	return tokenAnswer( state, grant, [ ...grant.scopes ] );
}

export function tokenRoute( app: FastifyInstance, state: EmulatorState ): void {
	app.post( '/token', ( request, reply ) => {
		const body = ( request.body ?? {} ) as Params;
		const grantType = first( body, 'grant_type' );
		const refreshToken = first( body, 'refresh_token' );
		return run(
			state,
			request,
			reply,
			'oauth',
			( grantType && OPERATIONS[ grantType ] ) || 'oauth.token',
			() => {
				const g = refreshToken
					? state.auth.tokens.grantOfRefreshToken( refreshToken )
					: undefined;
				return g ? { account: g.email } : {};
			},
			() => {
				const client = authenticateClient(
					state.auth.clients,
					request,
					body
				);
				if ( grantType === 'authorization_code' ) {
					return codeGrant( state, client, body );
				}
				if ( grantType === 'refresh_token' ) {
					return refreshGrant( state, client, refreshToken );
				}
				throw new OAuthError(
					400,
					'unsupported_grant_type',
					`Invalid grant_type: ${ grantType ?? '' }`
				);
			}
		);
	} );
}
