<?php
/**
 * Rows of the mapping table: intents, atomic claims and results. All SQL of the
 * queue lives here; times are UTC and compared with the database clock so several
 * servers agree.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Mapping-table repository.
 */
final class MFK_Mappings {

	const DESIRED_ACTIVE    = 'active';
	const DESIRED_CANCELLED = 'cancelled';

	const STATE_PENDING   = 'pending';
	const STATE_READY     = 'ready';
	const STATE_CANCELLED = 'cancelled';
	const STATE_FAILED    = 'failed';
	const STATE_LEGACY    = 'legacy';

	/**
	 * What taking a lease writes (placeholders: token, lease seconds twice). next_attempt_at
	 * moves to the lease end, so a crashed worker's rows come back by themselves.
	 */
	const LEASE_SET = 'lease_token = %s,
		lease_until = DATE_ADD(UTC_TIMESTAMP(), INTERVAL %d SECOND),
		next_attempt_at = DATE_ADD(UTC_TIMESTAMP(), INTERVAL %d SECOND),
		attempts = attempts + 1';

	/** Integer columns, cast on read. */
	const INT_COLUMNS = array( 'id', 'appointment_id', 'intent_seq', 'doctor_id', 'revision', 'synced_doctor_id', 'attempts', 'link_in_booking_mail' );

	/**
	 * Row by appointment id.
	 *
	 * @param int $appointment_id Appointment id.
	 * @return array<string,mixed>|null
	 */
	public static function get_by_appointment( int $appointment_id ): ?array {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return self::normalize( $wpdb->get_row( $wpdb->prepare( "SELECT * FROM `{$table}` WHERE appointment_id = %d", $appointment_id ), ARRAY_A ) );
	}

	/**
	 * Row by Google event id.
	 *
	 * @param string $event_id Event id.
	 * @return array<string,mixed>|null
	 */
	public static function get_by_event_id( string $event_id ): ?array {
		global $wpdb;
		if ( '' === $event_id ) {
			return null;
		}
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return self::normalize( $wpdb->get_row( $wpdb->prepare( "SELECT * FROM `{$table}` WHERE event_id = %s ORDER BY id DESC LIMIT 1", $event_id ), ARRAY_A ) );
	}

	/**
	 * Row by id.
	 *
	 * @param int $id Row id.
	 * @return array<string,mixed>|null
	 */
	public static function get( int $id ): ?array {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return self::normalize( $wpdb->get_row( $wpdb->prepare( "SELECT * FROM `{$table}` WHERE id = %d", $id ), ARRAY_A ) );
	}

