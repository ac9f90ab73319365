/**
 * The connection's state in one sentence, and the label of the button that (re)connects it.
 */
import { __, sprintf } from '@wordpress/i18n';
import { describeCode } from '../../format';
import type { Connection } from '../../types';

/**
 * @param connection The connection.
 * @param own        The signed-in doctor's own connection (else an administrator's view).
 */
export function describeConnection(
	connection: Connection,
	own: boolean
): string {
	if ( connection.status === 'active' ) {
		return connection.email
			? sprintf(
					/* translators: %s: Google account e-mail. */
					__(
						'Connected to the Google account %s.',
						'meet-for-kivicare'
					),
					connection.email
				)
			: __( 'Connected to Google.', 'meet-for-kivicare' );
	}
	if ( connection.status === 'reconnect_needed' ) {
		return sprintf(
			/* translators: %s: reason. */
			__(
				'Google no longer accepts this connection: %s.',
				'meet-for-kivicare'
			),
			connection.reason_code
				? describeCode( connection.reason_code )
				: connection.reason_message ||
						__( 'unknown reason', 'meet-for-kivicare' )
		);
	}
	return own
		? __(
				'Not connected. Connect your Google account so your video consultations get Google Meet links.',
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
