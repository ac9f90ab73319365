/**
 * Error bodies exactly as Google sends them, so the real client libraries parse them as they would
 * Google's: Calendar API errors as `{ error: { code, message, errors: [ { domain, reason, message } ], status } }`,
 * OAuth endpoint errors as `{ error, error_description }`.
 */

export interface ApiErrorBody {
	error: {
		code: number;
		message: string;
		errors: {
			domain: string;
			reason: string;
			message: string;
			location?: string;
			locationType?: string;
		}[];
		status?: string;
		/** google.rpc details (ErrorInfo, Help), sent by newer API front ends. */
		details?: Record< string, unknown >[];
	};
}

const STATUS_NAMES: Record< number, string > = {
	400: 'INVALID_ARGUMENT',
	401: 'UNAUTHENTICATED',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	409: 'ALREADY_EXISTS',
	410: 'NOT_FOUND',
	412: 'FAILED_PRECONDITION',
	429: 'RESOURCE_EXHAUSTED',
	500: 'INTERNAL',
	502: 'UNAVAILABLE',
	503: 'UNAVAILABLE',
	504: 'DEADLINE_EXCEEDED',
};

/** Google's wording for the reasons the emulator produces or can be told to inject. */
const REASON_MESSAGES: Record< string, { message: string; domain: string } > = {
	rateLimitExceeded: {
		message: 'Rate Limit Exceeded',
		domain: 'usageLimits',
	},
	userRateLimitExceeded: {
		message: 'Rate Limit Exceeded',
		domain: 'usageLimits',
	},
	quotaExceeded: {
		message: 'Calendar usage limits exceeded.',
		domain: 'usageLimits',
	},
	dailyLimitExceeded: {
		message: 'Daily Limit Exceeded',
		domain: 'usageLimits',
	},
	backendError: { message: 'Backend Error', domain: 'global' },
	internalError: { message: 'Internal Error', domain: 'global' },
	notFound: { message: 'Not Found', domain: 'global' },
	deleted: { message: 'Resource has been deleted', domain: 'global' },
	duplicate: {
		message: 'The requested identifier already exists.',
		domain: 'global',
	},
	invalid: { message: 'Invalid Value', domain: 'global' },
	required: { message: 'Required', domain: 'global' },
	forbidden: { message: 'Forbidden', domain: 'global' },
	authError: { message: 'Invalid Credentials', domain: 'global' },
	accessNotConfigured: {
		message: 'Access Not Configured.',
		domain: 'usageLimits',
	},
	insufficientPermissions: {
		message: 'Insufficient Permission',
		domain: 'global',
	},
	timeRangeEmpty: {
		message: 'The specified time range is empty.',
		domain: 'calendar',
	},
	conditionNotMet: { message: 'Precondition Failed', domain: 'global' },
};

const DEFAULT_REASON: Record< number, string > = {
	400: 'invalid',
	401: 'authError',
	403: 'forbidden',
	404: 'notFound',
	409: 'duplicate',
	410: 'deleted',
	412: 'conditionNotMet',
	429: 'rateLimitExceeded',
	500: 'backendError',
	502: 'backendError',
	503: 'backendError',
	504: 'backendError',
};

export class GoogleApiError extends Error {
	readonly body: ApiErrorBody;
	readonly headers: Record< string, string >;

	constructor(
		readonly statusCode: number,
		reason?: string,
		message?: string,
		extra: {
			location?: string;
			locationType?: string;
			headers?: Record< string, string >;
			topMessage?: string;
			details?: Record< string, unknown >[];
		} = {}
	) {
		const r = reason ?? DEFAULT_REASON[ statusCode ] ?? 'backendError';
		const known = REASON_MESSAGES[ r ];
		const text = message ?? known?.message ?? 'Error';
		super( text );
		const item: ApiErrorBody[ 'error' ][ 'errors' ][ number ] = {
			message: text,
			domain: known?.domain ?? 'global',
			reason: r,
		};
		if ( extra.location ) {
			item.location = extra.location;
			item.locationType = extra.locationType ?? 'parameter';
		}
		this.body = {
			error: {
				code: statusCode,
				message: extra.topMessage ?? text,
				errors: [ item ],
			},
		};
		const status = STATUS_NAMES[ statusCode ];
		if ( status ) {
			this.body.error.status = status;
		}
		if ( extra.details ) {
			this.body.error.details = extra.details;
		}
		this.headers = extra.headers ?? {};
	}
}

export class OAuthError extends Error {
	constructor(
		readonly statusCode: number,
		readonly error: string,
		readonly description: string
	) {
		super( description );
	}

	get body(): { error: string; error_description: string } {
		return { error: this.error, error_description: this.description };
	}
}

export const missingCredentials = () =>
	new GoogleApiError( 401, 'required', 'Login Required.', {
		location: 'Authorization',
		locationType: 'header',
		topMessage:
			'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
		headers: {
			'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
		},
	} );

export const invalidCredentials = () =>
	new GoogleApiError( 401, 'authError', 'Invalid Credentials', {
		location: 'Authorization',
		locationType: 'header',
		topMessage:
			'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
		headers: {
			'www-authenticate':
				'Bearer realm="https://accounts.google.com/", error="invalid_token"',
		},
	} );

export const insufficientScopes = () =>
	new GoogleApiError(
		403,
		'insufficientPermissions',
		'Insufficient Permission',
		{
			topMessage: 'Request had insufficient authentication scopes.',
			headers: {
				'www-authenticate':
					'Bearer realm="https://accounts.google.com/", error="insufficient_scope"',
			},
		}
	);

/** The Calendar API is not enabled in the client's project: Google's 403 with both reason shapes. */
export const serviceDisabled = ( projectNumber: string ) => {
	const enable = `https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${ projectNumber }`;
	const text = `Google Calendar API has not been used in project ${ projectNumber } before or it is disabled. Enable it by visiting ${ enable } then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
	return new GoogleApiError( 403, 'accessNotConfigured', text, {
		details: [
			{
				'@type': 'type.googleapis.com/google.rpc.ErrorInfo',
				reason: 'SERVICE_DISABLED',
				domain: 'googleapis.com',
				metadata: {
					service: 'calendar-json.googleapis.com',
					consumer: `projects/${ projectNumber }`,
					activationUrl: enable,
				},
			},
			{
				'@type': 'type.googleapis.com/google.rpc.Help',
				links: [
					{
						description: 'Google developers console API activation',
						url: enable,
					},
				],
			},
		],
	} );
};
