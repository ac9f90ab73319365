<?php
/**
 * The durable provisioning queue: turns mapping rows (desired state) into sidecar
 * operations and records the outcome. See docs/queue.md.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Queue worker, backoff policy, cron wiring.
 */
final class MFK_Queue {

	/** Recurring WP-Cron hook. */
	const CRON_HOOK = 'mfk_queue_tick';

	/** One-off "run soon" hook scheduled when an intent could not be synced at once. */
	const CRON_NOW_HOOK = 'mfk_queue_run_now';

	/** Custom cron schedule. */
	const SCHEDULE = 'mfk_every_minute';

	/** A failed conference is retried with this many revisions in total. */
	const MAX_REVISIONS = 3;

	/** Errors after which the meeting waits for someone to fix the cause. */
	const TERMINAL_CODES = array( 'token_revoked', 'credential_invalid', 'insufficient_scope', 'quota_exceeded', 'calendar_not_found', 'conference_not_allowed', 'conference_failed', 'client_invalid', 'invalid_request', 'google_error', 'not_found', 'doctor_not_connected', 'max_age_exceeded' );

	/** Outages: retried soon (short cap) so links appear quickly once they end. */
	const OUTAGE_CODES = array( 'sidecar_unavailable', 'google_unavailable', 'sidecar_not_ready' );

	/** Configuration problems: retried every few minutes until an admin fixes them. */
	const CONFIG_CODES = array( 'unauthorized', 'not_configured' );

	/**
	 * When true, meeting actions are held until the end of the request (the row may
	 * still be inside KiviCare's booking transaction).
	 *
	 * @var bool
	 */
	private static $defer_events = false;

	/**
	 * Held actions: [hook, appointment id, expected state, args].
	 *
	 * @var array<int,array{0:string,1:int,2:string,3:array<int,mixed>}>
	 */
	private static $deferred = array();

	/**
	 * Hooks cron.
	 */
	public static function register(): void {
		add_filter( 'cron_schedules', array( __CLASS__, 'cron_schedules' ) );
		add_action( self::CRON_HOOK, array( __CLASS__, 'cron_run' ) );
		add_action( self::CRON_NOW_HOOK, array( __CLASS__, 'cron_run' ) );
		add_action( 'mfk_doctor_reconnected', array( __CLASS__, 'on_doctor_reconnected' ) );
		add_action( 'init', array( __CLASS__, 'ensure_scheduled' ), 20 );
	}

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
	 *                                  `linger` (bool), `wait_ms` (per operation).
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

