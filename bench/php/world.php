<?php
/**
 * Benchmark world, built in one PHP process (each wp-load costs a tenth of a second): a clinic,
 * doctors with a telemedicine service each, all connected to Google through the emulator's
 * consent page and the plugin's own OAuth code path, one doctor with an in-person service too,
 * and a patient. Test-only; run through the harness's eval runner with the bench instance.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Calls a REST route of the stand-in as the administrator.
 *
 * @param string $method Method.
 * @param string $route  Route.
 * @param array  $body   Parameters.
 * @return array Response data.
 */
function mfk_bench_rest( string $method, string $route, array $body ): array {
	$request = new WP_REST_Request( $method, $route );
	$request->set_header( 'content-type', 'application/json' );
	$request->set_body( wp_json_encode( $body ) );
	$response = rest_do_request( $request );
	if ( $response->is_error() || $response->get_status() >= 300 ) {
		throw new RuntimeException( "$method $route: " . wp_json_encode( $response->get_data() ) );
	}
	return (array) $response->get_data();
}

/**
 * A user with a role and meta.
 *
 * @param string $role  Role.
 * @param string $login Login.
 * @param array  $meta  User meta.
 * @return int
 */
function mfk_bench_user( string $role, string $login, array $meta = array() ): int {
	$id = wp_insert_user(
		array(
			'user_login'   => $login,
			'user_email'   => $login . '@clinic.test',
			'user_pass'    => 'bench-password-1',
			'first_name'   => ucfirst( $login ),
			'display_name' => ucfirst( $login ),
			'role'         => $role,
		)
	);
	if ( is_wp_error( $id ) ) {
		throw new RuntimeException( $id->get_error_message() );
	}
	foreach ( $meta as $key => $value ) {
		update_user_meta( $id, $key, $value );
	}
	return (int) $id;
}

/**
 * Follows the emulator's consent page as a browser would and returns the code.
 *
 * @param string $url   Consent URL.
 * @param string $email Google account.
 * @return string
 */
function mfk_bench_consent( string $url, string $email ): string {
	$page = wp_remote_get( $url, array( 'timeout' => 10 ) );
	$html = (string) wp_remote_retrieve_body( $page );
	if ( ! preg_match( '/<form[^>]*action="([^"]+)"/', $html, $form ) || ! preg_match( '/name="request" value="([^"]*)"/', $html, $pending ) ) {
		throw new RuntimeException( 'No consent form: ' . substr( $html, 0, 200 ) );
	}
	$parts = wp_parse_url( $url );
	$body  = 'request=' . rawurlencode( html_entity_decode( $pending[1], ENT_QUOTES ) ) . '&email=' . rawurlencode( $email ) . '&decision=allow';
	preg_match_all( '/name="scope" value="([^"]*)" checked/', $html, $scopes );
	foreach ( $scopes[1] as $scope ) {
		$body .= '&scope=' . rawurlencode( html_entity_decode( $scope, ENT_QUOTES ) );
	}
	$back     = wp_remote_post(
		$parts['scheme'] . '://' . $parts['host'] . ':' . $parts['port'] . html_entity_decode( $form[1], ENT_QUOTES ),
		array(
			'timeout'     => 10,
			'redirection' => 0,
			'headers'     => array( 'Content-Type' => 'application/x-www-form-urlencoded' ),
			'body'        => $body,
		)
	);
	$location = (string) wp_remote_retrieve_header( $back, 'location' );
	parse_str( (string) wp_parse_url( $location, PHP_URL_QUERY ), $query );
	if ( empty( $query['code'] ) ) {
		throw new RuntimeException( 'Consent without a code: ' . $location );
	}
	return (string) $query['code'];
}

/**
 * Builds the world.
 *
 * @param array $args `doctors` (count), `redirect` (OAuth redirect URI registered with the emulator).
 * @return array
 */
function mfk_bench_world( array $args ): array {
	wp_set_current_user( 1 );
	$clinic    = mfk_bench_rest(
		'POST',
		'/kivicare/v1/setup-wizard/clinic',
		array(
			'name'         => 'Bench Clinic',
			'email'        => 'front-desk@clinic.test',
			'clinic_admin' => array( 'email' => 'bench-clinic-admin@clinic.test' ),
		)
	);
	$clinic_id = (int) $clinic['data']['clinic_id'];
	global $wpdb;

	$doctors = array();
	for ( $i = 0; $i < (int) $args['doctors']; $i++ ) {
		$id = mfk_bench_user( 'kiviCare_doctor', sprintf( 'doctor%02d', $i ), array( 'kc_standin_session_hours' => '00:00-24:00' ) );
		$wpdb->insert(
			$wpdb->prefix . 'kc_doctor_clinic_mappings',
			array(
				'doctor_id'  => $id,
				'clinic_id'  => $clinic_id,
				'owner'      => 0,
				'created_at' => current_time( 'mysql' ),
			)
		);
		$service = mfk_bench_rest(
			'POST',
			'/kivicare/v1/doctor-services',
			array(
				'name'            => "Video consultation $i",
				'category'        => 'general',
				'price'           => 50,
				'duration'        => 30,
				'doctors'         => array( $id ),
				'telemed_service' => 'yes',
			)
		);
		$email = sprintf( 'doctor%02d@bench.test', $i );
		$state = wp_generate_password( 20, false );
		$url   = MFK_Doctor_Connection::authorization_url( $id, $args['redirect'], $state );
		if ( is_wp_error( $url ) ) {
			throw new RuntimeException( $url->get_error_message() );
		}
		$connected = MFK_Doctor_Connection::connect_from_code( $id, mfk_bench_consent( $url, $email ), $args['redirect'] );
		if ( is_wp_error( $connected ) ) {
			throw new RuntimeException( $connected->get_error_message() );
		}
		$doctors[] = array(
			'id'              => $id,
			'email'           => $email,
			'telemedMapping'  => (int) $service['data']['mappings'][0]['id'],
			'telemedService'  => (int) $service['data']['service_id'],
		);
	}

	// The booking doctor (the first) also sees patients in person: the baseline booking.
	$in_person = mfk_bench_rest(
		'POST',
		'/kivicare/v1/doctor-services',
		array(
			'name'            => 'Consultation in person',
			'category'        => 'general',
			'price'           => 50,
			'duration'        => 30,
			'doctors'         => array( $doctors[0]['id'] ),
			'telemed_service' => 'no',
		)
	);
	$doctors[0]['inPersonMapping'] = (int) $in_person['data']['mappings'][0]['id'];

	$patient = mfk_bench_user( 'kiviCare_patient', 'patient' );
	$wpdb->insert(
		$wpdb->prefix . 'kc_patient_clinic_mappings',
		array(
			'patient_id' => $patient,
			'clinic_id'  => $clinic_id,
			'created_at' => current_time( 'mysql' ),
		)
	);
	return array(
		'siteId'   => MFK_Site::id(),
		'clinicId' => $clinic_id,
		'doctors'  => $doctors,
		'patient'  => array(
			'id'       => $patient,
			'login'    => 'patient',
			'password' => 'bench-password-1',
		),
	);
}
