import {
	describeGoogleError,
	retryDecision,
	toSidecarError,
} from '../../../../src/sidecar/google/errors';

/** The shape the client libraries throw: the request config plus Google's answer. */
const answer = (
	status: number,
	data: unknown,
	headers: Record< string, string > = {}
) =>
	Object.assign( new Error( 'x' ), {
		config: {},
		response: { status, data, headers: new Headers( headers ) },
	} );
const apiError = ( status: number, reason: string, message = 'msg' ) =>
	answer( status, {
		error: {
			code: status,
			message,
			errors: [ { domain: 'global', reason, message } ],
		},
	} );
const oauthError = ( status: number, error: string, description = '' ) =>
	answer( status, { error, error_description: description } );
const network = ( code: string ) =>
	Object.assign( new Error( 'request failed' ), { config: {}, code } );

describe( 'reading Google errors', () => {
	test( 'extracts status, reason, OAuth error and Retry-After', () => {
		expect(
			describeGoogleError(
				apiError( 403, 'rateLimitExceeded', 'Rate Limit Exceeded' )
			)
		).toEqual( {
			status: 403,
			reason: 'rateLimitExceeded',
			oauthError: '',
			message: 'Rate Limit Exceeded',
		} );
		expect(
			describeGoogleError(
				oauthError(
					400,
					'invalid_grant',
					'Token has been expired or revoked.'
				)
			)
		).toMatchObject( {
			status: 400,
			oauthError: 'invalid_grant',
			message: 'Token has been expired or revoked.',
		} );
		expect(
			describeGoogleError(
				answer(
					429,
					{ error: { code: 429, message: 'slow' } },
					{ 'retry-after': '7' }
				)
			)
		).toMatchObject( { status: 429, retryAfterMs: 7000 } );
		expect( describeGoogleError( network( 'ECONNRESET' ) ) ).toMatchObject(
			{ status: 0, reason: 'network', networkCode: 'ECONNRESET' }
		);
		expect(
			describeGoogleError( network( 'TimeoutError' ) )
		).toMatchObject( { status: 0, reason: 'timeout' } );
	} );

	test.each( [
		[ 'HTTP 429', apiError( 429, 'rateLimitExceeded' ), true ],
		[ '403 rateLimitExceeded', apiError( 403, 'rateLimitExceeded' ), true ],
		[
			'403 userRateLimitExceeded',
			apiError( 403, 'userRateLimitExceeded' ),
			true,
		],
		[ '500', apiError( 500, 'backendError' ), true ],
		[ '502', apiError( 502, 'backendError' ), true ],
		[ '503', apiError( 503, 'backendError' ), true ],
		[ '504', apiError( 504, 'backendError' ), true ],
		[ 'network error', network( 'ECONNREFUSED' ), true ],
		[ 'timeout', network( 'TimeoutError' ), true ],
		[ '403 quotaExceeded', apiError( 403, 'quotaExceeded' ), false ],
		[ '400 invalid', apiError( 400, 'invalid' ), false ],
		[ '401 authError', apiError( 401, 'authError' ), false ],
		[ '404', apiError( 404, 'notFound' ), false ],
		[ '409 duplicate', apiError( 409, 'duplicate' ), false ],
		[ 'invalid_grant', oauthError( 400, 'invalid_grant' ), false ],
		[ '501', apiError( 501, 'notImplemented' ), false ],
	] )( '%s → retry %s', ( _name, error, retry ) => {
		expect( retryDecision( describeGoogleError( error ) ).retry ).toBe(
			retry
		);
	} );

	test.each( [
		[ apiError( 429, 'rateLimitExceeded' ), 'event', 'rate_limited' ],
		[ apiError( 403, 'quotaExceeded' ), 'event', 'quota_exceeded' ],
		[ apiError( 503, 'backendError' ), 'event', 'google_unavailable' ],
		[ network( 'ECONNRESET' ), 'event', 'google_unavailable' ],
		[ oauthError( 400, 'invalid_grant' ), 'refresh', 'token_revoked' ],
		[ oauthError( 400, 'invalid_grant' ), 'exchange', 'invalid_request' ],
		[ oauthError( 401, 'invalid_client' ), 'refresh', 'client_invalid' ],
		[
			oauthError( 401, 'unauthorized_client' ),
			'refresh',
			'client_invalid',
		],
		[
			oauthError( 400, 'redirect_uri_mismatch' ),
			'exchange',
			'invalid_request',
		],
		[ apiError( 401, 'authError' ), 'event', 'token_revoked' ],
		[
			apiError( 403, 'insufficientPermissions' ),
			'event',
			'insufficient_scope',
		],
		[
			apiError( 400, 'invalid', 'Invalid conference type value.' ),
			'calendar',
			'conference_not_allowed',
		],
		[ apiError( 404, 'notFound' ), 'calendar', 'calendar_not_found' ],
		[ apiError( 404, 'notFound' ), 'event', 'not_found' ],
		[
			apiError( 400, 'invalid', 'Invalid value' ),
			'event',
			'google_error',
		],
		[ apiError( 403, 'forbidden' ), 'event', 'google_error' ],
	] as const )( 'maps %#: → %s', ( error, context, code ) => {
		const mapped = toSidecarError( describeGoogleError( error ), context );
		expect( mapped.code ).toBe( code );
		expect( mapped.google?.status ).toBe(
			( error as { response?: { status: number } } ).response?.status ?? 0
		);
	} );

	test( 'rate limits carry a retry hint', () => {
		expect(
			toSidecarError(
				describeGoogleError(
					answer(
						429,
						{ error: { code: 429 } },
						{ 'retry-after': '3' }
					)
				),
				'event'
			).details.retryAfterMs
		).toBe( 3000 );
		expect(
			toSidecarError(
				describeGoogleError( apiError( 403, 'userRateLimitExceeded' ) ),
				'event'
			).details.retryAfterMs
		).toBeGreaterThan( 0 );
	} );
} );

