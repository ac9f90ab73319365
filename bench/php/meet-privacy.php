<?php
/**
 * Figures of the Meet privacy features, measured inside the bench WordPress (test-only):
 *
 * - attendance collection per appointment: MFK_Meet_Attendance::collect() timed as a whole and
 *   its HTTP request to the sidecar timed apart (the `pre_http_request` filter and the
 *   `http_api_debug` action bracket it), so PHP's own share is the difference;
 * - the video visits report with 50,000 past visits in one clinic: `GET …/reports/visits` through
 *   rest_do_request() as an administrator and as the clinic's admin (the first page, a deep
 *   page, filtered by doctor and by outcome), server time per request; the seeded rows are
 *   removed afterwards.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/** Marker of the seeded appointments (kc_appointments.description). */
const MFK_BENCH_VISIT = 'mfk-bench-visit';

/**
 * Times the attendance collection of each appointment.
 *
 * @param array $args `ids`: appointment ids (links ready, consultation over, a call simulated).
 * @return array
 */
function mfk_bench_attendance( array $args ): array {
	global $wpdb;
	$http  = 0.0;
	$began = 0.0;
	add_filter(
		'pre_http_request',
		static function ( $pre ) use ( &$began ) {
			$began = microtime( true );
			return $pre;
		},
		PHP_INT_MAX
	);
	add_action(
		'http_api_debug',
		static function () use ( &$http, &$began ) {
			if ( $began > 0 ) {
				$http += microtime( true ) - $began;
				$began = 0.0;
			}
		}
	);
	$out = array();
	foreach ( (array) $args['ids'] as $id ) {
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- benchmark.
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT appointment_id, url, doctor_id, start_utc, end_utc FROM %i WHERE appointment_id = %d', MFK_Schema::table(), (int) $id ), ARRAY_A );
		if ( ! $row ) {
			continue;
		}
		$wpdb->delete( MFK_Meet_Attendance::table(), array( 'appointment_id' => (int) $id ) );
		$http    = 0.0;
		$started = microtime( true );
		$record  = MFK_Meet_Attendance::collect( $row );
		$total   = microtime( true ) - $started;
		$out[]   = array(
			'id'      => (int) $id,
			'ms'      => $total * 1000,
			'httpMs'  => $http * 1000,
			'state'   => (string) $record['state'],
			'outcome' => (string) $record['outcome'],
		);
	}
	return $out;
}

/**
 * Seeds `count` past visits (ended over the last `days` days) in a clinic of their own, run by a
 * clinic admin of their own, for the world's doctors; outcomes spread as a clinic's would be.
 *
 * @param array $args `count`, `days`, `doctors` (ids).
 * @return array clinic_id, clinic_admin, seeded.
 */
