<?php
/**
 * Changes made in the doctor's Google Calendar come back (docs/queue.md, "Calendar sync"): a
 * periodic incremental sync of every connected doctor's calendar (it works without push), sooner
 * when a push notification marked the calendar "sync due", and the push channels opened, renewed
 * before they expire and stopped on disconnect. The sync token and the channel live in the
 * doctor's user meta; the sidecar keeps nothing.
 *
 * A consultation event changed in Google (its etag is not the one WordPress kept) makes its
 * meeting due in the queue: the queue's ensure reads the event and applies the rules the sidecar
 * already has (deleted → restored with the same id and link; moved → `moved_in_google` with
 * Google's time, for the clinic; conference removed → repaired; replaced → adopted).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Incremental sync and push channels of doctors' calendars.
 */
final class MFK_Calendar_Sync {

	const META_SYNC_TOKEN = 'mfk_calendar_sync_token';
	const META_SYNC_DUE   = 'mfk_calendar_sync_due';
	const META_SYNC_LAST  = 'mfk_calendar_sync_last';
	const META_SYNC_ERROR = 'mfk_calendar_sync_error';

	/** The row's code while a "Put back" waits for the queue (MFK_Operation_Planner writes the time). */
	const PUT_BACK = 'put_back_requested';

	/** The row's code for an event deleted in Google and left so (setting `google_deleted_event` = flag). */
	const DELETED_IN_GOOGLE = 'deleted_in_google';

	/** Autoloaded option: Unix time before which the tick has no calendar to sync. */
	const OPTION_NEXT = 'mfk_calendar_sync_next';

	/** Seconds between two syncs of a doctor's calendar without push (filter `mfk_calendar_sync_interval`). */
	const DEFAULT_INTERVAL = 900;

	/** Doctors synced in one queue run at most. */
	const DOCTORS_PER_RUN = 10;

	/** Sidecar requests of one doctor's sync at most (each reads up to 1,000 events). */
	const REQUESTS_PER_SYNC = 5;

	/**
	 * WP-Cron: the queue's tick (and its run-now). Between two due times it costs nothing but an
	 * autoloaded option read, so the idle tick stays as cheap as before.
	 */
	public static function cron_run(): void {
		if ( time() < (int) get_option( self::OPTION_NEXT, 0 ) ) {
			return;
		}
		self::run_due();
	}

	/**
	 * Queue tick: syncs the calendars that are due (a push arrived) or whose last sync is older
	 * than the interval, renews channels, and notes when there is next something to do.
	 *
	 * @param int|null $now Unix time (tests).
	 * @return array<int,string> Outcome per doctor.
	 */
	public static function run_due( ?int $now = null ): array {
		$now      = $now ?? time();
		$interval = max( 60, (int) apply_filters( 'mfk_calendar_sync_interval', self::DEFAULT_INTERVAL ) );
		$push     = MFK_Calendar_Channels::push_enabled();
		$outcomes = array();
		$next     = $now + $interval;
		foreach ( self::by_urgency( self::connected_doctors() ) as $doctor_id => $state ) {
			list( $due, $last ) = $state;
			if ( $due || $last + $interval <= $now ) {
				if ( count( $outcomes ) >= self::DOCTORS_PER_RUN ) {
					$next = $now; // More doctors wait: the next tick goes on.
					continue;
				}
				$result                 = self::sync_doctor( $doctor_id );
				$outcomes[ $doctor_id ] = is_wp_error( $result ) ? $result->get_error_code() : 'ok';
				$last                   = (int) get_user_meta( $doctor_id, self::META_SYNC_LAST, true );
				if ( (int) get_user_meta( $doctor_id, self::META_SYNC_DUE, true ) > 0 ) {
					$next = $now;
				}
			}
			$next = min( $next, max( $last, $now ) + $interval );
			if ( $push ) {
				$channel = MFK_Calendar_Channels::ensure_channel( $doctor_id, $now );
				if ( is_array( $channel ) && $channel['expiration'] > 0 ) {
					$next = min( $next, (int) floor( $channel['expiration'] / 1000 ) - MFK_Calendar_Channels::RENEW_BEFORE );
				}
			}
		}
		update_option( self::OPTION_NEXT, max( $next, $now + 60 ), true );
		return $outcomes;
	}

