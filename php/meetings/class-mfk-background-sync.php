<?php
/**
 * Work a request leaves pending, done right after it instead of at the next cron run:
 * once KiviCare committed (at `shutdown`), the meetings this request changed are made in
 * the background, within about one Google round trip, with no page view and no system
 * cron. Where PHP-FPM (or LiteSpeed) can end the response early, the same PHP process
 * does it after the answer went out; elsewhere a signed loopback request
 * (MFK_Loopback_Kick) asks the site to do it. Either way the rows are claimed through the
 * queue's leases, so the durable queue stays the safety net: if this path dies, the
 * queue finishes the work, never twice.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Background sync of a request's pending meetings.
 */
final class MFK_Background_Sync {

	/** How long the background waits for Google's conference, per operation (ms). */
	const WAIT_MS = 8000;

	/** Lock (option) held by the one background runner that stays for retries. */
	const LINGER_LOCK = 'mfk_background_runner';

	/** How long that runner stays at most (seconds). */
	const LINGER_SECONDS = 60;

	/**
	 * Appointments to sync after this request.
	 *
	 * @var array<int,true>
	 */
	private static $ids = array();

	/**
	 * Whether this process is the background run itself (it never kicks again).
	 *
	 * @var bool
	 */
	private static $running = false;

	/**
	 * Leaves appointments whose rows are pending to the background (and, as before, to
	 * WP-Cron's next run, in case the background path cannot run or dies).
	 *
	 * @param int[] $appointment_ids Appointments.
	 */
	public static function later( array $appointment_ids ): void {
		MFK_Queue::schedule_immediate_run();
		$strategy = self::strategy();
		if ( 'off' === $strategy ) {
			return;
		}
		self::after_request( $appointment_ids );
	}

	/**
	 * Work for the background run after this request, without the queue's run: the
	 * appointments' booking confirmations (MFK_Booking_Confirmation), which have their own
	 * safety net.
	 *
	 * @param int[] $appointment_ids Appointments.
	 */
	public static function after_request( array $appointment_ids ): void {
		$first = ! self::$ids;
		foreach ( $appointment_ids as $id ) {
			if ( (int) $id > 0 ) {
				self::$ids[ (int) $id ] = true;
			}
		}
		if ( $first && self::$ids ) {
			// After everything else, output buffers included: the answer is complete then.
			add_action( 'shutdown', array( __CLASS__, 'on_shutdown' ), PHP_INT_MAX );
		}
	}

	/**
	 * How this request's leftovers are done: `finish_request` (PHP-FPM or LiteSpeed ends
	 * the response, then this process works), `loopback` (a signed request to the site
	 * itself), or `off` (WP-CLI, WP-Cron, the background run itself, or switched off by
	 * the `mfk_background_sync` filter: the queue's runners do it).
	 *
	 * @param array<string,mixed>|null $env `sapi` (PHP_SAPI), `functions` (available
	 *                                      functions among fastcgi_finish_request and
	 *                                      litespeed_finish_request), `cli`, `cron`;
	 *                                      null for this process.
	 */
	public static function strategy( ?array $env = null ): string {
		$env = $env ?? array(
			'sapi'      => PHP_SAPI,
			'functions' => array_values( array_filter( array( 'fastcgi_finish_request', 'litespeed_finish_request' ), 'function_exists' ) ),
			'cli'       => defined( 'WP_CLI' ) && WP_CLI,
			'cron'      => wp_doing_cron(),
			'running'   => self::$running,
		);
		if ( ! empty( $env['cli'] ) || ! empty( $env['cron'] ) || ! empty( $env['running'] ) || 'cli' === ( $env['sapi'] ?? '' ) ) {
			return 'off';
		}
		/**
		 * Whether meetings left pending by a request are made right after it, in the
		 * background. Off, they wait for the queue's next run (WP-Cron or system cron).
		 *
		 * @param bool $enabled Default true.
		 */
		if ( ! apply_filters( 'mfk_background_sync', true ) ) {
			return 'off';
		}
		$functions = (array) ( $env['functions'] ?? array() );
		$sapi      = (string) ( $env['sapi'] ?? '' );
		if ( in_array( 'fastcgi_finish_request', $functions, true ) && in_array( $sapi, array( 'fpm-fcgi', 'cgi-fcgi' ), true ) ) {
			return 'finish_request';
		}
		if ( in_array( 'litespeed_finish_request', $functions, true ) && 'litespeed' === $sapi ) {
			return 'finish_request';
		}
		return 'loopback';
	}

