<?php
/**
 * Benchmark backlog: `count` future telemedicine appointments spread over the given doctors
 * (in time order, the doctors taking turns, as a clinic's calendar fills), written through
 * KiviCare's appointment model; then what `wp mfk sync` does: MFK_Backfill finds the
 * appointments of connected doctors without a meeting and records one intent each, due now.
 * Test-only; run through the harness's eval runner with the bench instance.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Seeds the backlog.
 *
 * @param array $args `count`, `doctors` ([{id, telemedService}]), `patient`, `clinic`,
 *                    `firstDay` (days ahead), `zone`.
 * @return array `first`, `last` appointment ids, `recorded` intents, `ms` spent.
 */
function mfk_bench_seed_backlog( array $args ): array {
	global $wpdb;
	$started = microtime( true );
	$doctors = array_values( $args['doctors'] );
	$zone    = new DateTimeZone( $args['zone'] );
	$base    = ( new DateTimeImmutable( 'today', $zone ) )->modify( '+' . (int) $args['firstDay'] . ' days' )->setTime( 8, 0 );
	$ids     = array();
	$wpdb->query( 'START TRANSACTION' );
	for ( $i = 0; $i < (int) $args['count']; $i++ ) {
		$doctor = $doctors[ $i % count( $doctors ) ];
		$slot   = intdiv( $i, count( $doctors ) );
		// 20 half-hour slots a day (08:00-18:00), then the next day.
		$start = $base->modify( '+' . intdiv( $slot, 20 ) . ' days' )->modify( '+' . ( ( $slot % 20 ) * 30 ) . ' minutes' );
		$end   = $start->modify( '+30 minutes' );
		$id    = \App\models\KCAppointment::create(
			array(
				'appointmentStartDate' => $start->format( 'Y-m-d' ),
				'appointmentStartTime' => $start->format( 'H:i:s' ),
				'appointmentEndDate'   => $end->format( 'Y-m-d' ),
				'appointmentEndTime'   => $end->format( 'H:i:s' ),
				'clinicId'             => (int) $args['clinic'],
				'doctorId'             => (int) $doctor['id'],
				'patientId'            => (int) $args['patient'],
				'description'          => '',
				'status'               => 1,
				'appointmentTimezone'  => $zone->getName(),
			)
		);
		$wpdb->insert(
			$wpdb->prefix . 'kc_appointment_service_mapping',
			array(
				'appointment_id' => $id,
				'service_id'     => (int) $doctor['telemedService'],
				'status'         => 1,
				'created_at'     => current_time( 'mysql' ),
			)
		);
		$ids[] = (int) $id;
	}
	$wpdb->query( 'COMMIT' );
	$seeded = microtime( true );

	// What `wp mfk sync` does.
	$recorded = 0;
	foreach ( MFK_Backfill::candidates( array( 'days' => (int) $args['firstDay'] + 400, 'limit' => 50000 ) ) as $candidate ) {
		if ( true === MFK_Backfill::record( $candidate['id'] ) ) {
			++$recorded;
		}
	}
	return array(
		'first'    => min( $ids ),
		'last'     => max( $ids ),
		'count'    => count( $ids ),
		'recorded' => $recorded,
		'seedMs'   => round( ( $seeded - $started ) * 1000 ),
		'syncMs'   => round( ( microtime( true ) - $seeded ) * 1000 ),
	);
}
