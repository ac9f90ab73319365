<?php
/**
 * A doctor's Google connection: sealed credential, account e-mail, status, and the
 * user meta KiviCare reads.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Doctor connections. The OAuth screens and REST routes build on this class.
 */
final class MFK_Doctor_Connection {

	const META_CREDENTIAL = 'mfk_google_credential';
	const META_EMAIL      = 'mfk_google_email';
	const META_STATUS     = 'mfk_connection_status';
	const META_ERROR_CODE = 'mfk_connection_error_code';
	const META_ERROR_MSG  = 'mfk_connection_error_message';
	const META_SINCE      = 'mfk_connected_at';
	const META_CALENDAR   = 'mfk_calendar_id';

	/** Meta KiviCare core reads (never writes). */
	const META_KC_CONNECT = 'kiviCare_google_meet_connect';
	const META_KC_TYPE    = 'telemed_type';

	const STATUS_ACTIVE       = 'active';
	const STATUS_RECONNECT    = 'reconnect_needed';
	const STATUS_DISCONNECTED = 'disconnected';

	/** Error codes after which the doctor has to connect again. */
	const RECONNECT_CODES = array( 'token_revoked', 'credential_invalid', 'insufficient_scope' );

	/**
	 * Connection status of a doctor.
	 *
	 * @param int $doctor_id WordPress user id.
	 * @return array{status:string,email:string,code:string,message:string,connected_at:string,calendar_id:string}
	 */
	public static function get( int $doctor_id ): array {
		$has    = '' !== self::credential( $doctor_id );
		$status = (string) get_user_meta( $doctor_id, self::META_STATUS, true );
		if ( ! $has ) {
			$status = self::STATUS_DISCONNECTED;
		} elseif ( self::STATUS_RECONNECT !== $status ) {
			$status = self::STATUS_ACTIVE;
		}
		return array(
			'status'       => $status,
			'email'        => $has ? (string) get_user_meta( $doctor_id, self::META_EMAIL, true ) : '',
			'code'         => self::STATUS_RECONNECT === $status ? (string) get_user_meta( $doctor_id, self::META_ERROR_CODE, true ) : '',
			'message'      => self::STATUS_RECONNECT === $status ? (string) get_user_meta( $doctor_id, self::META_ERROR_MSG, true ) : '',
			'connected_at' => $has ? (string) get_user_meta( $doctor_id, self::META_SINCE, true ) : '',
			'calendar_id'  => self::calendar_id( $doctor_id ),
		);
	}

	/**
	 * The doctor has a stored credential (active or waiting for reconnection). Such a
	 * doctor can still be booked: meetings wait in the queue until reconnection.
	 *
	 * @param int $doctor_id WordPress user id.
	 */
	public static function is_connected( int $doctor_id ): bool {
		return $doctor_id > 0 && '' !== self::credential( $doctor_id );
	}

	/**
	 * The credential works as far as we know.
	 *
	 * @param int $doctor_id WordPress user id.
	 */
	public static function is_active( int $doctor_id ): bool {
		return self::STATUS_ACTIVE === self::get( $doctor_id )['status'];
	}

	/**
	 * The sealed credential ('' when none). Server-side use only.
	 *
	 * @param int $doctor_id WordPress user id.
	 */
	public static function credential( int $doctor_id ): string {
		return $doctor_id > 0 ? (string) get_user_meta( $doctor_id, self::META_CREDENTIAL, true ) : '';
	}

	/**
	 * Calendar the doctor's meetings go to (doctor choice, else the site setting).
	 *
	 * @param int $doctor_id WordPress user id.
	 */
	public static function calendar_id( int $doctor_id ): string {
		$own = $doctor_id > 0 ? (string) get_user_meta( $doctor_id, self::META_CALENDAR, true ) : '';
		return '' !== $own ? $own : (string) MFK_Settings::get( 'calendar_id' );
	}

