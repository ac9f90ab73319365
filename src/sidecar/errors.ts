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
	| 'client_invalid'
	| 'token_revoked'
	| 'insufficient_scope'
	| 'calendar_not_found'
	| 'conference_not_allowed'
	| 'conference_failed'
	| 'rate_limited'
	| 'quota_exceeded'
	| 'google_unavailable'
	| 'google_error'
	| 'not_configured'
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
	client_invalid: { status: 400, retryable: false },
	token_revoked: { status: 401, retryable: false },
	insufficient_scope: { status: 403, retryable: false },
	calendar_not_found: { status: 404, retryable: false },
	conference_not_allowed: { status: 422, retryable: false },
	conference_failed: { status: 502, retryable: false },
	rate_limited: { status: 429, retryable: true },
	quota_exceeded: { status: 429, retryable: false },
	google_unavailable: { status: 503, retryable: true },
	google_error: { status: 502, retryable: false },
	not_configured: { status: 503, retryable: false },
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
	/** Google's own reason string, when the error came from Google. */
	googleReason?: string;
	/** A refreshed credential to store even though the call failed. */
	credential?: string;
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
