<?php
/**
 * Queue health figures from the mapping table, for the health screens and WP-CLI.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Rows per state, due now, the oldest pending intent, failures per code.
 */
final class MFK_Queue_Stats {

	/**
	 * Queue health figures: rows per state, due now, oldest pending intent age,
	 * failures per code, failures whose meeting keeps a working link.
	 *
	 * @return array{states:array<string,int>,due:int,oldest_pending_seconds:int|null,failed_by_code:array<string,int>,failed_with_link:int}
	 */
	public static function figures(): array {
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
		$kept = (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$table}` WHERE state = 'failed' AND link_state = 'ready' AND desired = 'active'" );
		// phpcs:enable
		return array(
			'states'                 => $states,
			'due'                    => $due,
			'oldest_pending_seconds' => null === $oldest ? null : (int) $oldest,
			'failed_by_code'         => $failed,
			'failed_with_link'       => $kept,
		);
	}
}
