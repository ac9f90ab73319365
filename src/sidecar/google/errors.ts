/**
 * Reading Google's failures. Works on the shape of the errors the client libraries throw (an HTTP
 * status, a parsed JSON body, or no response at all), so this module does not load them.
 */
import { SidecarError, type ErrorCode, type ErrorDetails } from '../errors';
import type { RetryDecision } from './retry';

export interface GoogleFailure {
	/** HTTP status, or 0 when no answer arrived (network error, timeout, dropped connection). */
	status: number;
	/** Calendar API reason (`errors[0].reason`), e.g. `rateLimitExceeded`, `duplicate`. */
	reason: string;
	/** OAuth endpoint error (`error`), e.g. `invalid_grant`, `invalid_client`. */
	oauthError: string;
	/** Google's message, safe to show (never contains tokens). */
	message: string;
	/** From a Retry-After header, when Google sent one. */
	retryAfterMs?: number;
	/** Network error code (ECONNRESET, TimeoutError…), when status is 0. */
	networkCode?: string;
	/** The API is not enabled in the client's project (`accessNotConfigured` / `SERVICE_DISABLED`). */
	serviceDisabled?: { projectNumber: string; activationUrl: string };
}

const RATE_LIMIT_REASONS = new Set( [
	'rateLimitExceeded',
	'userRateLimitExceeded',
] );
const QUOTA_REASONS = new Set( [
	'quotaExceeded',
	'dailyLimitExceeded',
	'usageLimitsExceeded',
] );
const RETRYABLE_STATUSES = new Set( [ 429, 500, 502, 503, 504 ] );

type Loose = Record< string, unknown > | undefined;

function asObject( value: unknown ): Loose {
	return value !== null && typeof value === 'object'
		? ( value as Record< string, unknown > )
		: undefined;
}

function retryAfter( headers: unknown ): number | undefined {
	let raw: unknown;
	if (
		headers &&
		typeof ( headers as { get?: unknown } ).get === 'function'
	) {
		raw = ( headers as { get: ( n: string ) => unknown } ).get(
			'retry-after'
		);
	} else {
		raw = asObject( headers )?.[ 'retry-after' ];
	}
	if ( typeof raw !== 'string' || raw === '' ) {
		return undefined;
	}
	if ( /^\d+$/.test( raw ) ) {
		return Number( raw ) * 1000;
	}
	const at = Date.parse( raw );
	return Number.isFinite( at ) ? Math.max( 0, at - Date.now() ) : undefined;
}

export function describeGoogleError( error: unknown ): GoogleFailure {
	const err = asObject( error );
	const response = asObject( err?.response );
	const status = typeof response?.status === 'number' ? response.status : 0;
	if ( ! response || status === 0 ) {
		const cause = asObject( err?.cause );
		const code = String(
			err?.code ??
				cause?.code ??
				( err?.name === 'AbortError' ? 'AbortError' : 'network' )
		);
		const timedOut = /timeout|timed out|aborted/i.test(
			`${ code } ${ String( err?.message ?? '' ) }`
		);
		return {
			status: 0,
			reason: timedOut ? 'timeout' : 'network',
			oauthError: '',
			message: timedOut
				? 'Google did not answer in time'
				: 'Google could not be reached',
			networkCode: code,
		};
	}
	const data = asObject( response.data );
	const body = asObject( data?.error );
	let reason = '';
	let oauthError = '';
	let message = `Google answered HTTP ${ status }`;
	if ( typeof data?.error === 'string' ) {
		// OAuth endpoints: { error, error_description }.
		oauthError = data.error;
		message =
			typeof data.error_description === 'string' &&
			data.error_description !== ''
				? data.error_description
				: data.error;
	} else if ( body ) {
		const first = asObject(
			Array.isArray( body.errors ) ? body.errors[ 0 ] : undefined
		);
		reason = typeof first?.reason === 'string' ? first.reason : '';
		if ( typeof body.message === 'string' && body.message !== '' ) {
			message = body.message;
		}
		if ( ! reason && typeof body.status === 'string' ) {
			reason = body.status;
		}
	}
	const failure: GoogleFailure = {
		status,
		reason,
		oauthError,
		message: message.slice( 0, 500 ),
	};
	const disabled = serviceDisabled( status, reason, body, message );
	if ( disabled ) {
		failure.reason = 'accessNotConfigured';
		failure.serviceDisabled = disabled;
	}
	const after = retryAfter( response.headers );
	if ( after !== undefined ) {
		failure.retryAfterMs = Math.min( after, 60000 );
	}
	return failure;
}

/**
 * Google's "API not enabled" answer, in the older shape (reason `accessNotConfigured`) or the
 * newer one (ErrorInfo reason `SERVICE_DISABLED` with the consumer project and activation URL).
 */
function serviceDisabled(
	status: number,
	reason: string,
	body: Loose,
	message: string
): GoogleFailure[ 'serviceDisabled' ] {
	const info = ( Array.isArray( body?.details ) ? body.details : [] )
		.map( asObject )
		.find( ( d ) => d?.reason === 'SERVICE_DISABLED' );
	if ( status !== 403 || ( reason !== 'accessNotConfigured' && ! info ) ) {
		return undefined;
	}
	const meta = asObject( info?.metadata );
	const consumer = typeof meta?.consumer === 'string' ? meta.consumer : '';
	const projectNumber =
		/projects\/(\d+)/.exec( consumer )?.[ 1 ] ??
		/project (\d+)/.exec( message )?.[ 1 ] ??
		'';
	const given =
		typeof meta?.activationUrl === 'string' ? meta.activationUrl : '';
	const activationUrl =
		/^https:\/\/console\.(developers|cloud)\.google\.com\//.test( given )
			? given
			: `https://console.cloud.google.com/apis/library/calendar-json.googleapis.com${ projectNumber ? `?project=${ projectNumber }` : '' }`;
	return { projectNumber, activationUrl };
}