describe( 'an API that is not enabled in the project', () => {
	test( 'the older shape (reason accessNotConfigured) and the newer one (ErrorInfo SERVICE_DISABLED) both become api_disabled with the project and where to enable it', () => {
		const older = toSidecarError(
			describeGoogleError(
				apiError(
					403,
					'accessNotConfigured',
					'Google Calendar API has not been used in project 4242 before or it is disabled.'
				)
			),
			'calendar'
		);
		expect( older.code ).toBe( 'api_disabled' );
		expect( older.retryable ).toBe( false );
		expect( older.details ).toMatchObject( {
			projectNumber: '4242',
			activationUrl:
				'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com?project=4242',
		} );
		expect( older.message ).toContain( 'project 4242' );

		const newer = toSidecarError(
			describeGoogleError(
				answer( 403, {
					error: {
						code: 403,
						message: 'Calendar API is disabled.',
						status: 'PERMISSION_DENIED',
						details: [
							{
								'@type':
									'type.googleapis.com/google.rpc.ErrorInfo',
								reason: 'SERVICE_DISABLED',
								metadata: {
									consumer: 'projects/777',
									activationUrl:
										'https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=777',
								},
							},
						],
					},
				} )
			),
			'calendar'
		);
		expect( newer.code ).toBe( 'api_disabled' );
		expect( newer.details.projectNumber ).toBe( '777' );
		expect( newer.details.activationUrl ).toContain( 'project=777' );
	} );

	test( 'an activation link that is not Google’s console is not passed on', () => {
		const e = toSidecarError(
			describeGoogleError(
				answer( 403, {
					error: {
						code: 403,
						message: 'disabled',
						errors: [ { reason: 'accessNotConfigured' } ],
						details: [
							{
								reason: 'SERVICE_DISABLED',
								metadata: {
									consumer: 'projects/9',
									activationUrl: 'https://evil.example/',
								},
							},
						],
					},
				} )
			),
			'calendar'
		);
		expect( e.details.activationUrl ).toBe(
			'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com?project=9'
		);
	} );

	test( 'an ordinary 403 is not mistaken for it', () => {
		expect(
			toSidecarError(
				describeGoogleError( apiError( 403, 'forbidden' ) ),
				'calendar'
			).code
		).toBe( 'google_error' );
	} );
} );
