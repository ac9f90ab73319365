<?php
/**
 * The REST namespace `meet-for-kivicare/v1` (docs/rest-api.md): registration, the
 * error shape shared by every route, and the permission checks they use.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * REST API entry point; the routes live in MFK_REST_* classes.
 */
final class MFK_REST {

	/** Namespace of the plugin's routes. */
	const NAMESPACE = 'meet-for-kivicare/v1';

	/**
	 * HTTP status the REST API answers with, per error code. Sidecar statuses describe
	 * the sidecar ↔ WordPress hop (a 401 there is not the browser's fault), so they are
	 * translated into what the browser should understand.
	 */
	const STATUS = array(
		'sidecar_unavailable'    => 503,
		'sidecar_not_ready'      => 503,
		'sidecar_misconfigured'  => 503,
		'not_configured'         => 503,
		'google_unavailable'     => 503,
		'kivicare_missing'       => 503,
		'token_revoked'          => 409,
		'credential_invalid'     => 409,
		'seal_key_unknown'       => 409,
		'insufficient_scope'     => 409,
		'not_connected'          => 409,
		'client_invalid'         => 409,
		'api_disabled'           => 409,
		'calendar_not_found'     => 409,
		'conference_not_allowed' => 409,
		'moved_in_google'        => 409,
		'not_telemedicine'       => 409,
		'conference_failed'      => 502,
		'google_error'           => 502,
		'internal_error'         => 502,
		'rate_limited'           => 429,
		'quota_exceeded'         => 429,
		'invalid_request'        => 400,
		'invalid_param'          => 400,
		'not_found'              => 404,
	);

	/** Internal codes and the public code the API uses for them. */
	const RENAME = array(
		'unauthorized'              => 'sidecar_misconfigured', // Shared secret refused by the sidecar.
		'doctor_not_connected'      => 'not_connected',
		'mfk_not_telemed'           => 'not_telemedicine',
		'mfk_appointment_not_found' => 'rest_forbidden',
	);

	/**
	 * Registers every route of the namespace, and KiviCare's Google Meet routes when
	 * the KiviCare integration runs.
	 */
	public static function register_routes(): void {
		MFK_REST_Settings::register_routes();
		MFK_REST_Connection::register_routes();
		MFK_REST_Calendars::register_routes();
		MFK_REST_Busy_Times::register_routes();
		MFK_REST_Meetings::register_routes();
		MFK_REST_Meet_Access::register_routes();
		MFK_REST_Reports::register_routes();
		MFK_REST_Background::register_routes();
		if ( MFK_Compat::integration_active() ) {
			MFK_KiviCare_Settings_API::register_routes();
		}
	}

	/**
	 * Turns any internal or sidecar error into the API's error: public code, an HTTP
	 * status that fits the browser's view, `retryable`, and nothing secret.
	 *
	 * @param WP_Error $error Error.
	 */
	public static function error( WP_Error $error ): WP_Error {
		$code   = (string) $error->get_error_code();
		$public = self::RENAME[ $code ] ?? $code;
		$data   = (array) $error->get_error_data();
		$status = self::STATUS[ $public ] ?? (int) ( $data['status'] ?? 500 );
		if ( 'rest_forbidden' === $public ) {
			$status = is_user_logged_in() ? 403 : 401;
		}
		$clean = array(
			'status'    => $status,
			'retryable' => (bool) ( $data['retryable'] ?? false ),
		);
		foreach ( array( 'retryAfterMs', 'params', 'checks' ) as $key ) {
			if ( isset( $data[ $key ] ) ) {
				$clean[ $key ] = $data[ $key ];
			}
		}
		$message = 'sidecar_misconfigured' === $public && 'unauthorized' === $code
			? __( 'The sidecar refused the request signature: the shared secret in WordPress and in the sidecar differ.', 'meet-for-kivicare' )
			: $error->get_error_message();
		return new WP_Error( $public, $message, $clean );
	}

	/**
	 * WordPress reports schema violations as `rest_invalid_param` /
	 * `rest_missing_callback_param`; this namespace documents one code for field errors,
	 * `invalid_param`, always with `data.params` = { field: message }.
	 *
	 * @param WP_HTTP_Response $response Response.
	 * @param WP_REST_Server   $server   Server.
	 * @param WP_REST_Request  $request  Request.
	 * @return WP_HTTP_Response
	 */
	public static function normalize_param_errors( $response, $server, $request ) {
		if ( ! $response instanceof WP_HTTP_Response || 0 !== strpos( (string) $request->get_route(), '/' . self::NAMESPACE . '/' ) ) {
			return $response;
		}
		$data = $response->get_data();
		if ( ! is_array( $data ) || ! isset( $data['code'] ) || ! in_array( $data['code'], array( 'rest_invalid_param', 'rest_missing_callback_param' ), true ) ) {
			return $response;
		}
		$params = array();
		if ( 'rest_missing_callback_param' === $data['code'] ) {
			foreach ( (array) ( $data['data']['params'] ?? array() ) as $name ) {
				/* translators: %s: parameter name. */
				$params[ (string) $name ] = sprintf( __( '%s is required.', 'meet-for-kivicare' ), (string) $name );
			}
		} else {
			$params = (array) ( $data['data']['params'] ?? array() );
		}
		$data['code']           = 'invalid_param';
		$data['data']['params'] = $params;
		$response->set_data( $data );
		return $response;
	}

	/**
	 * Permission: administrators (`manage_options`).
	 */
	public static function can_manage(): bool {
		return current_user_can( 'manage_options' );
	}

	/**
	 * Permission: any logged-in user.
	 */
	public static function logged_in(): bool {
		return is_user_logged_in();
	}

	/**
	 * The KiviCare tables exist (its appointments can be read).
	 *
	 * @return true|WP_Error
	 */
	public static function kivicare_present() {
		if ( MFK_Appointments::has_table( 'kc_appointments' ) ) {
			return true;
		}
		return new WP_Error( 'kivicare_missing', __( 'KiviCare is not installed or not active on this site.', 'meet-for-kivicare' ), array( 'status' => 503 ) );
	}

	/**
	 * ISO 8601 (UTC) of a stored value ('' / null stay null).
	 *
	 * @param mixed $value Unix time, ISO string or UTC DATETIME.
	 */
	public static function iso( $value ): ?string {
		if ( null === $value || '' === $value || 0 === $value ) {
			return null;
		}
		if ( is_numeric( $value ) ) {
			return gmdate( 'c', (int) $value );
		}
		$time = strtotime( (string) $value . ( preg_match( '/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/', (string) $value ) ? ' UTC' : '' ) );
		return false === $time ? null : gmdate( 'c', $time );
	}
}