	/**
	 * One doctor's incremental sync: reads the changes since the stored token (a full sync of
	 * this site's events without one, or after Google's 410) and makes the changed meetings due.
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{events:int,requeued:int,full:bool}|WP_Error
	 */
	public static function sync_doctor( int $doctor_id ) {
		$token    = (string) get_user_meta( $doctor_id, self::META_SYNC_TOKEN, true );
		$page     = '';
		$full     = false;
		$events   = 0;
		$requeued = 0;
		// Cleared first: a push arriving during the sync marks it due again.
		delete_user_meta( $doctor_id, self::META_SYNC_DUE );
		for ( $i = 0; $i < self::REQUESTS_PER_SYNC; $i++ ) {
			$extra = array( 'calendarId' => MFK_Doctor_Connection::calendar_id( $doctor_id ) );
			if ( '' !== $token ) {
				$extra['syncToken'] = $token;
			}
			if ( '' !== $page ) {
				$extra['pageToken'] = $page;
			}
			$answer = MFK_Doctor_Connection::call( $doctor_id, '/v1/calendars/sync', $extra, 20 );
			if ( is_wp_error( $answer ) ) {
				update_user_meta( $doctor_id, self::META_SYNC_ERROR, $answer->get_error_code() );
				if ( ! empty( ( (array) $answer->get_error_data() )['retryable'] ) ) {
					update_user_meta( $doctor_id, self::META_SYNC_DUE, time() );
				}
				return $answer;
			}
			if ( ! empty( $answer['fullSync'] ) ) {
				$full  = true;
				$token = ''; // A full sync's pages go on without the refused token.
			}
			foreach ( (array) ( $answer['events'] ?? array() ) as $event ) {
				if ( is_array( $event ) ) {
					++$events;
					$requeued += self::apply( $event ) ? 1 : 0;
				}
			}
			$page = is_string( $answer['nextPageToken'] ?? null ) ? $answer['nextPageToken'] : '';
			if ( is_string( $answer['nextSyncToken'] ?? null ) && '' !== $answer['nextSyncToken'] ) {
				update_user_meta( $doctor_id, self::META_SYNC_TOKEN, $answer['nextSyncToken'] );
				update_user_meta( $doctor_id, self::META_SYNC_LAST, time() );
				delete_user_meta( $doctor_id, self::META_SYNC_ERROR );
				break;
			}
			if ( '' === $page ) {
				break;
			}
		}
		if ( '' !== $page ) {
			// More to read: the next queue run goes on.
			update_user_meta( $doctor_id, self::META_SYNC_DUE, time() );
		}
		if ( $requeued > 0 ) {
			MFK_Queue::schedule_immediate_run();
		}
		return array(
			'events'   => $events,
			'requeued' => $requeued,
			'full'     => $full,
		);
	}

