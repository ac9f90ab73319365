<?php
/**
 * The words around a Meet link: a link being prepared or that could not be made, and, under a
 * working link, a latest change that did not reach Google, each with what fixes it for the
 * doctor and staff (patients get reassurance, never reasons). Part of the Meet controls
 * MFK_Meet_View renders.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Status lines of the Meet controls.
 */
final class MFK_Meet_Status {

	/**
	 * A meeting without a usable link: being prepared, or failed. Patients get reassurance;
	 * the doctor and staff get the reason and what to do.
	 *
	 * @param array<string,mixed> $meeting  Meeting.
	 * @param string              $state    pending|failed.
	 * @param string              $page_url See item().
	 */
	public static function not_ready( array $meeting, string $state, string $page_url ): string {
		if ( MFK_Appointments::STATUS_PENDING === (int) ( $meeting['appointment_status'] ?? -1 ) ) {
			return self::status( self::awaiting_payment( (string) $meeting['role'] ), self::check_again_link( $page_url ) );
		}
		$error = isset( $meeting['error'] ) && is_array( $meeting['error'] ) ? $meeting['error'] : null;
		if ( MFK_Viewer_Meetings::ROLE_GUEST === $meeting['role'] && 'clinic' === ( $meeting['waiting_for'] ?? '' ) ) {
			return self::status( __( 'The video link for this consultation is being arranged again by the clinic. It appears here as soon as it is ready.', 'meet-for-kivicare' ), self::check_again_link( $page_url ) );
		}
		if ( MFK_Viewer_Meetings::ROLE_GUEST === $meeting['role'] || null === $error ) {
			$message = MFK_Mappings::STATE_FAILED === $state
				? __( 'The video link is not ready yet. The clinic has been told and will send it to you.', 'meet-for-kivicare' )
				: __( 'The video link is being prepared.', 'meet-for-kivicare' );
			return self::status( $message, self::check_again_link( $page_url ) );
		}
		$reason  = self::reason( (string) $error['code'] );
		$message = MFK_Mappings::STATE_FAILED === $state
			/* translators: %s: reason, for example "a doctor must reconnect Google". */
			? sprintf( __( 'The video link could not be created: %s.', 'meet-for-kivicare' ), $reason )
			/* translators: %s: reason, for example "the doctor has not connected a Google account". */
			: sprintf( __( 'The video link is waiting: %s.', 'meet-for-kivicare' ), $reason );
		return self::status( $message, self::fix_action( $meeting, $page_url ) );
	}

	/**
	 * An appointment waiting for its online payment: KiviCare books the meeting once it is paid,
	 * so the patient is told that paying releases the link, and the doctor and staff whom they
	 * are waiting for.
	 *
	 * @param string $role MFK_Viewer_Meetings::ROLE_*.
	 */
	public static function awaiting_payment( string $role ): string {
		return MFK_Viewer_Meetings::ROLE_GUEST === $role
			? __( 'This video consultation is waiting for your payment. Complete the payment for the appointment: the video link appears here as soon as it is paid.', 'meet-for-kivicare' )
			: __( 'Waiting for the patient\'s online payment. The video link is created as soon as the appointment is paid.', 'meet-for-kivicare' );
	}

	/**
	 * Under a working link, for the doctor and staff only: the latest change (a new time, a new
	 * doctor) did not reach Google, or is still waiting for something, with what fixes it.
	 * Nothing when the change is in step or simply on its way.
	 *
	 * @param array<string,mixed> $meeting  Meeting.
	 * @param string              $page_url See item().
	 */
	public static function sync_notice( array $meeting, string $page_url ): string {
		$error = isset( $meeting['error'] ) && is_array( $meeting['error'] ) ? $meeting['error'] : null;
		if ( MFK_Viewer_Meetings::ROLE_GUEST === $meeting['role'] || null === $error ) {
			return '';
		}
		$reason  = self::reason( (string) $error['code'] );
		$message = MFK_Mappings::SYNC_FAILED === ( $meeting['sync'] ?? '' )
			/* translators: %s: reason, for example "a doctor must reconnect Google". */
			? sprintf( __( 'The latest change did not reach Google: %s.', 'meet-for-kivicare' ), $reason )
			/* translators: %s: reason, for example "the sidecar service did not answer". */
			: sprintf( __( 'The latest change has not reached Google yet: %s.', 'meet-for-kivicare' ), $reason );
		return sprintf(
			'<p class="mfk-meet__status mfk-meet__sync" data-mfk-sync="%1$s">%2$s%3$s</p>',
			esc_attr( (string) $meeting['sync'] ),
			esc_html( $message ),
			self::prefixed( self::fix_action( $meeting, $page_url ) )
		);
	}

