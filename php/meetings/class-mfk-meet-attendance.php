<?php
/**
 * Who came to a consultation: after its end (plus a grace period) the queue asks the sidecar
 * (`POST /v1/meetings/attendance`) for the conference records of the meeting's space within the
 * appointment's window and keeps, per appointment, whether a call took place, its start and
 * end, and per participant only the display name, kind, first join, last leave and minutes
 * present; then derives the outcome (held, patient no-show, doctor no-show, not held) and fires
 * `mfk_meeting_attendance`. Records Google writes late are fetched again a bounded number of
 * times. See docs/queue.md, "Attendance".
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Attendance collection and its per-appointment record.
 */
final class MFK_Meet_Attendance {

	/** Outcomes. */
	const HELD            = 'held';
	const PATIENT_NO_SHOW = 'patient_no_show';
	const DOCTOR_NO_SHOW  = 'doctor_no_show';
	const NOT_HELD        = 'not_held';

	/** Looks for a call again this many times when Google has none yet, or one still running. */
	const MAX_LOOKS = 4;

	/** Appointments handled per queue run. */
	const BATCH = 10;

	/** Appointments that ended longer ago than this are not collected (Google keeps 30 days). */
	const MAX_AGE_DAYS = 7;

	/**
	 * The table (one row per appointment).
	 */
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . 'mfk_meet_attendance';
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
  state varchar(20) NOT NULL DEFAULT 'pending',
  outcome varchar(20) NOT NULL DEFAULT '',
  reason varchar(64) NOT NULL DEFAULT '',
  calls int(10) unsigned NOT NULL DEFAULT 0,
  call_start datetime NULL,
  call_end datetime NULL,
  participants longtext NULL,
  looks int(10) unsigned NOT NULL DEFAULT 0,
  next_attempt_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (appointment_id),
  KEY state_next_attempt (state,next_attempt_at)
) {$wpdb->get_charset_collate()};"
		);
	}

	/**
	 * Drops the table (uninstall).
	 */
	public static function drop_table(): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange,WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- uninstall.
		$wpdb->query( $wpdb->prepare( 'DROP TABLE IF EXISTS %i', self::table() ) );
	}

	/**
	 * Minutes after an appointment's end before attendance is read.
	 */
	public static function grace_minutes(): int {
		return max( 0, (int) apply_filters( 'mfk_attendance_grace_minutes', 15 ) );
	}

	/**
	 * Appointments whose consultation ended (plus the grace) and whose attendance is not
	 * recorded yet, or is due to be looked at again.
	 *
	 * @param int $limit Rows at most.
	 * @return array<int,array<string,string>>
	 */
	public static function due( int $limit ): array {
		global $wpdb;
		$now    = time();
		$before = gmdate( 'Y-m-d H:i:s', $now - self::grace_minutes() * MINUTE_IN_SECONDS );
		$after  = gmdate( 'Y-m-d H:i:s', $now - self::MAX_AGE_DAYS * DAY_IN_SECONDS );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- live queue state.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT m.appointment_id, m.url, m.doctor_id, m.start_utc, m.end_utc FROM %i m LEFT JOIN %i a ON a.appointment_id = m.appointment_id
				WHERE m.state = 'ready' AND m.desired = 'active' AND m.url LIKE %s
				AND m.end_utc <= %s AND m.end_utc > %s
				AND ( a.appointment_id IS NULL OR ( a.state = 'pending' AND ( a.next_attempt_at IS NULL OR a.next_attempt_at <= %s ) ) )
				ORDER BY m.end_utc LIMIT %d",
				MFK_Schema::table(),
				self::table(),
				'https://meet.google.com/%',
				$before,
				$after,
				gmdate( 'Y-m-d H:i:s', $now ),
				$limit
			),
			ARRAY_A
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * One pass over the appointments that are due.
	 *
	 * @param float $deadline microtime() after which no new call starts.
	 * @return int Appointments handled.
	 */
	public static function run_due( float $deadline ): int {
		$handled = 0;
		do {
			$rows = self::due( self::BATCH );
			foreach ( $rows as $row ) {
				if ( microtime( true ) >= $deadline ) {
					return $handled;
				}
				self::collect( $row );
				++$handled;
			}
		} while ( count( $rows ) === self::BATCH );
		return $handled;
	}

	/**
	 * When the next appointment becomes due (Unix time), or null when none will without a change.
	 */
	public static function next_due(): ?int {
		global $wpdb;
		$after = gmdate( 'Y-m-d H:i:s', time() - self::MAX_AGE_DAYS * DAY_IN_SECONDS );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- live queue state.
		$next = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT MIN( t ) FROM (
					SELECT MIN( m.end_utc ) AS t FROM %i m LEFT JOIN %i a ON a.appointment_id = m.appointment_id
					WHERE m.state = 'ready' AND m.desired = 'active' AND m.url LIKE %s AND m.end_utc > %s AND a.appointment_id IS NULL
					UNION ALL SELECT MIN( next_attempt_at ) FROM %i WHERE state = 'pending'
				) x",
				MFK_Schema::table(),
				self::table(),
				'https://meet.google.com/%',
				$after,
				self::table()
			)
		);
		if ( ! is_string( $next ) || '' === $next ) {
			return null;
		}
		$at = strtotime( $next . ' UTC' );
		return false === $at ? null : $at;
	}

	/**
	 * Reads and records one appointment's attendance.
	 *
	 * @param array<string,string> $row appointment_id, url, doctor_id, start_utc, end_utc.
	 * @return array<string,mixed> The stored record.
	 */
	public static function collect( array $row ): array {
		$appointment_id = (int) $row['appointment_id'];
		$doctor_id      = (int) $row['doctor_id'];
		$previous       = self::get( $appointment_id );
		$looks          = ( $previous ? (int) $previous['looks'] : 0 ) + 1;
		$code           = MFK_Meet_Access::meeting_code( (string) $row['url'] );
		$fields         = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( '' === $code || is_wp_error( $fields ) ) {
			return self::store( $appointment_id, 'failed', '', '' === $code ? 'no_meeting_code' : (string) $fields->get_error_code(), null, $looks );
		}
		$start  = strtotime( $row['start_utc'] . ' UTC' );
		$end    = strtotime( $row['end_utc'] . ' UTC' );
		$answer = MFK_Sidecar_Client::instance()->post(
			'/v1/meetings/attendance',
			$fields + array(
				'meetingCode' => $code,
				'from'        => gmdate( 'Y-m-d\TH:i:s\Z', (int) $start - 30 * MINUTE_IN_SECONDS ),
				'to'          => gmdate( 'Y-m-d\TH:i:s\Z', (int) $end ),
			),
			array(
				'doctor_id' => $doctor_id,
				'timeout'   => 20.0,
			)
		);
		if ( is_wp_error( $answer ) ) {
			$reason = (string) $answer->get_error_code();
			$again  = MFK_Retry_Policy::is_retryable( $reason, (array) $answer->get_error_data() ) && $looks < self::MAX_LOOKS;
			return self::store( $appointment_id, $again ? 'pending' : 'failed', '', $reason, null, $looks );
		}
		$calls   = (int) ( $answer['calls'] ?? 0 );
		$running = ! empty( $answer['running'] );
		if ( ( 0 === $calls || $running ) && $looks < self::MAX_LOOKS ) {
			// Google writes records after the call; a running call has no end yet: look again.
			return self::store( $appointment_id, 'pending', '', 0 === $calls ? 'no_record_yet' : 'call_running', $answer, $looks );
		}
		$record = self::store( $appointment_id, 'recorded', self::outcome( $answer ), '', $answer, $looks );
		$public = self::summary( $appointment_id );
		/**
		 * Attendance of a video consultation was recorded (for billing or CRM integrations).
		 *
		 * @param int                 $appointment_id KiviCare appointment id.
		 * @param array<string,mixed> $attendance     outcome, held, calls, start, end, participants
		 *                                            (kind, displayName, doctor, firstJoin,
		 *                                            lastLeave, minutes), as the REST route answers.
		 */
		do_action( 'mfk_meeting_attendance', $appointment_id, $public );
		return $record;
	}

	/**
	 * The outcome of an answer: held (the doctor and someone else), patient no-show (the doctor
	 * alone), doctor no-show (others without the doctor), not held (nobody).
	 *
	 * @param array<string,mixed> $answer The sidecar's answer.
	 */
	public static function outcome( array $answer ): string {
		$doctor = false;
		$others = false;
		foreach ( (array) ( $answer['participants'] ?? array() ) as $p ) {
			if ( ! empty( $p['doctor'] ) ) {
				$doctor = true;
			} else {
				$others = true;
			}
		}
		if ( $doctor ) {
			return $others ? self::HELD : self::PATIENT_NO_SHOW;
		}
		return $others ? self::DOCTOR_NO_SHOW : self::NOT_HELD;
	}

	/**
	 * The stored row of an appointment, or null.
	 *
	 * @param int $appointment_id Appointment.
	 * @return array<string,mixed>|null
	 */
	public static function get( int $appointment_id ): ?array {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- live state.
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE appointment_id = %d', self::table(), $appointment_id ), ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/**
	 * Writes an appointment's record; only names, kinds and times are kept.
	 *
	 * @param int                      $appointment_id Appointment.
	 * @param string                   $state          pending / recorded / failed.
	 * @param string                   $outcome        Outcome ('' until recorded).
	 * @param string                   $reason         Why not recorded yet ('' when recorded).
	 * @param array<string,mixed>|null $answer         The sidecar's answer, if any.
	 * @param int                      $looks          Looks so far.
	 * @return array<string,mixed>
	 */
	private static function store( int $appointment_id, string $state, string $outcome, string $reason, ?array $answer, int $looks ): array {
		global $wpdb;
		$people = array();
		foreach ( (array) ( $answer['participants'] ?? array() ) as $p ) {
			$people[] = array(
				'kind'        => in_array( $p['kind'] ?? '', array( 'signedin', 'anonymous', 'phone' ), true ) ? $p['kind'] : 'anonymous',
				'displayName' => sanitize_text_field( (string) ( $p['displayName'] ?? '' ) ),
				'doctor'      => ! empty( $p['doctor'] ),
				'firstJoin'   => self::datetime( $p['firstJoin'] ?? null ),
				'lastLeave'   => self::datetime( $p['lastLeave'] ?? null ),
				'minutes'     => max( 0, (int) ( $p['minutes'] ?? 0 ) ),
			);
		}
		$delay = min( 6 * HOUR_IN_SECONDS, 30 * MINUTE_IN_SECONDS * ( 2 ** max( 0, $looks - 1 ) ) );
		$row   = array(
			'appointment_id'  => $appointment_id,
			'state'           => $state,
			'outcome'         => $outcome,
			'reason'          => substr( $reason, 0, 64 ),
			'calls'           => (int) ( $answer['calls'] ?? 0 ),
			'call_start'      => self::datetime( $answer['start'] ?? null ),
			'call_end'        => self::datetime( $answer['end'] ?? null ),
			'participants'    => wp_json_encode( $people ),
			'looks'           => $looks,
			'next_attempt_at' => 'pending' === $state ? gmdate( 'Y-m-d H:i:s', time() + $delay ) : null,
			'updated_at'      => gmdate( 'Y-m-d H:i:s' ),
		);
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery -- queue state.
		$wpdb->replace( self::table(), $row, array( '%d', '%s', '%s', '%s', '%d', '%s', '%s', '%s', '%d', '%s', '%s' ) );
		return $row;
	}

	/**
	 * An RFC 3339 instant as a UTC datetime column value, or null.
	 *
	 * @param mixed $value Value from the sidecar.
	 */
	private static function datetime( $value ): ?string {
		$at = is_string( $value ) && '' !== $value ? strtotime( $value ) : false;
		return false === $at ? null : gmdate( 'Y-m-d H:i:s', $at );
	}

	/**
	 * What staff see (the Meet panel, REST, the action): times in ISO 8601 UTC.
	 *
	 * @param int $appointment_id Appointment.
	 * @return array<string,mixed>
	 */
	public static function summary( int $appointment_id ): array {
		$row = self::get( $appointment_id );
		if ( ! $row ) {
			return array( 'state' => 'none' );
		}
		$iso    = static fn( $v ) => is_string( $v ) && '' !== $v ? gmdate( 'c', (int) strtotime( $v . ' UTC' ) ) : null;
		$people = json_decode( (string) $row['participants'], true );
		return array(
			'state'        => (string) $row['state'],
			'outcome'      => '' !== $row['outcome'] ? (string) $row['outcome'] : null,
			'held'         => self::HELD === $row['outcome'],
			'reason'       => (string) $row['reason'],
			'calls'        => (int) $row['calls'],
			'start'        => $iso( $row['call_start'] ),
			'end'          => $iso( $row['call_end'] ),
			'participants' => array_map(
				static fn( $p ) => array(
					'kind'        => (string) $p['kind'],
					'displayName' => (string) $p['displayName'],
					'doctor'      => (bool) $p['doctor'],
					'firstJoin'   => $iso( $p['firstJoin'] ),
					'lastLeave'   => $iso( $p['lastLeave'] ),
					'minutes'     => (int) $p['minutes'],
				),
				is_array( $people ) ? $people : array()
			),
		);
	}
}
