<?php
/**
 * Who may join a consultation without knocking: the clinic's access type applied to the Meet
 * space of each appointment's conference, as a step of its own after the link exists (sidecar
 * `POST /v1/meetings/access`). Its state is kept per appointment in a small table of its own
 * (applied / not applied and why); the queue retries it separately; it never hides or changes the
 * link. See docs/queue.md, "Meet access".
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * The Meet space access step and its per-appointment state.
 */
final class MFK_Meet_Access {

	/** The clinic's choices, Google's names. */
	const ACCESS_TYPES = array( 'RESTRICTED', 'TRUSTED', 'OPEN' );

	/** States of an appointment's access step. */
	const STATE_APPLIED    = 'applied';
	const STATE_PENDING    = 'pending';
	const STATE_NEEDS      = 'needs_grant';
	const STATE_NOT_APPLIED = 'not_applied';

	/** Retries of a retryable failure before it is left as not applied. */
	const MAX_ATTEMPTS = 8;

	/** User meta: the doctor's grant lacks the Meet settings scope (their panel asks for it). */
	const META_NEEDS_GRANT = 'mfk_meet_access_needs_grant';

	/**
	 * Autoloaded option: the Unix time before which neither Meet step (access, attendance) has
	 * anything to do, so an idle queue tick costs no query for them. '0': look now.
	 */
	const NEXT_DUE_OPTION = 'mfk_meet_steps_next_due';

	/** Rows handled per queue run. */
	const BATCH = 20;