	/**
	 * Records what an appointment's meeting should look like. A change (or $force)
	 * bumps `intent_seq`, resets the attempt counter and makes the row due now; an
	 * unchanged intent is a no-op, so repeated saves collapse.
	 *
	 * @param int                 $appointment_id Appointment id.
	 * @param array<string,mixed> $target         `desired`, and for active: `start_utc`,
	 *                                            `end_utc`, `timezone`, `doctor_id`,
	 *                                            `calendar_id`.
	 * @param array<string,mixed> $options        `force` (bool), `new_conference` (bool),
	 *                                            `create` (bool, default true for active,
	 *                                            false for cancelled), `adopt_legacy` (bool).
	 * @return array<string,mixed>|null|WP_Error The row after the write (null: nothing
	 *                                            to record), WP_Error on database failure.
	 */
	public static function record_intent( int $appointment_id, array $target, array $options = array() ) {
		global $wpdb;
		$table   = MFK_Schema::table();
		$desired = self::DESIRED_CANCELLED === ( $target['desired'] ?? '' ) ? self::DESIRED_CANCELLED : self::DESIRED_ACTIVE;
		$create  = (bool) ( $options['create'] ?? ( self::DESIRED_ACTIVE === $desired ) );
		$now     = gmdate( 'Y-m-d H:i:s' );

		$fields = array( 'desired' => $desired );
		foreach ( array( 'start_utc', 'end_utc', 'timezone', 'doctor_id', 'calendar_id' ) as $key ) {
			if ( array_key_exists( $key, $target ) && null !== $target[ $key ] ) {
				$fields[ $key ] = 'doctor_id' === $key ? (int) $target[ $key ] : (string) $target[ $key ];
			}
		}

		$row = self::get_by_appointment( $appointment_id );
		if ( null === $row ) {
			if ( ! $create ) {
				return null;
			}
			$insert = array_merge(
				array(
					'appointment_id'  => $appointment_id,
					'event_id'        => MFK_Site::event_id( $appointment_id ),
					'url'             => '',
					'password'        => '',
					'event_url'       => '',
					'created_at'      => $now,
					'state'           => self::STATE_PENDING,
					'intent_seq'      => 1,
					'intent_at'       => $now,
					'next_attempt_at' => $now,
					'updated_at'      => $now,
				),
				$fields,
				array_intersect_key( $target, array_flip( array( 'synced_status', 'synced_doctor_id', 'synced_calendar_id' ) ) )
			);
			$columns      = implode( ', ', array_map( static fn ( $c ) => "`{$c}`", array_keys( $insert ) ) );
			$placeholders = implode( ', ', array_map( static fn ( $v ) => is_int( $v ) ? '%d' : '%s', $insert ) );
			// INSERT IGNORE: a concurrent save of the same appointment wins the unique key;
			// this one then updates the row it created.
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- table/columns/placeholders built above.
			$done = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO `{$table}` ({$columns}) VALUES ({$placeholders})", array_values( $insert ) ) );
			if ( false === $done ) {
				return new WP_Error( 'mfk_db_error', __( 'The meeting could not be recorded in the database.', 'meet-for-kivicare' ) );
			}
			$row = self::get_by_appointment( $appointment_id );
			if ( null === $row ) {
				return new WP_Error( 'mfk_db_error', __( 'The meeting could not be recorded in the database.', 'meet-for-kivicare' ) );
			}
			if ( $done > 0 ) {
				return $row;
			}
		}

		if ( self::STATE_LEGACY === $row['state'] && empty( $options['adopt_legacy'] ) ) {
			// Rows of the original add-on point at events we did not create; leave them.
			return $row;
		}

		$changed = $row['desired'] !== $desired;
		if ( self::DESIRED_ACTIVE === $desired ) {
			foreach ( $fields as $key => $value ) {
				if ( (string) $row[ $key ] !== (string) $value ) {
					$changed = true;
				}
			}
		}
		$force = ! empty( $options['force'] ) || ! empty( $options['new_conference'] ) || ( self::STATE_LEGACY === $row['state'] );
		if ( ! $changed && ! $force ) {
			return $row;
		}
		if ( self::DESIRED_CANCELLED === $desired ) {
			// Keep the target of the last intent; only the wish changes.
			$fields = array( 'desired' => $desired );
		}

		$set    = array();
		$values = array();
		foreach ( $fields as $key => $value ) {
			$set[]    = "`{$key}` = " . ( is_int( $value ) ? '%d' : '%s' );
			$values[] = $value;
		}
		if ( self::STATE_LEGACY === $row['state'] ) {
			$set[]    = 'event_id = %s';
			$values[] = MFK_Site::event_id( $appointment_id );
			$set[]    = "url = ''";
			$set[]    = "event_url = ''";
		}
		if ( ! empty( $options['new_conference'] ) ) {
			$set[] = 'revision = revision + 1';
		}
		$values[] = $now;
		$values[] = $now;
		$values[] = $now;
		$values[] = (int) $row['id'];
		$set_sql  = implode( ', ', $set );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- table and SET list built above.
		$done = $wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET {$set_sql}, state = 'pending', intent_seq = intent_seq + 1, attempts = 0, intent_at = %s, next_attempt_at = %s, updated_at = %s WHERE id = %d", $values ) );
		if ( false === $done ) {
			return new WP_Error( 'mfk_db_error', __( 'The meeting could not be recorded in the database.', 'meet-for-kivicare' ) );
		}
		return self::get( (int) $row['id'] );
	}

