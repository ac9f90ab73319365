<?php
/**
 * Demo appointments for the development instance (idempotent), once seed-demo.php has made the
 * clinic and the demo doctor is connected to Google: video consultations whose meetings are in
 * each state the Meet controls show, and an in-person visit. Everything is booked, moved and
 * cancelled through KiviCare's REST API as the people involved, so the plugin does what it does
 * on a real site (events at Google, e-mails to the SMTP sink).
 *
 * The appointments are remembered in option `mfk_demo_appointments`. On every start the one
 * that should be open now is moved to a few minutes from now, and ended ones are replaced.
 *
 * Runs through eval.php. `$args`: `users` and `services` from seed-demo.php, `reensure` (true
 * when the Google emulator started empty: the demo doctor's meetings are made there again).
 *
 * @package MeetForKiviCare\Harness
 */

$mfk_demo_users    = array_map( 'intval', (array) $args['users'] );
$mfk_demo_services = (array) $args['services'];
$mfk_demo_zone     = wp_timezone();
$mfk_demo_zone_name = in_array( wp_timezone_string(), array( '+00:00', 'UTC' ), true ) ? 'UTC' : wp_timezone_string();
$mfk_demo_now      = time();
$mfk_demo_saved    = (array) get_option( 'mfk_demo_appointments', array() );
$mfk_demo_problems = array();

/**
 * Local date and time (`Y-m-d`, `H:i`) of a Unix time in the site's zone.
 *
 * @param int          $time Unix time.
 * @param DateTimeZone $zone Site zone.
 * @return array{0:string,1:string}
 */
function mfk_demo_local( $time, DateTimeZone $zone ) {
	$at = ( new DateTimeImmutable( '@' . $time ) )->setTimezone( $zone );
	return array( $at->format( 'Y-m-d' ), $at->format( 'H:i' ) );
}

/**
 * Unix time of a local date and time in the site's zone.
 *
 * @param string       $date `Y-m-d`.
 * @param string       $time `H:i`.
 * @param DateTimeZone $zone Site zone.
 */
function mfk_demo_time( $date, $time, DateTimeZone $zone ) {
	return ( new DateTimeImmutable( "$date $time", $zone ) )->getTimestamp();
}

/**
 * Calls a REST route inside this process as `$user_id`; returns the status and data.
 *
 * @param string $method  HTTP method.
 * @param string $route   Route.
 * @param array  $params  Parameters.
 * @param int    $user_id Acting user.
 * @return array{0:int,1:array}
 */
function mfk_demo_rest( $method, $route, array $params, $user_id ) {
	wp_set_current_user( (int) $user_id );
	$request = new WP_REST_Request( $method, $route );
	foreach ( $params as $key => $value ) {
		$request->set_param( $key, $value );
	}
	$response = rest_do_request( $request );
	return array( (int) $response->get_status(), (array) $response->get_data() );
}

/**
 * The KiviCare appointment row, or null.
 *
 * @param int $id Appointment id.
 */
function mfk_demo_row( $id ) {
	global $wpdb;
	return $id > 0 ? $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}kc_appointments WHERE id = %d", (int) $id ), ARRAY_A ) : null;
}

/**
 * Books `$spec` (doctor, patient, service kind, extra parameters) at `$start` or, when the slot
 * is taken, at the next free hour after it (a few tries). Returns the appointment id or 0.
 *
 * @param array $spec  What to book.
 * @param int   $start Unix time.
 */
function mfk_demo_book( array $spec, $start ) {
	global $mfk_demo_users, $mfk_demo_services, $mfk_demo_zone, $mfk_demo_problems;
	$message = '';
	for ( $try = 0; $try < 6; $try++ ) {
		list( $date, $time ) = mfk_demo_local( $start + $try * HOUR_IN_SECONDS, $mfk_demo_zone );
		list( $status, $data ) = mfk_demo_rest(
			'POST',
			'/kivicare/v1/appointments',
			array(
				'doctorId'             => $mfk_demo_users[ $spec['doctor'] ],
				'serviceId'            => array( (int) $mfk_demo_services[ $spec['doctor'] ][ $spec['service'] ] ),
				'appointmentStartDate' => $date,
				'appointmentStartTime' => $time,
				'status'               => 1,
			) + $spec['extra'],
			$mfk_demo_users[ $spec['patient'] ]
		);
		if ( 201 === $status ) {
			return (int) $data['data']['appointment_id'];
		}
		$message = (string) ( $data['message'] ?? "HTTP $status" );
		if ( 409 !== $status ) {
			break;
		}
	}
	$mfk_demo_problems[] = sprintf( '%s: %s', $spec['label'], $message );
	return 0;
}

