/**
 * Google's OAuth 2.0 / OpenID endpoints: authorization (consent page), token (code and refresh
 * grants), revocation, userinfo, tokeninfo, JWKS and discovery.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SCOPE_ALIASES, type Client } from './auth-store';
import { BASIC_SCOPES, consentPage, errorPage } from './oauth/consent-page';
import { OAuthError } from './pipeline/google-errors';
import type { Outcome } from './pipeline/outcome';
import { run } from './pipeline/run';
import type { EmulatorState } from './state';

const KNOWN_SCOPE =
	/^(openid|email|profile|https:\/\/www\.googleapis\.com\/auth\/[a-z.]+)$/;
const DEFAULT_EMAIL = 'doctor@example.test';
const NO_STORE = {
	'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
	pragma: 'no-cache',
};

type Params = Record< string, string | string[] | undefined >;

const listOf = ( v: string | string[] | undefined ): string[] => {
	if ( v === undefined || v === '' ) {
		return [];
	}
	return Array.isArray( v ) ? v : [ v ];
};

const TOKEN_OPERATIONS: Record< string, string > = {
	refresh_token: 'oauth.token.refresh',
	authorization_code: 'oauth.token.code',
};

const one = ( p: Params, k: string ): string | undefined => {
	const v = p[ k ];
	return Array.isArray( v ) ? v[ 0 ] : v;
};

function html( status: number, body: string ): Outcome {
	return {
		status,
		body,
		raw: true,
		headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE },
	};
}

function redirect( to: string ): Outcome {
	return {
		status: 302,
		body: '',
		raw: true,
		headers: { location: to, ...NO_STORE },
	};
}

function withParams(
	uri: string,
	params: Record< string, string | undefined >
): string {
	const url = new URL( uri );
	for ( const [ k, v ] of Object.entries( params ) ) {
		if ( v !== undefined ) {
			url.searchParams.set( k, v );
		}
	}
	return url.toString();
}

function redirectAllowed( client: Client, uri: string ): boolean {
	let url: URL;
	try {
		url = new URL( uri );
	} catch {
		return false;
	}
	if ( url.protocol !== 'http:' && url.protocol !== 'https:' ) {
		return false;
	}
	return (
		client.redirectUris.length === 0 || client.redirectUris.includes( uri )
	);
}

/** Client authentication: HTTP Basic or client_id/client_secret in the body. */
function authenticateClient(
	state: EmulatorState,
	request: FastifyRequest,
	body: Params
): Client {
	let id = one( body, 'client_id' );
	let secret = one( body, 'client_secret' );
	const header = request.headers.authorization;
	if ( header?.startsWith( 'Basic ' ) ) {
		const decoded = Buffer.from( header.slice( 6 ), 'base64' ).toString(
			'utf8'
		);
		const colon = decoded.indexOf( ':' );
		id = decodeURIComponent( decoded.slice( 0, colon ) );
		secret = decodeURIComponent( decoded.slice( colon + 1 ) );
	}
	const client = id ? state.auth.clients.get( id ) : undefined;
	if ( ! client ) {
		throw new OAuthError(
			401,
			'invalid_client',
			'The OAuth client was not found.'
		);
	}
	if ( client.clientSecret !== secret ) {
		throw new OAuthError( 401, 'invalid_client', 'Unauthorized' );
	}
	return client;
}

function bearer( request: FastifyRequest ): string | undefined {
	const h = request.headers.authorization;
	return h?.startsWith( 'Bearer ' ) ? h.slice( 7 ).trim() : undefined;
}

