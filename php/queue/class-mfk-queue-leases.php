<?php
/**
 * Leases on the queue's rows: is anything due, claim due rows (or one row) for a worker
 * so that concurrent workers never get the same row, and write a worker's outcome only
 * while it still holds the lease. Times come from the database clock so several
 * servers agree.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Claims and completions of queue rows.
 */
final class MFK_Queue_Leases {

	/**
	 * What taking a lease writes (placeholders: token, lease seconds twice). next_attempt_at
	 * moves to the lease end, so a crashed worker's rows come back by themselves.
	 */
	const LEASE_SET = 'lease_token = %s,
		lease_until = DATE_ADD(UTC_TIMESTAMP(), INTERVAL %d SECOND),
		next_attempt_at = DATE_ADD(UTC_TIMESTAMP(), INTERVAL %d SECOND),
		attempts = attempts + 1';

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
	 * Claims the rows of these appointments that are due and free (the background run
	 * after a request): a row another runner holds, or one waiting for its backoff, is
	 * left alone. A fresh intent (no attempt yet) counts as due whatever the clocks say:
	 * it was stamped with this server's time, the comparison uses the database's.
	 *
	 * @param int[] $appointment_ids Appointments (at most 100).
	 * @param int   $lease_seconds   Lease length.
	 * @return array<int,array<string,mixed>> Claimed rows (with `lease_token`).
	 */
	public static function claim_due_appointments( array $appointment_ids, int $lease_seconds ): array {
		global $wpdb;
		$table = MFK_Schema::table();
		$ids   = array_slice( array_values( array_unique( array_filter( array_map( 'intval', $appointment_ids ) ) ) ), 0, 100 );
		if ( ! $ids ) {
			return array();
		}
		$in = implode( ',', $ids ); // Integers only.
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and a list of integers.
		$rows = array_map( 'intval', (array) $wpdb->get_col( "SELECT id FROM `{$table}` WHERE appointment_id IN ({$in}) ORDER BY id" ) );
		if ( ! $rows ) {
			return array();
		}
		$token = bin2hex( random_bytes( 16 ) );
		$in    = implode( ',', $rows );
		$done  = $wpdb->query(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and a list of integers.
				"UPDATE `{$table}` SET " . self::LEASE_SET . "
				 WHERE id IN ({$in})
				   AND IFNULL(state, '') = 'pending'
				   AND (attempts = 0 OR next_attempt_at <= UTC_TIMESTAMP())
				   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				$token,
				$lease_seconds,
				$lease_seconds
			)
		);
		return $done ? self::rows_with_token( $token ) : array();
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
		if ( MFK_Mappings::STATE_PENDING === $final_state ) {
			$set[]    = "state = 'pending'";
			$set[]    = "sync_state = 'pending'";
			$set[]    = 'next_attempt_at = IF(intent_seq = %d, DATE_ADD(UTC_TIMESTAMP(), INTERVAL %d SECOND), UTC_TIMESTAMP())';
			$values[] = $seq;
			$values[] = max( 0, $delay );
		} else {
			// The sync follows the state: a failure is the latest change's, never the link's.
			$set[]    = "state = IF(intent_seq = %d, %s, 'pending')";
			$values[] = $seq;
			$values[] = $final_state;
			$set[]    = "sync_state = IF(intent_seq = %d, %s, 'pending')";
			$values[] = $seq;
			$values[] = MFK_Mappings::STATE_FAILED === $final_state ? MFK_Mappings::SYNC_FAILED : MFK_Mappings::SYNC_IN_STEP;
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
		return array_values( array_filter( array_map( array( 'MFK_Mappings', 'normalize' ), $rows ) ) );
	}
}
