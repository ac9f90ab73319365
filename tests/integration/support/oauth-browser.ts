/**
 * Drives the doctor's Google connection the way a browser does: the plugin's REST route (or
 * KiviCare's authorize route) hands out the consent URL, the emulator's consent page is fetched
 * and its form posted ("Allow" or "Deny", with the scopes the user leaves ticked), and Google's
 * redirect is followed to WordPress's callback with the doctor's own cookies.
 */
import type { Session } from '../../harness/testkit';

/** Decodes the HTML entities the consent page uses in attribute values. */
function unescapeHtml( value: string ): string {
	return value
		.replace( /&quot;/g, '"' )
		.replace( /&#39;/g, "'" )
		.replace( /&lt;/g, '<' )
		.replace( /&gt;/g, '>' )
		.replace( /&amp;/g, '&' );
}

export interface ConsentOptions {
	/** Google account that signs in on the consent page. */
	email: string;
	/** `allow` (default) or `deny`. */
	decision?: 'allow' | 'deny';
	/** Untick `calendar.events` (granular consent). */
	withoutCalendar?: boolean;
}

/**
 * Answers the emulator's consent page at `consentUrl` like a browser and resolves with the URL
 * Google redirects to (WordPress's callback with `code` and `state`, or `error`).
 */
export async function answerConsent(
	consentUrl: string,
	{ email, decision = 'allow', withoutCalendar = false }: ConsentOptions
): Promise< string > {
	const page = await fetch( consentUrl );
	const html = await page.text();
	if ( page.status !== 200 ) {
		throw new Error(
			`Consent page: HTTP ${ page.status } ${ html.slice( 0, 300 ) }`
		);
	}
	const form = /<form[^>]*action="([^"]+)"/.exec( html );
	const pending = /name="request" value="([^"]*)"/.exec( html );
	if ( ! form || ! pending ) {
		throw new Error( `No consent form in ${ html.slice( 0, 300 ) }` );
	}
	const body = new URLSearchParams();
	body.append( 'request', unescapeHtml( pending[ 1 ]! ) );
	body.append( 'email', email );
	for ( const match of html.matchAll(
		/name="scope" value="([^"]*)" checked/g
	) ) {
		const scope = unescapeHtml( match[ 1 ]! );
		if ( withoutCalendar && scope.includes( 'calendar' ) ) {
			continue;
		}
		body.append( 'scope', scope );
	}
	body.append( 'decision', decision );
	const answer = await fetch(
		new URL( unescapeHtml( form[ 1 ]! ), consentUrl ),
		{
			method: 'POST',
			redirect: 'manual',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body,
		}
	);
	await answer.arrayBuffer();
	const location = answer.headers.get( 'location' );
	if ( answer.status !== 302 || ! location ) {
		throw new Error(
			`Consent decision: HTTP ${ answer.status } without redirect`
		);
	}
	return location;
}

export interface CallbackResult {
	status: number;
	/** Where WordPress sends the browser next (absent when it answered with a page). */
	location: string | null;
	body: string;
}

/** Opens WordPress's OAuth callback URL in `session`'s browser (cookies, no nonce header). */
export async function openCallback(
	session: Session | null,
	callbackUrl: string
): Promise< CallbackResult > {
	const init: RequestInit = { redirect: 'manual' };
	const res = session
		? await session.fetch( callbackUrl, {
				...init,
				headers: { 'X-WP-Nonce': '' },
			} )
		: await fetch( callbackUrl, init );
	return {
		status: res.status,
		location: res.headers.get( 'location' ),
		body: await res.text(),
	};
}

/** `POST meet-for-kivicare/v1/connection/connect` from a page of the site; the consent URL. */
export async function startConnect(
	session: Session,
	returnTo?: string
): Promise< string > {
	const res = await session.rest( 'meet-for-kivicare/v1/connection/connect', {
		method: 'POST',
		body: returnTo ? { return_to: returnTo } : {},
	} );
	if ( res.status !== 200 || typeof res.body?.url !== 'string' ) {
		throw new Error(
			`connection/connect: HTTP ${ res.status } ${ JSON.stringify( res.body ) }`
		);
	}
	return res.body.url as string;
}

/** The whole round trip for `session`'s doctor; resolves with WordPress's final answer. */
export async function connectThroughBrowser(
	session: Session,
	options: ConsentOptions & { returnTo?: string }
): Promise< CallbackResult > {
	const consentUrl = await startConnect( session, options.returnTo );
	const callback = await answerConsent( consentUrl, options );
	return openCallback( session, callback );
}
