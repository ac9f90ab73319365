<?php
/**
 * Plugin settings: one option, defaults, validation, wp-config overrides, and the
 * KiviCare options that have to agree with them.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings storage and validation. Screens and REST routes build on this class.
 */
final class MFK_Settings {

	/** The plugin's settings (array). */
	const OPTION = 'mfk_settings';

	/** Option handed to KiviCare's provider constructor as its `settings_key`. */
	const PROVIDER_OPTION = 'mfk_provider_config';

	/** KiviCare's own Google Meet option, read by its static-data gates. */
	const KIVICARE_OPTION = 'kiviCare_google_meet_setting';

	/** KiviCare's Google Meet option as the original add-on left it (restored on uninstall). */
	const KIVICARE_BACKUP_OPTION = 'mfk_original_google_meet_setting';

	/** Placeholders allowed in the event title: none of them is clinical. */
	const TITLE_PLACEHOLDERS = array( '{clinic_name}', '{doctor_name}', '{site_name}' );

	/** Placeholders allowed in the "link ready" e-mail. */
	const MAIL_PLACEHOLDERS = array( '{meet_link}', '{appointment_date}', '{appointment_time}', '{doctor_name}', '{patient_name}', '{clinic_name}', '{site_name}' );

	/** Placeholders allowed in the "updated time" e-mail: the above plus the old time. */
	const RESCHEDULE_PLACEHOLDERS = array( '{meet_link}', '{appointment_date}', '{appointment_time}', '{previous_date}', '{previous_time}', '{doctor_name}', '{patient_name}', '{clinic_name}', '{site_name}' );

	/**
	 * Notification templates: body field => [subject field, placeholders, placeholder the
	 * body must contain].
	 */
	const MAIL_TEMPLATES = array(
		'link_ready_doctor_email_body' => array( 'link_ready_doctor_email_subject', self::MAIL_PLACEHOLDERS, '{meet_link}' ),
		'reschedule_email_body'        => array( 'reschedule_email_subject', self::RESCHEDULE_PLACEHOLDERS, '{appointment_time}' ),
	);

	/**
	 * Request-level cache of the stored option merged over defaults.
	 *
	 * @var array<string,mixed>|null
	 */
	private static $cache = null;

	/**
	 * Default values.
	 *
	 * @return array<string,mixed>
	 */
	public static function defaults(): array {
		return array(
			'google_client_id'         => '',
			'google_client_secret'     => '', // Sealed blob only, never the secret itself.
			'sidecar_url'              => 'http://127.0.0.1:8787',
			'sidecar_secret'           => '',
			'sync_budget_ms'           => 3000,
			'event_title_template'     => 'Video consultation',
			'send_updates'             => 'none',
			'add_patient_as_attendee'  => false,
			'join_window_minutes'      => 10,
			'calendar_id'              => 'primary',
			'link_ready_email_subject' => __( 'Your video consultation link', 'meet-for-kivicare' ),
			'link_ready_email_body'    => __( "Hello {patient_name},\n\nThe video link for your consultation with {doctor_name} on {appointment_date} at {appointment_time} is ready:\n{meet_link}\n\n{clinic_name}", 'meet-for-kivicare' ),
			// The same notice for the doctor, and the "updated time" notice (patient and doctor).
			'link_ready_doctor_email_subject' => __( 'Video consultation link ready', 'meet-for-kivicare' ),
			'link_ready_doctor_email_body'    => __( "Hello {doctor_name},\n\nThe video link for your consultation with {patient_name} on {appointment_date} at {appointment_time} is ready:\n{meet_link}\n\n{clinic_name}", 'meet-for-kivicare' ),
			'reschedule_email_subject'        => __( 'Your video consultation has a new time', 'meet-for-kivicare' ),
			'reschedule_email_body'           => __( "Hello,\n\nThe video consultation of {patient_name} with {doctor_name}, planned for {previous_date} at {previous_time}, now takes place on {appointment_date} at {appointment_time}.\nThe video link stays the same:\n{meet_link}\n\n{clinic_name}", 'meet-for-kivicare' ),
			'keep_data_on_uninstall'   => false,
		);
	}

	/**
	 * All settings (stored over defaults). Contains the sealed client secret and the
	 * shared secret: server-side use only, see for_display().
	 *
	 * @return array<string,mixed>
	 */
	public static function all(): array {
		if ( null === self::$cache ) {
			$stored      = get_option( self::OPTION, array() );
			self::$cache = array_merge( self::defaults(), is_array( $stored ) ? array_intersect_key( $stored, self::defaults() ) : array() );
		}
		return self::$cache;
	}

