<?php
/**
 * WP-CLI: `wp mfk status`, `wp mfk sync`, `wp mfk retry`. Thin wrappers over the
 * plugin's services (MFK_Health, MFK_Backfill, MFK_Retry, MFK_Queue); the queue's
 * own commands are `wp mfk queue run|status|retry` (MFK_CLI_Command).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Operator commands for Meet for KiviCare.
 */
class MFK_CLI {

	/**
	 * Shows whether Meet for KiviCare works: configuration, sidecar, queue, doctors.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : table or json.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     wp mfk status
	 *     wp mfk status --format=json
	 *
	 * @param array<int,string>    $args       Positional arguments.
	 * @param array<string,string> $assoc_args Options.
	 */
	public function status( $args, $assoc_args ): void {
		$missing = MFK_Health::missing_configuration();
		$sidecar = MFK_Health::sidecar();
		$queue   = MFK_Health::queue();
		$doctors = MFK_Health::doctors_needing_reconnect();
		$errors  = MFK_Health::last_errors( 5 );

		if ( 'json' === ( $assoc_args['format'] ?? 'table' ) ) {
			WP_CLI::line(
				(string) wp_json_encode(
					array(
						'site_id'                   => MFK_Site::id(),
						'configured'                => ! $missing,
						'missing'                   => array_keys( $missing ),
						'sidecar'                   => $sidecar,
						'queue'                     => $queue,
						'doctors_needing_reconnect' => $doctors,
						'last_errors'               => $errors,
					)
				)
			);
			return;
		}

		$items   = array();
		$items[] = array(
			'check'  => 'site id',
			'status' => 'ok',
			'detail' => MFK_Site::id() . ( '' !== MFK_Settings::sidecar_enrolment_key() ? ' (hosted sidecar, enrolment key set)' : '' ),
		);
		$items[] = array(
			'check'  => 'configuration',
			'status' => $missing ? 'missing' : 'ok',
			'detail' => $missing ? implode( ' ', $missing ) : __( 'OAuth client and shared secret set', 'meet-for-kivicare' ),
		);
		$items[] = array(
			'check'  => 'sidecar',
			'status' => $sidecar['reachable'] && $sidecar['signed'] ? 'ok' : ( $sidecar['reachable'] ? 'refused' : 'down' ),
			'detail' => $sidecar['reachable']
				? sprintf( '%s, %d ms%s', MFK_Settings::sidecar_url(), (int) $sidecar['latency_ms'], $sidecar['signed'] ? '' : ' - ' . $sidecar['code'] . ': ' . $sidecar['message'] )
				: MFK_Settings::sidecar_url() . ' - ' . $sidecar['message'],
		);
		$items[] = array(
			'check'  => 'queue',
			'status' => $queue['failed'] > 0 ? 'failures' : 'ok',
			'detail' => sprintf(
				'pending %d (due %d, oldest %ds), ready %d, failed %d (%d keep a working link), last run %s',
				$queue['pending'],
				$queue['due'],
				$queue['oldest_pending_age_seconds'],
				$queue['ready'],
				$queue['failed'],
				$queue['failed_with_link'],
				null !== $queue['last_run_at'] ? $queue['last_run_at'] : 'never'
			),
		);
		foreach ( $queue['failed_by_code'] as $code => $count ) {
			$items[] = array(
				'check'  => 'failed: ' . $code,
				'status' => (string) $count,
				'detail' => MFK_Admin_Notices::describe( (string) $code ),
			);
		}
		$items[] = array(
			'check'  => 'doctors',
			'status' => $doctors ? 'reconnect' : 'ok',
			'detail' => $doctors ? implode( ', ', wp_list_pluck( $doctors, 'name' ) ) : __( 'no doctor needs to reconnect', 'meet-for-kivicare' ),
		);
		WP_CLI\Utils\format_items( 'table', $items, array( 'check', 'status', 'detail' ) );
	}

