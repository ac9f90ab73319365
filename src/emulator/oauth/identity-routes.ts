/**
 * OpenID Connect around the tokens: userinfo, tokeninfo, the keys that sign ID tokens, and the
 * discovery document pointing at the emulator.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenPayload } from 'google-auth-library';
import type { Outcome } from '../pipeline/outcome';
import { run } from '../pipeline/run';
import { first, type Params } from '../shared/query';
import type { EmulatorState } from '../state';
import { bearerToken } from './bearer';
import { SCOPE_ALIASES } from './scopes';

/** The OpenID userinfo answer: the claims the emulator knows, named as in an ID token. */
type UserInfo = Required<
	Pick< TokenPayload, 'sub' | 'email' | 'email_verified' >
>;

/**
 * Google's tokeninfo answer as sent over the wire (google-auth-library's `TokenInfo` is its
 * parsed form): numbers and booleans as strings.
 */
interface TokenInfoAnswer {
	azp: string;
	aud: string;
	sub: string;
	scope: string;
	exp: string;
	expires_in: string;
	email: string;
	email_verified: string;
	access_type: string;
}

function userinfo( state: EmulatorState, request: FastifyRequest ): Outcome {
	const token = bearerToken( request );
	const resolved = token
		? state.auth.tokens.resolveAccessToken( token )
		: undefined;
	if ( ! resolved ) {
		return {
			status: 401,
			body: {
				error: 'invalid_request',
				error_description: 'Invalid Credentials',
			},
			headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
		};
	}
	const scopes = resolved.token.scopes;
	if (
		! scopes.includes( 'openid' ) &&
		! scopes.includes( SCOPE_ALIASES.email as string )
	) {
		return {
			status: 403,
			body: {
				error: 'insufficient_scope',
				error_description: 'Insufficient Permission',
			},
		};
	}
	const account = state.auth.accounts.get( resolved.grant.email );
	const body: UserInfo = {
		sub: account.sub,
		email: account.email,
		email_verified: true,
	};
	return { status: 200, body };
}

function tokeninfo( state: EmulatorState, q: Params ): Outcome {
	const value = first( q, 'access_token' );
	const resolved = value
		? state.auth.tokens.resolveAccessToken( value )
		: undefined;
	if ( ! resolved ) {
		return {
			status: 400,
			body: {
				error: 'invalid_token',
				error_description: 'Invalid Value',
			},
		};
	}
	const { token, grant } = resolved;
	const exp = Math.floor( token.expiresAt / 1000 );
	const body: TokenInfoAnswer = {
		azp: grant.clientId,
		aud: grant.clientId,
		sub: state.auth.accounts.get( grant.email ).sub,
		scope: token.scopes.join( ' ' ),
		exp: String( exp ),
		expires_in: String(
			Math.max( 0, exp - Math.floor( Date.now() / 1000 ) )
		),
		email: grant.email,
		email_verified: 'true',
		access_type: 'offline',
	};
	return { status: 200, body };
}

export function identityRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	for ( const url of [ '/v1/userinfo', '/oauth2/v3/userinfo' ] ) {
		app.get( url, ( request, reply ) =>
			run(
				state,
				request,
				reply,
				'oauth',
				'oauth.userinfo',
				() => ( {} ),
				() => userinfo( state, request )
			)
		);
	}

	app.get( '/tokeninfo', ( request, reply ) =>
		run(
			state,
			request,
			reply,
			'oauth',
			'oauth.tokeninfo',
			() => ( {} ),
			() => tokeninfo( state, request.query as Params )
		)
	);

	app.get( '/oauth2/v3/certs', async () => state.idTokens.jwks() );

	app.get( '/.well-known/openid-configuration', async ( request ) => {
		const base = `${ request.protocol }://${ request.host }`;
		return {
			issuer: 'https://accounts.google.com',
			authorization_endpoint: `${ base }/o/oauth2/v2/auth`,
			token_endpoint: `${ base }/token`,
			userinfo_endpoint: `${ base }/v1/userinfo`,
			revocation_endpoint: `${ base }/revoke`,
			jwks_uri: `${ base }/oauth2/v3/certs`,
			response_types_supported: [ 'code' ],
			subject_types_supported: [ 'public' ],
			id_token_signing_alg_values_supported: [ 'RS256' ],
			scopes_supported: [ 'openid', 'email', 'profile' ],
			grant_types_supported: [ 'authorization_code', 'refresh_token' ],
		};
	} );
}
