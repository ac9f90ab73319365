/**
 * Test rig for the Google emulator on its own: one emulator per test file (jest gives each file
 * its own modules), driven by the real Google client libraries (as the sidecar uses them) and by
 * plain HTTP.
 */
import { calendar_v3 } from '@googleapis/calendar/build/v3';
import { OAuth2Client } from 'google-auth-library';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { createHttpFetch } from '../../src/sidecar/google/http-fetch';
import { consent } from '../sidecar/support';

export { consent };

export const CLIENT_ID = 'demo-client.apps.googleusercontent.com';
export const SECRET = 'demo-client-secret';
export const REDIRECT = 'http://127.0.0.1/callback';
export const EVENTS = 'https://www.googleapis.com/auth/calendar.events';

let current: RunningEmulator | undefined;
// The client libraries' default transport imports node-fetch dynamically, which jest cannot do;
// the sidecar's own transport stands in (as in production).
let http: ReturnType< typeof createHttpFetch > | undefined;

const running = (): RunningEmulator => {
	if ( ! current ) {
		throw new Error( 'startTestEmulator() first (in beforeAll)' );
	}
	return current;
};

/** Starts this file's emulator (two OAuth clients) and a Calendar client pointed at it. */
export async function startTestEmulator(): Promise< {
	google: RunningEmulator;
	calendar: calendar_v3.Calendar;
} > {
	current = await startEmulator( {
		port: 0,
		clients: `${ CLIENT_ID }:${ SECRET },second-client:second-secret`,
	} );
	http = createHttpFetch();
	const calendar = new calendar_v3.Calendar( {
		rootUrl: `${ current.url }/`,
		retry: false,
	} );
	return { google: current, calendar };
}

export async function stopTestEmulator(): Promise< void > {
	await http?.close();
	await current?.close();
}

export const oauth = () =>
	new OAuth2Client( {
		transporterOptions: {
			fetchImplementation: ( http as NonNullable< typeof http > )
				.fetch as never,
		},
		clientId: CLIENT_ID,
		clientSecret: SECRET,
		redirectUri: REDIRECT,
		endpoints: {
			oauth2AuthBaseUrl: `${ running().url }/o/oauth2/v2/auth`,
			oauth2TokenUrl: `${ running().url }/token`,
			oauth2RevokeUrl: `${ running().url }/revoke`,
		},
	} );

export const control = async (
	method: string,
	path: string,
	body?: unknown
) => {
	const res = await fetch( `${ running().url }/__emulator${ path }`, {
		method,
		...( body !== undefined
			? {
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify( body ),
				}
			: {} ),
	} );
	return { status: res.status, body: await res.json() };
};

/** Connects an account through the consent page; returns an OAuth2Client holding its tokens. */
export async function connect(
	email: string,
	scopes = [ 'openid', 'email', EVENTS ]
) {
	const client = oauth();
	const url = client.generateAuthUrl( {
		access_type: 'offline',
		prompt: 'consent',
		scope: scopes,
		state: 'xyz',
		login_hint: email,
	} );
	const code = await consent( url, email );
	const { tokens } = await client.getToken( code );
	client.setCredentials( tokens );
	return { client, tokens };
}

/** The error the client library throws, with Google's parsed answer. */
export async function failure(
	p: Promise< unknown >
): Promise< { status: number; reason: string; message: string; body: any } > {
	try {
		await p;
	} catch ( e ) {
		const err = e as {
			status?: number;
			response?: { status: number; data: any };
			message: string;
		};
		return {
			status: err.response?.status ?? 0,
			reason:
				err.response?.data?.error?.errors?.[ 0 ]?.reason ??
				err.response?.data?.error,
			message: err.message,
			body: err.response?.data,
		};
	}
	throw new Error( 'expected a failure' );
}

/** A half-hour on 2031-02-03 at `hour` (Paris time). */
export const slot = ( hour: number ) => ( {
	start: {
		dateTime: `2031-02-03T${ String( hour ).padStart( 2, '0' ) }:00:00+01:00`,
		timeZone: 'Europe/Paris',
	},
	end: {
		dateTime: `2031-02-03T${ String( hour ).padStart( 2, '0' ) }:30:00+01:00`,
		timeZone: 'Europe/Paris',
	},
} );

/** A Meet createRequest with this requestId. */
export const meet = ( requestId: string ) => ( {
	createRequest: {
		requestId,
		conferenceSolutionKey: { type: 'hangoutsMeet' },
	},
} );
