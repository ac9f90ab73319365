/**
 * The OAuth round trip's result, which the callback adds to the page address when it sends
 * the doctor back.
 */
import { __ } from '@wordpress/i18n';
import { connectErrorMessage } from './format';

/** Query arguments the OAuth callback adds when it sends the doctor back. */
export const RETURN_ARGS = [
	'mfk_connected',
	'mfk_error',
	'google_meet_connected',
] as const;

export interface ReturnNotice {
	status: 'success' | 'error';
	text: string;
}

/**
 * What the OAuth round trip reported in the page address, if anything. `hash` tells a round
 * trip that asked for the calendar choice (`#mfk-calendar`) from a first connection.
 */
export function readReturn( search: string, hash = '' ): ReturnNotice | null {
	const params = new URLSearchParams( search );
	const error = params.get( 'mfk_error' );
	if ( error ) {
		return { status: 'error', text: connectErrorMessage( error ) };
	}
	if (
		params.get( 'mfk_connected' ) === '1' ||
		params.get( 'google_meet_connected' ) === '1'
	) {
		if ( hash === '#mfk-busy-times' ) {
			return {
				status: 'success',
				text: __(
					'Google allowed this site to see when you are busy. Your Google busy times are shown below.',
					'meet-for-kivicare'
				),
			};
		}
		if ( hash === '#mfk-calendar' ) {
			return {
				status: 'success',
				text: __(
					'Google allowed the calendar choice. Choose below where your video consultations go.',
					'meet-for-kivicare'
				),
			};
		}
		return {
			status: 'success',
			text: __(
				'Google is connected. Your video consultations get their Google Meet links from now on, including the ones that were waiting.',
				'meet-for-kivicare'
			),
		};
	}
	return null;
}

/** The page address without the OAuth return arguments (so a reload does not repeat them). */
export function withoutReturnArgs( href: string ): string {
	const url = new URL( href );
	RETURN_ARGS.forEach( ( name ) => url.searchParams.delete( name ) );
	return url.toString();
}