	/**
	 * A reason in plain words.
	 *
	 * @param string $code Error code.
	 */
	private static function reason( string $code ): string {
		return 'not_connected' === $code
			? __( 'the doctor has not connected a Google account', 'meet-for-kivicare' )
			: MFK_Admin_Notices::describe( $code );
	}

	/**
	 * The action that fixes a change that did not reach Google (MFK_Viewer_Meetings::fix()):
	 * the doctor's connection page, Site Health for a replaced sealing key, or "Try again"
	 * (a button the view script sends to the retry route; without JavaScript it stays hidden and
	 * "Check again" reloads). Staff who cannot act themselves are told who can.
	 *
	 * @param array<string,mixed> $meeting  Meeting.
	 * @param string              $page_url See item().
	 */
	private static function fix_action( array $meeting, string $page_url ): string {
		$fix = isset( $meeting['fix'] ) && is_array( $meeting['fix'] ) ? $meeting['fix'] : array( 'action' => 'retry' );
		$url = isset( $fix['url'] ) ? (string) $fix['url'] : '';
		switch ( $fix['action'] ) {
			case 'connect':
			case 'reconnect':
				if ( '' === $url ) {
					return esc_html__( 'The doctor must connect their Google account again.', 'meet-for-kivicare' );
				}
				return sprintf(
					'<a class="mfk-meet__link" href="%1$s">%2$s</a>',
					esc_url( $url ),
					'connect' === $fix['action'] ? esc_html__( 'Connect your Google account', 'meet-for-kivicare' ) : esc_html__( 'Reconnect your Google account', 'meet-for-kivicare' )
				);
			case 'choose_calendar':
				if ( '' === $url ) {
					return esc_html__( 'The doctor must choose another calendar for their consultations.', 'meet-for-kivicare' );
				}
				return sprintf(
					'<a class="mfk-meet__link" href="%1$s">%2$s</a>',
					esc_url( $url ),
					esc_html__( 'Choose another calendar', 'meet-for-kivicare' )
				);
			case 'restore_key':
				return sprintf(
					'<a class="mfk-meet__link" href="%1$s">%2$s</a>',
					esc_url( $url ),
					esc_html__( 'See what to do in Site Health', 'meet-for-kivicare' )
				);
			case 'google_move':
				$button = '<button type="button" class="mfk-meet__retry" hidden data-mfk-retry="%1$s" data-mfk-nonce="%2$s" data-mfk-busy-text="%3$s">%4$s</button>';
				$nonce  = wp_create_nonce( 'wp_rest' );
				return sprintf(
					$button,
					esc_url( add_query_arg( 'render', '1', $url ) ),
					esc_attr( $nonce ),
					esc_attr__( 'Applying…', 'meet-for-kivicare' ),
					esc_html__( 'Apply to appointment', 'meet-for-kivicare' )
				) . ' ' . sprintf(
					$button,
					esc_url( add_query_arg( 'render', '1', (string) ( $fix['put_back_url'] ?? '' ) ) ),
					esc_attr( $nonce ),
					esc_attr__( 'Putting back…', 'meet-for-kivicare' ),
					esc_html__( 'Put back', 'meet-for-kivicare' )
				) . ' ' . self::check_again_link( $page_url );
			default:
				return sprintf(
					'<button type="button" class="mfk-meet__retry" hidden data-mfk-retry="%1$s" data-mfk-nonce="%2$s" data-mfk-busy-text="%3$s">%4$s</button> %5$s',
					esc_url( add_query_arg( 'render', '1', $url ) ),
					esc_attr( wp_create_nonce( 'wp_rest' ) ),
					esc_attr__( 'Trying again…', 'meet-for-kivicare' ),
					esc_html__( 'Try again', 'meet-for-kivicare' ),
					self::check_again_link( $page_url )
				);
		}
	}

	/**
	 * HTML preceded by a space, or nothing.
	 *
	 * @param string $html HTML.
	 */
	private static function prefixed( string $html ): string {
		return '' !== $html ? ' ' . $html : '';
	}

	/**
	 * A status line, optionally followed by an action link (already escaped HTML).
	 *
	 * @param string $text   Plain text.
	 * @param string $action HTML.
	 */
	public static function status( string $text, string $action = '' ): string {
		return '<p class="mfk-meet__status">' . esc_html( $text ) . ( '' !== $action ? ' ' . $action : '' ) . '</p>';
	}

	/**
	 * A link that reloads the page: works without JavaScript.
	 *
	 * @param string $page_url See item().
	 */
	public static function check_again_link( string $page_url ): string {
		if ( '' === $page_url ) {
			$uri      = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '';
			$page_url = '' !== $uri ? home_url( $uri ) : home_url( '/' );
		}
		return sprintf( '<a class="mfk-meet__link" href="%1$s">%2$s</a>', esc_url( $page_url ), esc_html__( 'Check again', 'meet-for-kivicare' ) );
	}
}