export function registerOAuthRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	const authorize = ( request: FastifyRequest ): Outcome => {
		const q = request.query as Params;
		const clientId = one( q, 'client_id' );
		if ( ! clientId ) {
			return html(
				400,
				errorPage(
					400,
					'invalid_request',
					'Missing required parameter: client_id'
				)
			);
		}
		const client = state.auth.clients.get( clientId );
		if ( ! client ) {
			return html(
				401,
				errorPage(
					401,
					'invalid_client',
					'The OAuth client was not found.'
				)
			);
		}
		const redirectUri = one( q, 'redirect_uri' );
		if ( ! redirectUri ) {
			return html(
				400,
				errorPage(
					400,
					'invalid_request',
					'Missing required parameter: redirect_uri'
				)
			);
		}
		if ( ! redirectAllowed( client, redirectUri ) ) {
			return html(
				400,
				errorPage(
					400,
					'redirect_uri_mismatch',
					`You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${ redirectUri }`
				)
			);
		}
		// From here on, errors go back to the (valid) redirect URI, as Google does.
		const state_ = one( q, 'state' );
		const back = ( error: string, description?: string ) =>
			redirect(
				withParams( redirectUri, {
					error,
					error_description: description,
					state: state_,
				} )
			);
		if ( one( q, 'response_type' ) !== 'code' ) {
			return back(
				'unsupported_response_type',
				'Only response_type=code is supported.'
			);
		}
		const raw = ( one( q, 'scope' ) ?? '' )
			.split( /\s+/ )
			.filter( Boolean );
		if ( raw.length === 0 ) {
			return html(
				400,
				errorPage(
					400,
					'invalid_request',
					'Missing required parameter: scope'
				)
			);
		}
		const unknown = raw.find( ( s ) => ! KNOWN_SCOPE.test( s ) );
		if ( unknown ) {
			return html(
				400,
				errorPage(
					400,
					'invalid_scope',
					`Some requested scopes were invalid. {invalid=[${ unknown }]}`
				)
			);
		}
		const scopes = [
			...new Set( raw.map( ( s ) => SCOPE_ALIASES[ s ] ?? s ) ),
		];
		const accessType = one( q, 'access_type' ) ?? 'online';
		if ( accessType !== 'online' && accessType !== 'offline' ) {
			return html(
				400,
				errorPage(
					400,
					'invalid_request',
					`Invalid access_type: ${ accessType }`
				)
			);
		}
		const prompt = ( one( q, 'prompt' ) ?? '' ).split( /\s+/ );
		const loginHint = one( q, 'login_hint' );
		const pending = state.auth.addPending( {
			clientId,
			redirectUri,
			scopes,
			...( state_ !== undefined ? { state: state_ } : {} ),
			offline: accessType === 'offline',
			forceConsent: prompt.includes( 'consent' ),
			includeGrantedScopes: one( q, 'include_granted_scopes' ) === 'true',
			...( loginHint ? { loginHint } : {} ),
		} );
		return html(
			200,
			consentPage( {
				pendingId: pending.id,
				clientId,
				email:
					loginHint && loginHint.includes( '@' )
						? loginHint
						: DEFAULT_EMAIL,
				scopes,
				redirectHost: new URL( redirectUri ).host,
			} )
		);
	};

	app.get( '/o/oauth2/v2/auth', ( request, reply ) =>
		run(
			state,
			request,
			reply,
			'oauth',
			'oauth.authorize',
			() => ( {} ),
			() => authorize( request )
		)
	);
	app.get( '/o/oauth2/auth', ( request, reply ) =>
		run(
			state,
			request,
			reply,
			'oauth',
			'oauth.authorize',
			() => ( {} ),
			() => authorize( request )
		)
	);

	app.post( '/o/oauth2/v2/auth/decision', ( request, reply ) => {
		const body = ( request.body ?? {} ) as Params;
		const email = ( one( body, 'email' ) ?? '' ).trim().toLowerCase();
		return run(
			state,
			request,
			reply,
			'oauth',
			'oauth.consent',
			() => ( { account: email } ),
			() => {
				const pending = state.auth.takePending(
					one( body, 'request' ) ?? ''
				);
				if ( ! pending ) {
					return html(
						400,
						errorPage(
							400,
							'invalid_request',
							'This sign-in request has expired or was already used. Start again.'
						)
					);
				}
				if ( one( body, 'decision' ) !== 'allow' ) {
					return redirect(
						withParams( pending.redirectUri, {
							error: 'access_denied',
							state: pending.state,
						} )
					);
				}
				if ( ! /^[^\s@]+@[^\s@]+$/.test( email ) ) {
					return html(
						400,
						errorPage(
							400,
							'invalid_request',
							'Enter a valid e-mail address.'
						)
					);
				}
				const ticked = new Set( listOf( body.scope ) );
				const granted = pending.scopes.filter(
					( s ) => BASIC_SCOPES.has( s ) || ticked.has( s )
				);
				state.calendars.primary( email );
				const code = state.auth.consent( pending, email, granted );
				return redirect(
					withParams( pending.redirectUri, {
						state: pending.state,
						iss: 'https://accounts.google.com',
						code: code.code,
						scope: code.scopes.join( ' ' ),
						authuser: '0',
						prompt: 'consent',
					} )
				);
			}
		);
	} );

	const tokenResponse = async (
		clientId: string,
		grantId: number,
		scopes: string[],
		email: string,
		refreshToken?: string
	): Promise< Outcome > => {
		const grant = state.auth.grant( grantId );
		if ( ! grant ) {
			throw new OAuthError( 400, 'invalid_grant', 'Bad Request' );
		}
		const at = state.auth.issueAccessToken(
			grant,
			scopes,
			state.behaviour.accessTokenTtlSeconds
		);
		const body: Record< string, unknown > = {
			access_token: at.token,
			expires_in: state.behaviour.accessTokenTtlSeconds,
			scope: scopes.join( ' ' ),
			token_type: 'Bearer',
		};
		if ( refreshToken ) {
			body.refresh_token = refreshToken;
			body.refresh_token_expires_in =
				state.behaviour.refreshTokenTtlSeconds ?? undefined;
		}
		if ( scopes.includes( 'openid' ) ) {
			body.id_token = await state.idTokens.issue( {
				aud: clientId,
				sub: state.auth.account( email ).sub,
				email,
				accessToken: at.token,
			} );
		}
		return { status: 200, body, headers: NO_STORE };
	};

	app.post( '/token', ( request, reply ) => {
		const body = ( request.body ?? {} ) as Params;
		const grantType = one( body, 'grant_type' );
		const operation =
			( grantType && TOKEN_OPERATIONS[ grantType ] ) || 'oauth.token';
		const refreshValue = one( body, 'refresh_token' );
		const accountOf = () => {
			const rt = refreshValue
				? state.auth.refreshTokens.get( refreshValue )
				: undefined;
			const g = rt ? state.auth.grant( rt.grantId ) : undefined;
			return g ? { account: g.email } : {};
		};
		return run(
			state,
			request,
			reply,
			'oauth',
			operation,
			accountOf,
			async () => {
				const client = authenticateClient( state, request, body );
				if ( grantType === 'authorization_code' ) {
					const value = one( body, 'code' );
					if ( ! value ) {
						throw new OAuthError(
							400,
							'invalid_request',
							'Missing required parameter: code'
						);
					}
					const code = state.auth.code( value );
					if ( ! code ) {
						throw new OAuthError(
							400,
							'invalid_grant',
							'Malformed auth code.'
						);
					}
					if (
						code.used ||
						code.expiresAt < Date.now() ||
						code.clientId !== client.clientId
					) {
						throw new OAuthError(
							400,
							'invalid_grant',
							'Bad Request'
						);
					}
					if ( one( body, 'redirect_uri' ) !== code.redirectUri ) {
						throw new OAuthError(
							400,
							'redirect_uri_mismatch',
							'Bad Request'
						);
					}
					code.used = true;
					const grant = state.auth.currentGrant(
						client.clientId,
						code.email
					);
					if ( ! grant ) {
						throw new OAuthError(
							400,
							'invalid_grant',
							'Bad Request'
						);
					}
					// Google sends a refresh token for offline access the first time, or whenever consent was forced.
					const wantsRefresh =
						code.offline &&
						( code.forceConsent ||
							! state.auth.hasRefreshToken(
								client.clientId,
								code.email
							) );
					const rt = wantsRefresh
						? state.auth.issueRefreshToken(
								grant,
								state.behaviour.refreshTokenTtlSeconds
							).token
						: undefined;
					return tokenResponse(
						client.clientId,
						grant.id,
						code.scopes,
						code.email,
						rt
					);
				}
				if ( grantType === 'refresh_token' ) {
					if ( ! refreshValue ) {
						throw new OAuthError(
							400,
							'invalid_request',
							'Missing required parameter: refresh_token'
						);
					}
					const rt = state.auth.refreshTokens.get( refreshValue );
					const grant = rt
						? state.auth.grant( rt.grantId )
						: undefined;
					if (
						! rt ||
						! grant ||
						! state.auth.refreshTokenValid( rt )
					) {
						throw new OAuthError(
							400,
							'invalid_grant',
							'Token has been expired or revoked.'
						);
					}
					if ( grant.clientId !== client.clientId ) {
						throw new OAuthError(
							401,
							'unauthorized_client',
							'Unauthorized'
						);
					}
					return tokenResponse(
						client.clientId,
						grant.id,
						[ ...grant.scopes ],
						grant.email
					);
				}
				throw new OAuthError(
					400,
					'unsupported_grant_type',
					`Invalid grant_type: ${ grantType ?? '' }`
				);
			}
		);
	} );

	app.post( '/revoke', ( request, reply ) => {
		const value =
			one( ( request.query ?? {} ) as Params, 'token' ) ??
			one( ( request.body ?? {} ) as Params, 'token' );
		return run(
			state,
			request,
			reply,
			'oauth',
			'oauth.revoke',
			() => ( {} ),
			() => {
				if ( ! value || ! state.auth.revokeToken( value ) ) {
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

	const userinfo = ( request: FastifyRequest ): Outcome => {
		const token = bearer( request );
		const resolved = token
			? state.auth.resolveAccessToken( token )
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
		const account = state.auth.account( resolved.grant.email );
		return {
			status: 200,
			body: {
				sub: account.sub,
				email: account.email,
				email_verified: true,
			},
		};
	};
	for ( const path of [ '/v1/userinfo', '/oauth2/v3/userinfo' ] ) {
		app.get( path, ( request, reply ) =>
			run(
				state,
				request,
				reply,
				'oauth',
				'oauth.userinfo',
				() => ( {} ),
				() => userinfo( request )
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
			() => {
				const value = one( request.query as Params, 'access_token' );
				const resolved = value
					? state.auth.resolveAccessToken( value )
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
				return {
					status: 200,
					body: {
						azp: grant.clientId,
						aud: grant.clientId,
						sub: state.auth.account( grant.email ).sub,
						scope: token.scopes.join( ' ' ),
						exp: String( exp ),
						expires_in: String(
							Math.max( 0, exp - Math.floor( Date.now() / 1000 ) )
						),
						email: grant.email,
						email_verified: 'true',
						access_type: 'offline',
					},
				};
			}
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
