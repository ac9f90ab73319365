<?php
/**
 * REST: the doctor's Google busy times as KiviCare blocks (the doctor's own panel).
 * `GET /connection/busy-times`, `POST /connection/busy-times`, `POST /connection/busy-times/access`.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Busy times routes, on top of MFK_Busy_Times.
 */
final class MFK_REST_Busy_Times {

	/** Days the panel previews at most. */
	const MAX_DAYS = 14;

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$doctor = array( 'MFK_REST_Connection', 'is_doctor' );
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/busy-times',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( __CLASS__, 'read' ),
					'permission_callback' => $doctor,
					'args'                => array(
						'days' => array(
							'description' => __( 'Days to preview, from today (1-14).', 'meet-for-kivicare' ),
							'type'        => 'integer',
							'minimum'     => 1,
							'maximum'     => self::MAX_DAYS,
							'default'     => 7,
						),
					),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( __CLASS__, 'switch_blocks' ),
					'permission_callback' => $doctor,
					'args'                => array(
						'enabled' => array(
							'description' => __( 'Whether your Google busy times block your KiviCare slots.', 'meet-for-kivicare' ),
							'type'        => 'boolean',
							'required'    => true,
						),
					),
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/busy-times/access',
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
	 * `GET /connection/busy-times`: the feature's state and the blocks of the next days, in the
	 * doctor's wall time (never an event's title: Google does not give them).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public static function read( WP_REST_Request $request ) {
		$doctor_id = get_current_user_id();
		$days      = max( 1, min( self::MAX_DAYS, (int) $request->get_param( 'days' ) ) );
		$blocks    = array();
		if ( MFK_Busy_Times::enabled( $doctor_id ) ) {
			$zone   = function_exists( 'kcGetDoctorTimezone' ) ? (string) kcGetDoctorTimezone( $doctor_id ) : wp_timezone_string();
			$today  = new DateTimeImmutable( 'now', new DateTimeZone( '' !== $zone ? $zone : 'UTC' ) );
			$blocks = MFK_Busy_Times::items( $doctor_id, $today->format( 'Y-m-d' ), $today->modify( '+' . ( $days - 1 ) . ' days' )->format( 'Y-m-d' ) );
		}
		// The state after the read: a missing scope is learnt from Google's answer.
		$state = MFK_Busy_Times::state( $doctor_id );
		if ( 'on' !== $state['state'] ) {
			$blocks = array();
		}
		return rest_ensure_response(
			$state + array(
				'days'   => $days,
				'blocks' => array_values( $blocks ),
			)
		);
	}

	/**
	 * `POST /connection/busy-times`: the doctor's own switch.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public static function switch_blocks( WP_REST_Request $request ) {
		$doctor_id = get_current_user_id();
		MFK_Busy_Times::set_switch( $doctor_id, (bool) $request->get_param( 'enabled' ) );
		return rest_ensure_response( MFK_Busy_Times::state( $doctor_id ) );
	}

	/**
	 * `POST /connection/busy-times/access`: the consent URL asking to read busy times
	 * (incremental consent: the scopes granted so far are kept).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function ask_access( WP_REST_Request $request ) {
		$doctor_id = get_current_user_id();
		if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			return MFK_REST::error( new WP_Error( 'doctor_not_connected', __( 'Connect your Google account first.', 'meet-for-kivicare' ) ) );
		}
		$return_to = (string) $request->get_param( 'return_to' );
		if ( '' === $return_to ) {
			$return_to = (string) $request->get_header( 'referer' );
		}
		$url = MFK_OAuth::start( $doctor_id, $return_to, MFK_OAuth::FLOW_PLUGIN, MFK_OAuth::ACCESS_BUSY );
		return is_wp_error( $url ) ? MFK_REST::error( $url ) : rest_ensure_response( array( 'url' => $url ) );
	}
}