	/**
	 * One setting.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	public static function get( string $key ) {
		$all = self::all();
		return $all[ $key ] ?? null;
	}

	/**
	 * Settings safe to send to a browser: secrets replaced by flags.
	 *
	 * @return array<string,mixed>
	 */
	public static function for_display(): array {
		$all = self::all();
		unset( $all['google_client_secret'], $all['sidecar_secret'] );
		$all['google_client_secret_set'] = '' !== (string) self::get( 'google_client_secret' );
		$all['sidecar_secret_set']       = '' !== self::sidecar_secret();
		$all['sidecar_url']              = self::sidecar_url();
		$all['sidecar_url_locked']       = defined( 'MFK_SIDECAR_URL' );
		$all['sidecar_secret_locked']    = defined( 'MFK_SIDECAR_SECRET' );
		return $all;
	}

	/**
	 * Sidecar base URL; the MFK_SIDECAR_URL constant wins.
	 */
	public static function sidecar_url(): string {
		if ( defined( 'MFK_SIDECAR_URL' ) && '' !== (string) MFK_SIDECAR_URL ) {
			return untrailingslashit( (string) MFK_SIDECAR_URL );
		}
		return untrailingslashit( (string) self::get( 'sidecar_url' ) );
	}

	/**
	 * Shared HMAC secret; the MFK_SIDECAR_SECRET constant wins.
	 */
	public static function sidecar_secret(): string {
		if ( defined( 'MFK_SIDECAR_SECRET' ) && '' !== (string) MFK_SIDECAR_SECRET ) {
			return (string) MFK_SIDECAR_SECRET;
		}
		return (string) self::get( 'sidecar_secret' );
	}

	/**
	 * Google OAuth client as the sidecar expects it.
	 *
	 * @return array{clientId:string,clientSecret:string}|WP_Error
	 */
	public static function client() {
		$id     = (string) self::get( 'google_client_id' );
		$secret = (string) self::get( 'google_client_secret' );
		if ( '' === $id || '' === $secret ) {
			return new WP_Error( 'not_configured', __( 'The Google OAuth client ID and secret are not configured.', 'meet-for-kivicare' ), array( 'status' => 503, 'retryable' => false ) );
		}
		return array(
			'clientId'     => $id,
			'clientSecret' => $secret,
		);
	}

	/**
	 * Whether doctors can connect and meetings can be provisioned.
	 */
	public static function is_configured(): bool {
		return ! is_wp_error( self::client() ) && '' !== self::sidecar_secret() && '' !== self::sidecar_url();
	}

	/**
	 * Validates and saves a partial update. A plain `google_client_secret` is sealed
	 * by the sidecar first; an empty one keeps the stored secret.
	 *
	 * @param array<string,mixed> $input Fields to change.
	 * @return array<string,mixed>|WP_Error Settings for display, or field-level errors
	 *                                      in `data.params` (`{field: message}`).
	 */
	public static function update( array $input ) {
		$current = self::all();
		$clean   = self::validate( $input );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}

		$next   = array_merge( $current, $clean );
		$secret = isset( $input['google_client_secret'] ) ? trim( (string) $input['google_client_secret'] ) : '';
		if ( '' !== $secret ) {
			$sealed = self::seal_client_secret( $secret, $next );
			if ( is_wp_error( $sealed ) ) {
				return self::field_errors(
					array(
						/* translators: %s: error message from the sidecar. */
						'google_client_secret' => sprintf( __( 'The client secret could not be sealed by the sidecar: %s', 'meet-for-kivicare' ), $sealed->get_error_message() ),
					)
				);
			}
			$next['google_client_secret'] = $sealed;
		}

