<?php
/**
 * WP-CLI: `wp mfk queue run|status|retry`.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Operates the Meet for KiviCare provisioning queue.
 */
class MFK_CLI_Command {

	/**
	 * Processes due meetings.
	 *
	 * ## OPTIONS
	 *
	 * [--max-seconds=<n>]
	 * : Keep polling for due work until this many seconds passed (default: one pass).
	 *
	 * [--batch-size=<n>]
	 * : Operations per sidecar batch (1-100).
	 *
	 * ## EXAMPLES
	 *
	 *     wp mfk queue run --max-seconds=55
	 *
	 * @param array<int,string>    $args       Positional.
	 * @param array<string,string> $assoc_args Options.
	 */
	public function run( $args, $assoc_args ): void {
		$options = array( 'max_seconds' => 300 );
		if ( isset( $assoc_args['max-seconds'] ) ) {
			$options['max_seconds'] = max( 1, (int) $assoc_args['max-seconds'] );
			$options['linger']      = true;
		}
		if ( isset( $assoc_args['batch-size'] ) ) {
			$options['batch_size'] = (int) $assoc_args['batch-size'];
		}
		$stats = MFK_Queue::run( $options );
		WP_CLI::success( wp_json_encode( $stats ) );
	}

	/**
	 * Shows rows per state, due rows, oldest pending intent and failure causes.
	 *
	 * [--format=<format>]
	 * : table or json.
	 *
	 * @param array<int,string>    $args       Positional.
	 * @param array<string,string> $assoc_args Options.
	 */
	public function status( $args, $assoc_args ): void {
		$stats = MFK_Queue_Stats::figures();
		if ( 'json' === ( $assoc_args['format'] ?? 'table' ) ) {
			WP_CLI::line( (string) wp_json_encode( $stats ) );
			return;
		}
		$items = array();
		foreach ( $stats['states'] as $state => $count ) {
			$items[] = array(
				'what'  => 'state:' . $state,
				'value' => $count,
			);
		}
		$items[] = array(
			'what'  => 'due now',
			'value' => $stats['due'],
		);
		$items[] = array(
			'what'  => 'oldest pending (s)',
			'value' => null === $stats['oldest_pending_seconds'] ? '-' : $stats['oldest_pending_seconds'],
		);
		foreach ( $stats['failed_by_code'] as $code => $count ) {
			$items[] = array(
				'what'  => 'failed:' . $code,
				'value' => $count,
			);
		}
		WP_CLI\Utils\format_items( 'table', $items, array( 'what', 'value' ) );
	}

	/**
	 * Retries failed meetings now.
	 *
	 * ## OPTIONS
	 *
	 * [<appointment-id>...]
	 * : Appointments to retry.
	 *
	 * [--failed]
	 * : Retry every failed meeting.
	 *
	 * @param array<int,string>    $args       Appointment ids.
	 * @param array<string,string> $assoc_args Options.
	 */
	public function retry( $args, $assoc_args ): void {
		global $wpdb;
		$ids = array_map( 'intval', $args );
		if ( ! empty( $assoc_args['failed'] ) ) {
			$table = MFK_Schema::table();
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$ids = array_merge( $ids, array_map( 'intval', (array) $wpdb->get_col( "SELECT appointment_id FROM `{$table}` WHERE state = 'failed'" ) ) );
		}
		$count = 0;
		foreach ( array_unique( $ids ) as $id ) {
			$count += MFK_Mappings::replay( $id ) ? 1 : 0;
		}
		WP_CLI::success( sprintf( '%d meeting(s) queued for retry.', $count ) );
	}
}
