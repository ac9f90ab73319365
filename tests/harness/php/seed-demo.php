<?php
/**
 * Demo data for the development instance (idempotent): a page showing the Meet controls and
 * one account per KiviCare role when the KiviCare stand-in is active. Prints the accounts as
 * JSON for `./bin/dev start` to display.
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

return array(
	'accounts' => $mfk_seed_accounts,
	'page'     => get_permalink( get_page_by_path( 'video-consultations' ) ),
);