	/**
	 * One cheap indexed query: is anything due?
	 */
	public static function has_due(): bool {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return null !== $wpdb->get_var( "SELECT id FROM `{$table}` WHERE state = 'pending' AND next_attempt_at <= UTC_TIMESTAMP() LIMIT 1" );
	}

	/**
	 * Seconds until the next pending row is due (null when none is pending).
	 */
	public static function seconds_until_next_due(): ?int {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$value = $wpdb->get_var( "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), MIN(next_attempt_at)) FROM `{$table}` WHERE state = 'pending'" );
		return null === $value ? null : max( 0, (int) $value );
	}

	/**
	 * Atomically claims up to $limit due rows for this worker (and pushes next_attempt_at
	 * to the lease end, so a crashed worker's rows come back by themselves); concurrent
	 * workers never get the same row.
	 *
	 * Two steps, so that claiming never deadlocks with a save of a row: a plain read picks
	 * the candidates (oldest due first, no locks), then one UPDATE takes the ones still
	 * claimable, by primary key. A single UPDATE scanning the (state, next_attempt_at)
	 * index would lock index entries before rows, the opposite order of a save (row, then
	 * its index entries), and InnoDB would roll one of them back. (The state is compared
	 * inside IFNULL() so that MySQL does not pick that index for the UPDATE either.)
	 *
	 * @param int $limit         Max rows.
	 * @param int $lease_seconds Lease length.
	 * @return array<int,array<string,mixed>> Claimed rows (with `lease_token`).
	 */
	public static function claim_due( int $limit, int $lease_seconds ): array {
		global $wpdb;
		$table = MFK_Schema::table();
		$token = bin2hex( random_bytes( 16 ) );
		$limit = max( 1, $limit );
		for ( $try = 0; $try < 3; $try++ ) {
			// Some spare candidates: other workers may take some of them meanwhile.
			$ids = array_map(
				'intval',
				(array) $wpdb->get_col(
					$wpdb->prepare(
						// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
						"SELECT id FROM `{$table}`
						 WHERE state = 'pending'
						   AND next_attempt_at <= UTC_TIMESTAMP()
						   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())
						 ORDER BY next_attempt_at
						 LIMIT %d",
						$limit * 2
					)
				)
			);
			if ( ! $ids ) {
				return array();
			}
			sort( $ids );
			$in   = implode( ',', $ids ); // Integers only.
			$done = $wpdb->query(
				$wpdb->prepare(
					// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and a list of integers.
					"UPDATE `{$table}` SET " . self::LEASE_SET . "
					 WHERE id IN ({$in})
					   AND IFNULL(state, '') = 'pending'
					   AND next_attempt_at <= UTC_TIMESTAMP()
					   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())
					 ORDER BY id
					 LIMIT %d",
					$token,
					$lease_seconds,
					$lease_seconds,
					$limit
				)
			);
			if ( $done ) {
				return self::rows_with_token( $token );
			}
			// None left (other workers were faster), or the rare lock conflict: look again.
			usleep( random_int( 2000, 20000 ) );
		}
		return array();
	}

	/**
	 * Claims one pending row regardless of its backoff (a save in this request wants
	 * it synced now), unless another worker holds it.
	 *
	 * @param int $id            Row id.
	 * @param int $lease_seconds Lease length.
	 * @return array<string,mixed>|null
	 */
	public static function claim_one( int $id, int $lease_seconds ): ?array {
		global $wpdb;
		$table = MFK_Schema::table();
		$token = bin2hex( random_bytes( 16 ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$done = $wpdb->query(
			$wpdb->prepare(
				"UPDATE `{$table}` SET " . self::LEASE_SET . "
				 WHERE id = %d AND state = 'pending'
				   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				$token,
				$lease_seconds,
				$lease_seconds,
				$id
			)
		);
		if ( ! $done ) {
			return null;
		}
		$rows = self::rows_with_token( $token );
		return $rows[0] ?? null;
	}

	/**
	 * Writes a worker's outcome, only while it still holds the lease. When a newer
	 * intent arrived meanwhile (intent_seq moved), the synced facts are kept but the
	 * row stays pending and due now instead of taking $final_state.
	 *
	 * @param array<string,mixed> $row         Claimed row.
	 * @param array<string,mixed> $fields      Columns to set.
	 * @param string              $final_state ready, cancelled, failed or pending.
	 * @param int                 $delay       For pending: seconds until due again.
	 * @return bool Whether the write happened (false: lease lost).
	 */
	public static function complete( array $row, array $fields, string $final_state, int $delay = 0 ): bool {
		global $wpdb;
		$table  = MFK_Schema::table();
		$set    = array();
		$values = array();
		foreach ( $fields as $key => $value ) {
			if ( null === $value ) {
				$set[] = "`{$key}` = NULL";
				continue;
			}
			$set[]    = "`{$key}` = " . ( is_int( $value ) ? '%d' : '%s' );
			$values[] = $value;
		}
		$seq = (int) $row['intent_seq'];
		if ( self::STATE_PENDING === $final_state ) {
			$set[]    = "state = 'pending'";
			$set[]    = 'next_attempt_at = IF(intent_seq = %d, DATE_ADD(UTC_TIMESTAMP(), INTERVAL %d SECOND), UTC_TIMESTAMP())';
			$values[] = $seq;
			$values[] = max( 0, $delay );
		} else {
			$set[]    = "state = IF(intent_seq = %d, %s, 'pending')";
			$values[] = $seq;
			$values[] = $final_state;
			$set[]    = 'next_attempt_at = IF(intent_seq = %d, NULL, UTC_TIMESTAMP())';
			$values[] = $seq;
		}
		$set[]    = 'lease_token = NULL';
		$set[]    = 'lease_until = NULL';
		$set[]    = 'updated_at = %s';
		$values[] = gmdate( 'Y-m-d H:i:s' );
		$values[] = (int) $row['id'];
		$values[] = (string) $row['lease_token'];
		$set_sql  = implode( ', ', $set );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- table and SET list built above.
		// Found by primary key only: compared inside IFNULL(), the lease token cannot steer
		// MySQL to its index, whose range locks would deadlock with concurrent claims.
		$done = $wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET {$set_sql} WHERE id = %d AND IFNULL(lease_token, '') = %s", $values ) );
		return (bool) $done;
	}

	/**
	 * Makes failed and pending rows of a doctor due now (after reconnection).
	 *
	 * @param int $doctor_id Doctor.
	 * @return int Rows replayed.
	 */
	public static function replay_doctor( int $doctor_id ): int {
		global $wpdb;
		$table = MFK_Schema::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (int) $wpdb->query(
			$wpdb->prepare(
				"UPDATE `{$table}` SET state = 'pending', next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s
				 WHERE (doctor_id = %d OR synced_doctor_id = %d) AND state IN ('failed','pending')
				   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				$now,
				$now,
				$now,
				$doctor_id,
				$doctor_id
			)
		);
	}

	/**
	 * Makes one failed (or waiting) row due now; a failed conference gets a fresh
	 * revision so Google creates a new one.
	 *
	 * @param int $appointment_id Appointment id.
	 * @return bool Whether a row was replayed.
	 */
	public static function replay( int $appointment_id ): bool {
		global $wpdb;
		$row = self::get_by_appointment( $appointment_id );
		if ( null === $row || ! in_array( $row['state'], array( self::STATE_FAILED, self::STATE_PENDING ), true ) ) {
			return false;
		}
		$table    = MFK_Schema::table();
		$now      = gmdate( 'Y-m-d H:i:s' );
		$revision = 'conference_failed' === $row['last_error_code'] ? (int) $row['revision'] + 1 : (int) $row['revision'];
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (bool) $wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET state = 'pending', revision = %d, next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s WHERE id = %d", $revision, $now, $now, $now, (int) $row['id'] ) );
	}

	/**
	 * Sets the "KiviCare's booking mail carried the link" flag.
	 *
	 * @param int $appointment_id Appointment id.
	 */
	public static function mark_link_in_booking_mail( int $appointment_id ): void {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET link_in_booking_mail = 1 WHERE appointment_id = %d AND url <> ''", $appointment_id ) );
	}

	/**
	 * Records that the "link ready" notice went out.
	 *
	 * @param int $appointment_id Appointment id.
	 */
	public static function mark_ready_notified( int $appointment_id ): void {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET ready_notified_at = %s WHERE appointment_id = %d", gmdate( 'Y-m-d H:i:s' ), $appointment_id ) );
	}

	/**
	 * Queue health figures: rows per state, due now, oldest pending intent age,
	 * failures per code.
	 *
	 * @return array{states:array<string,int>,due:int,oldest_pending_seconds:int|null,failed_by_code:array<string,int>}
	 */
	public static function stats(): array {
		global $wpdb;
		$table  = MFK_Schema::table();
		$states = array();
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		foreach ( (array) $wpdb->get_results( "SELECT state, COUNT(*) AS n FROM `{$table}` GROUP BY state", ARRAY_A ) as $r ) {
			$states[ (string) $r['state'] ] = (int) $r['n'];
		}
		$due    = (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$table}` WHERE state = 'pending' AND next_attempt_at <= UTC_TIMESTAMP()" );
		$oldest = $wpdb->get_var( "SELECT TIMESTAMPDIFF(SECOND, MIN(intent_at), UTC_TIMESTAMP()) FROM `{$table}` WHERE state = 'pending'" );
		$failed = array();
		foreach ( (array) $wpdb->get_results( "SELECT last_error_code, COUNT(*) AS n FROM `{$table}` WHERE state = 'failed' GROUP BY last_error_code", ARRAY_A ) as $r ) {
			$failed[ (string) $r['last_error_code'] ] = (int) $r['n'];
		}
		// phpcs:enable
		return array(
			'states'                 => $states,
			'due'                    => $due,
			'oldest_pending_seconds' => null === $oldest ? null : (int) $oldest,
			'failed_by_code'         => $failed,
		);
	}

	/**
	 * Rows holding a lease token.
	 *
	 * @param string $token Lease token.
	 * @return array<int,array<string,mixed>>
	 */
	private static function rows_with_token( string $token ): array {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = (array) $wpdb->get_results( $wpdb->prepare( "SELECT * FROM `{$table}` WHERE lease_token = %s ORDER BY id", $token ), ARRAY_A );
		return array_values( array_filter( array_map( array( __CLASS__, 'normalize' ), $rows ) ) );
	}

	/**
	 * Casts a raw row.
	 *
	 * @param mixed $row Raw row.
	 * @return array<string,mixed>|null
	 */
	public static function normalize( $row ): ?array {
		if ( ! is_array( $row ) ) {
			return null;
		}
		foreach ( self::INT_COLUMNS as $column ) {
			if ( array_key_exists( $column, $row ) ) {
				$row[ $column ] = (int) $row[ $column ];
			}
		}
		foreach ( array( 'event_id', 'url', 'password', 'event_url', 'timezone', 'calendar_id', 'synced_status', 'synced_calendar_id', 'last_error_code', 'last_error_message' ) as $column ) {
			if ( array_key_exists( $column, $row ) ) {
				$row[ $column ] = (string) $row[ $column ];
			}
		}
		return $row;
	}
}