		self::note_run();
		while ( true ) {
			$remaining = $deadline - microtime( true );
			if ( $remaining < 1 ) {
				break;
			}
			// The cheap probe: an empty tick costs this one indexed query.
			if ( ! MFK_Mappings::has_due() ) {
				if ( ! $linger ) {
					break;
				}
				$next  = MFK_Mappings::seconds_until_next_due();
				$sleep = null === $next ? 2 : max( 1, min( 2, $next ) );
				if ( $remaining <= $sleep + 1 ) {
					break;
				}
				sleep( $sleep );
				continue;
			}
			$timeout = min( 60.0, max( 5.0, $remaining ) );
			$rows    = MFK_Mappings::claim_due( $batch_size, (int) ceil( $timeout ) + 30 );
			if ( ! $rows ) {
				if ( ! $linger ) {
					break;
				}
				sleep( 1 );
				continue;
			}
			++$stats['runs'];
			$stats['claimed'] += count( $rows );
			$outcome = self::process(
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

	/**
	 * Processes claimed rows: plans an operation per row, sends them (one call, or a
	 * batch), and records each outcome.
	 *
	 * @param array<int,array<string,mixed>> $rows Claimed rows.
	 * @param array<string,mixed>            $args `wait_ms`, `timeout` (s), `booking`
	 *                                             (the link lands in KiviCare's booking mail),
	 *                                             `source` (booking, request or queue).
	 * @return array<int,string> Final state per row id ('lost' when the lease was lost).
	 */
	public static function process( array $rows, array $args ): array {
		$wait_ms = max( 0, min( 10000, (int) ( $args['wait_ms'] ?? 3000 ) ) );
		$timeout = (float) ( $args['timeout'] ?? 10 );
		$plans   = array();
		$final   = array();

		foreach ( $rows as $row ) {
			$plan = self::plan( $row, $wait_ms );
			if ( isset( $plan['local'] ) ) {
				$final[ $row['id'] ] = self::apply( $row, $plan, $plan['local'], $args );
				continue;
			}
			$plans[ (string) $row['id'] ] = array( $row, $plan );
		}
		if ( ! $plans ) {
			return $final;
		}

		$client = MFK_Sidecar_Client::instance();
		if ( 1 === count( $plans ) ) {
			list( $row, $plan ) = reset( $plans );
			$answer             = $client->post( '/v1/meetings/' . $plan['op'], $plan['body'], array( 'timeout' => $timeout, 'doctor_id' => $plan['doctor_id'] ) );
			$final[ $row['id'] ] = self::apply( $row, $plan, $answer, $args );
			return $final;
		}

		$operations = array();
		foreach ( $plans as $id => list( $row, $plan ) ) {
			$operations[] = array_merge(
				array(
					'op'         => $plan['op'],
					'id'         => (string) $id,
					'_doctor_id' => $plan['doctor_id'],
				),
				$plan['body']
			);
		}
		$answers = $client->batch( $operations, $timeout );
		foreach ( $plans as $id => list( $row, $plan ) ) {
			if ( is_wp_error( $answers ) ) {
				$outcome = $answers;
			} elseif ( ! isset( $answers[ $id ] ) ) {
				$outcome = new WP_Error( 'internal_error', __( 'The sidecar did not answer this operation.', 'meet-for-kivicare' ), array( 'retryable' => true ) );
			} else {
				$outcome = $answers[ $id ]['ok'] ? $answers[ $id ]['result'] : $answers[ $id ]['error'];
			}
			$final[ $row['id'] ] = self::apply( $row, $plan, $outcome, $args );
		}
		return $final;
	}

	/**
	 * Decides what a claimed row needs.
	 *
	 * @param array<string,mixed> $row     Claimed row.
	 * @param int                 $wait_ms How long the sidecar may wait for a pending conference.
	 * @return array<string,mixed> `op`, `body`, `doctor_id`, `kind`; or `local` (WP_Error)
	 *                             when it is decided without a call.
	 */
	private static function plan( array $row, int $wait_ms ): array {
		$max_age = (int) apply_filters( 'mfk_queue_max_age', 3 * DAY_IN_SECONDS );
		if ( ! empty( $row['intent_at'] ) && strtotime( $row['intent_at'] . ' UTC' ) + $max_age < time() ) {
			$message = '' !== $row['last_error_message'] ? $row['last_error_message'] : __( 'No answer in time.', 'meet-for-kivicare' );
			return array(
				'kind'  => 'expire',
				'local' => new WP_Error(
					'max_age_exceeded',
					/* translators: %s: last error message. */
					sprintf( __( 'Gave up after retrying for too long. Last error: %s', 'meet-for-kivicare' ), $message )
				),
			);
		}

		$send_updates = (string) MFK_Settings::get( 'send_updates' );
		$is_cancel    = MFK_Mappings::DESIRED_CANCELLED === $row['desired'];
		$moved        = ! $is_cancel && MFK_Mappings::DESIRED_ACTIVE === $row['desired'] && 'active' === $row['synced_status'] && $row['synced_doctor_id'] > 0
			&& ( $row['synced_doctor_id'] !== $row['doctor_id'] || $row['synced_calendar_id'] !== $row['calendar_id'] );

		$appointment = null;
		if ( ! $is_cancel && ! $moved ) {
			$appointment = MFK_Appointments::get( (int) $row['appointment_id'] );
			if ( null === $appointment && MFK_Appointments::has_table( 'kc_appointments' ) ) {
				// Deleted without KiviCare telling us: remove the event.
				$is_cancel = true;
			}
		}

		if ( $is_cancel || $moved ) {
			$doctor_id   = $row['synced_doctor_id'] > 0 ? $row['synced_doctor_id'] : $row['doctor_id'];
			$calendar_id = '' !== $row['synced_calendar_id'] ? $row['synced_calendar_id'] : $row['calendar_id'];
			$kind        = $moved ? 'move' : 'cancel';
		} else {
			$doctor_id   = $row['doctor_id'];
			$calendar_id = '' !== $row['calendar_id'] ? $row['calendar_id'] : MFK_Doctor_Connection::calendar_id( $doctor_id );
			$kind        = 'ensure';
		}

		$fields = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( is_wp_error( $fields ) ) {
			return array(
				'kind'  => $kind,
				'local' => $fields,
			);
		}
		$connection = MFK_Doctor_Connection::get( $doctor_id );
		if ( MFK_Doctor_Connection::STATUS_RECONNECT === $connection['status'] ) {
			return array(
				'kind'  => $kind,
				'local' => new WP_Error(
					'' !== $connection['code'] ? $connection['code'] : 'token_revoked',
					'' !== $connection['message'] ? $connection['message'] : __( 'The doctor must reconnect Google.', 'meet-for-kivicare' ),
					array( 'retryable' => false, 'doctor_checked' => true )
				),
			);
		}

		$base = $fields + array(
			'appointmentId' => (int) $row['appointment_id'],
			'calendarId'    => '' !== $calendar_id ? $calendar_id : 'primary',
		);
		if ( 'ensure' !== $kind ) {
			return array(
				'kind'      => $kind,
				'op'        => 'cancel',
				'doctor_id' => $doctor_id,
				'body'      => $base + array( 'sendUpdates' => $send_updates ),
			);
		}

		$zone  = '' !== MFK_Appointments::valid_zone( $row['timezone'] ) ? $row['timezone'] : 'UTC';
		$start = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['start_utc'], new DateTimeZone( 'UTC' ) );
		$end   = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['end_utc'], new DateTimeZone( 'UTC' ) );
		if ( false === $start || false === $end || $end <= $start ) {
			return array(
				'kind'  => $kind,
				'local' => new WP_Error( 'invalid_request', __( 'The appointment has no valid start and end time.', 'meet-for-kivicare' ) ),
			);
		}
		$attendees = array();
		if ( MFK_Settings::get( 'add_patient_as_attendee' ) && $appointment ) {
			$email = MFK_Appointments::user_email( (int) $appointment['patient_id'] );
			if ( '' !== $email ) {
				$attendees[] = array( 'email' => $email );
			}
		}
		return array(
			'kind'      => $kind,
			'op'        => 'ensure',
			'doctor_id' => $doctor_id,
			'body'      => $base + array(
				'revision'    => (int) $row['revision'],
				'summary'     => self::summary( $appointment, $doctor_id ),
				'description' => (string) apply_filters( 'mfk_event_description', '', $row, $appointment ),
				'start'       => array(
					'dateTime' => MFK_Appointments::rfc3339( $start, $zone ),
					'timeZone' => $zone,
				),
				'end'         => array(
					'dateTime' => MFK_Appointments::rfc3339( $end, $zone ),
					'timeZone' => $zone,
				),
				'attendees'   => $attendees,
				'sendUpdates' => $send_updates,
				'waitMs'      => $wait_ms,
			),
		);
	}

