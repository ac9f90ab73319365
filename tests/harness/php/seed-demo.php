<?php
/**
 * Demo data for the development instance (idempotent): a page showing the Meet controls and
 * one account per KiviCare role when the KiviCare stand-in is active; with the stand-in, also
 * the demo clinic (its admin and receptionist, both doctors, a video consultation and an
 * in-person service per doctor, a booking page) and, when the sidecar answers, the Google OAuth
 * client the emulator knows. Returns the accounts and what tests/harness/demo.ts needs next
 * (connecting the demo doctor's Google account, then seed-demo-appointments.php).
 *
 * Runs through eval.php (WordPress is loaded; `$args['password']` is the accounts' password).
 *
 * @package MeetForKiviCare\Harness
 */

$mfk_seed_password = (string) $args['password'];
$mfk_seed_accounts = array();

$mfk_seed_people = array(
	array( 'doctor', 'kiviCare_doctor', 'Dr. Alex Morgan', 'doctor@clinic.test' ),
	array( 'doctor2', 'kiviCare_doctor', 'Dr. Sam Lee', 'doctor2@clinic.test' ),
	array( 'patient', 'kiviCare_patient', 'Pat Jordan', 'patient@clinic.test' ),
	array( 'patient2', 'kiviCare_patient', 'Robin Diaz', 'patient2@clinic.test' ),
	array( 'receptionist', 'kiviCare_receptionist', 'Casey Kim', 'receptionist@clinic.test' ),
	array( 'clinicadmin', 'kiviCare_clinic_admin', 'Jamie Fox', 'clinicadmin@clinic.test' ),
);

foreach ( $mfk_seed_people as list( $mfk_login, $mfk_role, $mfk_name, $mfk_email ) ) {
	if ( ! get_role( $mfk_role ) ) {
		continue; // KiviCare (or its stand-in) is not active: its roles do not exist.
	}
	$mfk_user = get_user_by( 'login', $mfk_login );
	if ( ! $mfk_user ) {
		list( $mfk_first, $mfk_last ) = array_pad( explode( ' ', preg_replace( '/^Dr\. /', '', $mfk_name ), 2 ), 2, '' );
		$mfk_id = wp_insert_user(
			array(
				'user_login'   => $mfk_login,
				'user_pass'    => $mfk_seed_password,
				'user_email'   => $mfk_email,
				'display_name' => $mfk_name,
				'first_name'   => $mfk_first,
				'last_name'    => $mfk_last,
				'role'         => $mfk_role,
			)
		);
		if ( is_wp_error( $mfk_id ) ) {
			throw new RuntimeException( $mfk_id->get_error_message() );
		}
	}
	$mfk_seed_accounts[] = array(
		'login' => $mfk_login,
		'role'  => $mfk_role,
		'name'  => $mfk_name,
	);
}

if ( ! get_page_by_path( 'video-consultations' ) ) {
	wp_insert_post(
		array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_name'    => 'video-consultations',
			'post_title'   => 'Video consultations',
			'post_content' => '<!-- wp:meet-for-kivicare/meet-controls /-->',
		)
	);
}

$mfk_seed_clinic = mfk_seed_clinic();

return array(
	'accounts' => $mfk_seed_accounts,
	'page'     => get_permalink( get_page_by_path( 'video-consultations' ) ),
) + $mfk_seed_clinic;

/**
 * Calls a REST route inside this process as `$user_id` (KiviCare's own code runs, with its
 * checks and hooks) and returns the answer's data, or throws with its message.
 *
 * @param string $method  HTTP method.
 * @param string $route   Route, e.g. `/kivicare/v1/doctor-services`.
 * @param array  $params  Parameters.
 * @param int    $user_id Acting user.
 * @return array
 */
function mfk_seed_rest( $method, $route, array $params, $user_id ) {
	wp_set_current_user( (int) $user_id );
	$request = new WP_REST_Request( $method, $route );
	foreach ( $params as $key => $value ) {
		$request->set_param( $key, $value );
	}
	$response = rest_do_request( $request );
	$data     = (array) $response->get_data();
	if ( $response->is_error() || $response->get_status() >= 400 ) {
		throw new RuntimeException( sprintf( '%s %s: HTTP %d %s', $method, $route, $response->get_status(), (string) ( $data['message'] ?? wp_json_encode( $data ) ) ) );
	}
	return $data;
}

/**
 * The demo clinic around the seeded accounts (KiviCare stand-in only).
 *
 * @return array{clinic?:array,google?:array}
 */
