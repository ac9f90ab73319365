<?php
/**
 * "Test connection": each link of the chain checked on its own (the sidecar, its shared
 * secret or enrolment key, the OAuth client at Google, a connected doctor's grant, calendar
 * and Meet, a real test meeting created and removed), and what could not be checked said
 * as plainly as what failed.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Runs the connection test for the settings page.
 */
final class MFK_Connection_Test {

	/** Checks the sidecar runs only with a connected doctor's grant. */
	const DOCTOR_CHECKS = array( 'token', 'calendar', 'meet' );

	/**
	 * Runs the test.
	 *
	 * @param bool $probe     Create and remove a real test meeting.
	 * @param int  $doctor_id Doctor whose grant and calendar are tested (0: the current user when a connected doctor).
	 * @return array<string,mixed>|WP_Error
	 */
	public static function run( bool $probe, int $doctor_id = 0 ) {
		if ( $doctor_id > 0 && ! self::connected_doctor( $doctor_id ) ) {
			return new WP_Error( 'invalid_param', __( 'This user is not a doctor with a Google connection; choose a connected doctor.', 'meet-for-kivicare' ), array( 'status' => 400, 'params' => array( 'doctor_id' => __( 'Not a connected doctor.', 'meet-for-kivicare' ) ) ) );
		}
		if ( 0 === $doctor_id && self::connected_doctor( get_current_user_id() ) ) {
			$doctor_id = get_current_user_id();
		}

		$checks    = array();
		$sidecar   = MFK_Health::sidecar( 3.0 );
		$diagnosis = MFK_Sidecar_Diagnosis::explain( $sidecar );
		$checks[]  = array(
			'id'         => 'sidecar',
			'ok'         => $sidecar['reachable'],
			'message'    => $sidecar['reachable']
				/* translators: %s: sidecar version. */
				? sprintf( __( 'The sidecar answers (version %s).', 'meet-for-kivicare' ), '' !== $sidecar['version'] ? $sidecar['version'] : '?' )
				: $diagnosis['message'],
			'hint'       => $sidecar['reachable'] ? '' : $diagnosis['hint'],
			'latency_ms' => $sidecar['latency_ms'],
		) + ( $sidecar['reachable'] ? array() : array( 'code' => '' !== $sidecar['cause'] ? $sidecar['cause'] : $sidecar['code'] ) );
		if ( $sidecar['reachable'] ) {
			$checks[] = array(
				'id'      => $sidecar['hosted'] ? 'enrolment' : 'signature',
				'ok'      => $sidecar['signed'],
				'message' => $sidecar['signed']
					? ( $sidecar['hosted'] ? __( 'The hosted sidecar accepts this site\'s enrolment key.', 'meet-for-kivicare' ) : __( 'The sidecar accepts WordPress\'s signed requests.', 'meet-for-kivicare' ) )
					: $diagnosis['message'],
				'hint'    => $sidecar['signed'] ? '' : $diagnosis['hint'],
			) + ( $sidecar['signed'] ? array() : array( 'code' => '' !== $sidecar['reason'] ? $sidecar['reason'] : $sidecar['code'] ) );
		}

		if ( $sidecar['signed'] ) {
			$client = MFK_Settings::client();
			if ( is_wp_error( $client ) ) {
				$checks[] = array(
					'id'      => 'client',
					'ok'      => false,
					'message' => __( 'The Google OAuth client ID and secret are not configured.', 'meet-for-kivicare' ),
					'hint'    => __( 'Follow the setup guide in the Google tab: create an OAuth client of type "Web application" with the redirect URI shown there, and enter its ID and secret.', 'meet-for-kivicare' ),
					'link'    => array(
						'url'   => MFK_Setup_Hints::CONSOLE['clients'],
						'label' => __( 'Open the OAuth clients', 'meet-for-kivicare' ),
					),
				);
			} else {
				$checks = array_merge( $checks, self::google_checks( $client, $probe, $doctor_id ) );
			}
		}

		$ok = true;
		foreach ( $checks as $check ) {
			$ok = $ok && $check['ok'];
		}
		$ran      = wp_list_pluck( $checks, 'id' );
		$complete = $ok && in_array( 'probe', $ran, true );
		return array(
			'ok'          => $ok,
			'complete'    => $complete,
			'checks'      => $checks,
			'not_checked' => $complete ? array() : self::not_checked( $ran, $ok, $probe, $doctor_id ),
			'doctor'      => $doctor_id > 0 ? self::doctor( $doctor_id ) : null,
		);
	}

	/**
	 * Whether a user is a doctor with a stored grant (active or waiting for reconnection).
	 *
	 * @param int $user_id User.
	 */
	private static function connected_doctor( int $user_id ): bool {
		return $user_id > 0 && MFK_OAuth::is_doctor( $user_id ) && MFK_Doctor_Connection::is_connected( $user_id );
	}

	/**
	 * The doctor the test ran as.
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{id:int,name:string,email:string}
	 */
	private static function doctor( int $doctor_id ): array {
		$user = get_userdata( $doctor_id );
		return array(
			'id'    => $doctor_id,
			'name'  => $user ? (string) $user->display_name : '',
			'email' => MFK_Doctor_Connection::get( $doctor_id )['email'],
		);
	}

