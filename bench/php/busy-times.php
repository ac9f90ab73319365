<?php
/**
 * Busy times in slot views: what `kc_external_busy_slots_single` (KiviCare runs it in every slot
 * view and booking) adds, with busy times cached and not, and how many freeBusy calls a burst of
 * slot views makes. Each "slot view" starts from a fresh request state (what one PHP request
 * holds in memory is forgotten). Baseline: the same filter with nothing hooked. Test-only.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Forgets what the current request remembered (a new slot view is a new request).
 */
function mfk_bench_busy_new_request(): void {
	$memo = new ReflectionProperty( 'MFK_Busy_Times', 'memo' );
	$memo->setAccessible( true );
	$memo->setValue( null, array() );
	MFK_Busy_Store::flush();
}

/**
 * Times one slot view's filter call, in milliseconds.
 *
 * @param int    $doctor Doctor.
 * @param string $date   Y-m-d.
 */
function mfk_bench_busy_once( int $doctor, string $date ): float {
	$start = hrtime( true );
	apply_filters( 'kc_external_busy_slots_single', array(), $doctor, $date );
	$ms = ( hrtime( true ) - $start ) / 1e6;
	mfk_bench_busy_new_request();
	return $ms;
}

/**
 * Measures.
 *
 * @param array $args `doctor`, `date`, `runs`, `mode` (cached|uncached|burst|baseline),
 *                    `burst`, `seconds`.
 * @return array
 */
function mfk_bench_busy( array $args ): array {
	$doctor = (int) $args['doctor'];
	$date   = (string) $args['date'];
	$runs   = (int) $args['runs'];
	$ms     = array();
	switch ( (string) $args['mode'] ) {
		case 'baseline':
			remove_all_filters( 'kc_external_busy_slots_single' );
			for ( $i = 0; $i < $runs; $i++ ) {
				$ms[] = mfk_bench_busy_once( $doctor, $date );
			}
			break;
		case 'cached':
			mfk_bench_busy_once( $doctor, $date ); // Fills the cache.
			for ( $i = 0; $i < $runs; $i++ ) {
				$ms[] = mfk_bench_busy_once( $doctor, $date );
			}
			break;
		case 'uncached':
			for ( $i = 0; $i < $runs; $i++ ) {
				// A new cache generation: nothing cached for the doctor.
				update_user_meta( $doctor, MFK_Busy_Times::META_GENERATION, wp_rand() );
				$ms[] = mfk_bench_busy_once( $doctor, $date );
				// Views one after another would ask Google for this doctor's calendar faster than
				// the per-user quota (600 a minute) the sidecar paces to: each uncached view is
				// measured as it happens, well under it (a cached view answers the others).
				usleep( (int) ( $args['gap_ms'] ?? 0 ) * 1000 );
			}
			break;
		case 'burst':
			update_user_meta( $doctor, MFK_Busy_Times::META_GENERATION, wp_rand() );
			$gap = (int) round( 1e6 * (float) $args['seconds'] / (int) $args['burst'] );
			for ( $i = 0; $i < (int) $args['burst']; $i++ ) {
				$ms[] = mfk_bench_busy_once( $doctor, $date );
				usleep( $gap );
			}
			break;
	}
	return array(
		'ms'    => $ms,
		'items' => count( apply_filters( 'kc_external_busy_slots_single', array(), $doctor, $date ) ),
		'state' => MFK_Busy_Times::state( $doctor ),
	);
}
