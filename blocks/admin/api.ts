/**
 * Calls to the plugin's REST API through @wordpress/api-fetch (which adds the REST nonce in
 * wp-admin), with one error shape for the screens: WordPress REST errors, the plugin's own
 * codes and network failures all become an ApiError.
 */
import apiFetch from '@wordpress/api-fetch';
import { __ } from '@wordpress/i18n';

export const NAMESPACE = '/meet-for-kivicare/v1';

export class ApiError extends Error {
	readonly code: string;
	readonly status: number;
	/** Field => message, for inline errors (`invalid_param` / `rest_invalid_param`). */
	readonly params: Record< string, string >;

	constructor(
		code: string,
		message: string,
		status = 0,
		params: Record< string, string > = {}
	) {
		super( message );
		this.name = 'ApiError';
		this.code = code;
		this.status = status;
		this.params = params;
	}
}

function isRecord( value: unknown ): value is Record< string, unknown > {
	return typeof value === 'object' && value !== null;
}

/** Turns whatever api-fetch rejected with into an ApiError. */
export function toApiError( error: unknown ): ApiError {
	if ( error instanceof ApiError ) {
		return error;
	}
	if ( isRecord( error ) && typeof error.code === 'string' ) {
		const data = isRecord( error.data ) ? error.data : {};
		const params: Record< string, string > = {};
		if ( isRecord( data.params ) ) {
			for ( const [ field, message ] of Object.entries( data.params ) ) {
				params[ field ] = String( message );
			}
		}
		const message =
			typeof error.message === 'string' && error.message
				? error.message
				: __( 'The request failed.', 'meet-for-kivicare' );
		// api-fetch reports a lost connection as fetch_error with its own English text.
		if ( error.code === 'fetch_error' ) {
			return new ApiError(
				'fetch_error',
				__(
					'WordPress could not be reached. Check your network connection and try again.',
					'meet-for-kivicare'
				)
			);
		}
		return new ApiError(
			error.code,
			message,
			typeof data.status === 'number' ? data.status : 0,
			params
		);
	}
	if ( error instanceof Error ) {
		return new ApiError( 'unknown', error.message );
	}
	return new ApiError(
		'unknown',
		__( 'The request failed.', 'meet-for-kivicare' )
	);
}

/** GET/POST a route of the plugin's namespace; rejects with an ApiError. */
export async function request< T >(
	route: string,
	options: { method?: 'GET' | 'POST'; data?: unknown } = {}
): Promise< T > {
	try {
		return await apiFetch< T >( {
			path: `${ NAMESPACE }${ route }`,
			method: options.method ?? 'GET',
			...( options.data !== undefined ? { data: options.data } : {} ),
		} );
	} catch ( error ) {
		throw toApiError( error );
	}
}

/** Removes a doctor's Google connection (the signed-in doctor's own without `doctorId`). */
export function disconnectGoogle( doctorId?: number ): Promise< unknown > {
	return request( '/connection/disconnect', {
		method: 'POST',
		data: doctorId ? { doctor_id: doctorId } : {},
	} );
}

/** E-mails a doctor a single-use link to connect (or reconnect) their Google account. */
export function inviteDoctor(
	doctorId: number
): Promise< { doctor_id: number; expires_at: string } > {
	return request( `/connections/${ doctorId }/invite`, {
		method: 'POST',
		data: {},
	} );
}