/**
 * Moves an appointment (as its doctor, like KiviCare's dashboard) to `$start` or the next free
 * hour after it. Returns whether it moved.
 *
 * @param int   $id    Appointment id.
 * @param array $spec  What it is.
 * @param int   $start Unix time.
 */
function mfk_demo_move( $id, array $spec, $start ) {
	global $mfk_demo_users, $mfk_demo_zone;
	for ( $try = 0; $try < 6; $try++ ) {
		list( $date, $time ) = mfk_demo_local( $start + $try * HOUR_IN_SECONDS, $mfk_demo_zone );
		list( $status ) = mfk_demo_rest(
			'PUT',
			'/kivicare/v1/appointments/' . $id,
			array(
				'id'                   => $id,
				'appointmentStartDate' => $date,
				'appointmentStartTime' => $time,
			),
			$mfk_demo_users[ $spec['doctor'] ]
		);
		if ( 200 === $status ) {
			return true;
		}
		if ( 409 !== $status ) {
			return false;
		}
	}
	return false;
}

// Starts a few minutes from now, on a five-minute mark: its join window is open at once and
// stays open until it ends. One that would cross midnight takes the day's last half hour
// instead (the doctor's working day ends at 24:00), which also starts within five minutes.
$mfk_demo_soon = (int) ( ceil( ( $mfk_demo_now + 5 * MINUTE_IN_SECONDS ) / 300 ) * 300 );
list( $mfk_demo_day ) = mfk_demo_local( $mfk_demo_soon, $mfk_demo_zone );
if ( mfk_demo_local( $mfk_demo_soon + 30 * MINUTE_IN_SECONDS - 1, $mfk_demo_zone )[0] !== $mfk_demo_day ) {
	$mfk_demo_soon = mfk_demo_time( $mfk_demo_day, '23:30', $mfk_demo_zone );
}
$mfk_demo_tomorrow = mfk_demo_local( $mfk_demo_now + DAY_IN_SECONDS, $mfk_demo_zone )[0];
$mfk_demo_later    = mfk_demo_local( $mfk_demo_now + 2 * DAY_IN_SECONDS, $mfk_demo_zone )[0];

$mfk_demo_specs = array(
	'open_now'         => array(
		'label'   => 'Video consultation open now',
		'doctor'  => 'doctor',
		'patient' => 'patient',
		'service' => 'telemed',
		'start'   => $mfk_demo_soon,
		'extra'   => array(),
	),
	'tomorrow'         => array(
		'label'   => 'Video consultation tomorrow',
		'doctor'  => 'doctor',
		'patient' => 'patient',
		'service' => 'telemed',
		'start'   => mfk_demo_time( $mfk_demo_tomorrow, '10:00', $mfk_demo_zone ),
		'extra'   => array(),
	),
	'awaiting_payment' => array(
		'label'   => 'Video consultation awaiting online payment (no link until paid)',
		'doctor'  => 'doctor',
		'patient' => 'patient2',
		'service' => 'telemed',
		'start'   => mfk_demo_time( $mfk_demo_later, '09:00', $mfk_demo_zone ),
		'extra'   => array( 'paymentGateway' => 'woocommerce' ),
	),
	'cancelled'        => array(
		'label'   => 'Video consultation cancelled by the patient',
		'doctor'  => 'doctor',
		'patient' => 'patient2',
		'service' => 'telemed',
		'start'   => mfk_demo_time( $mfk_demo_later, '15:00', $mfk_demo_zone ),
		'extra'   => array(),
		'cancel'  => true,
	),
	'in_person'        => array(
		'label'   => 'Clinic visit (in person, no video)',
		'doctor'  => 'doctor2',
		'patient' => 'patient',
		'service' => 'in_person',
		'start'   => mfk_demo_time( $mfk_demo_tomorrow, '14:00', $mfk_demo_zone ),
		'extra'   => array(),
	),
);

