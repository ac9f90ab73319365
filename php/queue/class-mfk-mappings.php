<?php
/**
 * Rows of the mapping table: reads, intents (what a meeting should look like),
 * replays, flags and the queue's figures. Times are UTC; claims and completions are
 * MFK_Queue_Leases'.
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

	/** The link: none yet (or gone with its event), or ready with the last good URL in `url`. */
	const LINK_NONE  = 'none';
	const LINK_READY = 'ready';

	/** The sync of the latest change: reached Google, waiting or retrying, or failed (reason in last_error_code). */
	const SYNC_IN_STEP = 'in_step';
	const SYNC_PENDING = 'pending';
	const SYNC_FAILED  = 'failed';

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
	 *                                            `calendar_id`, `guests` (fingerprint of
	 *                                            the event's guest list, MFK_Meetings::guests()).
	 * @param array<string,mixed> $options        `force` (bool), `new_conference` (bool),
	 *                                            `create` (bool, default true for active,
	 *                                            false for cancelled), `adopt_legacy` (bool),
	 *                                            `retarget_calendar` (bool: give an existing
	 *                                            meeting of the same doctor the calendar of
	 *                                            `$target`; otherwise it keeps its own).
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
		foreach ( array( 'start_utc', 'end_utc', 'timezone', 'doctor_id', 'calendar_id', 'guests' ) as $key ) {
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
					'link_state'      => self::LINK_NONE,
					'sync_state'      => self::SYNC_PENDING,
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

		// A meeting stays in the calendar it was made for: a doctor's new calendar choice applies
		// to new meetings (and to meetings given to another doctor), never moves existing ones.
		if ( isset( $fields['calendar_id'] ) && empty( $options['retarget_calendar'] ) && '' !== (string) $row['calendar_id']
			&& (int) $row['doctor_id'] === (int) ( $fields['doctor_id'] ?? $row['doctor_id'] ) ) {
			unset( $fields['calendar_id'] );
		}

		// A row whose guest list was never fingerprinted (made before it was tracked, or by a
		// path that does not know it) learns it without a call to Google: only a change of a
		// known guest list is one.
		if ( isset( $fields['guests'] ) && '' === (string) $row['guests'] ) {
			$row['guests'] = $fields['guests'];
			self::set_guests( (int) $row['id'], (string) $fields['guests'] );
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
			$set[]    = "link_state = 'none'";
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
		$done = $wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET {$set_sql}, state = 'pending', sync_state = 'pending', intent_seq = intent_seq + 1, attempts = 0, intent_at = %s, next_attempt_at = %s, updated_at = %s WHERE id = %d", $values ) );
		if ( false === $done ) {
			return new WP_Error( 'mfk_db_error', __( 'The meeting could not be recorded in the database.', 'meet-for-kivicare' ) );
		}
		return self::get( (int) $row['id'] );
	}

	/**
	 * Stores a row's guest-list fingerprint without recording an intent.
	 *
	 * @param int    $id     Row id.
	 * @param string $guests Fingerprint.
	 */
	private static function set_guests( int $id, string $guests ): void {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET guests = %s WHERE id = %d AND guests = ''", $guests, $id ) );
	}

	/**
	 * Asks for a new conference on a meeting that is in step (a new revision: the sidecar then
	 * gives the same event a new Meet link). The old link stops being the appointment's at once:
	 * whoever asked for a new one wants the old one gone. Only while the row is still the ready
	 * one that was read: of two regenerates at once, one asks for a new link and the other finds
	 * it on its way.
	 *
	 * @param array<string,mixed> $row The ready row as read.
	 * @return bool Whether this call asked for it.
	 */
	public static function request_new_link( array $row ): bool {
		global $wpdb;
		$table = MFK_Schema::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (bool) $wpdb->query(
			$wpdb->prepare(
				"UPDATE `{$table}` SET revision = revision + 1, link_state = 'none', state = 'pending', sync_state = 'pending', intent_seq = intent_seq + 1, attempts = 0,
					intent_at = %s, next_attempt_at = %s, updated_at = %s
				 WHERE id = %d AND state = 'ready' AND desired = 'active' AND intent_seq = %d",
				$now,
				$now,
				$now,
				(int) $row['id'],
				(int) $row['intent_seq']
			)
		);
	}

	/**
	 * Makes failed and pending rows of a doctor due now (after reconnection). A meeting moved in
	 * Google (moved_in_google) waits for the clinic: replaying it would undo the doctor's move.
	 * So does one deleted in Google while the clinic chose to leave such events deleted
	 * (`google_deleted_event` = flag): only the clinic's Try again restores it.
	 *
	 * @param int $doctor_id Doctor.
	 * @return int Rows replayed.
	 */
	public static function replay_doctor( int $doctor_id ): int {
		global $wpdb;
		$table = MFK_Schema::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		// A code no row carries when deleted events are restored anyway.
		$left_deleted = 'flag' === MFK_Settings::get( 'google_deleted_event' ) ? MFK_Calendar_Sync::DELETED_IN_GOOGLE : 'moved_in_google';
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (int) $wpdb->query(
			$wpdb->prepare(
				"UPDATE `{$table}` SET state = 'pending', sync_state = 'pending', next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s
				 WHERE (doctor_id = %d OR synced_doctor_id = %d) AND state IN ('failed','pending')
				   AND last_error_code NOT IN ('moved_in_google', %s)
				   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				$now,
				$now,
				$now,
				$doctor_id,
				$doctor_id,
				$left_deleted
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
		return (bool) $wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET state = 'pending', sync_state = 'pending', revision = %d, next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s WHERE id = %d", $revision, $now, $now, $now, (int) $row['id'] ) );
	}

	/**
	 * The link every reader shows (patients and doctors join with it): the last good URL while
	 * the meeting is wanted and its link ready, whatever the latest change's sync says; '' when
	 * there is none, the appointment is cancelled or the event is known to be gone.
	 *
	 * @param array<string,mixed>|null $row Row.
	 */
	public static function link_url( ?array $row ): string {
		if ( null === $row || self::DESIRED_ACTIVE !== $row['desired'] || self::LINK_READY !== ( $row['link_state'] ?? '' ) ) {
			return '';
		}
		if ( MFK_Calendar_Sync::DELETED_IN_GOOGLE === ( $row['last_error_code'] ?? '' ) ) {
			return ''; // Deleted in Google and left so (clinic setting): nobody is sent to it.
		}
		return (string) $row['url'];
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
	 * Claims the "link ready" notice of this link: true for exactly one caller, even
	 * between concurrent runners (the marker is cleared when a new link replaces it).
	 *
	 * @param int    $appointment_id Appointment id.
	 * @param string $url            The link being announced.
	 */
	public static function claim_ready_notice( int $appointment_id, string $url ): bool {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return 1 === (int) $wpdb->query( $wpdb->prepare( "UPDATE `{$table}` SET ready_notified_at = %s WHERE appointment_id = %d AND url = %s AND ready_notified_at IS NULL", gmdate( 'Y-m-d H:i:s' ), $appointment_id, $url ) );
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
		if ( array_key_exists( 'synced_revision', $row ) && null !== $row['synced_revision'] ) {
			$row['synced_revision'] = (int) $row['synced_revision'];
		}
		foreach ( array( 'event_id', 'url', 'password', 'event_url', 'timezone', 'calendar_id', 'synced_status', 'synced_calendar_id', 'last_error_code', 'last_error_message', 'link_state', 'sync_state', 'etag' ) as $column ) {
			if ( array_key_exists( $column, $row ) ) {
				$row[ $column ] = (string) $row[ $column ];
			}
		}
		return $row;
	}
}