	/**
	 * End of the request (last `shutdown` callback): ends the response and works, or
	 * sends the loopback kick.
	 */
	public static function on_shutdown(): void {
		$ids       = array_keys( self::$ids );
		self::$ids = array();
		if ( ! $ids ) {
			return;
		}
		if ( 'finish_request' === self::strategy() ) {
			if ( function_exists( 'fastcgi_finish_request' ) ) {
				fastcgi_finish_request();
			} elseif ( function_exists( 'litespeed_finish_request' ) ) {
				litespeed_finish_request();
			}
			self::run( $ids );
			return;
		}
		MFK_Loopback_Kick::send( $ids );
	}

	/**
	 * The background work: claims the appointments' rows that are due (through the
	 * queue's leases: a row another runner holds is left to it), provisions them, and
	 * stays as the one background runner while retries are coming.
	 *
	 * @param int[] $appointment_ids Appointments.
	 * @return array<int,string> Final state per row id.
	 */
	public static function run( array $appointment_ids ): array {
		self::$running = true;
		ignore_user_abort( true );
		if ( function_exists( 'set_time_limit' ) ) {
			set_time_limit( self::LINGER_SECONDS + 60 ); // phpcs:ignore Squiz.PHP.DiscouragedFunctions.Discouraged -- long background work.
		}
		$rows   = MFK_Queue_Leases::claim_due_appointments( $appointment_ids, (int) ceil( self::WAIT_MS / 1000 ) + 30 );
		$states = array();
		if ( $rows ) {
			$states = MFK_Queue_Worker::process(
				$rows,
				array(
					'wait_ms' => self::WAIT_MS,
					'timeout' => self::WAIT_MS / 1000 + 7,
					'source'  => 'background',
				)
			);
		}
		// Before staying for retries: a link made just now was announced by its own e-mail.
		MFK_Booking_Confirmation::send_marked( $appointment_ids );
		if ( in_array( MFK_Mappings::STATE_PENDING, $states, true ) ) {
			self::linger();
		}
		return $states;
	}

	/**
	 * Retries (sidecar or Google briefly away, a conference Google is still creating)
	 * are due seconds later: one background runner at a time stays to do them, for at
	 * most a minute, and leaves as soon as nothing is pending.
	 */
	private static function linger(): void {
		$lock = self::lock();
		if ( null === $lock ) {
			return;
		}
		try {
			MFK_Queue::run(
				array(
					'max_seconds' => self::LINGER_SECONDS,
					'linger'      => true,
					'until_idle'  => true,
					// Deleting the lock (option) stops the runner before its next pass.
					'keep_going'  => static function () use ( $lock ): bool {
						return $lock === self::lock_value();
					},
				)
			);
		} finally {
			self::unlock( $lock );
		}
	}

	/**
	 * Takes the runner lock (an option holding its expiry and a token), atomically.
	 *
	 * @return string|null The lock's value, or null when another runner holds it.
	 */
	private static function lock(): ?string {
		global $wpdb;
		$value = ( time() + self::LINGER_SECONDS + 30 ) . ':' . bin2hex( random_bytes( 8 ) );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- an atomic lock, never cached.
		$taken = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'off')", self::LINGER_LOCK, $value ) );
		if ( ! $taken ) {
			// A runner that died leaves an expired lock: take it over.
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- an atomic lock, never cached.
			$taken = $wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->options} SET option_value = %s WHERE option_name = %s AND CAST(option_value AS UNSIGNED) < %d", $value, self::LINGER_LOCK, time() ) );
		}
		return $taken ? $value : null;
	}

	/**
	 * The lock's current value, read from the database (never from a cache).
	 */
	private static function lock_value(): ?string {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- the lock above.
		$value = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", self::LINGER_LOCK ) );
		return null === $value ? null : (string) $value;
	}

	/**
	 * Releases the runner lock, if it is still this runner's.
	 *
	 * @param string $lock The lock's value.
	 */
	private static function unlock( string $lock ): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- the lock above.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s AND option_value = %s", self::LINGER_LOCK, $lock ) );
	}
}