	/**
	 * What the run did not check, and why, so a passing run never claims more than it saw.
	 *
	 * @param array<int,string> $ran       Ids of the checks that ran.
	 * @param bool              $ok        Every check that ran passed.
	 * @param bool              $probe     A test meeting was asked for.
	 * @param int               $doctor_id Doctor tested (0: none).
	 * @return array<int,array{id:string,message:string}>
	 */
	private static function not_checked( array $ran, bool $ok, bool $probe, int $doctor_id ): array {
		$out = array();
		if ( ! in_array( 'client', $ran, true ) ) {
			$out[] = array(
				'id'      => 'client',
				'message' => __( 'Google was not asked about the OAuth client, because an earlier check failed.', 'meet-for-kivicare' ),
			);
		}
		if ( 0 === $doctor_id ) {
			$out[] = array(
				'id'      => 'doctor',
				'message' => __( 'No doctor\'s Google connection, calendar or Meet was checked, and no test meeting was created: no connected doctor was chosen. Choose a connected doctor under “Test as doctor” and test again.', 'meet-for-kivicare' ),
			);
			return $out;
		}
		$missing = array_values( array_diff( self::DOCTOR_CHECKS, $ran ) );
		if ( $missing && in_array( 'client', $ran, true ) ) {
			$out[] = array(
				'id'      => 'doctor',
				'message' => array( 'meet' ) === $missing
					? __( 'Whether Google Meet is allowed on the doctor\'s calendar was not checked, because an earlier check failed.', 'meet-for-kivicare' )
					: __( 'The doctor\'s calendar and Google Meet were not checked, because an earlier check failed.', 'meet-for-kivicare' ),
			);
		}
		if ( ! in_array( 'probe', $ran, true ) ) {
			$out[] = array(
				'id'      => 'probe',
				'message' => $probe || ! $ok
					? __( 'No test meeting was created, because an earlier check failed.', 'meet-for-kivicare' )
					: __( 'No test meeting was created: run the meeting test to be sure that Google Meet links can be made.', 'meet-for-kivicare' ),
			);
		}
		return $out;
	}

	/**
	 * The sidecar's `/v1/connection/test` checks, with a doctor's grant when one is tested.
	 *
	 * @param array<string,string> $client    OAuth client.
	 * @param bool                 $probe     Create and remove a real event.
	 * @param int                  $doctor_id Doctor (0: the client only).
	 * @return array<int,array<string,mixed>>
	 */
	private static function google_checks( array $client, bool $probe, int $doctor_id ): array {
		$body = array(
			'siteId' => MFK_Site::id(),
			'client' => $client,
		);
		if ( $doctor_id > 0 ) {
			$body['credential'] = MFK_Doctor_Connection::credential( $doctor_id );
			$body['calendarId'] = MFK_Doctor_Connection::calendar_id( $doctor_id );
			$body['probe']      = $probe;
		}
		$answer = MFK_Sidecar_Client::instance()->post( '/v1/connection/test', $body, array( 'timeout' => 15, 'doctor_id' => $doctor_id ) );
		if ( is_wp_error( $answer ) ) {
			$error = MFK_REST::error( $answer );
			return array(
				array(
					'id'      => 'client',
					'ok'      => false,
					'message' => $error->get_error_message(),
					'hint'    => MFK_Setup_Hints::hint( (string) $error->get_error_code() ),
					'code'    => (string) $error->get_error_code(),
				),
			);
		}
		$out = array();
		foreach ( (array) ( $answer['checks'] ?? array() ) as $check ) {
			if ( is_array( $check ) && isset( $check['id'] ) ) {
				$out[] = self::check( $check, $doctor_id );
			}
		}
		return $out;
	}

	/**
	 * One of the sidecar's checks as the settings page shows it.
	 *
	 * @param array<string,mixed> $check     The sidecar's check.
	 * @param int                 $doctor_id Doctor tested.
	 * @return array<string,mixed>
	 */
	private static function check( array $check, int $doctor_id ): array {
		$id      = sanitize_key( (string) $check['id'] );
		$code    = isset( $check['code'] ) && is_string( $check['code'] ) ? sanitize_key( $check['code'] ) : '';
		$ok      = ! empty( $check['ok'] );
		$message = isset( $check['message'] ) && is_string( $check['message'] ) ? sanitize_text_field( $check['message'] ) : '';
		if ( ! $ok && 'token' === $id && in_array( $code, MFK_Doctor_Connection::RECONNECT_CODES, true ) ) {
			// The test found the grant dead: the doctor is asked to reconnect now, not at the next booking.
			MFK_Doctor_Connection::mark_reconnect_needed( $doctor_id, $code, $message );
			if ( MFK_Grant_Age::TESTING_EXPIRED === MFK_Grant_Age::cause( $doctor_id, $code ) ) {
				$code    = MFK_Grant_Age::TESTING_EXPIRED;
				$message = MFK_Grant_Age::message();
			}
		}
		$out  = array(
			'id'      => $id,
			'ok'      => $ok,
			'message' => $message,
			'hint'    => $ok ? '' : MFK_Setup_Hints::hint( '' !== $code ? $code : $id ),
		) + ( '' !== $code ? array( 'code' => $code ) : array() );
		$link = $ok ? null : MFK_Setup_Hints::link( '' !== $code ? $code : $id, $check );
		if ( $link ) {
			$out['link'] = $link;
		}
		return $out;
	}
}
