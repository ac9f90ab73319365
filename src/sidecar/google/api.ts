/**
 * The Google client libraries, configured for the sidecar. Loaded lazily (dynamic import) so the
 * HTTP server listens before these large modules are evaluated.
 *
 * - Endpoints come from configuration only: the Calendar `rootUrl`, and the OAuth2Client
 *   `endpoints` (authorization, token, revocation); userinfo is requested by URL.
 * - The libraries' own retries are switched off on the shared transporter (OAuth2Client turns
 *   `retry: true` on for token calls, googleapis-common for API calls); google/caller.ts is the
 *   single retry policy.
 * - Requests go through google/http-fetch.ts (node:http/https, keep-alive), not Node's fetch.
 */
import { OAuth2Client, gaxios, type Credentials } from 'google-auth-library';
import { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { meet_v2 } from '@googleapis/meet/build/v2';
import type { GoogleEndpoints } from '../config/env';
import { createHttpFetch } from './http-fetch';

export interface OAuthClientInfo {
	clientId: string;
	clientSecret: string;
}

export interface TokenSet {
	accessToken: string;
	/** Milliseconds since the epoch. */
	expiresAt: number;
	/** Present on a code exchange, and on a refresh only when Google rotated the token. */
	refreshToken?: string;
	/** Granted scopes, when Google listed them. */
	scopes?: string[];
	idToken?: string;
}

function toTokenSet( t: Credentials ): TokenSet {
	if ( ! t.access_token ) {
		throw Object.assign( new Error( 'Google returned no access token' ), {
			config: {},
			response: {
				status: 502,
				data: {
					error: 'no_access_token',
					error_description: 'Google returned no access token',
				},
			},
		} );
	}
	const set: TokenSet = {
		accessToken: t.access_token,
		// Google always sends expires_in; an hour is its documented lifetime otherwise.
		expiresAt:
			typeof t.expiry_date === 'number'
				? t.expiry_date
				: Date.now() + 3600 * 1000,
	};
	if ( t.refresh_token ) {
		set.refreshToken = t.refresh_token;
	}
	if ( typeof t.scope === 'string' && t.scope !== '' ) {
		set.scopes = t.scope.split( /\s+/ ).filter( Boolean );
	}
	if ( t.id_token ) {
		set.idToken = t.id_token;
	}
	return set;
}

export function createGoogleApi( options: {
	google: GoogleEndpoints;
	googleTimeoutMs: number;
} ) {
	const { google, googleTimeoutMs } = options;
	const http = createHttpFetch();
	const transporter = new gaxios.Gaxios( {
		timeout: googleTimeoutMs,
		fetchImplementation: http.fetch as unknown as NonNullable<
			gaxios.GaxiosOptions[ 'fetchImplementation' ]
		>,
	} );
	transporter.interceptors.request.add( {
		resolved: async ( config ) => {
			config.retry = false;
			config.retryConfig = { shouldRetry: () => false };
			return config;
		},
	} );
	const endpoints = {
		oauth2AuthBaseUrl: google.authUrl,
		oauth2TokenUrl: google.tokenUrl,
		oauth2RevokeUrl: google.revokeUrl,
	};
	const oauth = (
		client?: OAuthClientInfo,
		redirectUri?: string
	): OAuth2Client =>
		new OAuth2Client( {
			...( client
				? {
						clientId: client.clientId,
						clientSecret: client.clientSecret,
					}
				: {} ),
			...( redirectUri ? { redirectUri } : {} ),
			endpoints,
			transporter,
		} );
	const calendar = new calendar_v3.Calendar( {
		rootUrl: google.apiRoot,
		retry: false,
		timeout: googleTimeoutMs,
	} );

	let meetClient: Promise< meet_v2.Meet > | undefined;

	return {
		calendar,

		/** Google's batch endpoint for Calendar calls (google/batch.ts). */
		batchUrl: new URL( 'batch/calendar/v3', google.apiRoot ).toString(),

		/** Closes pooled connections to Google. */
		close: () => http.close(),

		/** An auth client that presents an access token obtained by the sidecar (no refresh of its own). */
		authFor( accessToken: string ): OAuth2Client {
			const client = oauth();
			client.setCredentials( {
				access_token: accessToken,
				token_type: 'Bearer',
			} );
			return client;
		},

		authorizeUrl(
			client: OAuthClientInfo,
			params: {
				redirectUri: string;
				state: string;
				scopes: string[];
				loginHint?: string;
			}
		): string {
			return oauth( client, params.redirectUri ).generateAuthUrl( {
				response_type: 'code',
				access_type: 'offline',
				prompt: 'consent',
				include_granted_scopes: true,
				scope: params.scopes,
				state: params.state,
				...( params.loginHint ? { login_hint: params.loginHint } : {} ),
			} );
		},

		async exchangeCode(
			client: OAuthClientInfo,
			code: string,
			redirectUri: string
		): Promise< TokenSet > {
			const { tokens } = await oauth( client, redirectUri ).getToken( {
				code,
				redirect_uri: redirectUri,
			} );
			return toTokenSet( tokens );
		},

		async refresh(
			client: OAuthClientInfo,
			refreshToken: string
		): Promise< TokenSet > {
			const c = oauth( client );
			// The library overwrites a rotated refresh token with the old one in its credentials;
			// the 'tokens' event sees Google's answer first, so a rotation is not lost.
			let answer: Credentials | undefined;
			c.on( 'tokens', ( t: Credentials ) => {
				answer = { ...t };
			} );
			c.setCredentials( { refresh_token: refreshToken } );
			await c.getAccessToken();
			return toTokenSet( answer ?? c.credentials );
		},

		async revoke( token: string ): Promise< void > {
			await oauth().revokeToken( token );
		},

		/**
		 * The official Meet REST API v2 client (`@googleapis/meet`), loaded on the first Meet call
		 * only (most sidecars never make one, and cold start stays small). Same family, transport
		 * and auth objects as the Calendar client: every call passes the doctor's `auth`.
		 */
		meet(): Promise< meet_v2.Meet > {
			meetClient ??= import( '@googleapis/meet/build/v2' ).then(
				( m ) =>
					new m.meet_v2.Meet( {
						rootUrl: google.meetApiRoot,
						retry: false,
						timeout: googleTimeoutMs,
					} )
			);
			return meetClient;
		},

		/** The account's stable id (OpenID `sub`), which Meet names its signed-in users by. */
		async subject( auth: OAuth2Client ): Promise< string | undefined > {
			const res = await auth.request< { sub?: unknown } >( {
				url: google.userinfoUrl,
				method: 'GET',
			} );
			return typeof res.data?.sub === 'string' ? res.data.sub : undefined;
		},

		async userinfo( accessToken: string ): Promise< { email?: string } > {
			const c = oauth();
			c.setCredentials( {
				access_token: accessToken,
				token_type: 'Bearer',
			} );
			const res = await c.request< { email?: unknown } >( {
				url: google.userinfoUrl,
				method: 'GET',
			} );
			return typeof res.data?.email === 'string'
				? { email: res.data.email }
				: {};
		},

		/**
		 * Asks the token endpoint to redeem a code that cannot exist. Google authenticates the
		 * client first, so the call fails either way: with `invalid_client` when the id/secret are
		 * wrong, with `invalid_grant` when they were accepted.
		 */
		async probeClient(
			client: OAuthClientInfo,
			redirectUri: string
		): Promise< void > {
			await oauth( client, redirectUri ).getToken( {
				code: 'mfk-client-check',
				redirect_uri: redirectUri,
			} );
		},
	};
}

export type GoogleApi = ReturnType< typeof createGoogleApi >;
export type { calendar_v3 };
