<?php
/**
 * The durable provisioning queue as WordPress runs it: the WP-Cron schedule, and the
 * runner that claims due rows in batches and hands them to MFK_Queue_Worker until
 * none is due or its time is up. See docs/queue.md.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Queue runner and cron wiring.
 */
final class MFK_Queue {

	/** Recurring WP-Cron hook (hooked, like the next one, in php/plugin/hooks.php). */
	const CRON_HOOK = 'mfk_queue_tick';

	/** One-off "run soon" hook scheduled when an intent could not be synced at once. */
	const CRON_NOW_HOOK = 'mfk_queue_run_now';

	/** Custom cron schedule. */
	const SCHEDULE = 'mfk_every_minute';

	/**
	 * Adds the one-minute schedule.
	 *
	 * @param array<string,array<string,mixed>> $schedules Schedules.
	 * @return array<string,array<string,mixed>>
	 */
	public static function cron_schedules( $schedules ): array {
		$schedules                   = (array) $schedules;
		$schedules[ self::SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'Every minute (Meet for KiviCare queue)', 'meet-for-kivicare' ),
		);
		return $schedules;
	}

	/**
	 * Schedules the recurring tick.
	 */
	public static function schedule(): void {
		if ( ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + 30, self::SCHEDULE, self::CRON_HOOK );
		}
	}

	/**
	 * Self-heals a lost schedule (reads the autoloaded cron option only).
	 */
	public static function ensure_scheduled(): void {
		if ( get_option( MFK_Schema::VERSION_OPTION ) ) {
			self::schedule();
		}
	}

	/**
	 * Removes the cron events.
	 */
	public static function unschedule(): void {
		wp_clear_scheduled_hook( self::CRON_HOOK );
		wp_clear_scheduled_hook( self::CRON_NOW_HOOK );
		wp_clear_scheduled_hook( MFK_Booking_Confirmation::CRON_HOOK );
	}

	/**
	 * Asks WP-Cron for a run as soon as possible (deduplicated by WordPress).
	 */
	public static function schedule_immediate_run(): void {
		if ( ! wp_next_scheduled( self::CRON_NOW_HOOK ) ) {
			wp_schedule_single_event( time(), self::CRON_NOW_HOOK );
		}
	}

	/**
	 * WP-Cron entry point: a bounded run that leaves room for other cron jobs.
	 */
	public static function cron_run(): void {
		self::run(
			array(
				'max_seconds' => (int) apply_filters( 'mfk_queue_cron_max_seconds', 25 ),
			)
		);
	}

	/**
	 * Replays a reconnected doctor's waiting meetings.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function on_doctor_reconnected( $doctor_id ): void {
		if ( MFK_Mappings::replay_doctor( (int) $doctor_id ) > 0 ) {
			self::schedule_immediate_run();
		}
	}

	/**
	 * Works through due rows in batches until none is due or time is up. With
	 * `linger`, keeps polling for rows that become due until the deadline (system
	 * cron running every minute with --max-seconds).
	 *
	 * @param array<string,mixed> $args `max_seconds` (default 25), `batch_size`,
	 *                                  `linger` (bool), `until_idle` (with linger: leave
	 *                                  once nothing pending is due before the deadline),
	 *                                  `wait_ms` (per operation), `keep_going` (callable
	 *                                  asked before each pass; false ends the run).
	 * @return array{runs:int,claimed:int,ready:int,cancelled:int,pending:int,failed:int,lost:int}
	 */
	public static function run( array $args = array() ): array {
		$stats = array(
			'runs'      => 0,
			'claimed'   => 0,
			'ready'     => 0,
			'cancelled' => 0,
			'pending'   => 0,
			'failed'    => 0,
			'lost'      => 0,
		);
		$max_seconds = max( 1, (int) ( $args['max_seconds'] ?? 25 ) );
		$deadline    = microtime( true ) + $max_seconds;
		$batch_size  = (int) ( $args['batch_size'] ?? apply_filters( 'mfk_queue_batch_size', 25 ) );
		$batch_size  = max( 1, min( 100, $batch_size ) );
		$wait_ms     = (int) ( $args['wait_ms'] ?? 3000 );
		$linger      = ! empty( $args['linger'] );
		$until_idle  = ! empty( $args['until_idle'] );

		self::note_run();
		// While the sidecar's sealing key fails, every few minutes: is the previous key back?
		MFK_Sealing_Status::maybe_recheck();
		$keep_going = isset( $args['keep_going'] ) && is_callable( $args['keep_going'] ) ? $args['keep_going'] : null;
		while ( true ) {
			$remaining = $deadline - microtime( true );
			if ( $remaining < 1 || ( $keep_going && ! $keep_going() ) ) {
				break;
			}
			// The cheap probe: an empty tick costs this one indexed query.
			if ( ! MFK_Queue_Leases::has_due() ) {
				if ( ! $linger ) {
					break;
				}
				$next = MFK_Queue_Leases::seconds_until_next_due();
				if ( $until_idle && ( null === $next || $next >= $remaining - 1 ) ) {
					break;
				}
				$sleep = null === $next ? 2 : max( 1, min( 2, $next ) );
				if ( $remaining <= $sleep + 1 ) {
					break;
				}
				sleep( $sleep );
				continue;
			}
			$timeout = min( 60.0, max( 5.0, $remaining ) );
			$rows    = MFK_Queue_Leases::claim_due( $batch_size, (int) ceil( $timeout ) + 30 );
			if ( ! $rows ) {
				if ( ! $linger ) {
					break;
				}
				sleep( 1 );
				continue;
			}
			++$stats['runs'];
			$stats['claimed'] += count( $rows );
			$outcome = MFK_Queue_Worker::process(
				$rows,
				array(
					'wait_ms' => min( $wait_ms, max( 0, (int) ( ( $remaining - 2 ) * 1000 ) ) ),
					'timeout' => $timeout,
				)
			);
			foreach ( $outcome as $state ) {
				$key = isset( $stats[ $state ] ) ? $state : 'lost';
				++$stats[ $key ];
			}
		}
		// The Meet steps (space access, attendance): apart from the link, retried on their own.
		MFK_Meet_Access::run_steps( $deadline );
		return $stats;
	}

	/**
	 * Remembers when a runner last ran (for health screens). Written at most every
	 * five minutes so an idle tick stays at its one query (the option is autoloaded).
	 */
	private static function note_run(): void {
		$last = (int) get_option( 'mfk_queue_last_run', 0 );
		if ( time() - $last >= 5 * MINUTE_IN_SECONDS ) {
			update_option( 'mfk_queue_last_run', time(), true );
		}
	}

	/**
	 * Unix time of the last runner start (precise to five minutes; 0 = never).
	 */
	public static function last_run(): int {
		return (int) get_option( 'mfk_queue_last_run', 0 );
	}
}