	/**
	 * One of this site's events as Google has it now: when it is not the version WordPress
	 * wrote last, its meeting is made due so the queue applies the rules.
	 *
	 * @param array<string,mixed> $event Compact event from the sidecar.
	 * @return bool Whether the meeting was made due.
	 */
	public static function apply( array $event ): bool {
		global $wpdb;
		$event_id = is_string( $event['eventId'] ?? null ) ? $event['eventId'] : '';
		$row      = MFK_Mappings::get_by_event_id( $event_id );
		if ( null === $row || MFK_Mappings::DESIRED_ACTIVE !== $row['desired'] || 'active' !== $row['synced_status'] ) {
			return false;
		}
		$etag = is_string( $event['etag'] ?? null ) ? $event['etag'] : '';
		if ( '' !== $etag && $etag === (string) $row['etag'] ) {
			return false; // WordPress's own write, or a change already looked at.
		}
		$table = MFK_Schema::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		if ( 'cancelled' === ( $event['status'] ?? '' ) && 'flag' === MFK_Settings::get( 'google_deleted_event' ) ) {
			// The clinic's choice: left deleted, and shown to staff (Try again restores it).
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$wpdb->query(
				$wpdb->prepare(
					"UPDATE `{$table}` SET state = 'failed', sync_state = 'failed', last_error_code = %s, last_error_message = %s, etag = %s, updated_at = %s
					 WHERE id = %d AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
					self::DELETED_IN_GOOGLE,
					__( 'The event was deleted in Google Calendar and left deleted (clinic setting). Try again to restore it with the same link.', 'meet-for-kivicare' ),
					mb_substr( $etag, 0, 255 ),
					$now,
					(int) $row['id']
				)
			);
			return false;
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (bool) $wpdb->query(
			$wpdb->prepare(
				"UPDATE `{$table}` SET state = 'pending', sync_state = 'pending', next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s
				 WHERE id = %d AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				$now,
				$now,
				$now,
				(int) $row['id']
			)
		);
	}

	/**
	 * Stops the doctor's channel (disconnect) and forgets it and the sync token.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function on_disconnected( $doctor_id ): void {
		$doctor_id = (int) $doctor_id;
		$channel   = MFK_Calendar_Channels::channel( $doctor_id );
		if ( null !== $channel ) {
			MFK_Calendar_Channels::stop( $doctor_id, $channel );
		}
		foreach ( array( MFK_Calendar_Channels::META_CHANNEL, MFK_Calendar_Channels::META_CHANNEL_ID, self::META_SYNC_TOKEN, self::META_SYNC_DUE, self::META_SYNC_LAST, self::META_SYNC_ERROR ) as $key ) {
			delete_user_meta( $doctor_id, $key );
		}
	}

	/**
	 * Marks the doctor's calendar "sync due" and asks for a queue run.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function mark_due( int $doctor_id ): void {
		if ( (int) get_user_meta( $doctor_id, self::META_SYNC_DUE, true ) > 0 ) {
			return; // Already due: a flood of valid notices writes nothing.
		}
		update_user_meta( $doctor_id, self::META_SYNC_DUE, time() );
		update_option( self::OPTION_NEXT, 0, true );
		MFK_Queue::schedule_immediate_run();
	}

	/**
	 * The health panel's view: push on or off, doctors synced, failing or with a channel, the
	 * oldest last sync, and the meetings flagged moved in Google that wait for the clinic.
	 *
	 * @return array{push:bool,doctors:int,synced:int,failing:int,channels:int,oldest_sync_at:string|null,moved_in_google:int}
	 */
	public static function health(): array {
		global $wpdb;
		$doctors = self::connected_doctors();
		$synced  = 0;
		$failing = 0;
		$open    = 0;
		$oldest  = null;
		foreach ( $doctors as $doctor_id ) {
			$last = (int) get_user_meta( $doctor_id, self::META_SYNC_LAST, true );
			if ( $last > 0 ) {
				++$synced;
				$oldest = null === $oldest ? $last : min( $oldest, $last );
			}
			$failing += '' !== (string) get_user_meta( $doctor_id, self::META_SYNC_ERROR, true ) ? 1 : 0;
			$open    += null !== MFK_Calendar_Channels::channel( $doctor_id ) ? 1 : 0;
		}
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only; a health view.
		$moved = (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$table}` WHERE last_error_code = 'moved_in_google'" );
		return array(
			'push'            => MFK_Calendar_Channels::push_enabled(),
			'doctors'         => count( $doctors ),
			'synced'          => $synced,
			'failing'         => $failing,
			'channels'        => $open,
			'oldest_sync_at'  => null !== $oldest ? gmdate( 'c', $oldest ) : null,
			'moved_in_google' => $moved,
		);
	}

	/**
	 * Orders doctors for a run: those Google pushed a change for first, then the longest
	 * unsynced, so a push is never left behind the interval syncs of a run's cap.
	 *
	 * @param int[] $doctors Doctor ids.
	 * @return array<int,array{0:bool,1:int}> Due flag and last sync time per doctor.
	 */
	private static function by_urgency( array $doctors ): array {
		$states = array();
		foreach ( $doctors as $doctor_id ) {
			$states[ $doctor_id ] = array(
				(int) get_user_meta( $doctor_id, self::META_SYNC_DUE, true ) > 0,
				(int) get_user_meta( $doctor_id, self::META_SYNC_LAST, true ),
			);
		}
		uasort(
			$states,
			static function ( array $a, array $b ): int {
				return array( $b[0], $a[1] ) <=> array( $a[0], $b[1] );
			}
		);
		return $states;
	}

	/**
	 * Connected doctors (active Google connection).
	 *
	 * @return int[]
	 */
	private static function connected_doctors(): array {
		return array_map(
			'intval',
			get_users(
				array(
					'meta_key'   => MFK_Doctor_Connection::META_STATUS, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
					'meta_value' => MFK_Doctor_Connection::STATUS_ACTIVE, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value
					'fields'     => 'ID',
					'orderby'    => 'ID',
				)
			)
		);
	}
}