export function isRateLimit( f: GoogleFailure ): boolean {
	return (
		f.status === 429 ||
		( f.status === 403 && RATE_LIMIT_REASONS.has( f.reason ) )
	);
}

export function isQuotaExhausted( f: GoogleFailure ): boolean {
	return f.status === 403 && QUOTA_REASONS.has( f.reason );
}

/** Retry: 429, 403 rate limits, 500/502/503/504, no answer. Never: quota exhaustion, 4xx, OAuth errors. */
export function retryDecision( f: GoogleFailure ): RetryDecision {
	if (
		f.status === 0 ||
		RETRYABLE_STATUSES.has( f.status ) ||
		isRateLimit( f )
	) {
		return f.retryAfterMs !== undefined
			? { retry: true, minDelayMs: f.retryAfterMs }
			: { retry: true };
	}
	return { retry: false };
}

export type FailureContext =
	/** Refreshing an access token with a doctor's refresh token. */
	| 'refresh'
	/** Exchanging an authorization code. */
	| 'exchange'
	/** Calendar call where 404 means the event does not exist. */
	| 'event'
	/** Calendar call where 404 means the calendar does not exist. */
	| 'calendar'
	/** Any other call (revoke, userinfo, client check). */
	| 'other';

/** Turns a final Google failure into the sidecar's error vocabulary. */
export function toSidecarError(
	f: GoogleFailure,
	context: FailureContext,
	exhausted = false
): SidecarError {
	const google = {
		status: f.status,
		reason: f.reason,
		oauthError: f.oauthError,
	};
	const reason = f.reason || f.oauthError;
	const details = reason ? { googleReason: reason } : {};
	const make = (
		code: ErrorCode,
		message: string,
		extra: ErrorDetails = {}
	) => new SidecarError( code, message, { ...details, ...extra }, google );

	if ( f.serviceDisabled ) {
		const { projectNumber, activationUrl } = f.serviceDisabled;
		return make(
			'api_disabled',
			`The Google Calendar API is not enabled in the Google Cloud project of this OAuth client${ projectNumber ? ` (project ${ projectNumber })` : '' }.`,
			{ ...( projectNumber ? { projectNumber } : {} ), activationUrl }
		);
	}
	if ( isRateLimit( f ) ) {
		return make(
			'rate_limited',
			'Google rate limit reached; retry later.',
			{ retryAfterMs: f.retryAfterMs ?? 2000 }
		);
	}
	if ( isQuotaExhausted( f ) ) {
		return make(
			'quota_exceeded',
			`Google Calendar usage limits exceeded for this account; stop for a few hours. (${ f.message })`
		);
	}
	if ( f.status === 0 || f.status >= 500 ) {
		const what =
			f.status === 0 ? f.message : `Google answered HTTP ${ f.status }`;
		return make(
			'google_unavailable',
			`${ what }${ exhausted ? ' (retries exhausted)' : '' }; retry later.`,
			{ retryAfterMs: f.retryAfterMs ?? 5000 }
		);
	}
	if ( f.oauthError ) {
		if (
			f.oauthError === 'invalid_client' ||
			f.oauthError === 'unauthorized_client'
		) {
			return make(
				'client_invalid',
				`Google refused the OAuth client id or secret (${ f.oauthError }).`
			);
		}
		if ( f.oauthError === 'invalid_grant' ) {
			return context === 'exchange'
				? make(
						'invalid_request',
						'Google refused the authorization code (invalid_grant): it is wrong, expired or already used; start the connection again.'
					)
				: make(
						'token_revoked',
						'Google refused the refresh token (invalid_grant): the doctor must reconnect their Google account.'
					);
		}
		if ( f.oauthError === 'redirect_uri_mismatch' ) {
			return make(
				'invalid_request',
				'Google refused the redirect URI: it must be the one used for the consent screen and registered for the OAuth client.'
			);
		}
		return make(
			'google_error',
			`Google's OAuth endpoint refused the request (${ f.oauthError }: ${ f.message }).`
		);
	}
	if ( f.status === 401 ) {
		return make(
			'token_revoked',
			"Google no longer accepts this account's credentials: the doctor must reconnect their Google account."
		);
	}
	if (
		f.status === 403 &&
		( f.reason === 'insufficientPermissions' ||
			( f.reason === 'PERMISSION_DENIED' && /scope/i.test( f.message ) ) )
	) {
		return make(
			'insufficient_scope',
			'The Google grant lacks the calendar.events permission: the doctor must reconnect and allow calendar access.'
		);
	}
	if ( f.status === 403 && f.reason === 'requiredAccessLevel' ) {
		return make(
			'calendar_not_found',
			'The Google account may no longer add events to this calendar (it is shared with it for reading only).'
		);
	}
	if ( f.status === 400 && /conference/i.test( f.message ) ) {
		return make(
			'conference_not_allowed',
			'This calendar does not allow Google Meet conferences (hangoutsMeet).'
		);
	}
	if ( f.status === 404 ) {
		return context === 'calendar'
			? make(
					'calendar_not_found',
					'The calendar does not exist for this Google account (or the account cannot write to it).'
				)
			: make(
					'not_found',
					'The event does not exist in Google Calendar.'
				);
	}
	return make(
		'google_error',
		`Google refused the request (HTTP ${ f.status }${ f.reason ? ` ${ f.reason }` : '' }: ${ f.message }).`
	);
}
