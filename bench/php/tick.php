<?php
/**
 * Queue tick with nothing due: what one WP-Cron run of `mfk_queue_tick` costs once WordPress is
 * loaded. Runs the hook `runs` times, timing each run and counting its SQL queries (the `query`
 * filter sees every statement `$wpdb` sends); the baseline is one trivial query (`SELECT 1`)
 * through `$wpdb`, the least any database work costs. Test-only.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Measures.
 *
 * @param array $args `runs`.
 * @return array
 */
function mfk_bench_tick( array $args ): array {
	global $wpdb;
	$table = MFK_Schema::table();
	// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
	$due   = (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$table}` WHERE state = 'pending' AND next_attempt_at <= UTC_TIMESTAMP()" );
	$rows  = (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$table}`" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared

	// The Meet steps (access, attendance) and the calendar sync have their own work after the
	// other figures' thousands of bookings; that work is not an idle tick. They are measured as
	// they stand once it is done: not due for the next hour.
	$steps_were_due = (int) get_option( MFK_Meet_Access::NEXT_DUE_OPTION, 0 ) <= time();
	$sync_was_due   = (int) get_option( MFK_Calendar_Sync::OPTION_NEXT, 0 ) <= time();
	update_option( MFK_Meet_Access::NEXT_DUE_OPTION, (string) ( time() + 3600 ), true );
	update_option( MFK_Calendar_Sync::OPTION_NEXT, (string) ( time() + 3600 ), true );

	$queries = 0;
	$seen    = array();
	add_filter(
		'query',
		static function ( $sql ) use ( &$queries, &$seen ) {
			++$queries;
			$seen[] = preg_replace( '/\s+/', ' ', substr( $sql, 0, 120 ) );
			return $sql;
		}
	);

	// The first run of a process may also note its start for the health screens (at most every
	// five minutes); measured on its own.
	delete_option( 'mfk_queue_last_run' );
	wp_cache_delete( 'alloptions', 'options' );
	$queries = 0;
	$seen    = array();
	$t       = hrtime( true );
	do_action( MFK_Queue::CRON_HOOK );
	$first = array(
		'ms'      => ( hrtime( true ) - $t ) / 1e6,
		'queries' => $queries,
		'sql'     => $seen,
	);

	$times  = array();
	$counts = array();
	$sql    = array();
	for ( $i = 0; $i < (int) $args['runs']; $i++ ) {
		$queries = 0;
		$seen    = array();
		$t       = hrtime( true );
		do_action( MFK_Queue::CRON_HOOK );
		$times[]  = ( hrtime( true ) - $t ) / 1e6;
		$counts[] = $queries;
		$sql      = $seen;
	}

	$baseline = array();
	for ( $i = 0; $i < (int) $args['runs']; $i++ ) {
		$t = hrtime( true );
		$wpdb->get_var( 'SELECT 1' );
		$baseline[] = ( hrtime( true ) - $t ) / 1e6;
	}
	return array(
		'rows'       => $rows,
		'due'        => $due,
		'stepsDue'   => $steps_were_due,
		'syncDue'    => $sync_was_due,
		'first'      => $first,
		'ms'         => $times,
		'queries'    => $counts,
		'sql'        => $sql,
		'baselineMs' => $baseline,
	);
}
