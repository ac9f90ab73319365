/**
 * The sidecar's error vocabulary. Every failure leaves the process as
 * `{ code, message, data: { status, retryable, … } }` (docs/sidecar-api.md, "Errors"), so PHP and
 * the UI can act on `code` without parsing messages.
 */

export type ErrorCode =
	| 'invalid_request'
	| 'unauthorized'
	| 'not_found'
	| 'method_not_allowed'
	| 'payload_too_large'
	| 'unsupported_media_type'
	| 'credential_invalid'
	| 'seal_key_unknown'
	| 'client_invalid'
	| 'api_disabled'
	| 'token_revoked'
	| 'insufficient_scope'
	| 'calendar_not_found'
	| 'space_not_owned'
	| 'conference_not_allowed'
	| 'conference_failed'
	| 'moved_in_google'
	| 'event_changed'
	| 'rate_limited'
	| 'quota_exceeded'
	| 'google_unavailable'
	| 'google_error'
	| 'not_configured'
	| 'site_revoked'
	| 'site_mismatch'
	| 'shared_state_unavailable'
	| 'internal_error';

interface CodeInfo {
	status: number;
	retryable: boolean;
}

export const ERROR_CODES: Readonly< Record< ErrorCode, CodeInfo > > = {
	invalid_request: { status: 400, retryable: false },
	unauthorized: { status: 401, retryable: false },
	not_found: { status: 404, retryable: false },
	method_not_allowed: { status: 405, retryable: false },
	payload_too_large: { status: 413, retryable: false },
	unsupported_media_type: { status: 415, retryable: false },
	credential_invalid: { status: 400, retryable: false },
	seal_key_unknown: { status: 400, retryable: false },
	client_invalid: { status: 400, retryable: false },
	api_disabled: { status: 403, retryable: false },
	token_revoked: { status: 401, retryable: false },
	insufficient_scope: { status: 403, retryable: false },
	calendar_not_found: { status: 404, retryable: false },
	space_not_owned: { status: 403, retryable: false },
	conference_not_allowed: { status: 422, retryable: false },
	conference_failed: { status: 502, retryable: false },
	moved_in_google: { status: 409, retryable: false },
	event_changed: { status: 409, retryable: true },
	rate_limited: { status: 429, retryable: true },
	quota_exceeded: { status: 429, retryable: false },
	google_unavailable: { status: 503, retryable: true },
	google_error: { status: 502, retryable: false },
	not_configured: { status: 503, retryable: false },
	site_revoked: { status: 403, retryable: false },
	site_mismatch: { status: 403, retryable: false },
	shared_state_unavailable: { status: 503, retryable: true },
	internal_error: { status: 500, retryable: true },
};

export interface FieldError {
	path: string;
	message: string;
}

/** Extra, non-secret details carried in `data` next to `status` and `retryable`. */
export interface ErrorDetails {
	retryAfterMs?: number;
	errors?: FieldError[];
	/** Revision of the conference in effect (conference_failed). */
	revision?: number;
	/** moved_in_google: the time the event has in Google now, and its etag. */
	googleStart?: { dateTime: string; timeZone: string };
	googleEnd?: { dateTime: string; timeZone: string };
	etag?: string;
	/** Google's own reason string, when the error came from Google. */
	googleReason?: string;
	/** api_disabled: the Google Cloud project whose API is off, and where to turn it on. */
	projectNumber?: string;
	activationUrl?: string;
	/** A refreshed credential to store even though the call failed. */
	credential?: string;
	/** seal_key_unknown: which sealed blob did not open, and the key id it names (not secret). */
	sealed?: 'credential' | 'client_secret';
	kid?: string;
	/** Which check refused a signed request (`unauthorized`). */
	reason?: string;
	/** insufficient_scope: the scope to ask the doctor for (incremental consent). */
	scope?: string;
	/** The sidecar's clock, Unix seconds, when the request's timestamp was too far from it. */
	serverTime?: number;
}

export class SidecarError extends Error {
	readonly code: ErrorCode;
	readonly details: ErrorDetails;
	/** Google's answer behind this error, for decisions inside the sidecar (never serialised). */
	readonly google?: { status: number; reason: string; oauthError: string };

	constructor(
		code: ErrorCode,
		message: string,
		details: ErrorDetails = {},
		google?: { status: number; reason: string; oauthError: string }
	) {
		super( message );
		this.name = 'SidecarError';
		this.code = code;
		this.details = details;
		if ( google ) {
			this.google = google;
		}
	}

	get status(): number {
		return ERROR_CODES[ this.code ].status;
	}

	get retryable(): boolean {
		return ERROR_CODES[ this.code ].retryable;
	}
}

export interface ErrorBody {
	code: ErrorCode;
	message: string;
	data: { status: number; retryable: boolean } & Omit<
		ErrorDetails,
		'credential'
	>;
	credential?: string;
}

export function errorBody( err: SidecarError ): ErrorBody {
	const { credential, ...details } = err.details;
	const body: ErrorBody = {
		code: err.code,
		message: err.message,
		data: { status: err.status, retryable: err.retryable, ...details },
	};
	// A credential refreshed before the failure is still worth keeping (contract: any response to
	// a call that used a credential may carry one).
	if ( credential ) {
		body.credential = credential;
	}
	return body;
}

/**
 * An error nobody anticipated: logged in full here, answered as a bare `internal_error` so no
 * detail (a stack, a library's request config) reaches the caller.
 */
export function internalError(
	log: { error: ( obj: object, msg: string ) => void },
	error: unknown
): SidecarError {
	log.error(
		{
			err:
				error instanceof Error
					? {
							name: error.name,
							message: error.message,
							stack: error.stack,
						}
					: String( error ),
		},
		'unexpected error'
	);
	return new SidecarError(
		'internal_error',
		'Unexpected error in the sidecar; it has been logged.'
	);
}

/** A schema violation as the validators report it (ajv's shape). */
export interface ValidationIssue {
	instancePath: string;
	keyword: string;
	params: Record< string, unknown >;
	message?: string;
}

/** At most this many problems are reported for one request (or one batch operation). */
const MAX_FIELD_ERRORS = 20;

/** Schema violations as field errors: a JSON pointer into the request body and what is wrong. */
export function fieldErrors(
	issues: readonly ValidationIssue[]
): FieldError[] {
	return issues.slice( 0, MAX_FIELD_ERRORS ).map( ( v ) => {
		const params = v.params as {
			missingProperty?: string;
			allowedValues?: unknown[];
		};
		const base = v.instancePath || '';
		if ( v.keyword === 'required' && params.missingProperty ) {
			return {
				path: `${ base }/${ params.missingProperty }`,
				message: 'is required',
			};
		}
		if ( v.keyword === 'enum' && params.allowedValues ) {
			return {
				path: base || '/',
				message: `must be one of ${ params.allowedValues.filter( ( a ) => a !== null ).join( ', ' ) }`,
			};
		}
		return { path: base || '/', message: v.message ?? 'is invalid' };
	} );
}

/** The `invalid_request` error for field errors, its message listing them. */
export function invalidRequest(
	errors: FieldError[],
	prefix = 'Invalid request'
): SidecarError {
	return new SidecarError(
		'invalid_request',
		`${ prefix }: ${ errors.map( ( f ) => `${ f.path } ${ f.message }` ).join( '; ' ) }`,
		{ errors }
	);
}
