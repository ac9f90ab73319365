/**
 * The consent screen: real HTML a browser test can drive. An e-mail field (`#email`), one checkbox
 * per requested scope that the user may untick (Google's granular consent), "Allow" and "Deny".
 */

import { BASIC_SCOPES } from './scopes';

/** Where the consent form posts the user's decision. */
export const DECISION_PATH = '/o/oauth2/v2/auth/decision';

const esc = ( s: string ) =>
	s.replace(
		/[&<>"']/g,
		( c ) =>
			( {
				'&': '&amp;',
				'<': '&lt;',
				'>': '&gt;',
				'"': '&quot;',
				"'": '&#39;',
			} )[ c ] as string
	);

const DESCRIPTIONS: Record< string, string > = {
	openid: 'Associate you with your personal info on Google',
	'https://www.googleapis.com/auth/userinfo.email':
		'See your primary Google Account email address',
	'https://www.googleapis.com/auth/userinfo.profile':
		"See your personal info, including any personal info you've made publicly available",
	'https://www.googleapis.com/auth/calendar.events':
		'View and edit events on all your calendars',
	'https://www.googleapis.com/auth/calendar':
		'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
	'https://www.googleapis.com/auth/calendar.readonly':
		'See and download any calendar you can access using your Google Calendar',
	'https://www.googleapis.com/auth/calendar.calendarlist.readonly':
		"See the list of Google calendars you're subscribed to",
	'https://www.googleapis.com/auth/calendar.app.created':
		'Make secondary Google calendars, and see, create, change, and delete events on them',
};

export function consentPage( params: {
	pendingId: string;
	clientId: string;
	email: string;
	scopes: string[];
	redirectHost: string;
} ): string {
	const optional = params.scopes.filter( ( s ) => ! BASIC_SCOPES.has( s ) );
	const basic = params.scopes.filter( ( s ) => BASIC_SCOPES.has( s ) );
	const scopeId = ( s: string ) =>
		'scope-' +
		s
			.replace( /^https:\/\/www\.googleapis\.com\/auth\//, '' )
			.replace( /[^A-Za-z0-9]+/g, '-' );
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Google Accounts</title>
<style>
body{font-family:Roboto,Arial,sans-serif;background:#f0f4f9;margin:0;color:#1f1f1f}
main{max-width:460px;margin:48px auto;background:#fff;border-radius:28px;padding:36px 40px}
h1{font-size:24px;font-weight:400;margin:0 0 8px}
p.note{color:#444;font-size:14px}
label{display:block;margin:6px 0}
input[type=email]{width:100%;box-sizing:border-box;padding:12px;font-size:16px;border:1px solid #747775;border-radius:4px}
fieldset{border:0;padding:0;margin:20px 0}
legend{font-weight:500;margin-bottom:8px}
.actions{display:flex;justify-content:flex-end;gap:12px;margin-top:24px}
button{font-size:14px;padding:10px 24px;border-radius:20px;border:1px solid #747775;background:#fff;cursor:pointer}
button.primary{background:#0b57d0;color:#fff;border-color:#0b57d0}
small{color:#5e5e5e}
</style>
</head>
<body>
<main>
<h1>Sign in with Google</h1>
<p class="note"><strong>${ esc( params.clientId ) }</strong> wants to access your Google Account. You will be sent back to <strong>${ esc( params.redirectHost ) }</strong>.</p>
<form method="post" action="${ DECISION_PATH }">
<input type="hidden" name="request" value="${ esc( params.pendingId ) }">
<label for="email">Email or phone</label>
<input id="email" name="email" type="email" value="${ esc( params.email ) }" required autocomplete="username">
<fieldset>
<legend>Select what it can access</legend>
${ basic.map( ( s ) => `<label><input type="checkbox" checked disabled> ${ esc( DESCRIPTIONS[ s ] ?? s ) }</label>` ).join( '\n' ) }
${ optional
	.map(
		( s ) =>
			`<label for="${ scopeId( s ) }"><input type="checkbox" id="${ scopeId( s ) }" name="scope" value="${ esc( s ) }" checked> ${ esc( DESCRIPTIONS[ s ] ?? s ) }</label>`
	)
	.join( '\n' ) }
</fieldset>
<small>Google emulator: no real account is involved.</small>
<div class="actions">
<button type="submit" name="decision" value="deny" id="deny" formnovalidate>Deny</button>
<button type="submit" name="decision" value="allow" id="allow" class="primary">Allow</button>
</div>
</form>
</main>
</body>
</html>
`;
}

export function errorPage(
	status: number,
	error: string,
	description: string
): string {
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error ${ status } (${ esc( error ) })</title></head>
<body><main><h1>Access blocked: authorization error</h1><p id="error">Error ${ status }: ${ esc( error ) }</p><p id="error-description">${ esc( description ) }</p></main></body></html>
`;
}
