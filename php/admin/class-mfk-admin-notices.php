<?php
/**
 * Admin notices: missing KiviCare, conflicting add-on, meetings that need
 * attention, doctors who must reconnect.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Notices in wp-admin.
 */
final class MFK_Admin_Notices {

	/**
	 * All notices for the current screen.
	 */
	public static function render(): void {
		self::render_environment();
		if ( MFK_Compat::integration_active() ) {
			self::render_failures();
			self::render_own_connection();
		}
	}

	/**
	 * KiviCare missing / original add-on active.
	 */
	public static function render_environment(): void {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		$reason = MFK_Compat::inactive_reason();
		if ( 'conflict' === $reason ) {
			self::notice( 'error', MFK_Compat::conflict_message() );
		} elseif ( 'kivicare_missing' === $reason ) {
			self::notice( 'warning', __( 'Meet for KiviCare needs the KiviCare clinic management plugin (version 4 or later), which is not active. Install and activate KiviCare to give telemedicine appointments Google Meet links.', 'meet-for-kivicare' ) );
		}
	}

	/**
	 * Meetings in state `failed`, grouped by cause, and doctors needing reconnection.
	 */
	private static function render_failures(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		global $wpdb;
		$sealing = MFK_Sealing_Status::problem();
		if ( $sealing['doctors'] || $sealing['client_secret'] ) {
			printf(
				'<div class="notice notice-error mfk-sealing-notice"><p>%1$s <a href="%2$s">%3$s</a></p></div>',
				esc_html( self::sealing_message( $sealing ) ),
				esc_url( admin_url( 'site-health.php' ) ),
				esc_html__( 'What to do', 'meet-for-kivicare' )
			);
		}
		$table = MFK_Schema::table();
		// Failed syncs, apart by whether the meeting keeps a working link; a replaced sealing key
		// is said once, above, not per meeting.
		$rows = (array) $wpdb->get_results(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
				"SELECT last_error_code AS code, ( link_state = 'ready' AND desired = 'active' ) AS kept, COUNT(*) AS n FROM `{$table}` WHERE state = 'failed' AND last_error_code <> %s GROUP BY last_error_code, kept",
				MFK_Sealing_Status::CODE
			),
			ARRAY_A
		);
		$parts = array(
			0 => array(),
			1 => array(),
		);
		foreach ( $rows as $row ) {
			$parts[ (int) $row['kept'] ][] = sprintf( '%s (%d)', self::describe( (string) $row['code'] ), (int) $row['n'] );
		}
		if ( $parts[0] ) {
			self::notice(
				'error',
				sprintf(
					/* translators: %s: list of causes with counts. */
					__( 'Meet for KiviCare: some appointments have no Google Meet link. Causes: %s. They are retried automatically once the cause is fixed (a doctor reconnecting replays their meetings).', 'meet-for-kivicare' ),
					implode( '; ', $parts[0] )
				)
			);
		}
		if ( $parts[1] ) {
			self::notice(
				'warning',
				sprintf(
					/* translators: %s: list of causes with counts. */
					__( 'Meet for KiviCare: the latest change of some meetings did not reach Google; their links still work. Causes: %s. They are retried automatically once the cause is fixed.', 'meet-for-kivicare' ),
					implode( '; ', $parts[1] )
				)
			);
		}
		$doctors = get_users(
			array(
				'meta_key'   => MFK_Doctor_Connection::META_STATUS, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_key
				'meta_value' => MFK_Doctor_Connection::STATUS_RECONNECT, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_value
				'fields'     => array( 'display_name' ),
				'number'     => 20,
			)
		);
		if ( $doctors ) {
			self::notice(
				'warning',
				sprintf(
					/* translators: %s: doctor names. */
					__( 'Meet for KiviCare: these doctors must reconnect their Google account: %s.', 'meet-for-kivicare' ),
					implode( ', ', wp_list_pluck( $doctors, 'display_name' ) )
				)
			);
		}
	}

	/**
	 * A doctor whose grant stopped working sees it on every admin screen.
	 */
	private static function render_own_connection(): void {
		$user_id = get_current_user_id();
		if ( $user_id <= 0 || current_user_can( 'manage_options' ) ) {
			return;
		}
		$status = MFK_Doctor_Connection::get( $user_id );
		// The connection screen says the same thing next to its Reconnect button.
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		$on_own = $screen && false !== strpos( (string) $screen->id, MFK_Admin_Page::CONNECTION_SLUG );
		if ( MFK_Doctor_Connection::STATUS_RECONNECT === $status['status'] && ! $on_own ) {
			printf(
				'<div class="notice notice-warning mfk-reconnect-notice"><p>%1$s <a href="%2$s">%3$s</a></p></div>',
				esc_html__( 'Google no longer accepts your Meet connection. Reconnect your Google account: your upcoming video consultations get their links as soon as you do.', 'meet-for-kivicare' ),
				esc_url( MFK_Admin_Page::connection_url() ),
				esc_html__( 'Reconnect Google', 'meet-for-kivicare' )
			);
		}
	}

	/**
	 * One sentence for a replaced sealing key, with the doctors counted (admin notice and
	 * Site Health say the same).
	 *
	 * @param array{doctors:array<int,int>,client_secret:bool,kids:array<int,string>} $problem MFK_Sealing_Status::problem().
	 */
	public static function sealing_message( array $problem ): string {
		$count   = count( $problem['doctors'] );
		$message = sprintf(
			/* translators: %d: number of doctors. */
			_n(
				'Meet for KiviCare: the sidecar\'s sealing key changed; %d doctor must reconnect their Google account, or restore the previous key (MFK_SEAL_KEYS).',
				'Meet for KiviCare: the sidecar\'s sealing key changed; %d doctors must reconnect their Google account, or restore the previous key (MFK_SEAL_KEYS).',
				$count,
				'meet-for-kivicare'
			),
			$count
		);
		if ( $problem['client_secret'] ) {
			$message .= ' ' . __( 'The Google OAuth client secret cannot be opened either: without the previous key, enter it again in the settings.', 'meet-for-kivicare' );
		}
		return $message;
	}

	/**
	 * Human text for an error code.
	 *
	 * @param string $code Code.
	 */
	public static function describe( string $code ): string {
		$map = array(
			'token_revoked'          => __( 'a doctor must reconnect Google', 'meet-for-kivicare' ),
			'credential_invalid'     => __( 'a doctor must reconnect Google', 'meet-for-kivicare' ),
			'seal_key_unknown'       => __( 'the sidecar\'s sealing key changed', 'meet-for-kivicare' ),
			'insufficient_scope'     => __( 'a doctor granted too few permissions and must reconnect', 'meet-for-kivicare' ),
			'doctor_not_connected'   => __( 'a doctor has no Google account connected', 'meet-for-kivicare' ),
			'quota_exceeded'         => __( 'Google usage limits reached', 'meet-for-kivicare' ),
			'conference_failed'      => __( 'Google could not create the Meet conference', 'meet-for-kivicare' ),
			'calendar_not_found'     => __( 'the configured calendar does not exist', 'meet-for-kivicare' ),
			'conference_not_allowed' => __( 'Google Meet is not allowed on the calendar', 'meet-for-kivicare' ),
			'client_invalid'         => __( 'Google refused the OAuth client', 'meet-for-kivicare' ),
			'api_disabled'           => __( 'the Google Calendar API is not enabled in the Google Cloud project', 'meet-for-kivicare' ),
			'max_age_exceeded'       => __( 'gave up after retrying for too long', 'meet-for-kivicare' ),
		);
		return $map[ $code ] ?? ( '' !== $code ? $code : __( 'unknown', 'meet-for-kivicare' ) );
	}

	/**
	 * Prints one notice.
	 *
	 * @param string $type    error|warning|info.
	 * @param string $message Text.
	 */
	private static function notice( string $type, string $message ): void {
		printf( '<div class="notice notice-%1$s"><p>%2$s</p></div>', esc_attr( $type ), esc_html( $message ) );
	}
}