function mfk_bench_visits_seed( array $args ): array {
	global $wpdb;
	$admin_id = wp_insert_user(
		array(
			'user_login' => 'bench_visits_admin_' . wp_generate_password( 6, false ),
			'user_email' => 'bench-visits-' . wp_generate_password( 6, false ) . '@clinic.test',
			'user_pass'  => wp_generate_password(),
			'role'       => 'kiviCare_clinic_admin',
		)
	);
	$wpdb->insert(
		$wpdb->prefix . 'kc_clinics',
		array(
			'name'            => 'Bench Visits Clinic',
			'status'          => 1,
			'clinic_admin_id' => (int) $admin_id,
			'created_at'      => current_time( 'mysql' ),
		)
	);
	$clinic_id = (int) $wpdb->insert_id;
	$doctors   = array_map( 'intval', (array) $args['doctors'] );
	$count     = (int) $args['count'];
	$span      = (int) $args['days'] * DAY_IN_SECONDS;
	$outcomes  = array( 'held', 'held', 'held', 'held', 'held', 'held', 'patient_no_show', 'doctor_no_show', 'not_held', '' );
	$now       = time() - HOUR_IN_SECONDS;
	$chunk     = 1000;
	for ( $done = 0; $done < $count; $done += $chunk ) {
		$n      = min( $chunk, $count - $done );
		$appts  = array();
		$slots  = array();
		for ( $i = 0; $i < $n; $i++ ) {
			$k       = $done + $i;
			$end     = $now - (int) ( $span * $k / $count );
			$start   = $end - 30 * MINUTE_IN_SECONDS;
			$doctor  = $doctors[ $k % count( $doctors ) ];
			$slots[] = array( $start, $end, $doctor, $outcomes[ $k % count( $outcomes ) ] );
			$appts[] = $wpdb->prepare( '(%s,%s,%d,%d,0,1,%s,%s,%s)', gmdate( 'Y-m-d', $start ), gmdate( 'H:i:s', $start ), $clinic_id, $doctor, MFK_BENCH_VISIT, gmdate( 'Y-m-d H:i:s', $start ), gmdate( 'Y-m-d H:i:s', $end ) );
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching,WordPress.DB.PreparedSQL.NotPrepared -- benchmark seed, values prepared above.
		$wpdb->query( 'INSERT INTO ' . $wpdb->prefix . 'kc_appointments (appointment_start_date, appointment_start_time, clinic_id, doctor_id, patient_id, status, description, appointment_start_utc, appointment_end_utc) VALUES ' . implode( ',', $appts ) );
		// Multi-row inserts get consecutive ids (InnoDB's default auto-increment lock mode).
		$first    = (int) $wpdb->insert_id;
		$mappings = array();
		$records  = array();
		foreach ( $slots as $i => list( $start, $end, $doctor, $outcome ) ) {
			$id         = $first + $i;
			$mappings[] = $wpdb->prepare( "(%d,%s,'ready','ready','active',%d,%s,%s)", $id, 'https://meet.google.com/ben-chvi-sit', $doctor, gmdate( 'Y-m-d H:i:s', $start ), gmdate( 'Y-m-d H:i:s', $end ) );
			if ( '' !== $outcome ) {
				$minutes   = 'held' === $outcome ? 20 + $id % 15 : 0;
				$records[] = $wpdb->prepare( "(%d,'recorded',%s,1,%s,%s,'[]')", $id, $outcome, gmdate( 'Y-m-d H:i:s', $start ), gmdate( 'Y-m-d H:i:s', $start + 60 * $minutes ) );
			}
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching,WordPress.DB.PreparedSQL.NotPrepared -- benchmark seed, values prepared above.
		$wpdb->query( 'INSERT INTO ' . MFK_Schema::table() . ' (appointment_id, url, state, link_state, desired, doctor_id, start_utc, end_utc) VALUES ' . implode( ',', $mappings ) );
		if ( $records ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching,WordPress.DB.PreparedSQL.NotPrepared -- benchmark seed, values prepared above.
			$wpdb->query( 'INSERT INTO ' . MFK_Meet_Attendance::table() . ' (appointment_id, state, outcome, calls, call_start, call_end, participants) VALUES ' . implode( ',', $records ) );
		}
	}
	// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- benchmark.
	$wpdb->query( $wpdb->prepare( 'ANALYZE TABLE %i, %i, %i', MFK_Schema::table(), $wpdb->prefix . 'kc_appointments', MFK_Meet_Attendance::table() ) );
	return array(
		'clinic_id'    => $clinic_id,
		'clinic_admin' => (int) $admin_id,
		'seeded'       => $count,
	);
}

/**
 * Server time of report requests.
 *
 * @param array $args `runs`, `clinic_id`, `clinic_admin`, `admin`, `doctor`.
 * @return array Per scenario: ms per run, and the answer's total.
 */
function mfk_bench_visits_report( array $args ): array {
	$clinic    = (int) $args['clinic_id'];
	$scenarios = array(
		'admin-first-page'        => array( (int) $args['admin'], array( 'clinic_id' => $clinic ) ),
		'clinic-admin-first-page' => array( (int) $args['clinic_admin'], array() ),
		'clinic-admin-deep-page'  => array( (int) $args['clinic_admin'], array( 'page' => 1000 ) ),
		'clinic-admin-doctor'     => array( (int) $args['clinic_admin'], array( 'doctor_id' => (int) $args['doctor'] ) ),
		'clinic-admin-no-shows'   => array( (int) $args['clinic_admin'], array( 'outcome' => 'patient_no_show' ) ),
		'clinic-admin-last-month' => array(
			(int) $args['clinic_admin'],
			array(
				'from' => gmdate( 'Y-m-d', time() - 30 * DAY_IN_SECONDS ),
				'to'   => gmdate( 'Y-m-d' ),
			),
		),
	);
	$out = array();
	foreach ( $scenarios as $name => list( $user, $params ) ) {
		wp_set_current_user( $user );
		$ms    = array();
		$total = null;
		$items = 0;
		for ( $r = 0; $r < (int) $args['runs']; $r++ ) {
			$request = new WP_REST_Request( 'GET', '/' . MFK_REST::NAMESPACE . MFK_REST_Reports::ROUTE );
			$request->set_query_params( $params + array( 'per_page' => 25 ) );
			$started  = microtime( true );
			$response = rest_do_request( $request );
			$ms[]     = ( microtime( true ) - $started ) * 1000;
			$data     = $response->get_data();
			$total    = 200 === $response->get_status() ? (int) $data['total'] : -$response->get_status();
			$items    = 200 === $response->get_status() ? count( $data['items'] ) : 0;
		}
		$out[ $name ] = array(
			'ms'    => $ms,
			'total' => $total,
			'items' => $items,
		);
	}
	wp_set_current_user( 0 );
	return $out;
}

/**
 * Removes the seeded visits.
 *
 * @param array $args `clinic_id`.
 * @return int Appointments removed.
 */
function mfk_bench_visits_cleanup( array $args ): int {
	global $wpdb;
	$appointments = $wpdb->prefix . 'kc_appointments';
	// phpcs:disable WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- benchmark cleanup.
	$wpdb->query( $wpdb->prepare( 'DELETE a FROM %i a JOIN %i k ON k.id = a.appointment_id WHERE k.description = %s', MFK_Meet_Attendance::table(), $appointments, MFK_BENCH_VISIT ) );
	$wpdb->query( $wpdb->prepare( 'DELETE m FROM %i m JOIN %i k ON k.id = m.appointment_id WHERE k.description = %s', MFK_Schema::table(), $appointments, MFK_BENCH_VISIT ) );
	$removed = (int) $wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE description = %s', $appointments, MFK_BENCH_VISIT ) );
	$wpdb->delete( $wpdb->prefix . 'kc_clinics', array( 'id' => (int) $args['clinic_id'] ) );
	// phpcs:enable
	return $removed;
}
