<?php
/**
 * wp-admin dashboard widget for doctors: today's and the next telemedicine appointments with
 * their Start Google Meet buttons, and the state of each link; for patients, their upcoming
 * video consultations with Join Google Meet, and where the link appears.
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

	/** How many upcoming consultations a patient's widget lists. */
	const PATIENT_LIMIT = 10;

	/**
	 * Whether a user is a KiviCare patient.
	 *
	 * @param int $user_id User.
	 */
	public static function is_patient( int $user_id ): bool {
		$user = $user_id > 0 ? get_userdata( $user_id ) : false;
		return $user && in_array( 'kiviCare_patient', (array) $user->roles, true );
	}

	/**
	 * Adds the widget for doctors and patients, at the top of the first column.
	 */
	public static function add(): void {
		$user_id = get_current_user_id();
		if ( ! MFK_Compat::integration_active() ) {
			return;
		}
		if ( self::is_doctor( $user_id ) ) {
			wp_add_dashboard_widget( self::ID, __( 'Video consultations', 'meet-for-kivicare' ), array( __CLASS__, 'render' ), null, null, 'normal', 'high' );
		} elseif ( self::is_patient( $user_id ) ) {
			wp_add_dashboard_widget( self::ID, __( 'Your video consultations', 'meet-for-kivicare' ), array( __CLASS__, 'render_patient' ), null, null, 'normal', 'high' );
		} else {
			return;
		}
		MFK_Meet_View::enqueue_assets();
	}

	/**
	 * A patient's widget: their upcoming video consultations, each with Join Google Meet (or
	 * why not yet), and where the link appears.
	 */
	public static function render_patient(): void {
		$now      = time();
		$meetings = MFK_Viewer_Meetings::mine( get_current_user_id(), 'upcoming', self::PATIENT_LIMIT, $now );
		echo '<div class="mfk-meet mfk-meet--widget">';
		echo '<p class="mfk-meet__notice">' . esc_html__( 'The Join Google Meet button of each video consultation appears here when its link is ready, and becomes active shortly before the start. The link is also e-mailed to you.', 'meet-for-kivicare' ) . '</p>';
		echo $meetings // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by the renderer.
			? MFK_Meet_View::items( $meetings, 'upcoming', $now )
			: '<p class="mfk-meet__empty">' . esc_html__( 'You have no upcoming video consultations.', 'meet-for-kivicare' ) . '</p>';
		echo '</div>';
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