$mfk_demo_connected = class_exists( 'MFK_Doctor_Connection' ) && MFK_Doctor_Connection::is_active( $mfk_demo_users['doctor'] );
foreach ( $mfk_demo_specs as $mfk_demo_key => $mfk_demo_spec ) {
	if ( 'telemed' === $mfk_demo_spec['service'] && ! $mfk_demo_connected ) {
		// KiviCare refuses video consultations of a doctor without a telemedicine connection.
		$mfk_demo_problems[] = $mfk_demo_spec['label'] . ': not booked, the demo doctor has no Google connection';
		continue;
	}
	$mfk_demo_id  = (int) ( $mfk_demo_saved[ $mfk_demo_key ] ?? 0 );
	$mfk_demo_row = mfk_demo_row( $mfk_demo_id );
	$mfk_demo_end = $mfk_demo_row ? strtotime( $mfk_demo_row['appointment_end_utc'] . ' UTC' ) : 0;

	if ( 'open_now' === $mfk_demo_key && $mfk_demo_row && 1 === (int) $mfk_demo_row['status'] ) {
		$mfk_demo_start = strtotime( $mfk_demo_row['appointment_start_utc'] . ' UTC' );
		// Not open right now, or about to end: it moves to a few minutes from now (unless it is
		// there already: the day's last half hour).
		if ( ( $mfk_demo_start > $mfk_demo_now + 10 * MINUTE_IN_SECONDS || $mfk_demo_end < $mfk_demo_now + 15 * MINUTE_IN_SECONDS ) && $mfk_demo_start !== $mfk_demo_spec['start'] ) {
			if ( ! mfk_demo_move( $mfk_demo_id, $mfk_demo_spec, $mfk_demo_spec['start'] ) ) {
				$mfk_demo_row = null;
			}
		}
	} elseif ( $mfk_demo_row && $mfk_demo_end <= $mfk_demo_now ) {
		$mfk_demo_row = null; // Ended: it stays in the history, and a new one is booked.
	}
	if ( 'open_now' === $mfk_demo_key && $mfk_demo_row && 1 !== (int) $mfk_demo_row['status'] ) {
		$mfk_demo_row = null; // Cancelled by someone trying things out: book a new one.
	}

	if ( ! $mfk_demo_row ) {
		$mfk_demo_id = mfk_demo_book( $mfk_demo_spec, $mfk_demo_spec['start'] );
		if ( $mfk_demo_id && ! empty( $mfk_demo_spec['cancel'] ) ) {
			list( $mfk_demo_status, $mfk_demo_data ) = mfk_demo_rest(
				'PUT',
				'/kivicare/v1/appointments/' . $mfk_demo_id . '/status',
				array(
					'id'     => $mfk_demo_id,
					'status' => 0,
				),
				$mfk_demo_users[ $mfk_demo_spec['patient'] ]
			);
			if ( 200 !== $mfk_demo_status ) {
				$mfk_demo_problems[] = $mfk_demo_spec['label'] . ': ' . (string) ( $mfk_demo_data['message'] ?? "HTTP $mfk_demo_status" );
			}
		}
	} elseif ( ! empty( $args['reensure'] ) && 'telemed' === $mfk_demo_spec['service'] && 1 === (int) $mfk_demo_row['status'] ) {
		// The emulator started empty: the meeting is made there again, as "Try again" does.
		MFK_Retry::requeue( $mfk_demo_id );
	}
	if ( $mfk_demo_id ) {
		$mfk_demo_saved[ $mfk_demo_key ] = $mfk_demo_id;
	}
}
update_option( 'mfk_demo_appointments', $mfk_demo_saved, false );

// What a request's end or the next cron run would do: sync moved and re-queued meetings now.
if ( class_exists( 'MFK_Queue' ) ) {
	MFK_Queue::run( array( 'max_seconds' => 20 ) );
}

$mfk_demo_result = array();
foreach ( $mfk_demo_specs as $mfk_demo_key => $mfk_demo_spec ) {
	$mfk_demo_id  = (int) ( $mfk_demo_saved[ $mfk_demo_key ] ?? 0 );
	$mfk_demo_row = mfk_demo_row( $mfk_demo_id );
	if ( ! $mfk_demo_row ) {
		continue;
	}
	$mfk_demo_start    = strtotime( $mfk_demo_row['appointment_start_utc'] . ' UTC' );
	$mfk_demo_meeting  = class_exists( 'MFK_Mappings' ) ? MFK_Mappings::get_by_appointment( $mfk_demo_id ) : null;
	$mfk_demo_result[] = array(
		'key'     => $mfk_demo_key,
		'label'   => $mfk_demo_spec['label'],
		'id'      => $mfk_demo_id,
		'doctor'  => $mfk_demo_spec['doctor'],
		'patient' => $mfk_demo_spec['patient'],
		'start'   => gmdate( 'c', $mfk_demo_start ),
		'when'    => wp_date( 'D j M, H:i', $mfk_demo_start, $mfk_demo_zone ) . ' (' . $mfk_demo_zone_name . ')',
		'status'  => (int) $mfk_demo_row['status'],
		'meeting' => $mfk_demo_meeting ? (string) $mfk_demo_meeting['state'] : '',
		'url'     => $mfk_demo_meeting ? (string) $mfk_demo_meeting['url'] : '',
	);
}

return array(
	'appointments' => $mfk_demo_result,
	'problems'     => $mfk_demo_problems,
);
