/**
 * The connection's state in one sentence, and the label of the button that (re)connects it. The
 * doctor reads about their own connection in the first person, with the Google account to use
 * again; an administrator reads about the doctor.
 */
import { __, sprintf } from '@wordpress/i18n';
import type { Connection } from '../../types';

/**
 * Why Google stopped accepting a connection, in words that fit after "…: ".
 *
 * @param code Reason code (`token_revoked`, …).
 * @param own  Said to the doctor about their own connection.
 */
export function reconnectReason(
	code: string | null | undefined,
	own: boolean
): string {
	switch ( code ) {
		case 'token_revoked':
			return own
				? __(
						'access was withdrawn in your Google account, or the connection expired',
						'meet-for-kivicare'
					)
				: __(
						'access was withdrawn in the Google account, or the connection expired',
						'meet-for-kivicare'
					);
		case 'insufficient_scope':
			return own
				? __(
						'you did not allow access to calendar events (keep every box ticked on Google’s page)',
						'meet-for-kivicare'
					)
				: __(
						'access to calendar events was not allowed on Google’s page',
						'meet-for-kivicare'
					);
		case 'seal_key_unknown':
			return __(
				'the key that protects stored connections changed',
				'meet-for-kivicare'
			);
		case 'credential_invalid':
			return __(
				'the stored connection can no longer be used',
				'meet-for-kivicare'
			);
		default:
			return __( 'Google refused it', 'meet-for-kivicare' );
	}
}

/**
 * @param connection The connection.
 * @param own        The signed-in doctor's own connection (else an administrator's view).
 */
export function describeConnection(
	connection: Connection,
	own: boolean
): string {
	const email = connection.email || '';
	if ( connection.status === 'active' ) {
		return email
			? sprintf(
					/* translators: %s: Google account e-mail. */
					__(
						'Connected to the Google account %s.',
						'meet-for-kivicare'
					),
					email
				)
			: __( 'Connected to Google.', 'meet-for-kivicare' );
	}
	if ( connection.status === 'reconnect_needed' ) {
		const reason = reconnectReason( connection.reason_code, own );
		if ( own ) {
			return email
				? sprintf(
						/* translators: 1: Google account e-mail, 2: reason. */
						__(
							'Google no longer accepts your connection to %1$s: %2$s. Reconnect with %1$s: your upcoming video consultations get their links as soon as you do.',
							'meet-for-kivicare'
						),
						email,
						reason
					)
				: sprintf(
						/* translators: %s: reason. */
						__(
							'Google no longer accepts your connection: %s. Reconnect your Google account: your upcoming video consultations get their links as soon as you do.',
							'meet-for-kivicare'
						),
						reason
					);
		}
		return email
			? sprintf(
					/* translators: 1: Google account e-mail, 2: reason. */
					__(
						'Google no longer accepts this doctor’s connection to %1$s: %2$s. The doctor must reconnect with that account; their meetings wait until then.',
						'meet-for-kivicare'
					),
					email,
					reason
				)
			: sprintf(
					/* translators: %s: reason. */
					__(
						'Google no longer accepts this doctor’s connection: %s. The doctor must reconnect; their meetings wait until then.',
						'meet-for-kivicare'
					),
					reason
				);
	}
	return own
		? __(
				'Connect your Google account so your video consultations get Google Meet links.',
				'meet-for-kivicare'
			)
		: __(
				'This doctor has not connected a Google account.',
				'meet-for-kivicare'
			);
}

export function connectLabel( status: Connection[ 'status' ] ): string {
	if ( status === 'disconnected' ) {
		return __( 'Connect Google', 'meet-for-kivicare' );
	}
	if ( status === 'reconnect_needed' ) {
		return __( 'Reconnect Google', 'meet-for-kivicare' );
	}
	return __( 'Connect a different Google account', 'meet-for-kivicare' );
}
