<?php
/**
 * Checks and cleans the settings a screen or a REST call wants to change, and words
 * the errors per field the way WordPress' REST API does.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings validation.
 */
final class MFK_Settings_Validator {

	/**
	 * Validates fields (only those present). Unknown fields are ignored.
	 *
	 * @param array<string,mixed> $input Raw input.
	 * @return array<string,mixed>|WP_Error Sanitized values without the client secret.
	 */
	public static function validate( array $input ) {
		$errors = array();
		$clean  = array();

		if ( array_key_exists( 'google_client_id', $input ) ) {
			$value = trim( (string) $input['google_client_id'] );
			$shape = '' === $value ? '' : self::client_id_problem( $value );
			if ( '' !== $shape ) {
				$errors['google_client_id'] = $shape;
			} else {
				$clean['google_client_id'] = $value;
			}
		}
		if ( array_key_exists( 'google_client_secret', $input ) && ! is_scalar( $input['google_client_secret'] ) ) {
			$errors['google_client_secret'] = __( 'The client secret must be a string.', 'meet-for-kivicare' );
		} elseif ( array_key_exists( 'google_client_secret', $input ) && strlen( trim( (string) $input['google_client_secret'] ) ) > 512 ) {
			$errors['google_client_secret'] = __( 'The client secret is too long.', 'meet-for-kivicare' );
		}
		if ( array_key_exists( 'sidecar_url', $input ) ) {
			$value = trim( (string) $input['sidecar_url'] );
			$parts = wp_parse_url( $value );
			if ( false === $parts || empty( $parts['host'] ) || ! in_array( $parts['scheme'] ?? '', array( 'http', 'https' ), true ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) || isset( $parts['user'] ) ) {
				$errors['sidecar_url'] = __( 'Enter the sidecar address as http(s)://host:port, without query string or credentials.', 'meet-for-kivicare' );
			} elseif ( ! MFK_Sidecar_Transport::is_acceptable_url( $value ) ) {
				$errors['sidecar_url'] = MFK_Sidecar_Transport::insecure_url_error()->get_error_message();
			} else {
				$clean['sidecar_url'] = untrailingslashit( esc_url_raw( $value, array( 'http', 'https' ) ) );
			}
		}
		if ( array_key_exists( 'sidecar_secret', $input ) ) {
			$value = (string) $input['sidecar_secret'];
			if ( '' !== $value && ( strlen( $value ) < 32 || strlen( $value ) > 256 || preg_match( '/\s/', $value ) ) ) {
				$errors['sidecar_secret'] = __( 'The shared secret must be 32 to 256 characters without spaces.', 'meet-for-kivicare' );
			} else {
				$clean['sidecar_secret'] = $value;
			}
		}
		if ( array_key_exists( 'sidecar_enrolment_key', $input ) ) {
			$value   = trim( (string) $input['sidecar_enrolment_key'] );
			$checked = '' === $value ? true : MFK_Enrolment::check( $value, MFK_Site::id() );
			if ( is_wp_error( $checked ) ) {
				$errors['sidecar_enrolment_key'] = $checked->get_error_message();
			} else {
				$clean['sidecar_enrolment_key'] = $value;
			}
		}
		if ( array_key_exists( 'sync_budget_ms', $input ) ) {
			$value = filter_var( $input['sync_budget_ms'], FILTER_VALIDATE_INT );
			if ( false === $value || $value < 0 || $value > 10000 ) {
				$errors['sync_budget_ms'] = __( 'The time budget must be a whole number of milliseconds between 0 and 10000 (0 = always in the background).', 'meet-for-kivicare' );
			} else {
				$clean['sync_budget_ms'] = $value;
			}
		}
		if ( array_key_exists( 'event_title_template', $input ) ) {
			$value = trim( sanitize_text_field( (string) $input['event_title_template'] ) );
			preg_match_all( '/\{[^}]*\}/', $value, $found );
			$unknown = array_diff( $found[0], MFK_Settings_Schema::TITLE_PLACEHOLDERS );
			if ( '' === $value || strlen( $value ) > 200 ) {
				$errors['event_title_template'] = __( 'The event title must be 1 to 200 characters.', 'meet-for-kivicare' );
			} elseif ( $unknown ) {
				$errors['event_title_template'] = sprintf(
					/* translators: 1: unknown placeholders, 2: allowed placeholders. */
					__( 'Unknown placeholder(s) %1$s. Allowed: %2$s (no clinical details go into calendar events).', 'meet-for-kivicare' ),
					implode( ', ', $unknown ),
					implode( ', ', MFK_Settings_Schema::TITLE_PLACEHOLDERS )
				);
			} else {
				$clean['event_title_template'] = $value;
			}
		}
		if ( array_key_exists( 'send_updates', $input ) ) {
			$value = (string) $input['send_updates'];
			if ( ! in_array( $value, array( 'none', 'externalOnly', 'all' ), true ) ) {
				$errors['send_updates'] = __( 'Choose none, externalOnly or all.', 'meet-for-kivicare' );
			} else {
				$clean['send_updates'] = $value;
			}
		}
		if ( array_key_exists( 'google_deleted_event', $input ) ) {
			$value = (string) $input['google_deleted_event'];
			if ( ! in_array( $value, array( 'restore', 'flag' ), true ) ) {
				$errors['google_deleted_event'] = __( 'Choose what happens to a consultation deleted in Google Calendar: restore or flag.', 'meet-for-kivicare' );
			} else {
				$clean['google_deleted_event'] = $value;
			}
		}
		if ( array_key_exists( 'meet_access_type', $input ) ) {
			$value = (string) $input['meet_access_type'];
			if ( ! in_array( $value, MFK_Meet_Access::ACCESS_TYPES, true ) ) {
				$errors['meet_access_type'] = __( 'Choose who may join without asking: RESTRICTED, TRUSTED or OPEN.', 'meet-for-kivicare' );
			} else {
				$clean['meet_access_type'] = $value;
			}
		}
		foreach ( array( 'add_patient_as_attendee', 'keep_data_on_uninstall', 'busy_blocks_default' ) as $flag ) {
			if ( array_key_exists( $flag, $input ) ) {
				$value = filter_var( $input[ $flag ], FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE );
				if ( null === $value ) {
					$errors[ $flag ] = __( 'Expected true or false.', 'meet-for-kivicare' );
				} else {
					$clean[ $flag ] = $value;
				}
			}
		}
		if ( array_key_exists( 'attendance_retention_days', $input ) ) {
			$value = filter_var( $input['attendance_retention_days'], FILTER_VALIDATE_INT );
			if ( false === $value || $value < 0 || $value > 3650 ) {
				$errors['attendance_retention_days'] = __( 'Keep attendance for 0 to 3650 days (0: until a patient asks for erasure).', 'meet-for-kivicare' );
			} else {
				$clean['attendance_retention_days'] = $value;
			}
		}
		if ( array_key_exists( 'busy_cache_seconds', $input ) ) {
			$value = filter_var( $input['busy_cache_seconds'], FILTER_VALIDATE_INT );
			if ( false === $value || $value < 10 || $value > 3600 ) {
				$errors['busy_cache_seconds'] = __( 'Reuse busy times for 10 to 3600 seconds.', 'meet-for-kivicare' );
			} else {
				$clean['busy_cache_seconds'] = $value;
			}
		}
		if ( array_key_exists( 'busy_budget_ms', $input ) ) {
			$value = filter_var( $input['busy_budget_ms'], FILTER_VALIDATE_INT );
			if ( false === $value || $value < 200 || $value > 10000 ) {
				$errors['busy_budget_ms'] = __( 'Wait for Google between 200 and 10000 milliseconds.', 'meet-for-kivicare' );
			} else {
				$clean['busy_budget_ms'] = $value;
			}
		}
		if ( array_key_exists( 'join_window_minutes', $input ) ) {
			$value = filter_var( $input['join_window_minutes'], FILTER_VALIDATE_INT );
			if ( false === $value || $value < 0 || $value > 120 ) {
				$errors['join_window_minutes'] = __( 'The join window must be between 0 and 120 minutes.', 'meet-for-kivicare' );
			} else {
				$clean['join_window_minutes'] = $value;
			}
		}
		if ( array_key_exists( 'calendar_id', $input ) ) {
			$value = trim( (string) $input['calendar_id'] );
			if ( ! preg_match( '/^[A-Za-z0-9@._+-]{1,255}$/', $value ) ) {
				$errors['calendar_id'] = __( 'Enter "primary" or a calendar ID such as name@group.calendar.google.com.', 'meet-for-kivicare' );
			} else {
				$clean['calendar_id'] = $value;
			}
		}
		if ( array_key_exists( 'link_ready_email_subject', $input ) ) {
			$value = trim( sanitize_text_field( (string) $input['link_ready_email_subject'] ) );
			if ( '' === $value || strlen( $value ) > 200 ) {
				$errors['link_ready_email_subject'] = __( 'The subject must be 1 to 200 characters.', 'meet-for-kivicare' );
			} else {
				$clean['link_ready_email_subject'] = $value;
			}
		}
		if ( array_key_exists( 'link_ready_email_body', $input ) ) {
			$value = trim( wp_kses_post( (string) $input['link_ready_email_body'] ) );
			if ( false === strpos( $value, '{meet_link}' ) ) {
				$errors['link_ready_email_body'] = __( 'The message must contain {meet_link}.', 'meet-for-kivicare' );
			} elseif ( strlen( $value ) > 5000 ) {
				$errors['link_ready_email_body'] = __( 'The message must be at most 5000 characters.', 'meet-for-kivicare' );
			} else {
				$clean['link_ready_email_body'] = $value;
			}
		}

		foreach ( MFK_Settings_Schema::MAIL_TEMPLATES as $body_field => list( $subject_field, $allowed, $required ) ) {
			if ( array_key_exists( $subject_field, $input ) ) {
				$value = trim( sanitize_text_field( (string) $input[ $subject_field ] ) );
				if ( '' === $value || strlen( $value ) > 200 ) {
					$errors[ $subject_field ] = __( 'The subject must be 1 to 200 characters.', 'meet-for-kivicare' );
				} else {
					$clean[ $subject_field ] = $value;
				}
			}
			if ( array_key_exists( $body_field, $input ) ) {
				$value = trim( wp_kses_post( (string) $input[ $body_field ] ) );
				preg_match_all( '/\{[a-z_]+\}/', $value, $found );
				$unknown = array_diff( array_unique( $found[0] ), $allowed );
				if ( false === strpos( $value, $required ) ) {
					/* translators: %s: placeholder such as {meet_link}. */
					$errors[ $body_field ] = sprintf( __( 'The message must contain %s.', 'meet-for-kivicare' ), $required );
				} elseif ( $unknown ) {
					$errors[ $body_field ] = sprintf(
						/* translators: 1: unknown placeholders, 2: allowed placeholders. */
						__( 'Unknown placeholder(s) %1$s. Allowed: %2$s.', 'meet-for-kivicare' ),
						implode( ', ', $unknown ),
						implode( ', ', $allowed )
					);
				} elseif ( strlen( $value ) > 5000 ) {
					$errors[ $body_field ] = __( 'The message must be at most 5000 characters.', 'meet-for-kivicare' );
				} else {
					$clean[ $body_field ] = $value;
				}
			}
		}

		return $errors ? self::field_errors( $errors ) : $clean;
	}

