<?php
/**
 * Backfill: future telemedicine appointments of connected doctors that have no
 * meeting yet (booked before the plugin was set up, or before the doctor connected
 * Google) get one. Used by `wp mfk sync`.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Finds and records missing meetings.
 */
final class MFK_Backfill {

	/**
	 * Future booked / checked-in telemedicine appointments of connected doctors without
	 * a meeting row, soonest first.
	 *
	 * @param array<string,mixed> $args `doctor_id` (int), `days` (look ahead, default 365),
	 *                                  `limit` (default 5000).
	 * @return array<int,array{id:int,doctor_id:int,start:string}>
	 */
	public static function candidates( array $args = array() ): array {
		global $wpdb;
		if ( ! MFK_Appointments::has_table( 'kc_appointments' ) ) {
			return array();
		}
		$days      = max( 1, (int) ( $args['days'] ?? 365 ) );
		$limit     = max( 1, min( 50000, (int) ( $args['limit'] ?? 5000 ) ) );
		$doctor_id = (int) ( $args['doctor_id'] ?? 0 );
		$appts     = MFK_Appointments::table( 'kc_appointments' );
		$maps      = MFK_Schema::table();
		$now       = time();
		// Rows without UTC columns (before KiviCare 4.3) are narrowed by date here and
		// decided exactly below, from their own time zone.
		$from_date = gmdate( 'Y-m-d', $now - DAY_IN_SECONDS );
		$to_date   = gmdate( 'Y-m-d', $now + ( $days + 1 ) * DAY_IN_SECONDS );

		$doctor_sql = $doctor_id > 0 ? $wpdb->prepare( ' AND a.doctor_id = %d', $doctor_id ) : '';
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names and a prepared fragment.
		$rows = (array) $wpdb->get_results(
			$wpdb->prepare(
				"SELECT a.* FROM `{$appts}` a LEFT JOIN `{$maps}` m ON m.appointment_id = a.id
				 WHERE m.id IS NULL AND a.status IN (%d, %d)
				   AND a.appointment_start_date >= %s AND a.appointment_start_date <= %s{$doctor_sql}
				 ORDER BY a.appointment_start_date ASC, a.appointment_start_time ASC, a.id ASC
				 LIMIT %d",
				MFK_Appointments::STATUS_BOOKED,
				MFK_Appointments::STATUS_CHECK_IN,
				$from_date,
				$to_date,
				$limit
			),
			ARRAY_A
		);
		// phpcs:enable

		$out       = array();
		$connected = array();
		foreach ( $rows as $appointment ) {
			$doctor = (int) $appointment['doctor_id'];
			if ( ! isset( $connected[ $doctor ] ) ) {
				$connected[ $doctor ] = MFK_Doctor_Connection::is_connected( $doctor );
			}
			if ( ! $connected[ $doctor ] ) {
				continue;
			}
			$instants = MFK_Appointments::instants( $appointment );
			if ( null === $instants || $instants['end']->getTimestamp() <= $now || $instants['start']->getTimestamp() > $now + $days * DAY_IN_SECONDS ) {
				continue;
			}
			if ( true !== MFK_Appointments::is_telemed( $appointment ) ) {
				continue;
			}
			$out[] = array(
				'id'        => (int) $appointment['id'],
				'doctor_id' => $doctor,
				'start'     => $instants['start']->format( 'c' ),
			);
		}
		return $out;
	}

	/**
	 * Records the meeting of one appointment (pending, due now).
	 *
	 * @param int $appointment_id Appointment.
	 * @return true|WP_Error
	 */
	public static function record( int $appointment_id ) {
		$appointment = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment ) {
			return new WP_Error( 'not_found', __( 'The appointment does not exist.', 'meet-for-kivicare' ) );
		}
		$target = MFK_Meetings::target_from_appointment( $appointment );
		if ( null === $target ) {
			return new WP_Error( 'invalid_request', __( 'The appointment has no valid date and time.', 'meet-for-kivicare' ) );
		}
		$row = MFK_Mappings::record_intent( $appointment_id, $target );
		if ( is_wp_error( $row ) ) {
			return $row;
		}
		return true;
	}
}
