/**
 * OAuth web-server flow for doctors, with the smallest scope that works. The refresh token is
 * sealed before it leaves this module; the client secret arrives sealed and is opened only here.
 */
import type { SidecarContext } from '../context';
import { sealCredential } from '../sealing/credential';
import { SidecarError } from '../errors';
import type { OAuthClientInfo } from '../google/api';
import { GoogleCallError } from '../google/caller';
import { toSidecarError } from '../google/errors';
import { GoogleSession } from '../google/session';
import { MEET_SCOPES } from '../meetings/space-access';

export const CALENDAR_EVENTS_SCOPE =
	'https://www.googleapis.com/auth/calendar.events';
/** New connections: the event, and Meet's settings and attendance of the doctor's spaces. */
export const SCOPES = [
	'openid',
	'email',
	CALENDAR_EVENTS_SCOPE,
	...MEET_SCOPES,
];

export interface ClientInput {
	clientId: string;
	clientSecret: string;
}

export function sealClientSecret(
	ctx: SidecarContext,
	siteId: string,
	secret: string
): string {
	return ctx.sealer.seal( secret, 'client_secret', siteId );
}

export function openClient(
	ctx: SidecarContext,
	siteId: string,
	client: ClientInput
): OAuthClientInfo {
	return {
		clientId: client.clientId,
		clientSecret: ctx.opened.clientSecret( siteId, client.clientSecret ),
	};
}

export async function authorizeUrl(
	ctx: SidecarContext,
	client: OAuthClientInfo,
	redirectUri: string,
	state: string,
	loginHint?: string,
	/** Asked on top of the usual ones; Google keeps those granted before (include_granted_scopes). */
	extraScopes: readonly string[] = []
): Promise< string > {
	const api = await ctx.google();
	return api.authorizeUrl( client, {
		redirectUri,
		state,
		scopes: [ ...SCOPES, ...extraScopes ],
		...( loginHint ? { loginHint } : {} ),
	} );
}

/** The e-mail claim of an ID token received straight from Google's token endpoint over TLS (OIDC Core 3.1.3.7). */
export function emailFromIdToken(
	idToken: string | undefined
): string | undefined {
	const payload = idToken?.split( '.' )[ 1 ];
	if ( ! payload ) {
		return undefined;
	}
	try {
		const claims = JSON.parse(
			Buffer.from( payload, 'base64url' ).toString( 'utf8' )
		) as { email?: unknown };
		return typeof claims.email === 'string' ? claims.email : undefined;
	} catch {
		return undefined;
	}
}

async function google< T >(
	ctx: SidecarContext,
	method: string,
	context: 'exchange' | 'other',
	deadline: number,
	fn: () => Promise< T >
): Promise< T > {
	try {
		return await ctx.caller.run( method, {}, deadline, fn );
	} catch ( error ) {
		if ( error instanceof GoogleCallError ) {
			throw toSidecarError( error.failure, context, error.exhausted );
		}
		throw error;
	}
}

export interface ExchangeResult {
	credential: string;
	account: { email: string };
	scopes: string[];
}

export async function exchangeCode(
	ctx: SidecarContext,
	siteId: string,
	client: OAuthClientInfo,
	redirectUri: string,
	code: string
): Promise< ExchangeResult > {
	const api = await ctx.google();
	const deadline = Date.now() + ctx.config.retryBudgetMs;
	const tokens = await google(
		ctx,
		'oauth.exchange',
		'exchange',
		deadline,
		() => api.exchangeCode( client, code, redirectUri )
	);
	const scopes = tokens.scopes ?? [];
	const revokeQuietly = async () => {
		try {
			await api.revoke( tokens.refreshToken ?? tokens.accessToken );
		} catch {
			// The grant is useless to us either way; the doctor can remove it in their Google account.
		}
	};
	if ( ! scopes.includes( CALENDAR_EVENTS_SCOPE ) ) {
		await revokeQuietly();
		throw new SidecarError(
			'insufficient_scope',
			'The doctor did not allow calendar access (calendar.events); connect again and allow it.'
		);
	}
	if ( ! tokens.refreshToken ) {
		await revokeQuietly();
		throw new SidecarError(
			'invalid_request',
			'Google returned no refresh token; connect again (the consent screen must be shown).'
		);
	}
	let email = emailFromIdToken( tokens.idToken );
	if ( ! email ) {
		email = (
			await google( ctx, 'oauth.userinfo', 'other', deadline, () =>
				api.userinfo( tokens.accessToken )
			)
		).email;
	}
	if ( ! email ) {
		throw new SidecarError(
			'google_error',
			'Google did not tell which account was connected (no e-mail in the ID token or userinfo).'
		);
	}
	const credential = sealCredential( ctx.sealer, siteId, {
		clientId: client.clientId,
		refreshToken: tokens.refreshToken,
		accessToken: tokens.accessToken,
		accessTokenExpiresAt: tokens.expiresAt,
		email,
		scopes,
	} );
	return { credential, account: { email }, scopes };
}

/** Revokes the doctor's grant. Google's `invalid_token` (already revoked or expired) counts as done. */
export async function revoke(
	ctx: SidecarContext,
	siteId: string,
	client: OAuthClientInfo,
	blob: string
): Promise< { revoked: true } > {
	const session = await GoogleSession.open( ctx, siteId, client, blob );
	const api = session.api;
	session.forgetTokens();
	ctx.opened.forgetCredential( siteId, blob );
	try {
		await google( ctx, 'oauth.revoke', 'other', session.deadline, () =>
			api.revoke( session.refreshToken )
		);
	} catch ( error ) {
		if ( ! (
			error instanceof SidecarError &&
			error.google?.oauthError === 'invalid_token'
		) ) {
			throw error;
		}
	}
	return { revoked: true };
}