	/**
	 * Event title from the template; only non-clinical placeholders exist.
	 *
	 * @param array<string,mixed>|null $appointment Appointment row.
	 * @param int                      $doctor_id   Doctor.
	 */
	public static function summary( ?array $appointment, int $doctor_id ): string {
		$template = (string) MFK_Settings::get( 'event_title_template' );
		$title    = strtr(
			$template,
			array(
				'{clinic_name}' => $appointment ? MFK_Appointments::clinic_name( (int) $appointment['clinic_id'] ) : '',
				'{doctor_name}' => MFK_Appointments::user_name( $doctor_id ),
				'{site_name}'   => wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
			)
		);
		$title = trim( preg_replace( '/\s+/', ' ', $title ) );
		return '' !== $title ? mb_substr( $title, 0, 250 ) : 'Video consultation';
	}

	/**
	 * Records the outcome of one operation on its row.
	 *
	 * @param array<string,mixed>              $row     Claimed row.
	 * @param array<string,mixed>              $plan    Plan from plan().
	 * @param array<string,mixed>|WP_Error     $outcome Sidecar answer or error.
	 * @param array<string,mixed>              $args    process() arguments.
	 * @return string Final state, or 'lost'.
	 */
	private static function apply( array $row, array $plan, $outcome, array $args ): string {
		if ( is_wp_error( $outcome ) ) {
			return self::apply_error( $row, $plan, $outcome );
		}
		$kind = $plan['kind'];

		if ( 'move' === $kind ) {
			$fields = array(
				'synced_status'      => '',
				'synced_doctor_id'   => 0,
				'synced_calendar_id' => '',
				'url'                => '',
				'event_url'          => '',
				'last_error_code'    => '',
				'last_error_message' => '',
			);
			return MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_PENDING, 0 ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}

		if ( 'cancel' === $kind ) {
			$fields = array(
				'synced_status'      => 'cancelled',
				'synced_doctor_id'   => (int) $plan['doctor_id'],
				'synced_calendar_id' => (string) $plan['body']['calendarId'],
				'last_error_code'    => '',
				'last_error_message' => '',
			);
			if ( MFK_Mappings::DESIRED_CANCELLED !== $row['desired'] ) {
				// The appointment vanished without KiviCare telling us: record that wish too.
				// (Never written otherwise, so a re-booking that arrived meanwhile survives.)
				$fields['desired'] = MFK_Mappings::DESIRED_CANCELLED;
			}
			if ( ! MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_CANCELLED ) ) {
				return 'lost';
			}
			return self::after_write( $row, MFK_Mappings::STATE_CANCELLED, $args );
		}