	/**
	 * Replaces the sealed credential (the sidecar sent a fresher one). Does not change
	 * the status.
	 *
	 * @param int    $doctor_id  WordPress user id.
	 * @param string $credential Sealed blob.
	 */
	public static function store_credential( int $doctor_id, string $credential ): void {
		if ( $doctor_id <= 0 || '' === $credential || self::credential( $doctor_id ) === $credential ) {
			return;
		}
		// Only refresh an existing connection; a disconnect that raced us wins.
		if ( '' === self::credential( $doctor_id ) ) {
			return;
		}
		update_user_meta( $doctor_id, self::META_CREDENTIAL, $credential );
	}

	/**
	 * Stores a new connection and marks it active. Fires `mfk_doctor_connected`, and
	 * `mfk_doctor_reconnected` (the queue replays the doctor's failed and pending
	 * meetings).
	 *
	 * @param int    $doctor_id  WordPress user id.
	 * @param string $credential Sealed credential from /v1/oauth/exchange.
	 * @param string $email      Google account e-mail.
	 */
	public static function save_connection( int $doctor_id, string $credential, string $email ): void {
		$was = self::get( $doctor_id )['status'];
		MFK_Doctor_Calendar::account_changed( $doctor_id, (string) get_user_meta( $doctor_id, self::META_EMAIL, true ), $email );
		update_user_meta( $doctor_id, self::META_CREDENTIAL, $credential );
		update_user_meta( $doctor_id, self::META_EMAIL, sanitize_email( $email ) );
		update_user_meta( $doctor_id, self::META_STATUS, self::STATUS_ACTIVE );
		update_user_meta( $doctor_id, self::META_SINCE, gmdate( 'c' ) );
		delete_user_meta( $doctor_id, self::META_ERROR_CODE );
		delete_user_meta( $doctor_id, self::META_ERROR_MSG );
		update_user_meta( $doctor_id, self::META_KC_CONNECT, 'on' );
		update_user_meta( $doctor_id, self::META_KC_TYPE, 'googlemeet' );

		/**
		 * A doctor connected a Google account.
		 *
		 * @param int    $doctor_id Doctor.
		 * @param string $previous  Previous status.
		 */
		do_action( 'mfk_doctor_connected', $doctor_id, $was );
		if ( self::STATUS_ACTIVE !== $was ) {
			/**
			 * A doctor's connection became active again: meetings waiting for it are replayed.
			 *
			 * @param int    $doctor_id Doctor.
			 * @param string $previous  Previous status.
			 */
			do_action( 'mfk_doctor_reconnected', $doctor_id, $was );
		}
	}

	/**
	 * Completes an OAuth round trip: exchanges the code through the sidecar and stores
	 * the sealed credential and account e-mail.
	 *
	 * @param int    $doctor_id    WordPress user id.
	 * @param string $code         Authorization code from Google.
	 * @param string $redirect_uri Redirect URI used for the consent request.
	 * @return array{email:string,scopes:array<int,string>}|WP_Error
	 */
	public static function connect_from_code( int $doctor_id, string $code, string $redirect_uri ) {
		$client = MFK_Settings::client();
		if ( is_wp_error( $client ) ) {
			return $client;
		}
		$answer = MFK_Sidecar_Client::instance()->post(
			'/v1/oauth/exchange',
			array(
				'siteId'      => MFK_Site::id(),
				'client'      => $client,
				'redirectUri' => $redirect_uri,
				'code'        => $code,
			),
			array( 'timeout' => 10 )
		);
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( empty( $answer['credential'] ) || ! is_string( $answer['credential'] ) ) {
			return new WP_Error( 'internal_error', __( 'The sidecar answered without a credential.', 'meet-for-kivicare' ), array( 'status' => 502 ) );
		}
		$email  = is_array( $answer['account'] ?? null ) ? (string) ( $answer['account']['email'] ?? '' ) : '';
		$scopes = array_values( array_map( 'strval', (array) ( $answer['scopes'] ?? array() ) ) );
		self::save_connection( $doctor_id, $answer['credential'], $email );
		// What Google granted is known now: busy times need no probe on a booking to learn it.
		MFK_Busy_Grant::note( $doctor_id, $scopes );
		return array(
			'email'  => $email,
			'scopes' => $scopes,
		);
	}