	/**
	 * Builds the WP_Error for invalid fields, shaped like WordPress' rest_invalid_param.
	 *
	 * @param array<string,string> $errors Field => message.
	 */
	public static function field_errors( array $errors ): WP_Error {
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

	/**
	 * What is wrong with a Google OAuth client ID's shape ('' when nothing): Google's client
	 * IDs look like `123456789012-abc….apps.googleusercontent.com`; what else gets pasted there
	 * is the secret, the project's id or number, or an address with spaces around it.
	 *
	 * @param string $value Trimmed value.
	 */
	public static function client_id_problem( string $value ): string {
		if ( 0 === strpos( $value, 'GOCSPX-' ) ) {
			return __( 'This is a client secret, not a client ID. Paste it under Client secret, and copy the Client ID (it ends in .apps.googleusercontent.com) from the same OAuth client.', 'meet-for-kivicare' );
		}
		if ( ! preg_match( '/^[A-Za-z0-9_-]{1,200}\.apps\.googleusercontent\.com$/', $value ) ) {
			return __( 'A Google OAuth client ID ends in .apps.googleusercontent.com (for example 123456789012-abc123.apps.googleusercontent.com). Copy the Client ID of your Web application client in Google Cloud console → Google Auth Platform → Clients, not the project ID or number.', 'meet-for-kivicare' );
		}
		return '';
	}
}