	/** The table of the access state (one row per appointment). */
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . 'mfk_meet_access';
	}

	/**
	 * Creates or upgrades the table (dbDelta; idempotent).
	 */
	public static function install_table(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table = self::table();
		dbDelta(
			"CREATE TABLE {$table} (
  appointment_id bigint(20) unsigned NOT NULL,
  meeting_code varchar(32) NOT NULL DEFAULT '',
  access_type varchar(12) NOT NULL DEFAULT '',
  state varchar(20) NOT NULL DEFAULT 'pending',
  reason varchar(64) NOT NULL DEFAULT '',
  artifacts varchar(12) NOT NULL DEFAULT '',
  attempts int(10) unsigned NOT NULL DEFAULT 0,
  next_attempt_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (appointment_id),
  KEY state_next_attempt (state,next_attempt_at)
) {$wpdb->get_charset_collate()};"
		);
	}

	/**
	 * Both Meet steps' tables and their wake-up option (schema version 5; idempotent).
	 */
	public static function install(): void {
		self::install_table();
		MFK_Meet_Attendance::install_table();
		add_option( self::NEXT_DUE_OPTION, '0', '', true );
	}

	/**
	 * Removes both tables and the option (uninstall).
	 */
	public static function uninstall(): void {
		self::drop_table();
		MFK_Meet_Attendance::drop_table();
		delete_option( self::NEXT_DUE_OPTION );
	}

	/**
	 * Something changed (a new link, a new time, the setting, a doctor's grant): both steps look
	 * on the next queue run.
	 */
	public static function wake(): void {
		update_option( self::NEXT_DUE_OPTION, '0', true );
	}

	/**
	 * The Meet steps of a queue run: the access step, then attendance, unless the wake-up option
	 * says nothing is due yet (an idle tick reads only that autoloaded option).
	 *
	 * @param float $deadline microtime() after which no new call starts.
	 */
	public static function run_steps( float $deadline ): void {
		if ( (int) get_option( self::NEXT_DUE_OPTION, '0' ) > time() || ! MFK_Settings::is_configured() ) {
			return;
		}
		self::run_due( $deadline );
		MFK_Meet_Attendance::run_due( $deadline );
		MFK_Attendance_Privacy::purge();
		update_option( self::NEXT_DUE_OPTION, (string) self::next_due(), true );
	}

	/**
	 * When either step next has work (Unix time; in a day at the latest, as a safety net).
	 */
	private static function next_due(): int {
		global $wpdb;
		$now = time();
		if ( self::due( 1 ) || MFK_Meet_Attendance::due( 1 ) ) {
			return $now;
		}
		// Retries of meetings due() would still take (one cancelled or ended meanwhile wakes nobody).
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- live queue state.
		$retry = $wpdb->get_var( $wpdb->prepare( "SELECT MIN( a.next_attempt_at ) FROM %i a JOIN %i m ON m.appointment_id = a.appointment_id WHERE a.state IN ( 'pending', 'needs_grant' ) AND m.state = 'ready' AND m.desired = 'active' AND m.link_state = 'ready' AND ( m.end_utc IS NULL OR m.end_utc > %s )", self::table(), MFK_Schema::table(), gmdate( 'Y-m-d H:i:s' ) ) );
		$next  = $now + DAY_IN_SECONDS;
		if ( is_string( $retry ) && '' !== $retry ) {
			$next = min( $next, (int) strtotime( $retry . ' UTC' ) );
		}
		$attendance = MFK_Meet_Attendance::next_due();
		if ( null !== $attendance ) {
			$next = min( $next, $attendance + MFK_Meet_Attendance::grace_minutes() * MINUTE_IN_SECONDS );
		}
		return max( $now, $next );
	}

	/** Drops the table (uninstall). */
	public static function drop_table(): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange,WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- uninstall.
		$wpdb->query( $wpdb->prepare( 'DROP TABLE IF EXISTS %i', self::table() ) );
	}

	/**
	 * The clinic's access type (RESTRICTED unless set).
	 */
	public static function access_type(): string {
		$value = (string) MFK_Settings::get( 'meet_access_type' );
		return in_array( $value, self::ACCESS_TYPES, true ) ? $value : 'RESTRICTED';
	}

	/**
	 * Whether the patient is a guest of the event: always unless the space is open to anyone
	 * with the link ("invited" means a guest of the Calendar event), otherwise as set.
	 */
	public static function patient_is_attendee(): bool {
		return 'OPEN' !== self::access_type() || (bool) MFK_Settings::get( 'add_patient_as_attendee' );
	}

	/**
	 * The event's guests for an appointment: its patient (their KiviCare e-mail) when the
	 * patient is a guest, else nobody.
	 *
	 * @param array<string,mixed>|null $appointment Appointment row.
	 * @return array<int,array{email:string}>
	 */
	public static function attendees( ?array $appointment ): array {
		if ( ! $appointment || ! self::patient_is_attendee() ) {
			return array();
		}
		$email = MFK_Appointments::user_email( (int) $appointment['patient_id'] );
		return '' !== $email ? array( array( 'email' => $email ) ) : array();
	}

	/**
	 * Fingerprint of the guest list (stored on the mapping row instead of the addresses): a
	 * change of the appointment's patient, or of whether the patient is a guest, changes it, so
	 * the next sync writes the event's attendees.
	 *
	 * @param array<string,mixed>|null $appointment Appointment row.
	 */
	public static function guests_key( ?array $appointment ): string {
		$emails = array_map( static fn ( $a ) => strtolower( $a['email'] ), self::attendees( $appointment ) );
		sort( $emails );
		return $emails ? hash( 'sha256', implode( "\n", $emails ) ) : 'none';
	}

	/**
	 * The meeting code of a Meet link, or ''.
	 *
	 * @param string $url Join link.
	 */
	public static function meeting_code( string $url ): string {
		return preg_match( '#^https://meet\.google\.com/([a-z]{3}-[a-z]{4}-[a-z]{3})(?:[?/].*)?$#', $url, $m ) ? $m[1] : '';
	}

	/**
	 * The access state of an appointment, or null when the step has not run.
	 *
	 * @param int $appointment_id Appointment.
	 * @return array<string,mixed>|null
	 */
	public static function state( int $appointment_id ): ?array {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- live queue state.
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE appointment_id = %d', self::table(), $appointment_id ), ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/**
	 * Appointments whose link exists and whose space is not (yet) as the clinic asks: never
	 * handled, the link or the setting changed since, or a retry that is due.
	 *
	 * @param int $limit Rows at most.
	 * @return array<int,array<string,string|null>> With the recorded `meeting_code`, `access_type`, `attempts`.
	 */
	public static function due( int $limit ): array {
		global $wpdb;
		$now = gmdate( 'Y-m-d H:i:s' );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- live queue state.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT m.appointment_id, m.url, m.doctor_id, a.meeting_code, a.access_type, a.attempts FROM %i m LEFT JOIN %i a ON a.appointment_id = m.appointment_id
				WHERE m.state = 'ready' AND m.desired = 'active' AND m.link_state = 'ready' AND m.url LIKE %s
				AND ( m.end_utc IS NULL OR m.end_utc > %s )
				AND ( a.appointment_id IS NULL OR a.access_type <> %s OR m.url NOT LIKE CONCAT( '%%', a.meeting_code )
					OR ( a.state IN ( 'pending', 'needs_grant' ) AND ( a.next_attempt_at IS NULL OR a.next_attempt_at <= %s ) ) )
				ORDER BY m.id DESC LIMIT %d",
				MFK_Schema::table(),
				self::table(),
				'https://meet.google.com/%',
				$now,
				self::access_type(),
				$now,
				$limit
			),
			ARRAY_A
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * One pass of the step for the appointments that are due (called by every queue run).
	 *
	 * @param float $deadline microtime() after which no new call starts.
	 * @return int Appointments handled.
	 */
	public static function run_due( float $deadline ): int {
		if ( ! MFK_Settings::is_configured() ) {
			return 0;
		}
		$handled = 0;
		// Newest bookings first; batches until nothing is due or the run's time is up.
		do {
			$rows = self::due( self::BATCH );
			foreach ( $rows as $row ) {
				if ( microtime( true ) >= $deadline ) {
					return $handled;
				}
				self::apply( (int) $row['appointment_id'], (string) $row['url'], (int) $row['doctor_id'], null === $row['meeting_code'] ? false : $row );
				++$handled;
			}
		} while ( count( $rows ) === self::BATCH );
		return $handled;
	}

	/**
	 * Applies the clinic's access type to one appointment's space and records the outcome.
	 *
	 * @param int    $appointment_id Appointment.
	 * @param string $url            Its Meet link.
	 * @param int    $doctor_id      Its doctor.
	 * @param mixed  $previous       Recorded state just read by the caller (false: none); null reads it.
	 * @return array<string,mixed> The recorded state.
	 */
	public static function apply( int $appointment_id, string $url, int $doctor_id, $previous = null ): array {
		$code        = self::meeting_code( $url );
		$access_type = self::access_type();
		$previous    = null === $previous ? self::state( $appointment_id ) : ( is_array( $previous ) ? $previous : null );
		$attempts    = $previous && (string) $previous['meeting_code'] === $code && (string) $previous['access_type'] === $access_type ? (int) $previous['attempts'] : 0;
		if ( '' === $code ) {
			return self::record( $appointment_id, $code, $access_type, self::STATE_NOT_APPLIED, 'no_meeting_code', '', $attempts, null );
		}
		$fields = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( is_wp_error( $fields ) ) {
			return self::record( $appointment_id, $code, $access_type, self::STATE_NOT_APPLIED, (string) $fields->get_error_code(), '', $attempts, null );
		}
		$answer = MFK_Sidecar_Client::instance()->post(
			'/v1/meetings/access',
			$fields + array(
				'meetingCode' => $code,
				'accessType'  => $access_type,
			),
			array(
				'doctor_id' => $doctor_id,
				'timeout'   => 20.0,
			)
		);
		if ( ! is_wp_error( $answer ) ) {
			if ( '' !== (string) get_user_meta( $doctor_id, self::META_NEEDS_GRANT, true ) ) { // Cached: no query per appointment.
				delete_user_meta( $doctor_id, self::META_NEEDS_GRANT );
			}
			$artifacts = 'refused' === ( $answer['artifacts'] ?? '' ) ? 'refused' : 'off';
			return self::record( $appointment_id, $code, $access_type, self::STATE_APPLIED, '', $artifacts, 0, null );
		}
		$reason = (string) $answer->get_error_code();
		$data   = (array) $answer->get_error_data();
		++$attempts;
		if ( 'insufficient_scope' === $reason ) {
			update_user_meta( $doctor_id, self::META_NEEDS_GRANT, '1' );
			// Until the doctor grants the scope; looked at again daily and when they reconnect.
			return self::record( $appointment_id, $code, $access_type, self::STATE_NEEDS, $reason, '', $attempts, gmdate( 'Y-m-d H:i:s', time() + DAY_IN_SECONDS ) );
		}
		if ( MFK_Retry_Policy::is_retryable( $reason, $data ) && $attempts < self::MAX_ATTEMPTS ) {
			$delay = min( 6 * HOUR_IN_SECONDS, 60 * ( 2 ** ( $attempts - 1 ) ) );
			return self::record( $appointment_id, $code, $access_type, self::STATE_PENDING, $reason, '', $attempts, gmdate( 'Y-m-d H:i:s', time() + $delay ) );
		}
		return self::record( $appointment_id, $code, $access_type, self::STATE_NOT_APPLIED, $reason, '', $attempts, null );
	}

	/**
	 * A doctor connected (again, or granted more): their appointments waiting for a grant are due now.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function on_doctor_connected( $doctor_id ): void {
		global $wpdb;
		delete_user_meta( (int) $doctor_id, self::META_NEEDS_GRANT );
		self::wake();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- queue state.
		$wpdb->query(
			$wpdb->prepare(
				"UPDATE %i a JOIN %i m ON m.appointment_id = a.appointment_id SET a.state = 'pending', a.next_attempt_at = NULL, a.attempts = 0
				WHERE m.doctor_id = %d AND a.state IN ( 'needs_grant', 'not_applied', 'pending' )",
				self::table(),
				MFK_Schema::table(),
				(int) $doctor_id
			)
		);
	}

	/**
	 * Writes an appointment's access state.
	 *
	 * @param int         $appointment_id Appointment.
	 * @param string      $code           Meeting code.
	 * @param string      $access_type    Access type asked.
	 * @param string      $state          State.
	 * @param string      $reason         Stable reason code ('' when applied).
	 * @param string      $artifacts      off / refused / ''.
	 * @param int         $attempts       Failed attempts so far.
	 * @param string|null $next           When to try again (UTC), if at all.
	 * @return array<string,mixed>
	 */
	private static function record( int $appointment_id, string $code, string $access_type, string $state, string $reason, string $artifacts, int $attempts, ?string $next ): array {
		global $wpdb;
		$row = array(
			'appointment_id'  => $appointment_id,
			'meeting_code'    => $code,
			'access_type'     => $access_type,
			'state'           => $state,
			'reason'          => substr( $reason, 0, 64 ),
			'artifacts'       => $artifacts,
			'attempts'        => $attempts,
			'next_attempt_at' => $next,
			'updated_at'      => gmdate( 'Y-m-d H:i:s' ),
		);
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery -- queue state.
		$wpdb->replace( self::table(), $row, array( '%d', '%s', '%s', '%s', '%s', '%s', '%d', '%s', '%s' ) );
		return $row;
	}

	/**
	 * The Meet access of a doctor's connection, for their panel and the doctors table:
	 * `needs_grant` once a meeting was refused for the missing scope, until they grant it.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function doctor_state( int $doctor_id ): string {
		return '1' === (string) get_user_meta( $doctor_id, self::META_NEEDS_GRANT, true ) ? self::STATE_NEEDS : 'ok';
	}

	/**
	 * What staff see of an appointment's access (the Meet panel, REST).
	 *
	 * @param int $appointment_id Appointment.
	 * @return array{state:string,accessType:string,reason:string,artifacts:string}
	 */
	public static function summary( int $appointment_id ): array {
		$row = self::state( $appointment_id );
		return array(
			'state'      => $row ? (string) $row['state'] : 'none',
			'accessType' => $row ? (string) $row['access_type'] : self::access_type(),
			'reason'     => $row ? (string) $row['reason'] : '',
			'artifacts'  => $row ? (string) $row['artifacts'] : '',
		);
	}
}