	/**
	 * Google consent URL for a doctor.
	 *
	 * @param int    $doctor_id    WordPress user id.
	 * @param string $redirect_uri OAuth redirect URI.
	 * @param string $state        Unguessable state bound to the user (caller's job).
	 * @param string $access       '', MFK_OAuth::ACCESS_CALENDARS (also ask calendar choice) or
	 *                             MFK_OAuth::ACCESS_BUSY (also ask busy times).
	 * @return string|WP_Error
	 */
	public static function authorization_url( int $doctor_id, string $redirect_uri, string $state, string $access = '' ) {
		$client = MFK_Settings::client();
		if ( is_wp_error( $client ) ) {
			return $client;
		}
		$body = array(
			'siteId'      => MFK_Site::id(),
			'client'      => $client,
			'redirectUri' => $redirect_uri,
			'state'       => $state,
		);
		$hint = self::login_hint( $doctor_id );
		if ( '' !== $hint ) {
			$body['loginHint'] = $hint;
		}
		if ( in_array( $access, array( MFK_OAuth::ACCESS_CALENDARS, MFK_OAuth::ACCESS_BUSY ), true ) ) {
			$body['access'] = $access;
			// More permissions for the account already connected, never another one.
			$connected = (string) get_user_meta( $doctor_id, self::META_EMAIL, true );
			if ( is_email( $connected ) ) {
				$body['loginHint'] = $connected;
			}
		}
		$answer = MFK_Sidecar_Client::instance()->post( '/v1/oauth/authorize-url', $body );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		return isset( $answer['url'] ) && is_string( $answer['url'] ) ? $answer['url'] : new WP_Error( 'internal_error', __( 'The sidecar answered without a URL.', 'meet-for-kivicare' ) );
	}

	/**
	 * The account Google's consent page pre-selects (OAuth `login_hint`): the Google account the
	 * doctor connected before, so a reconnection does not pick another calendar by mistake;
	 * else their WordPress e-mail address.
	 *
	 * @param int $doctor_id WordPress user id.
	 */
	public static function login_hint( int $doctor_id ): string {
		$google = $doctor_id > 0 ? (string) get_user_meta( $doctor_id, self::META_EMAIL, true ) : '';
		if ( is_email( $google ) ) {
			return $google;
		}
		$user = get_userdata( $doctor_id );
		return $user && is_email( $user->user_email ) ? (string) $user->user_email : '';
	}

	/**
	 * Marks the connection as needing a reconnect (Google refused the grant).
	 *
	 * @param int    $doctor_id WordPress user id.
	 * @param string $code      Error code.
	 * @param string $message   Error message.
	 */
	public static function mark_reconnect_needed( int $doctor_id, string $code, string $message ): void {
		if ( ! self::is_connected( $doctor_id ) ) {
			return;
		}
		$already = self::STATUS_RECONNECT === (string) get_user_meta( $doctor_id, self::META_STATUS, true );
		if ( MFK_Grant_Age::TESTING_EXPIRED === MFK_Grant_Age::cause( $doctor_id, $code ) ) {
			$message = MFK_Grant_Age::message(); // The code stays token_revoked: the doctor reconnects either way.
		}
		update_user_meta( $doctor_id, self::META_STATUS, self::STATUS_RECONNECT );
		update_user_meta( $doctor_id, self::META_ERROR_CODE, sanitize_key( $code ) );
		update_user_meta( $doctor_id, self::META_ERROR_MSG, sanitize_text_field( $message ) );
		if ( ! $already ) {
			/**
			 * A doctor's Google grant stopped working.
			 *
			 * @param int    $doctor_id Doctor.
			 * @param string $code      Error code (token_revoked, …).
			 */
			do_action( 'mfk_doctor_reconnect_needed', $doctor_id, $code );
		}
	}