function mfk_seed_clinic() {
	global $wpdb;
	if ( ! function_exists( 'kcGetDefaultClinicId' ) || ! get_role( 'kiviCare_doctor' ) ) {
		return array();
	}
	$ids = array();
	foreach ( array( 'doctor', 'doctor2', 'patient', 'patient2', 'receptionist', 'clinicadmin' ) as $login ) {
		$user = get_user_by( 'login', $login );
		if ( ! $user ) {
			throw new RuntimeException( "Demo account $login is missing" );
		}
		$ids[ $login ] = (int) $user->ID;
	}
	$admins   = get_users(
		array(
			'role'    => 'administrator',
			'number'  => 1,
			'orderby' => 'ID',
			'fields'  => 'ID',
		)
	);
	$admin_id = (int) ( $admins[0] ?? 0 );

	if ( ! kcGetDefaultClinicId() ) {
		mfk_seed_rest(
			'POST',
			'/kivicare/v1/setup-wizard/clinic',
			array(
				'name'         => 'Riverside Clinic',
				'email'        => 'front-desk@clinic.test',
				'telephone_no' => '+1 555 0100',
				'city'         => 'Springfield',
				'clinic_admin' => array( 'email' => 'clinicadmin@clinic.test' ),
			),
			$admin_id
		);
	}
	$clinic_id = (int) kcGetDefaultClinicId();
	$now       = current_time( 'mysql' );
	foreach ( array( 'doctor', 'doctor2' ) as $login ) {
		// Both work around the clock here, so a consultation can always start a few minutes from now.
		update_user_meta( $ids[ $login ], 'kc_standin_session_hours', '00:00-24:00' );
		if ( ! $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$wpdb->prefix}kc_doctor_clinic_mappings WHERE doctor_id = %d AND clinic_id = %d", $ids[ $login ], $clinic_id ) ) ) {
			$wpdb->insert(
				$wpdb->prefix . 'kc_doctor_clinic_mappings',
				array(
					'doctor_id'  => $ids[ $login ],
					'clinic_id'  => $clinic_id,
					'owner'      => 0,
					'created_at' => $now,
				)
			);
		}
	}
	if ( ! $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$wpdb->prefix}kc_receptionist_clinic_mappings WHERE receptionist_id = %d AND clinic_id = %d", $ids['receptionist'], $clinic_id ) ) ) {
		$wpdb->insert(
			$wpdb->prefix . 'kc_receptionist_clinic_mappings',
			array(
				'receptionist_id' => $ids['receptionist'],
				'clinic_id'       => $clinic_id,
				'created_at'      => $now,
			)
		);
	}

	// A video consultation and an in-person visit for each doctor: service mapping ids.
	$services = array();
	foreach ( array( 'doctor', 'doctor2' ) as $login ) {
		foreach ( array(
			'telemed'   => array( 'Video consultation', 'yes', 40 ),
			'in_person' => array( 'Clinic visit', 'no', 60 ),
		) as $kind => list( $name, $telemed, $price ) ) {
			$mapping_id = (int) $wpdb->get_var(
				$wpdb->prepare(
					"SELECT m.id FROM {$wpdb->prefix}kc_service_doctor_mapping m JOIN {$wpdb->prefix}kc_services s ON s.id = m.service_id
					 WHERE s.name = %s AND m.doctor_id = %d AND m.clinic_id = %d ORDER BY m.id LIMIT 1",
					$name,
					$ids[ $login ],
					$clinic_id
				)
			);
			if ( ! $mapping_id ) {
				$created    = mfk_seed_rest(
					'POST',
					'/kivicare/v1/doctor-services',
					array(
						'name'            => $name,
						'category'        => 'general',
						'price'           => $price,
						'duration'        => 30,
						'doctors'         => array( $ids[ $login ] ),
						'telemed_service' => $telemed,
					),
					$admin_id
				);
				$mapping_id = (int) $created['data']['mappings'][0]['id'];
			}
			$services[ $login ][ $kind ] = $mapping_id;
		}
	}

	if ( ! get_page_by_path( 'book-appointment' ) ) {
		wp_insert_post(
			array(
				'post_type'    => 'page',
				'post_status'  => 'publish',
				'post_name'    => 'book-appointment',
				'post_title'   => 'Book an appointment',
				'post_content' => '[kivicareBookAppointment]',
			)
		);
	}

	// Google: the emulator's built-in OAuth client, unless the site has its own already.
	$google = array(
		'configured' => false,
		'message'    => '',
	);
	if ( class_exists( 'MFK_Settings' ) ) {
		if ( is_wp_error( MFK_Settings::client() ) ) {
			$saved = MFK_Settings::update(
				array(
					'google_client_id'     => 'demo-client.apps.googleusercontent.com',
					'google_client_secret' => 'demo-client-secret',
				)
			);
			if ( is_wp_error( $saved ) ) {
				$google['message'] = $saved->get_error_message();
			}
		}
		$google['configured'] = ! is_wp_error( MFK_Settings::client() );
		$google['redirect']   = admin_url( 'admin-post.php?action=mfk_oauth_callback' );
		$google['doctor']     = MFK_Doctor_Connection::get( $ids['doctor'] );
	}

	return array(
		'clinic' => array(
			'id'       => $clinic_id,
			'users'    => $ids,
			'services' => $services,
			'booking'  => get_permalink( get_page_by_path( 'book-appointment' ) ),
		),
		'google' => $google,
	);
}
