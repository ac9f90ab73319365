<?php
/**
 * The calendar that receives a doctor's consultations: their primary calendar (the default), one
 * of their writable calendars where Google Meet is allowed, or a "Video consultations" calendar
 * made for them. A choice applies to new meetings; a meeting keeps the calendar it was made in
 * (MFK_Mappings::record_intent()), except meetings whose calendar disappeared, which move to the
 * newly chosen one.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * A doctor's calendar choice, on top of MFK_Doctor_Connection and the sidecar's calendar routes.
 */
final class MFK_Doctor_Calendar {

	/** Name of the chosen calendar as Google showed it (for the doctor's panel). */
	const META_NAME = 'mfk_calendar_name';

	/** Value meaning "the doctor's primary calendar". */
	const PRIMARY = 'primary';

	/**
	 * The calendar new meetings of the doctor go to, with a name to show.
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{id:string,summary:string,primary:bool}
	 */
	public static function current( int $doctor_id ): array {
		$id      = MFK_Doctor_Connection::calendar_id( $doctor_id );
		$id      = '' !== $id ? $id : self::PRIMARY;
		$primary = self::PRIMARY === $id || strtolower( $id ) === strtolower( MFK_Doctor_Connection::get( $doctor_id )['email'] );
		$name    = $primary ? '' : (string) get_user_meta( $doctor_id, self::META_NAME, true );
		return array(
			'id'      => $id,
			'summary' => '' !== $name ? $name : ( $primary ? __( 'Your primary calendar', 'meet-for-kivicare' ) : $id ),
			'primary' => $primary,
		);
	}

	/**
	 * Another Google account was connected: the calendar chosen in the previous one does not
	 * belong to it, so new meetings go to the new account's primary calendar.
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $before    E-mail of the account connected so far ('' if none).
	 * @param string $after     E-mail of the account connected now.
	 */
	public static function account_changed( int $doctor_id, string $before, string $after ): void {
		if ( '' === $before || strtolower( $before ) === strtolower( $after ) ) {
			return;
		}
		delete_user_meta( $doctor_id, MFK_Doctor_Connection::META_CALENDAR );
		delete_user_meta( $doctor_id, self::META_NAME );
	}

	/**
	 * The calendars the doctor can choose from, and what their Google grant allows.
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{access:array{list:bool,create:bool},calendars:array<int,array<string,mixed>>}|WP_Error
	 */
	public static function choices( int $doctor_id ) {
		$answer = MFK_Doctor_Connection::call( $doctor_id, '/v1/calendars/list', array(), 15 );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$calendars = array();
		foreach ( (array) ( $answer['calendars'] ?? array() ) as $calendar ) {
			if ( ! is_array( $calendar ) || empty( $calendar['id'] ) ) {
				continue;
			}
			$calendars[] = array(
				'id'            => (string) $calendar['id'],
				'summary'       => (string) ( $calendar['summary'] ?? $calendar['id'] ),
				'primary'       => ! empty( $calendar['primary'] ),
				'access_role'   => 'owner' === ( $calendar['accessRole'] ?? '' ) ? 'owner' : 'writer',
				'consultations' => ! empty( $calendar['consultations'] ),
			);
		}
		$access = is_array( $answer['access'] ?? null ) ? $answer['access'] : array();
		return array(
			'access'    => array(
				'list'   => ! empty( $access['list'] ),
				'create' => ! empty( $access['create'] ),
			),
			'calendars' => $calendars,
		);
	}

	/**
	 * Makes `calendar_id` the doctor's calendar for new meetings: "primary", or one of the
	 * calendars choices() offers (checked again with Google, so a stale or forged id is refused).
	 *
	 * @param int    $doctor_id   Doctor.
	 * @param string $calendar_id Calendar id or "primary".
	 * @return array{id:string,summary:string,primary:bool,moved:int}|WP_Error
	 */
	public static function choose( int $doctor_id, string $calendar_id ) {
		if ( self::PRIMARY === $calendar_id ) {
			return self::save( $doctor_id, self::PRIMARY, '' );
		}
		$choices = self::choices( $doctor_id );
		if ( is_wp_error( $choices ) ) {
			return $choices;
		}
		foreach ( $choices['calendars'] as $calendar ) {
			if ( $calendar['id'] === $calendar_id ) {
				return $calendar['primary']
					? self::save( $doctor_id, self::PRIMARY, '' )
					: self::save( $doctor_id, $calendar['id'], $calendar['summary'] );
			}
		}
		return new WP_Error(
			'invalid_param',
			__( 'This calendar cannot receive your consultations: it is not in your Google calendar list, you cannot add events to it, or Google Meet is turned off for it.', 'meet-for-kivicare' ),
			array(
				'status' => 400,
				'params' => array( 'calendar_id' => __( 'Choose one of the calendars listed.', 'meet-for-kivicare' ) ),
			)
		);
	}

