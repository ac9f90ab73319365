<?php
/**
 * The queue's worker step: plans an operation for each claimed row, sends them to the
 * sidecar (one call, or one batch) and has each outcome recorded. See docs/queue.md.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sends claimed rows to the sidecar.
 */
final class MFK_Queue_Worker {

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

		// Once per batch: clinic names and KiviCare's template switches are read again, and the
		// appointments to be planned are read in one query.
		MFK_Appointments::forget();
		MFK_KiviCare_Mail::forget();
		MFK_Appointments::prime( wp_list_pluck( wp_list_filter( $rows, array( 'desired' => MFK_Mappings::DESIRED_ACTIVE ) ), 'appointment_id' ) );
		foreach ( $rows as $row ) {
			$plans[ (string) $row['id'] ] = array( $row, MFK_Operation_Planner::plan( $row, $wait_ms ) );
		}
		MFK_Appointments::prime( array() );
		foreach ( $plans as $id => list( $row, $plan ) ) {
			if ( isset( $plan['local'] ) ) {
				$final[ $row['id'] ] = MFK_Operation_Recorder::record( $row, $plan, $plan['local'], $args );
				unset( $plans[ $id ] );
			}
		}
		if ( ! $plans ) {
			return $final;
		}

		$client = MFK_Sidecar_Client::instance();
		if ( 1 === count( $plans ) ) {
			list( $row, $plan ) = reset( $plans );
			$answer             = $client->post( '/v1/meetings/' . $plan['op'], $plan['body'], array( 'timeout' => $timeout, 'doctor_id' => $plan['doctor_id'] ) );
			$final[ $row['id'] ] = MFK_Operation_Recorder::record( $row, $plan, $answer, $args );
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
			$final[ $row['id'] ] = MFK_Operation_Recorder::record( $row, $plan, $outcome, $args );
		}
		return $final;
	}
}
