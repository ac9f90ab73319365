<?php
/**
 * Reliability suite helper (never shipped): hammers the queue table the way busy runners and
 * saves do, on rows whose calendar id is `stress`.
 *
 *   php claim-stress.php <wordpress dir> claim|save <seconds>
 *
 * `claim`: claims due rows five at a time and hands each back as due again at once, as a
 * runner does with a retry. `save`: records new intents on random rows, as bookings and
 * reschedules do. Prints a JSON line: operations, lost leases (a claimed row another worker
 * took over: must never happen) and failed statements.
 *
 * @package MeetForKiviCare
 */

$_SERVER['HTTP_HOST']   = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
require $argv[1] . '/wp-load.php';

global $wpdb;
$mfk_mode   = $argv[2];
$mfk_until  = microtime( true ) + (float) $argv[3];
$mfk_table  = MFK_Schema::table();
$mfk_ids    = array_map( 'intval', $wpdb->get_col( "SELECT appointment_id FROM `{$mfk_table}` WHERE calendar_id = 'stress'" ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
$mfk_report = array(
	'mode'       => $mfk_mode,
	'operations' => 0,
	'lost'       => 0,
	'failed'     => 0,
);

while ( microtime( true ) < $mfk_until ) {
	if ( 'claim' === $mfk_mode ) {
		$mfk_rows = MFK_Queue_Leases::claim_due( 5, 60 );
		if ( '' !== $wpdb->last_error ) {
			++$mfk_report['failed'];
		}
		foreach ( $mfk_rows as $mfk_row ) {
			if ( ! MFK_Queue_Leases::complete( $mfk_row, array( 'last_error_code' => 'stress' ), MFK_Mappings::STATE_PENDING, 0 ) ) {
				++$mfk_report[ '' !== $wpdb->last_error ? 'failed' : 'lost' ];
			}
			++$mfk_report['operations'];
		}
	} else {
		$mfk_row = MFK_Mappings::record_intent(
			$mfk_ids[ array_rand( $mfk_ids ) ],
			array(
				'desired'     => 'active',
				'start_utc'   => gmdate( 'Y-m-d H:i:s', time() + DAY_IN_SECONDS * random_int( 1, 1000 ) ),
				'end_utc'     => gmdate( 'Y-m-d H:i:s', time() + DAY_IN_SECONDS * 1001 ),
				'timezone'    => 'UTC',
				'doctor_id'   => 1,
				'calendar_id' => 'stress',
			)
		);
		if ( is_wp_error( $mfk_row ) ) {
			++$mfk_report['failed'];
		}
		++$mfk_report['operations'];
	}
}
echo wp_json_encode( $mfk_report ), "\n";