		update_option( self::OPTION, $next, true );
		self::$cache = null;
		MFK_Sidecar_Client::reset();
		self::sync_kivicare_options();
		return self::for_display();
	}

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
			if ( '' !== $value && ! preg_match( '/^[A-Za-z0-9._-]{3,255}$/', $value ) ) {
				$errors['google_client_id'] = __( 'The client ID may contain only letters, digits, dots, hyphens and underscores.', 'meet-for-kivicare' );
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
			$unknown = array_diff( $found[0], self::TITLE_PLACEHOLDERS );
			if ( '' === $value || strlen( $value ) > 200 ) {
				$errors['event_title_template'] = __( 'The event title must be 1 to 200 characters.', 'meet-for-kivicare' );
			} elseif ( $unknown ) {
				$errors['event_title_template'] = sprintf(
					/* translators: 1: unknown placeholders, 2: allowed placeholders. */
					__( 'Unknown placeholder(s) %1$s. Allowed: %2$s (no clinical details go into calendar events).', 'meet-for-kivicare' ),
					implode( ', ', $unknown ),
					implode( ', ', self::TITLE_PLACEHOLDERS )
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
		foreach ( array( 'add_patient_as_attendee', 'keep_data_on_uninstall' ) as $flag ) {
			if ( array_key_exists( $flag, $input ) ) {
				$value = filter_var( $input[ $flag ], FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE );
				if ( null === $value ) {
					$errors[ $flag ] = __( 'Expected true or false.', 'meet-for-kivicare' );
				} else {
					$clean[ $flag ] = $value;
				}
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

		foreach ( self::MAIL_TEMPLATES as $body_field => list( $subject_field, $allowed, $required ) ) {
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
	private static function field_errors( array $errors ): WP_Error {
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
	 * Asks the sidecar to seal the OAuth client secret (with the sidecar settings
	 * about to be saved).
	 *
	 * @param string              $secret Plain client secret.
	 * @param array<string,mixed> $next   Settings about to be saved.
	 * @return string|WP_Error Sealed blob.
	 */
	private static function seal_client_secret( string $secret, array $next ) {
		$url     = defined( 'MFK_SIDECAR_URL' ) && '' !== (string) MFK_SIDECAR_URL ? (string) MFK_SIDECAR_URL : (string) $next['sidecar_url'];
		$shared  = defined( 'MFK_SIDECAR_SECRET' ) && '' !== (string) MFK_SIDECAR_SECRET ? (string) MFK_SIDECAR_SECRET : (string) $next['sidecar_secret'];
		$client  = new MFK_Sidecar_Client( $url, $shared );
		$answer  = $client->post(
			'/v1/oauth/client/seal',
			array(
				'siteId'       => MFK_Site::id(),
				'clientSecret' => $secret,
			)
		);
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( empty( $answer['clientSecret'] ) || ! is_string( $answer['clientSecret'] ) ) {
			return new WP_Error( 'internal_error', __( 'The sidecar answered without a sealed secret.', 'meet-for-kivicare' ) );
		}
		return $answer['clientSecret'];
	}

	/**
	 * Keeps the provider option and KiviCare's own Google Meet option in line with the
	 * settings, so KiviCare's static-data gates and menus see the add-on as set up.
	 * No secret is written there: a marker stands in for the client secret.
	 */
	public static function sync_kivicare_options(): void {
		$configured = ! is_wp_error( self::client() );
		$client_id  = (string) self::get( 'google_client_id' );

		$provider = array(
			'enabled'   => $configured,
			'auth_type' => 'oauth',
			'client_id' => $client_id,
		);
		if ( get_option( self::PROVIDER_OPTION ) !== $provider ) {
			update_option( self::PROVIDER_OPTION, $provider, true );
		}

		$kivicare = get_option( self::KIVICARE_OPTION, array() );
		$kivicare = is_array( $kivicare ) ? $kivicare : array();
		if ( $kivicare && empty( $kivicare['mfk_managed'] ) && false === get_option( self::KIVICARE_BACKUP_OPTION ) ) {
			// Written by the original add-on (it may hold its plain client secret): keep a
			// copy that uninstall puts back, before replacing the secret by a marker.
			add_option( self::KIVICARE_BACKUP_OPTION, $kivicare, '', false );
		}
		$kivicare = array_merge(
			$kivicare,
			array(
				'enabled'       => $configured,
				'auth_type'     => 'oauth',
				'enableCal'     => $configured ? 'Yes' : 'No',
				'client_id'     => $client_id,
				'client_secret' => $configured ? 'sealed' : '',
				'app_name'      => '' !== (string) ( $kivicare['app_name'] ?? '' ) ? $kivicare['app_name'] : wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
				'mfk_managed'   => true,
			)
		);
		if ( get_option( self::KIVICARE_OPTION ) !== $kivicare ) {
			update_option( self::KIVICARE_OPTION, $kivicare );
		}
	}

	/**
	 * First installation on a site that used the original add-on: take over its OAuth
	 * client id (the secret has to be entered again, it is stored sealed only).
	 */
	public static function import_original_client_id(): void {
		$stored = get_option( self::OPTION, array() );
		if ( is_array( $stored ) && '' !== (string) ( $stored['google_client_id'] ?? '' ) ) {
			return;
		}
		$original = get_option( self::KIVICARE_OPTION, array() );
		if ( ! is_array( $original ) || ! empty( $original['mfk_managed'] ) ) {
			return;
		}
		$client_id = trim( (string) ( $original['client_id'] ?? '' ) );
		if ( '' === $client_id || ! preg_match( '/^[A-Za-z0-9._-]{3,255}$/', $client_id ) ) {
			return;
		}
		$stored                     = is_array( $stored ) ? $stored : array();
		$stored['google_client_id'] = $client_id;
		update_option( self::OPTION, $stored, true );
		self::$cache = null;
	}

	/**
	 * Forgets the request cache (after another process changed the option).
	 */
	public static function flush_cache(): void {
		self::$cache = null;
	}
}