	/**
	 * Makes (once) and chooses the doctor's "Video consultations" calendar. A per-doctor lock
	 * keeps a double click, or two tabs, from making two calendars: the second request waits
	 * for the first and then finds its calendar in Google's list (the sidecar looks there
	 * before making one).
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{id:string,summary:string,primary:bool,moved:int,created:bool}|WP_Error
	 */
	public static function create_consultations( int $doctor_id ) {
		if ( ! self::lock( $doctor_id ) ) {
			return new WP_Error( 'rate_limited', __( 'Your calendar is still being created: check again in a minute.', 'meet-for-kivicare' ), array( 'status' => 429, 'retryable' => true ) );
		}
		try {
			$zone   = MFK_Appointments::valid_zone( wp_timezone_string() );
			$answer = MFK_Doctor_Connection::call(
				$doctor_id,
				'/v1/calendars/consultations',
				array(
					'summary'  => __( 'Video consultations', 'meet-for-kivicare' ),
					'timeZone' => '' !== $zone ? $zone : null,
				),
				15
			);
			if ( is_wp_error( $answer ) ) {
				return $answer;
			}
			$calendar = is_array( $answer['calendar'] ?? null ) ? $answer['calendar'] : array();
			if ( empty( $calendar['id'] ) ) {
				return new WP_Error( 'internal_error', __( 'The sidecar answered without a calendar.', 'meet-for-kivicare' ), array( 'status' => 502 ) );
			}
			$saved            = self::save( $doctor_id, (string) $calendar['id'], (string) ( $calendar['summary'] ?? '' ) );
			$saved['created'] = ! empty( $answer['created'] );
			return $saved;
		} finally {
			self::unlock( $doctor_id );
		}
	}

	/**
	 * Stores the choice, and moves the doctor's meetings that failed because their calendar
	 * disappeared to the new one (they are tried again at once).
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $id        Calendar id or "primary".
	 * @param string $summary   Its name.
	 * @return array{id:string,summary:string,primary:bool,moved:int}
	 */
	private static function save( int $doctor_id, string $id, string $summary ): array {
		// Another request (the first of a double click) may have written the same values since
		// this one read the doctor's meta: WordPress then keeps its stale copy, so drop it.
		wp_cache_delete( $doctor_id, 'user_meta' );
		update_user_meta( $doctor_id, MFK_Doctor_Connection::META_CALENDAR, $id );
		if ( self::PRIMARY === $id || '' === $summary ) {
			delete_user_meta( $doctor_id, self::META_NAME );
		} else {
			update_user_meta( $doctor_id, self::META_NAME, sanitize_text_field( $summary ) );
		}
		/**
		 * A doctor chose the calendar that receives their new consultations.
		 *
		 * @param int    $doctor_id Doctor.
		 * @param string $id        Calendar id or "primary".
		 */
		do_action( 'mfk_doctor_calendar_chosen', $doctor_id, $id );
		return self::current( $doctor_id ) + array( 'moved' => self::move_lost_meetings( $doctor_id, $id ) );
	}

	/**
	 * Meetings of the doctor that failed with `calendar_not_found` get the new calendar.
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $id        New calendar.
	 */
	private static function move_lost_meetings( int $doctor_id, string $id ): int {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$appointments = array_map( 'intval', (array) $wpdb->get_col( $wpdb->prepare( "SELECT appointment_id FROM `{$table}` WHERE doctor_id = %d AND desired = 'active' AND state = 'failed' AND last_error_code = 'calendar_not_found' LIMIT 500", $doctor_id ) ) );
		$moved        = 0;
		foreach ( $appointments as $appointment_id ) {
			$row = MFK_Mappings::record_intent(
				$appointment_id,
				array(
					'desired'     => MFK_Mappings::DESIRED_ACTIVE,
					'doctor_id'   => $doctor_id,
					'calendar_id' => $id,
				),
				array(
					'create'            => false,
					'force'             => true,
					'retarget_calendar' => true,
				)
			);
			if ( is_array( $row ) ) {
				MFK_Request_Sync::touch( $appointment_id );
				++$moved;
			}
		}
		if ( $moved > 0 ) {
			MFK_Queue::schedule_immediate_run();
		}
		return $moved;
	}

	/**
	 * The database's named lock for the doctor (atomic across PHP processes and servers
	 * sharing the database; freed by MariaDB/MySQL if the request dies), waiting up to 20 s
	 * for a request holding it.
	 *
	 * @param int $doctor_id Doctor.
	 */
	private static function lock( int $doctor_id ): bool {
		global $wpdb;
		return '1' === (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK( %s, 20 )', self::lock_name( $doctor_id ) ) );
	}

	/**
	 * Frees the doctor's lock.
	 *
	 * @param int $doctor_id Doctor.
	 */
	private static function unlock( int $doctor_id ): void {
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK( %s )', self::lock_name( $doctor_id ) ) );
	}

	/**
	 * Lock name, per site and doctor (names are at most 64 characters).
	 *
	 * @param int $doctor_id Doctor.
	 */
	private static function lock_name( int $doctor_id ): string {
		return substr( 'mfk_cal_' . md5( MFK_Site::id() ) . '_' . $doctor_id, 0, 64 );
	}
}