	/**
	 * Creates the missing Meet links of future telemedicine appointments (booked before
	 * the plugin was set up, or before the doctor connected Google).
	 *
	 * ## OPTIONS
	 *
	 * [--doctor=<id>]
	 * : Only this doctor's appointments.
	 *
	 * [--days=<n>]
	 * : How far ahead to look.
	 * ---
	 * default: 365
	 * ---
	 *
	 * [--dry-run]
	 * : List the appointments without changing anything.
	 *
	 * [--no-run]
	 * : Only record the meetings; the queue (WP-Cron or system cron) creates them.
	 *
	 * [--max-seconds=<n>]
	 * : Time allowed for creating the links now.
	 * ---
	 * default: 300
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     wp mfk sync --dry-run
	 *     wp mfk sync --doctor=12
	 *
	 * @param array<int,string>    $args       Positional arguments.
	 * @param array<string,string> $assoc_args Options.
	 */
	public function sync( $args, $assoc_args ): void {
		$candidates = MFK_Backfill::candidates(
			array(
				'doctor_id' => (int) ( $assoc_args['doctor'] ?? 0 ),
				'days'      => (int) ( $assoc_args['days'] ?? 365 ),
			)
		);
		if ( ! $candidates ) {
			WP_CLI::success( __( 'Every future telemedicine appointment of a connected doctor has its meeting.', 'meet-for-kivicare' ) );
			return;
		}
		if ( ! empty( $assoc_args['dry-run'] ) ) {
			WP_CLI\Utils\format_items( 'table', $candidates, array( 'id', 'doctor_id', 'start' ) );
			/* translators: %d: number of appointments. */
			WP_CLI::success( sprintf( __( '%d appointment(s) would get a meeting.', 'meet-for-kivicare' ), count( $candidates ) ) );
			return;
		}

		$ids      = array();
		$progress = WP_CLI\Utils\make_progress_bar( __( 'Recording meetings', 'meet-for-kivicare' ), count( $candidates ) );
		foreach ( $candidates as $candidate ) {
			$done = MFK_Backfill::record( $candidate['id'] );
			if ( is_wp_error( $done ) ) {
				/* translators: 1: appointment id, 2: error message. */
				WP_CLI::warning( sprintf( __( 'Appointment %1$d: %2$s', 'meet-for-kivicare' ), $candidate['id'], $done->get_error_message() ) );
			} else {
				$ids[] = $candidate['id'];
			}
			$progress->tick();
		}
		$progress->finish();

		$run = ! isset( $assoc_args['run'] ) || false !== $assoc_args['run'];
		if ( $run && $ids ) {
			$this->run_until_done( $ids, max( 1, (int) ( $assoc_args['max-seconds'] ?? 300 ) ) );
		}
		WP_CLI::success( $this->summary( $ids ) );
	}

	/**
	 * Retries meetings now: failed ones, or those of the given appointments.
	 *
	 * ## OPTIONS
	 *
	 * [<appointment-id>...]
	 * : Appointments whose meeting to retry.
	 *
	 * [--failed]
	 * : Every failed meeting.
	 *
	 * [--doctor=<id>]
	 * : With --failed: only this doctor's.
	 *
	 * [--no-run]
	 * : Only re-queue; the queue creates them.
	 *
	 * [--max-seconds=<n>]
	 * : Time allowed for running them now.
	 * ---
	 * default: 120
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     wp mfk retry 42 43
	 *     wp mfk retry --failed
	 *
	 * @param array<int,string>    $args       Appointment ids.
	 * @param array<string,string> $assoc_args Options.
	 */
	public function retry( $args, $assoc_args ): void {
		global $wpdb;
		$ids = array_values( array_filter( array_map( 'intval', (array) $args ) ) );
		if ( ! empty( $assoc_args['failed'] ) ) {
			$table  = MFK_Schema::table();
			$doctor = (int) ( $assoc_args['doctor'] ?? 0 );
			// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$failed = $doctor > 0
				? $wpdb->get_col( $wpdb->prepare( "SELECT appointment_id FROM `{$table}` WHERE state = 'failed' AND doctor_id = %d", $doctor ) )
				: $wpdb->get_col( "SELECT appointment_id FROM `{$table}` WHERE state = 'failed'" );
			// phpcs:enable
			$ids = array_merge( $ids, array_map( 'intval', (array) $failed ) );
		}
		$ids = array_values( array_unique( $ids ) );
		if ( ! $ids ) {
			WP_CLI::error( __( 'Name appointment ids, or use --failed.', 'meet-for-kivicare' ) );
			return;
		}
		$queued = array();
		foreach ( $ids as $id ) {
			$done = MFK_Retry::requeue( $id );
			if ( is_wp_error( $done ) ) {
				/* translators: 1: appointment id, 2: error message. */
				WP_CLI::warning( sprintf( __( 'Appointment %1$d: %2$s', 'meet-for-kivicare' ), $id, $done->get_error_message() ) );
				continue;
			}
			$queued[] = $id;
		}
		$run = ! isset( $assoc_args['run'] ) || false !== $assoc_args['run'];
		if ( $run && $queued ) {
			$this->run_until_done( $queued, max( 1, (int) ( $assoc_args['max-seconds'] ?? 120 ) ) );
		}
		if ( ! $queued ) {
			WP_CLI::error( __( 'Nothing was retried.', 'meet-for-kivicare' ) );
			return;
		}
		WP_CLI::success( $this->summary( $queued ) );
	}

