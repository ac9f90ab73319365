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
					'probe'     => array(
						'description' => __( 'Also create and delete a real event with Meet in the tested doctor\'s calendar.', 'meet-for-kivicare' ),
						'type'        => 'boolean',
						'default'     => false,
					),
					'doctor_id' => array(
						'description' => __( 'The connected doctor whose Google connection, calendar and Meet are tested (default: the current user, when a connected doctor).', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 0,
						'default'     => 0,
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
			'google_deleted_event'            => array(
				'description' => __( 'A consultation\'s event deleted in the doctor\'s Google Calendar: restore (the same event and link come back) or flag (left deleted, shown to staff, who may restore it with Try again).', 'meet-for-kivicare' ),
				'type'        => 'string',
				'enum'        => array( 'restore', 'flag' ),
			),
			'meet_access_type'                => array(
				'description' => __( 'Who joins the video consultation without asking: RESTRICTED (only invited people), TRUSTED (invited people and the doctor\'s organisation), OPEN (anyone with the link).', 'meet-for-kivicare' ),
				'type'        => 'string',
				'enum'        => MFK_Meet_Access::ACCESS_TYPES,
			),
			'attendance_retention_days'       => array(
				'description' => __( 'Days the attendance of video consultations is kept (0-3650; 0: until erased).', 'meet-for-kivicare' ),
				'type'        => 'integer',
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
			'busy_blocks_default'             => array(
				'description' => __( 'Doctors\' Google busy times block their KiviCare slots unless the doctor switches it off.', 'meet-for-kivicare' ),
				'type'        => 'boolean',
			),
			'busy_cache_seconds'              => array(
				'description' => __( 'Seconds busy times read from Google are reused (10-3600).', 'meet-for-kivicare' ),
				'type'        => 'integer',
			),
			'busy_budget_ms'                  => array(
				'description' => __( 'Milliseconds a slot view or booking waits for Google busy times (200-10000).', 'meet-for-kivicare' ),
				'type'        => 'integer',
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
	 * `POST /settings/test`: the connection test (MFK_Connection_Test), as the current
	 * doctor or as the connected doctor chosen.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function test_connection( WP_REST_Request $request ) {
		$result = MFK_Connection_Test::run( (bool) $request->get_param( 'probe' ), (int) $request->get_param( 'doctor_id' ) );
		return is_wp_error( $result ) ? $result : rest_ensure_response( $result );
	}

	/**
	 * What to do next, per error code or check id (MFK_Setup_Hints).
	 *
	 * @param string $code Code.
	 */
	public static function hint( string $code ): string {
		return MFK_Setup_Hints::hint( $code );
	}
}
