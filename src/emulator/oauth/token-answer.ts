/**
 * The token endpoint's success answer: a new access token, the refresh token when one is issued,
 * and an ID token when `openid` was granted.
 */
import type { CredentialRequest } from 'google-auth-library';
import type { Outcome } from '../pipeline/outcome';
import type { EmulatorState } from '../state';
import type { Grant } from './grants';
import type { RefreshToken } from './tokens';
import { NO_STORE } from './page-answers';

/**
 * Google's token answer, typed with google-auth-library's `CredentialRequest`. The one field
 * added, `refresh_token_expires_in` (the refresh token's remaining lifetime in seconds, sent for
 * time-limited grants), is in Google's OAuth documentation and Google's IETF draft "OAuth 2.0
 * Refresh Token and Authorization Expiration" but not yet in the client library's type.
 */
export interface TokenAnswer extends CredentialRequest {
	refresh_token_expires_in?: number;
}

export async function tokenAnswer(
	state: EmulatorState,
	grant: Grant,
	scopes: string[],
	refreshToken?: RefreshToken
): Promise< Outcome > {
	const { accessTokenTtlSeconds } = state.behaviour;
	const at = state.auth.tokens.issueAccessToken(
		grant,
		scopes,
		accessTokenTtlSeconds
	);
	const body: TokenAnswer = {
		access_token: at.token,
		expires_in: accessTokenTtlSeconds,
		scope: scopes.join( ' ' ),
		token_type: 'Bearer',
	};
	if ( refreshToken ) {
		body.refresh_token = refreshToken.token;
		body.refresh_token_expires_in =
			refreshToken.expiresAt === null
				? undefined
				: Math.round(
						( refreshToken.expiresAt - refreshToken.issuedAt ) /
							1000
					);
	}
	if ( scopes.includes( 'openid' ) ) {
		body.id_token = await state.idTokens.issue( {
			aud: grant.clientId,
			sub: state.auth.accounts.get( grant.email ).sub,
			email: grant.email,
			accessToken: at.token,
		} );
	}
	return { status: 200, body, headers: NO_STORE };
}