	/**
	 * Runs the queue until none of $ids is pending or the time is up, with a progress
	 * bar of the meetings done.
	 *
	 * @param array<int,int> $ids         Appointments.
	 * @param int            $max_seconds Time allowed.
	 */
	private function run_until_done( array $ids, int $max_seconds ): void {
		$progress = WP_CLI\Utils\make_progress_bar( __( 'Creating Meet links', 'meet-for-kivicare' ), count( $ids ) );
		$deadline = microtime( true ) + $max_seconds;
		$done     = 0;
		while ( true ) {
			$left = $deadline - microtime( true );
			if ( $left < 1 ) {
				break;
			}
			$stats = MFK_Queue::run( array( 'max_seconds' => (int) min( 60, max( 1, floor( $left ) ) ) ) );
			$now   = count( $ids ) - $this->count_pending( $ids );
			for ( ; $done < $now; $done++ ) {
				$progress->tick();
			}
			if ( $done >= count( $ids ) ) {
				break;
			}
			if ( 0 === $stats['claimed'] ) {
				// Nothing due yet (backoff after an outage, or Google still preparing).
				$wait = MFK_Queue_Leases::seconds_until_next_due();
				if ( null === $wait || $wait + 1 >= $deadline - microtime( true ) ) {
					break;
				}
				sleep( max( 1, min( 5, $wait ) ) );
			}
		}
		$progress->finish();
	}

	/**
	 * How many of $ids are still pending.
	 *
	 * @param array<int,int> $ids Appointments.
	 */
	private function count_pending( array $ids ): int {
		$pending = 0;
		foreach ( $ids as $id ) {
			$row      = MFK_Mappings::get_by_appointment( $id );
			$pending += ( null !== $row && MFK_Mappings::STATE_PENDING === $row['state'] ) ? 1 : 0;
		}
		return $pending;
	}

	/**
	 * "N meeting(s): R ready, P waiting, F failed".
	 *
	 * @param array<int,int> $ids Appointments.
	 */
	private function summary( array $ids ): string {
		$states = array(
			MFK_Mappings::STATE_READY   => 0,
			MFK_Mappings::STATE_PENDING => 0,
			MFK_Mappings::STATE_FAILED  => 0,
		);
		$kept   = 0;
		foreach ( $ids as $id ) {
			$row = MFK_Mappings::get_by_appointment( $id );
			if ( null !== $row && isset( $states[ $row['state'] ] ) ) {
				++$states[ $row['state'] ];
				$kept += MFK_Mappings::STATE_READY !== $row['state'] && '' !== MFK_Mappings::link_url( $row ) ? 1 : 0;
			}
		}
		$summary = sprintf(
			/* translators: 1: meetings, 2: ready, 3: waiting, 4: failed. */
			__( '%1$d meeting(s): %2$d ready, %3$d waiting, %4$d failed.', 'meet-for-kivicare' ),
			count( $ids ),
			$states[ MFK_Mappings::STATE_READY ],
			$states[ MFK_Mappings::STATE_PENDING ],
			$states[ MFK_Mappings::STATE_FAILED ]
		);
		if ( $kept > 0 ) {
			/* translators: %d: meetings waiting or failed that keep their link. */
			$summary .= ' ' . sprintf( _n( '%d of them waiting or failed keeps its working link.', '%d of them waiting or failed keep their working link.', $kept, 'meet-for-kivicare' ), $kept );
		}
		return $summary;
	}
}
