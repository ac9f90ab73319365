/**
 * OAuth scopes as Google's authorization endpoint understands them.
 */

export const AUTH_SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

/** Short names Google accepts and records under their full URL. */
export const SCOPE_ALIASES: Record< string, string > = {
	email: `${ AUTH_SCOPE_PREFIX }userinfo.email`,
	profile: `${ AUTH_SCOPE_PREFIX }userinfo.profile`,
};

export const KNOWN_SCOPE =
	/^(openid|email|profile|https:\/\/www\.googleapis\.com\/auth\/[a-z.]+)$/;

/** Sign-in scopes are always granted; the others can be unticked on the consent page. */
export const BASIC_SCOPES = new Set( [
	'openid',
	`${ AUTH_SCOPE_PREFIX }userinfo.email`,
	`${ AUTH_SCOPE_PREFIX }userinfo.profile`,
] );