	/**
	 * Disconnects a doctor: revokes the grant at Google (best effort), forgets the
	 * credential, and tells KiviCare the doctor is no longer connected.
	 *
	 * @param int  $doctor_id WordPress user id.
	 * @param bool $revoke    Whether to revoke at Google.
	 * @return true|WP_Error WP_Error only when revocation failed (local data is gone anyway).
	 */
	public static function disconnect( int $doctor_id, bool $revoke = true ) {
		$credential = self::credential( $doctor_id );
		$result     = true;
		if ( $revoke && '' !== $credential ) {
			$client = MFK_Settings::client();
			if ( ! is_wp_error( $client ) ) {
				$answer = MFK_Sidecar_Client::instance()->post(
					'/v1/oauth/revoke',
					array(
						'siteId'     => MFK_Site::id(),
						'client'     => $client,
						'credential' => $credential,
					)
				);
				if ( is_wp_error( $answer ) && 'token_revoked' !== $answer->get_error_code() ) {
					$result = $answer;
				}
			}
		}
		/**
		 * A doctor's Google connection is about to be removed (its credential still works).
		 *
		 * @param int $doctor_id Doctor.
		 */
		do_action( 'mfk_doctor_disconnecting', $doctor_id );
		foreach ( array( self::META_CREDENTIAL, self::META_EMAIL, self::META_ERROR_CODE, self::META_ERROR_MSG, self::META_SINCE ) as $key ) {
			delete_user_meta( $doctor_id, $key );
		}
		update_user_meta( $doctor_id, self::META_STATUS, self::STATUS_DISCONNECTED );
		update_user_meta( $doctor_id, self::META_KC_CONNECT, 'off' );
		if ( 'googlemeet' === get_user_meta( $doctor_id, self::META_KC_TYPE, true ) ) {
			delete_user_meta( $doctor_id, self::META_KC_TYPE );
		}
		/**
		 * A doctor's Google connection was removed.
		 *
		 * @param int $doctor_id Doctor.
		 */
		do_action( 'mfk_doctor_disconnected', $doctor_id );
		return $result;
	}

	/**
	 * Fields every doctor-scoped sidecar call needs.
	 *
	 * @param int $doctor_id WordPress user id.
	 * @return array{siteId:string,client:array<string,string>,credential:string}|WP_Error
	 */
	public static function request_fields( int $doctor_id ) {
		$client = MFK_Settings::client();
		if ( is_wp_error( $client ) ) {
			return $client;
		}
		$credential = self::credential( $doctor_id );
		if ( '' === $credential ) {
			return new WP_Error( 'doctor_not_connected', __( 'The doctor has not connected a Google account.', 'meet-for-kivicare' ), array( 'status' => 409, 'retryable' => false ) );
		}
		return array(
			'siteId'     => MFK_Site::id(),
			'client'     => $client,
			'credential' => $credential,
		);
	}

	/**
	 * One doctor-scoped sidecar call: the doctor's credential sent, a refreshed one in the
	 * answer (or in a failure) stored, a revoked grant marking the doctor for reconnection.
	 *
	 * @param int                 $doctor_id Doctor.
	 * @param string              $path      Sidecar route.
	 * @param array<string,mixed> $extra     Body fields.
	 * @param int                 $timeout   Seconds.
	 * @return array<string,mixed>|WP_Error
	 */
	public static function call( int $doctor_id, string $path, array $extra, int $timeout ) {
		$fields = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( is_wp_error( $fields ) ) {
			return $fields;
		}
		$answer = MFK_Sidecar_Client::instance()->post(
			$path,
			$fields + $extra,
			array(
				'timeout'   => $timeout,
				'doctor_id' => $doctor_id,
			)
		);
		if ( is_wp_error( $answer ) ) {
			$data = (array) $answer->get_error_data();
			if ( isset( $data['credential'] ) && is_string( $data['credential'] ) ) {
				MFK_Doctor_Connection::store_credential( $doctor_id, $data['credential'] );
			}
			if ( in_array( $answer->get_error_code(), array( 'token_revoked', 'credential_invalid' ), true ) ) {
				MFK_Doctor_Connection::mark_reconnect_needed( $doctor_id, (string) $answer->get_error_code(), $answer->get_error_message() );
			}
		}
		return $answer;
	}
}
