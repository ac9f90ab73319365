<?php
/**
 * wp-admin dashboard widget for doctors: today's and the next telemedicine appointments with
 * their Start Google Meet buttons, and the state of each link.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Doctors' dashboard widget.
 */
final class MFK_Dashboard_Widget {

	const ID = 'mfk_meet_today';

	/** How many later appointments the widget lists. */
	const LATER_LIMIT = 5;

	/**
	 * Whether a user is a KiviCare doctor.
	 *
	 * @param int $user_id User.
	 */
	public static function is_doctor( int $user_id ): bool {
		return MFK_OAuth::is_doctor( $user_id );
	}

	/**
	 * Adds the widget for doctors, at the top of the first column.
	 */
	public static function add(): void {
		if ( ! MFK_Compat::integration_active() || ! self::is_doctor( get_current_user_id() ) ) {
			return;
		}
		wp_add_dashboard_widget( self::ID, __( 'Video consultations', 'meet-for-kivicare' ), array( __CLASS__, 'render' ), null, null, 'normal', 'high' );
		MFK_Meet_View::enqueue_assets();
	}

	/**
	 * Widget body.
	 */
	public static function render(): void {
		$user_id = get_current_user_id();
		$now     = time();
		$today   = MFK_Viewer_Meetings::mine( $user_id, 'today', MFK_Viewer_Meetings::MAX_LIMIT, $now );
		$later   = MFK_Viewer_Meetings::mine( $user_id, 'later', self::LATER_LIMIT, $now );

		echo '<div class="mfk-meet mfk-meet--widget">';
		$status = MFK_Doctor_Connection::get( $user_id )['status'];
		if ( MFK_Doctor_Connection::STATUS_ACTIVE !== $status ) {
			printf(
				'<p class="mfk-meet__notice">%1$s <a href="%2$s">%3$s</a></p>',
				esc_html(
					MFK_Doctor_Connection::STATUS_RECONNECT === $status
						? __( 'Google no longer accepts your connection, so new video links cannot be created.', 'meet-for-kivicare' )
						: __( 'Your Google account is not connected, so your video consultations get no links.', 'meet-for-kivicare' )
				),
				esc_url( MFK_Admin_Page::connection_url() ),
				esc_html( MFK_Doctor_Connection::STATUS_RECONNECT === $status ? __( 'Reconnect Google', 'meet-for-kivicare' ) : __( 'Connect Google', 'meet-for-kivicare' ) )
			);
		}
		echo '<h3 class="mfk-meet__heading">' . esc_html__( 'Today', 'meet-for-kivicare' ) . '</h3>';
		echo MFK_Meet_View::items( $today, 'today', $now ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by the renderer.
		echo '<h3 class="mfk-meet__heading">' . esc_html__( 'Coming up', 'meet-for-kivicare' ) . '</h3>';
		echo $later // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by the renderer.
			? MFK_Meet_View::items( $later, 'later', $now )
			: '<p class="mfk-meet__empty">' . esc_html__( 'Nothing scheduled after today.', 'meet-for-kivicare' ) . '</p>';
		echo '</div>';
	}
}
