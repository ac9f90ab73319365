<?php
/**
 * REST: `GET|POST /settings` and `POST /settings/test` (administrators).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings routes, on top of MFK_Settings.
 */
final class MFK_REST_Settings {

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/settings',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( __CLASS__, 'get_settings' ),
					'permission_callback' => array( 'MFK_REST', 'can_manage' ),
					'args'                => array(),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( __CLASS__, 'update_settings' ),
					'permission_callback' => array( 'MFK_REST', 'can_manage' ),
					'args'                => self::settings_args(),
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/settings/test',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'test_connection' ),
				'permission_callback' => array( 'MFK_REST', 'can_manage' ),
				'args'                => array(
					'probe' => array(
						'description' => __( 'Also create and delete a real event with Meet in the current doctor\'s calendar.', 'meet-for-kivicare' ),
						'type'        => 'boolean',
						'default'     => false,
					),
				),
			)
		);
	}

	/**
	 * Schema of the writable fields (ranges and formats are checked by MFK_Settings,
	 * which has the clearer messages).
	 *
	 * @return array<string,array<string,mixed>>
	 */
	public static function settings_args(): array {
		$string = static function ( string $description, int $max = 5000 ): array {
			return array(
				'description' => $description,
				'type'        => 'string',
				'maxLength'   => $max,
			);
		};
		return array(
			'google_client_id'                => $string( __( 'Google OAuth client ID.', 'meet-for-kivicare' ), 255 ),
			'google_client_secret'            => $string( __( 'Google OAuth client secret (write-only; sealed by the sidecar; empty keeps the stored one).', 'meet-for-kivicare' ), 512 ),
			'sidecar_url'                     => $string( __( 'Sidecar base URL.', 'meet-for-kivicare' ), 2048 ),
			'sidecar_secret'                  => $string( __( 'Shared secret of the sidecar (write-only).', 'meet-for-kivicare' ), 256 ),
			'sidecar_enrolment_key'           => $string( __( 'Enrolment key of a hosted sidecar (write-only; empty keeps the stored one).', 'meet-for-kivicare' ), 256 ),
			'sync_budget_ms'                  => array(
				'description' => __( 'Milliseconds a booking may wait for the link (0-10000).', 'meet-for-kivicare' ),
				'type'        => 'integer',
			),
			'event_title_template'            => $string( __( 'Calendar event title; placeholders {clinic_name}, {doctor_name}, {site_name}.', 'meet-for-kivicare' ), 200 ),
			'send_updates'                    => array(
				'description' => __( 'Whether Google e-mails attendees about changes.', 'meet-for-kivicare' ),
				'type'        => 'string',
				'enum'        => array( 'none', 'externalOnly', 'all' ),
			),
			'add_patient_as_attendee'         => array(
				'description' => __( 'Invite the patient to the calendar event.', 'meet-for-kivicare' ),
				'type'        => 'boolean',
			),
			'join_window_minutes'             => array(
				'description' => __( 'Minutes before the start when the Join button opens (0-120).', 'meet-for-kivicare' ),
				'type'        => 'integer',
			),
			'calendar_id'                     => $string( __( 'Calendar the events go to ("primary" or a calendar ID).', 'meet-for-kivicare' ), 255 ),
			'link_ready_email_subject'        => $string( __( 'Subject of the "link ready" e-mail to the patient.', 'meet-for-kivicare' ), 200 ),
			'link_ready_email_body'           => $string( __( 'Body of the "link ready" e-mail to the patient (must contain {meet_link}).', 'meet-for-kivicare' ) ),
			'link_ready_doctor_email_subject' => $string( __( 'Subject of the "link ready" e-mail to the doctor.', 'meet-for-kivicare' ), 200 ),
			'link_ready_doctor_email_body'    => $string( __( 'Body of the "link ready" e-mail to the doctor (must contain {meet_link}).', 'meet-for-kivicare' ) ),
			'reschedule_email_subject'        => $string( __( 'Subject of the "new time" e-mail.', 'meet-for-kivicare' ), 200 ),
			'reschedule_email_body'           => $string( __( 'Body of the "new time" e-mail (must contain {appointment_time}).', 'meet-for-kivicare' ) ),
			'keep_data_on_uninstall'          => array(
				'description' => __( 'Keep tables, settings and connections when the plugin is deleted.', 'meet-for-kivicare' ),
				'type'        => 'boolean',
			),
		);
	}

	/**
	 * The settings as a browser may see them.
	 *
	 * @return array<string,mixed>
	 */
	public static function display(): array {
		$out                 = MFK_Settings::for_display();
		$out['redirect_uri'] = MFK_OAuth::redirect_uri();
		return $out;
	}

	/**
	 * `GET /settings`.
	 */
	public static function get_settings(): WP_REST_Response {
		return rest_ensure_response( self::display() );
	}

	/**
	 * `POST /settings`: partial update, validated as a whole, stored all or nothing.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function update_settings( WP_REST_Request $request ) {
		$input = array();
		foreach ( array_keys( self::settings_args() ) as $field ) {
			if ( $request->has_param( $field ) && null !== $request->get_param( $field ) ) {
				$input[ $field ] = $request->get_param( $field );
			}
		}

		$errors = array();
		// Values from wp-config.php constants cannot be changed here; say so rather than
		// silently storing a value that has no effect.
		if ( defined( 'MFK_SIDECAR_URL' ) && isset( $input['sidecar_url'] ) ) {
			if ( untrailingslashit( trim( (string) $input['sidecar_url'] ) ) !== MFK_Settings::sidecar_url() ) {
				$errors['sidecar_url'] = __( 'The sidecar address is set by MFK_SIDECAR_URL in wp-config.php and cannot be changed here.', 'meet-for-kivicare' );
			}
			unset( $input['sidecar_url'] );
		}
		if ( defined( 'MFK_SIDECAR_SECRET' ) && isset( $input['sidecar_secret'] ) ) {
			if ( '' !== (string) $input['sidecar_secret'] ) {
				$errors['sidecar_secret'] = __( 'The shared secret is set by MFK_SIDECAR_SECRET in wp-config.php and cannot be changed here.', 'meet-for-kivicare' );
			}
			unset( $input['sidecar_secret'] );
		}
		if ( defined( 'MFK_SIDECAR_ENROLMENT_KEY' ) && isset( $input['sidecar_enrolment_key'] ) ) {
			if ( '' !== (string) $input['sidecar_enrolment_key'] ) {
				$errors['sidecar_enrolment_key'] = __( 'The enrolment key is set by MFK_SIDECAR_ENROLMENT_KEY in wp-config.php and cannot be changed here.', 'meet-for-kivicare' );
			}
			unset( $input['sidecar_enrolment_key'] );
		}
		foreach ( array( 'sidecar_secret', 'sidecar_enrolment_key' ) as $write_only ) {
			if ( isset( $input[ $write_only ] ) && '' === trim( (string) $input[ $write_only ] ) ) {
				unset( $input[ $write_only ] ); // Write-only field left empty: keep the stored one.
			}
		}

		$checked = MFK_Settings_Validator::validate( $input );
		if ( is_wp_error( $checked ) ) {
			$errors = array_merge( $errors, (array) ( $checked->get_error_data()['params'] ?? array() ) );
		}
		if ( $errors ) {
			return new WP_Error(
				'invalid_param',
				/* translators: %s: list of field names. */
				sprintf( __( 'Invalid setting(s): %s', 'meet-for-kivicare' ), implode( ', ', array_keys( $errors ) ) ),
				array(
					'status' => 400,
					'params' => $errors,
				)
			);
		}

		$saved = MFK_Settings::update( $input );
		if ( is_wp_error( $saved ) ) {
			return MFK_REST::error( $saved );
		}
		return rest_ensure_response( self::display() );
	}

	/**
	 * `POST /settings/test`: sidecar reachable, signature accepted, OAuth client
	 * accepted by Google, and the current doctor's grant, calendar and Meet.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function test_connection( WP_REST_Request $request ): WP_REST_Response {
		$checks    = array();
		$sidecar   = MFK_Health::sidecar( 3.0 );
		$diagnosis = MFK_Sidecar_Diagnosis::explain( $sidecar );

		$checks[] = array(
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
					'hint'    => __( 'Create an OAuth client of type "Web application" in the Google Cloud console, add the redirect URI shown on this page, and enter its ID and secret.', 'meet-for-kivicare' ),
				);
			} else {
				$checks = array_merge( $checks, self::google_checks( $client, (bool) $request->get_param( 'probe' ) ) );
			}
		}

		$ok = true;
		foreach ( $checks as $check ) {
			$ok = $ok && $check['ok'];
		}
		return rest_ensure_response(
			array(
				'ok'     => $ok,
				'checks' => $checks,
			)
		);
	}

	/**
	 * The sidecar's `/v1/connection/test` checks, for the current user's grant when they
	 * are a connected doctor.
	 *
	 * @param array<string,string> $client OAuth client.
	 * @param bool                 $probe  Create and delete a real event.
	 * @return array<int,array<string,mixed>>
	 */
	private static function google_checks( array $client, bool $probe ): array {
		$user_id = get_current_user_id();
		$body    = array(
			'siteId' => MFK_Site::id(),
			'client' => $client,
		);
		$doctor  = MFK_OAuth::is_doctor( $user_id ) && MFK_Doctor_Connection::is_connected( $user_id );
		if ( $doctor ) {
			$body['credential'] = MFK_Doctor_Connection::credential( $user_id );
			$body['calendarId'] = MFK_Doctor_Connection::calendar_id( $user_id );
			$body['probe']      = $probe;
		}
		$answer = MFK_Sidecar_Client::instance()->post( '/v1/connection/test', $body, array( 'timeout' => 15, 'doctor_id' => $doctor ? $user_id : 0 ) );
		if ( is_wp_error( $answer ) ) {
			$error = MFK_REST::error( $answer );
			return array(
				array(
					'id'      => 'client',
					'ok'      => false,
					'message' => $error->get_error_message(),
					'hint'    => self::hint( (string) $error->get_error_code() ),
					'code'    => (string) $error->get_error_code(),
				),
			);
		}
		$out = array();
		foreach ( (array) ( $answer['checks'] ?? array() ) as $check ) {
			if ( ! is_array( $check ) || ! isset( $check['id'] ) ) {
				continue;
			}
			$code  = isset( $check['code'] ) && is_string( $check['code'] ) ? $check['code'] : '';
			$ok    = ! empty( $check['ok'] );
			$out[] = array(
				'id'      => sanitize_key( (string) $check['id'] ),
				'ok'      => $ok,
				'message' => isset( $check['message'] ) && is_string( $check['message'] ) ? sanitize_text_field( $check['message'] ) : '',
				'hint'    => $ok ? '' : self::hint( '' !== $code ? $code : (string) $check['id'] ),
			) + ( '' !== $code ? array( 'code' => $code ) : array() );
		}
		return $out;
	}

	/**
	 * What to do next, per error code or check id.
	 *
	 * @param string $code Code.
	 */
	public static function hint( string $code ): string {
		$hints = array(
			'sidecar_unavailable'    => __( 'Start the sidecar and check its address (MFK_SIDECAR_URL).', 'meet-for-kivicare' ),
			'unauthorized'           => __( 'Give WordPress (MFK_SIDECAR_SECRET) and the sidecar (MFK_SHARED_SECRET) the same shared secret, and check that both clocks are correct.', 'meet-for-kivicare' ),
			'sidecar_misconfigured'  => __( 'Give WordPress (MFK_SIDECAR_SECRET) and the sidecar (MFK_SHARED_SECRET) the same shared secret, and check that both clocks are correct.', 'meet-for-kivicare' ),
			'not_configured'         => __( 'Configure the sidecar: it needs MFK_SHARED_SECRET and MFK_SEAL_KEYS.', 'meet-for-kivicare' ),
			'client_invalid'         => __( 'Google refused the client ID or secret: copy both again from the Google Cloud console.', 'meet-for-kivicare' ),
			'client'                 => __( 'Google refused the client ID or secret: copy both again from the Google Cloud console.', 'meet-for-kivicare' ),
			'token_revoked'          => __( 'Your Google grant no longer works: disconnect and connect your Google account again.', 'meet-for-kivicare' ),
			'credential_invalid'     => __( 'Your stored Google grant cannot be opened (the sidecar\'s keys changed): connect your Google account again.', 'meet-for-kivicare' ),
			'seal_key_unknown'       => __( 'The sidecar\'s sealing key changed, so it cannot open your stored Google grant: an administrator restores the previous key (MFK_SEAL_KEYS), or you connect your Google account again.', 'meet-for-kivicare' ),
			'token'                  => __( 'Disconnect and connect your Google account again.', 'meet-for-kivicare' ),
			'insufficient_scope'     => __( 'Connect again and leave "View and edit events on all your calendars" ticked.', 'meet-for-kivicare' ),
			'calendar_not_found'     => __( 'Choose another calendar on your Google connection page, or check the calendar ID in the settings ("primary" always works).', 'meet-for-kivicare' ),
			'calendar'               => __( 'Check the calendar ID, or use "primary".', 'meet-for-kivicare' ),
			'conference_not_allowed' => __( 'Google Meet is not allowed for this calendar: ask your Google Workspace administrator to allow Meet, or use another calendar.', 'meet-for-kivicare' ),
			'meet'                   => __( 'Google Meet is not allowed for this calendar: ask your Google Workspace administrator to allow Meet, or use another calendar.', 'meet-for-kivicare' ),
			'probe'                  => __( 'Google could not create a test event with Meet: try again later, and check the Google Workspace settings for Meet.', 'meet-for-kivicare' ),
			'rate_limited'           => __( 'Google is rate limiting requests: try again in a minute.', 'meet-for-kivicare' ),
			'quota_exceeded'         => __( 'The Google project\'s quota is used up: wait a few hours or raise the quota in the Google Cloud console.', 'meet-for-kivicare' ),
			'google_unavailable'     => __( 'Google is not reachable from the sidecar: check its network access and try again.', 'meet-for-kivicare' ),
		);
		return $hints[ $code ] ?? __( 'Check the sidecar\'s log for details.', 'meet-for-kivicare' );
	}
}
