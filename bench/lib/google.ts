/**
 * The Google emulator from the benchmark's side: its control API, and the consent page driven
 * the way a browser would (to obtain authorization codes for doctors' accounts).
 */
import { consentRedirect } from '../../tests/integration/support/meet';

export interface EmulatorControl {
	url: string;
	config: ( patch: Record< string, unknown > ) => Promise< unknown >;
	counters: () => Promise< {
		counters: Record< string, number >;
		statuses: Record< string, Record< string, number > >;
		/** Calendar API calls received and refused by Google's limits, in all and per account. */
		total: { calls: number; refused: number };
		accounts: Record< string, { calls: number; refused: number } >;
	} >;
	clearCounters: () => Promise< unknown >;
	addClient: ( client: {
		clientId: string;
		clientSecret: string;
		redirectUris?: string[];
	} ) => Promise< unknown >;
	events: ( calendarId: string ) => Promise< CalendarEvent[] >;
}

export interface CalendarEvent {
	id: string;
	status: string;
	hangoutLink?: string;
	extendedProperties?: { private?: Record< string, string > };
}

export function emulatorControl( url: string ): EmulatorControl {
	const call = async < T >(
		method: string,
		route: string,
		body?: unknown
	): Promise< T > => {
		const res = await fetch( `${ url }/__emulator/${ route }`, {
			method,
			headers:
				body === undefined
					? undefined
					: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify( body ),
		} );
		const text = await res.text();
		if ( res.status >= 400 ) {
			throw new Error(
				`emulator ${ method } ${ route }: ${ res.status } ${ text }`
			);
		}
		return ( text ? JSON.parse( text ) : null ) as T;
	};
	return {
		url,
		config: ( patch ) => call( 'PATCH', 'config', patch ),
		counters: () => call( 'GET', 'counters' ),
		clearCounters: () => call( 'DELETE', 'counters' ),
		addClient: ( client ) => call( 'POST', 'clients', client ),
		events: async ( calendarId ) =>
			(
				await call< { items?: CalendarEvent[] } >(
					'GET',
					`calendars/${ encodeURIComponent( calendarId ) }/events`
				)
			).items ?? [],
	};
}

/**
 * Opens a consent URL, signs in as `email`, keeps every scope ticked and allows; resolves with
 * the authorization code from the redirect.
 */
export async function consent(
	authorizeUrl: string,
	email: string
): Promise< string > {
	const back = await consentRedirect( authorizeUrl, email );
	const code = back.searchParams.get( 'code' );
	if ( ! code ) {
		throw new Error( `Consent redirect without a code: ${ back }` );
	}
	return code;
}

/**
 * Tokens for an account obtained directly from the emulator's OAuth endpoints (what a
 * Google client library does after the consent page), for the baselines that call Google
 * without the sidecar.
 */
export async function directTokens(
	emulatorUrl: string,
	client: { clientId: string; clientSecret: string },
	email: string,
	redirectUri = 'https://clinic.example.test/oauth/callback'
): Promise< { accessToken: string; refreshToken: string; expiresIn: number } > {
	const authorize = new URL( `${ emulatorUrl }/o/oauth2/v2/auth` );
	authorize.search = new URLSearchParams( {
		client_id: client.clientId,
		redirect_uri: redirectUri,
		response_type: 'code',
		access_type: 'offline',
		prompt: 'consent',
		scope: 'openid email https://www.googleapis.com/auth/calendar.events',
		login_hint: email,
	} ).toString();
	const code = await consent( authorize.toString(), email );
	const res = await fetch( `${ emulatorUrl }/token`, {
		method: 'POST',
		body: new URLSearchParams( {
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectUri,
			client_id: client.clientId,
			client_secret: client.clientSecret,
		} ),
	} );
	const token = ( await res.json() ) as {
		access_token?: string;
		refresh_token?: string;
		expires_in?: number;
	};
	if ( ! token.access_token || ! token.refresh_token ) {
		throw new Error(
			`Token exchange failed: ${ JSON.stringify( token ) }`
		);
	}
	return {
		accessToken: token.access_token,
		refreshToken: token.refresh_token,
		expiresIn: token.expires_in ?? 3599,
	};
}
