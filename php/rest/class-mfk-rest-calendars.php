<?php
/**
 * REST: the calendar that receives a doctor's consultations (the doctor's own choice).
 * `GET /connection/calendars`, `POST /connection/calendar`,
 * `POST /connection/calendar/consultations`, `POST /connection/calendar/access`.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Calendar choice routes, on top of MFK_Doctor_Calendar.
 */
final class MFK_REST_Calendars {

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$doctor = array( 'MFK_REST_Connection', 'is_doctor' );
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/calendars',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'list_calendars' ),
				'permission_callback' => $doctor,
				'args'                => array(),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/calendar',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'choose' ),
				'permission_callback' => $doctor,
				'args'                => array(
					'calendar_id' => array(
						'description' => __( 'The calendar that receives new consultations: "primary" or the id of one of the calendars listed.', 'meet-for-kivicare' ),
						'type'        => 'string',
						'required'    => true,
						'minLength'   => 1,
						'maxLength'   => 255,
					),
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/calendar/consultations',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'create_consultations' ),
				'permission_callback' => $doctor,
				'args'                => array(),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/calendar/access',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'ask_access' ),
				'permission_callback' => $doctor,
				'args'                => array(
					'return_to' => array(
						'description' => __( 'Local page to come back to after Google (defaults to the page that called the route).', 'meet-for-kivicare' ),
						'type'        => 'string',
						'maxLength'   => 2048,
					),
				),
			)
		);
	}

	/**
	 * The current doctor, connected.
	 *
	 * @return int|WP_Error
	 */
	private static function connected_doctor() {
		$doctor_id = get_current_user_id();
		if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			return MFK_REST::error( new WP_Error( 'doctor_not_connected', __( 'Connect your Google account first.', 'meet-for-kivicare' ) ) );
		}
		return $doctor_id;
	}

	/**
	 * `GET /connection/calendars`: the calendar in use, and those the doctor may choose.
	 *
	 * @return WP_REST_Response|WP_Error
	 */
	public static function list_calendars() {
		$doctor_id = self::connected_doctor();
		if ( is_wp_error( $doctor_id ) ) {
			return $doctor_id;
		}
		$choices = MFK_Doctor_Calendar::choices( $doctor_id );
		if ( is_wp_error( $choices ) ) {
			return MFK_REST::error( $choices );
		}
		return rest_ensure_response( array( 'current' => MFK_Doctor_Calendar::current( $doctor_id ) ) + $choices );
	}

	/**
	 * `POST /connection/calendar`.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function choose( WP_REST_Request $request ) {
		$doctor_id = self::connected_doctor();
		if ( is_wp_error( $doctor_id ) ) {
			return $doctor_id;
		}
		$chosen = MFK_Doctor_Calendar::choose( $doctor_id, trim( (string) $request->get_param( 'calendar_id' ) ) );
		return is_wp_error( $chosen ) ? MFK_REST::error( $chosen ) : rest_ensure_response( array( 'current' => $chosen ) );
	}

	/**
	 * `POST /connection/calendar/consultations`: the "Video consultations" calendar, made once.
	 *
	 * @return WP_REST_Response|WP_Error
	 */
	public static function create_consultations() {
		$doctor_id = self::connected_doctor();
		if ( is_wp_error( $doctor_id ) ) {
			return $doctor_id;
		}
		$made = MFK_Doctor_Calendar::create_consultations( $doctor_id );
		return is_wp_error( $made ) ? MFK_REST::error( $made ) : rest_ensure_response( array( 'current' => $made ) );
	}

	/**
	 * `POST /connection/calendar/access`: the consent URL asking what the calendar choice needs.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function ask_access( WP_REST_Request $request ) {
		$doctor_id = self::connected_doctor();
		if ( is_wp_error( $doctor_id ) ) {
			return $doctor_id;
		}
		$return_to = (string) $request->get_param( 'return_to' );
		if ( '' === $return_to ) {
			$return_to = (string) $request->get_header( 'referer' );
		}
		$url = MFK_OAuth::start( $doctor_id, $return_to, MFK_OAuth::FLOW_PLUGIN, MFK_OAuth::ACCESS_CALENDARS );
		return is_wp_error( $url ) ? MFK_REST::error( $url ) : rest_ensure_response( array( 'url' => $url ) );
	}
}
