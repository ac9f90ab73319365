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
			self::render_clinic_doctors();
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
	 * One notice per cause, each dismissible per user and linking to where the cause is fixed:
	 * a replaced sealing key (Site Health), doctors whose Google connection stopped working with
	 * the meetings waiting for them (the doctors' table, to send them a reconnect link), and each
	 * other reason meetings failed (the settings page).
	 */
	private static function render_failures(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$sealing = MFK_Sealing_Status::problem();
		if ( $sealing['doctors'] || $sealing['client_secret'] ) {
			MFK_Notice_Dismissal::notice(
				'error',
				'sealing',
				wp_json_encode( $sealing['doctors'] ) . (int) $sealing['client_secret'],
				self::sealing_message( $sealing ),
				admin_url( 'site-health.php' ),
				__( 'What to do', 'meet-for-kivicare' )
			);
		}
		$failed    = self::failed_by_cause();
		$reconnect = array(
			'none' => 0,
			'kept' => 0,
			'last' => 0,
		);
		foreach ( MFK_Doctor_Connection::RECONNECT_CODES as $code ) {
			if ( isset( $failed[ $code ] ) ) {
				$reconnect['none'] += $failed[ $code ]['none'];
				$reconnect['kept'] += $failed[ $code ]['kept'];
				$reconnect['last']  = max( $reconnect['last'], $failed[ $code ]['last'] );
				unset( $failed[ $code ] );
			}
		}
		self::render_reconnect( $reconnect );
		foreach ( $failed as $code => $counts ) {
			self::render_cause( (string) $code, $counts );
		}
	}

	/**
	 * Failed meetings per error code: without a link, keeping their link, and the newest row.
	 *
	 * @return array<string,array{none:int,kept:int,last:int}>
	 */
	private static function failed_by_cause(): array {
		global $wpdb;
		// A replaced sealing key is said once, above, not per meeting.
		$rows = (array) $wpdb->get_results(
			$wpdb->prepare(
				"SELECT last_error_code AS code, ( link_state = 'ready' AND desired = 'active' ) AS kept, COUNT(*) AS n, MAX(id) AS last FROM %i WHERE state = 'failed' AND last_error_code <> %s GROUP BY last_error_code, kept",
				MFK_Schema::table(),
				MFK_Sealing_Status::CODE
			),
			ARRAY_A
		);
		$out = array();
		foreach ( $rows as $row ) {
			$code = (string) $row['code'];
			$out[ $code ] = ( $out[ $code ] ?? array(
				'none' => 0,
				'kept' => 0,
				'last' => 0,
			) );
			$out[ $code ][ (int) $row['kept'] ? 'kept' : 'none' ] += (int) $row['n'];
			$out[ $code ]['last'] = max( $out[ $code ]['last'], (int) $row['last'] );
		}
		return $out;
	}

	/**
	 * Doctors who must reconnect, and the meetings that wait for them: one notice.
	 *
	 * @param array{none:int,kept:int,last:int} $meetings Failed meetings with a reconnect code.
	 */
	private static function render_reconnect( array $meetings ): void {
		$doctors = get_users(
			array(
				'meta_key'   => MFK_Doctor_Connection::META_STATUS, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_key
				'meta_value' => MFK_Doctor_Connection::STATUS_RECONNECT, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_value
				'fields'     => array( 'ID', 'display_name' ),
				'orderby'    => 'ID',
				'number'     => 20,
			)
		);
		if ( ! $doctors && 0 === $meetings['none'] + $meetings['kept'] ) {
			return;
		}
		$message = $doctors
			/* translators: %s: doctor names. */
			? sprintf( __( 'Meet for KiviCare: these doctors must reconnect their Google account: %s.', 'meet-for-kivicare' ), implode( ', ', wp_list_pluck( $doctors, 'display_name' ) ) )
			: __( 'Meet for KiviCare: a doctor must reconnect their Google account.', 'meet-for-kivicare' );
		if ( $meetings['none'] > 0 ) {
			$message .= ' ' . sprintf(
				/* translators: %d: number of appointments. */
				_n( '%d appointment waits for its Google Meet link until then.', '%d appointments wait for their Google Meet link until then.', $meetings['none'], 'meet-for-kivicare' ),
				$meetings['none']
			);
		}
		if ( $meetings['kept'] > 0 ) {
			$message .= ' ' . sprintf(
				/* translators: %d: number of appointments. */
				_n( '%d appointment keeps its link, but its latest change waits too.', '%d appointments keep their link, but their latest change waits too.', $meetings['kept'], 'meet-for-kivicare' ),
				$meetings['kept']
			);
		}
		MFK_Notice_Dismissal::notice(
			'warning',
			'reconnect',
			implode( ',', wp_list_pluck( $doctors, 'ID' ) ) . '|' . $meetings['last'],
			$message,
			MFK_Admin_Page::settings_url() . '#mfk-doctors',
			__( 'Send them a reconnect link', 'meet-for-kivicare' )
		);
	}

	/**
	 * Meetings that failed for one other reason: one notice.
	 *
	 * @param string                            $code   Error code.
	 * @param array{none:int,kept:int,last:int} $counts Failed meetings.
	 */
	private static function render_cause( string $code, array $counts ): void {
		$not_connected = 'doctor_not_connected' === $code;
		if ( $counts['none'] > 0 ) {
			$message = sprintf(
				/* translators: 1: number of appointments, 2: reason. */
				_n( 'Meet for KiviCare: %1$d appointment has no Google Meet link: %2$s.', 'Meet for KiviCare: %1$d appointments have no Google Meet link: %2$s.', $counts['none'], 'meet-for-kivicare' ),
				$counts['none'],
				self::describe( $code )
			);
		} else {
			$message = sprintf(
				/* translators: 1: number of appointments, 2: reason. */
				_n( 'Meet for KiviCare: the latest change of %1$d meeting did not reach Google (its link still works): %2$s.', 'Meet for KiviCare: the latest change of %1$d meetings did not reach Google (their links still work): %2$s.', $counts['kept'], 'meet-for-kivicare' ),
				$counts['kept'],
				self::describe( $code )
			);
		}
		$message .= ' ' . __( 'They are retried automatically once the cause is fixed.', 'meet-for-kivicare' );
		MFK_Notice_Dismissal::notice(
			$counts['none'] > 0 ? 'error' : 'warning',
			'failed_' . sanitize_key( $code ),
			$code . '|' . $counts['last'],
			$message,
			MFK_Admin_Page::settings_url() . ( $not_connected ? '#mfk-doctors' : '' ),
			$not_connected ? __( 'Invite the doctor to connect', 'meet-for-kivicare' ) : __( 'Open the settings', 'meet-for-kivicare' )
		);
	}

	/**
	 * A doctor whose grant stopped working sees it on every admin screen (until they dismiss
	 * it), naming the Google account to reconnect with.
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
		if ( MFK_Doctor_Connection::STATUS_RECONNECT !== $status['status'] || $on_own ) {
			return;
		}
		MFK_Notice_Dismissal::notice(
			'warning',
			'own_reconnect',
			$status['connected_at'] . '|' . $status['code'],
			'' !== $status['email']
				/* translators: %s: Google account e-mail. */
				? sprintf( __( 'Google no longer accepts your Meet connection to %s. Reconnect with that account: your upcoming video consultations get their links as soon as you do.', 'meet-for-kivicare' ), $status['email'] )
				: __( 'Google no longer accepts your Meet connection. Reconnect your Google account: your upcoming video consultations get their links as soon as you do.', 'meet-for-kivicare' ),
			MFK_Admin_Page::connection_url(),
			__( 'Reconnect Google', 'meet-for-kivicare' )
		);
	}

	/**
	 * Clinic admins and receptionists: the doctors of their clinics whom Google no longer
	 * accepts, leading to their clinic's Google Meet screen (where a clinic admin sends a link).
	 */
	private static function render_clinic_doctors(): void {
		$user_id = get_current_user_id();
		if ( current_user_can( 'manage_options' ) || ! MFK_Clinic_Staff::is_staff( $user_id ) ) {
			return;
		}
		$doctors = get_users(
			array(
				'include'    => array_merge( array( 0 ), MFK_Clinic_Staff::doctors( $user_id ) ),
				'meta_key'   => MFK_Doctor_Connection::META_STATUS, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_key
				'meta_value' => MFK_Doctor_Connection::STATUS_RECONNECT, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_value
				'fields'     => array( 'ID', 'display_name' ),
				'orderby'    => 'ID',
				'number'     => 20,
			)
		);
		if ( ! $doctors ) {
			return;
		}
		MFK_Notice_Dismissal::notice(
			'warning',
			'clinic_reconnect',
			implode( ',', wp_list_pluck( $doctors, 'ID' ) ),
			/* translators: %s: doctor names. */
			sprintf( __( 'Meet for KiviCare: these doctors of your clinic must reconnect their Google account; their video consultations wait for a link until then: %s.', 'meet-for-kivicare' ), implode( ', ', wp_list_pluck( $doctors, 'display_name' ) ) ),
			add_query_arg( 'page', MFK_Admin_Page::CLINIC_SLUG, admin_url( 'admin.php' ) ),
			__( 'See your doctors\' connections', 'meet-for-kivicare' )
		);
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
			'calendar_not_found'     => __( 'a doctor\'s chosen calendar no longer exists in Google Calendar (the doctor chooses another on their Google connection page)', 'meet-for-kivicare' ),
			'conference_not_allowed' => __( 'Google Meet is not allowed on the calendar', 'meet-for-kivicare' ),
			'moved_in_google'        => __( 'an event was moved in Google Calendar and keeps that time until the appointment is changed again', 'meet-for-kivicare' ),
			'deleted_in_google'      => __( 'the event was deleted in Google Calendar and left deleted (clinic setting); Try again restores it with the same link', 'meet-for-kivicare' ),
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