		// ensure.
		$url    = isset( $outcome['meetUrl'] ) && is_string( $outcome['meetUrl'] ) ? esc_url_raw( $outcome['meetUrl'] ) : '';
		$fields = array(
			'event_id'           => isset( $outcome['eventId'] ) && is_string( $outcome['eventId'] ) ? $outcome['eventId'] : $row['event_id'],
			'revision'           => isset( $outcome['revision'] ) ? (int) $outcome['revision'] : (int) $row['revision'],
			'synced_status'      => 'active',
			'synced_start_utc'   => $row['start_utc'],
			'synced_end_utc'     => $row['end_utc'],
			'synced_doctor_id'   => (int) $plan['doctor_id'],
			'synced_calendar_id' => isset( $outcome['calendarId'] ) && is_string( $outcome['calendarId'] ) ? $outcome['calendarId'] : (string) $plan['body']['calendarId'],
			'last_error_code'    => '',
			'last_error_message' => '',
		);
		if ( isset( $outcome['eventUrl'] ) && is_string( $outcome['eventUrl'] ) ) {
			$fields['event_url'] = esc_url_raw( $outcome['eventUrl'] );
		}
		if ( '' !== $url ) {
			$fields['url'] = $url;
		}
		$ready = 'ready' === ( $outcome['status'] ?? '' ) && '' !== $url;
		if ( $ready && ! empty( $args['booking'] ) ) {
			$fields['link_in_booking_mail'] = 1;
		}
		if ( ! $ready ) {
			// Google is still creating the conference: look again shortly.
			$delay = min( 60, 5 * ( 2 ** max( 0, min( 4, (int) $row['attempts'] - 1 ) ) ) );
			return MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_PENDING, $delay ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}
		if ( ! MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_READY ) ) {
			return 'lost';
		}
		return self::after_write( $row, MFK_Mappings::STATE_READY, $args );
	}

	/**
	 * Records a failed operation: retry with backoff, or fail for good.
	 *
	 * @param array<string,mixed> $row   Claimed row.
	 * @param array<string,mixed> $plan  Plan.
	 * @param WP_Error            $error Error.
	 * @return string Final state or 'lost'.
	 */
	private static function apply_error( array $row, array $plan, WP_Error $error ): string {
		$code    = (string) $error->get_error_code();
		$message = mb_substr( wp_strip_all_tags( $error->get_error_message() ), 0, 480 );
		$data    = (array) $error->get_error_data();
		$fields  = array(
			'last_error_code'    => mb_substr( $code, 0, 64 ),
			'last_error_message' => $message,
		);

		if ( 'not_found' === $code && 'cancel' === $plan['kind'] ) {
			// Nothing to remove: that is what we wanted.
			return self::apply( $row, $plan, array( 'cancelled' => true, 'existed' => false ), array() );
		}
		if ( 'doctor_not_connected' === $code && 'cancel' === $plan['kind'] ) {
			// Without a grant we cannot reach the calendar; nothing is left to do here.
			$fields['synced_status'] = 'cancelled';
			return MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_CANCELLED ) ? self::after_write( $row, MFK_Mappings::STATE_CANCELLED, array() ) : 'lost';
		}
		if ( in_array( $code, MFK_Doctor_Connection::RECONNECT_CODES, true ) && empty( $data['doctor_checked'] ) ) {
			MFK_Doctor_Connection::mark_reconnect_needed( (int) $plan['doctor_id'], $code, $message );
		}
		if ( 'conference_failed' === $code && 'ensure' === $plan['kind'] && (int) $row['revision'] + 1 < self::MAX_REVISIONS ) {
			$fields['revision'] = (int) $row['revision'] + 1;
			return MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_PENDING, 2 ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}

		$retryable = ! in_array( $code, self::TERMINAL_CODES, true )
			&& ( ! empty( $data['retryable'] ) || in_array( $code, self::OUTAGE_CODES, true ) || in_array( $code, self::CONFIG_CODES, true ) );
		if ( $retryable ) {
			$delay = self::backoff( (int) $row['attempts'], $code, (int) ( $data['retryAfterMs'] ?? 0 ) );
			return MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_PENDING, $delay ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}

		if ( ! MFK_Mappings::complete( $row, $fields, MFK_Mappings::STATE_FAILED ) ) {
			return 'lost';
		}
		return self::after_write( $row, MFK_Mappings::STATE_FAILED, array() );
	}

	/**
	 * Exponential backoff with equal jitter. Outages use a short cap so links appear
	 * soon after the sidecar or Google comes back; Google's Retry-After is honoured.
	 *
	 * @param int    $attempts        Attempts made (1 after the first).
	 * @param string $code            Error code.
	 * @param int    $retry_after_ms  Server-suggested wait.
	 * @return int Seconds.
	 */
	public static function backoff( int $attempts, string $code, int $retry_after_ms = 0 ): int {
		if ( in_array( $code, self::OUTAGE_CODES, true ) ) {
			list( $base, $cap ) = array( 5, 30 );
		} elseif ( in_array( $code, self::CONFIG_CODES, true ) ) {
			list( $base, $cap ) = array( 30, 300 );
		} else {
			list( $base, $cap ) = array( 15, HOUR_IN_SECONDS );
		}
		$exp   = (int) min( $cap, $base * ( 2 ** max( 0, min( 20, $attempts - 1 ) ) ) );
		$delay = intdiv( $exp, 2 ) + random_int( 0, max( 0, intdiv( $exp, 2 ) ) );
		return max( 1, $delay, (int) ceil( $retry_after_ms / 1000 ) );
	}

	/**
	 * After a successful write: re-reads the row and fires the matching action if
	 * the row really took that state.
	 *
	 * @param array<string,mixed> $before Row as claimed.
	 * @param string              $state  Intended final state.
	 * @param array<string,mixed> $args   process() arguments.
	 * @return string The state the row is in now.
	 */
	private static function after_write( array $before, string $state, array $args ): string {
		$row = MFK_Mappings::get( (int) $before['id'] );
		if ( null === $row ) {
			return 'lost';
		}
		if ( $row['state'] !== $state ) {
			return $row['state'];
		}
		$id = (int) $row['appointment_id'];
		if ( MFK_Mappings::STATE_READY === $state ) {
			$first_link = $before['url'] !== $row['url'] || 'active' !== $before['synced_status'];
			if ( $first_link ) {
				self::emit(
					'mfk_meeting_ready',
					$id,
					$state,
					array(
						$id,
						$row,
						array(
							'booking_mail_had_link' => (bool) $row['link_in_booking_mail'],
							'source'                => (string) ( $args['source'] ?? 'queue' ),
							'url_changed'           => '' !== $before['url'] && $before['url'] !== $row['url'],
						),
					)
				);
			} elseif ( 'active' === $before['synced_status'] && ( $before['synced_start_utc'] !== $row['synced_start_utc'] || $before['synced_end_utc'] !== $row['synced_end_utc'] ) ) {
				self::emit(
					'mfk_meeting_rescheduled',
					$id,
					$state,
					array(
						$id,
						$row,
						array(
							'previous_start_utc' => $before['synced_start_utc'],
							'previous_end_utc'   => $before['synced_end_utc'],
						),
					)
				);
			}
		} elseif ( MFK_Mappings::STATE_CANCELLED === $state ) {
			self::emit( 'mfk_meeting_cancelled', $id, $state, array( $id, $row ) );
		} elseif ( MFK_Mappings::STATE_FAILED === $state ) {
			self::emit( 'mfk_meeting_failed', $id, $state, array( $id, $row, $row['last_error_code'] ) );
		}
		return $state;
	}

	/**
	 * Fires an action now, or at the end of the request while events are deferred.
	 *
	 * @param string           $hook     Action.
	 * @param int              $id       Appointment id.
	 * @param string           $state    State the row must still have when fired later.
	 * @param array<int,mixed> $hook_args Arguments.
	 */
	private static function emit( string $hook, int $id, string $state, array $hook_args ): void {
		if ( self::$defer_events ) {
			self::$deferred[] = array( $hook, $id, $state, $hook_args );
			return;
		}
		do_action_ref_array( $hook, $hook_args );
	}

	/**
	 * Starts or stops holding actions back.
	 *
	 * @param bool $defer Hold actions.
	 */
	public static function defer_events( bool $defer ): void {
		self::$defer_events = $defer;
	}

	/**
	 * Fires held actions whose row still exists in the same state (after KiviCare's
	 * transaction ended; a rolled-back booking fires nothing).
	 */
	public static function flush_deferred(): void {
		$held           = self::$deferred;
		self::$deferred = array();
		foreach ( $held as list( $hook, $id, $state, $hook_args ) ) {
			$row = MFK_Mappings::get_by_appointment( $id );
			if ( null === $row || $row['state'] !== $state ) {
				continue;
			}
			$hook_args[1] = $row;
			do_action_ref_array( $hook, $hook_args );
		}
	}
}
