<?php
/**
 * REST: the Meet access state of an appointment's space and who came, for its staff only
 * (`GET meet-for-kivicare/v1/appointments/{id}/meeting/access`, `…/{id}/attendance`,
 * docs/rest-api.md).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * The access state route.
 */
final class MFK_REST_Meet_Access {

	/**
	 * Registers the route.
	 */
	public static function register_routes(): void {
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/appointments/(?P<id>\d+)/meeting/access',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_access' ),
				'permission_callback' => array( 'MFK_REST_Meetings', 'can_manage' ),
				'args'                => array(
					'id' => array(
						'description' => __( 'KiviCare appointment id.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'required'    => true,
					),
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/appointments/(?P<id>\d+)/attendance',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_attendance' ),
				'permission_callback' => array( 'MFK_REST_Meetings', 'can_manage' ),
				'args'                => array(
					'id' => array(
						'description' => __( 'KiviCare appointment id.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'required'    => true,
					),
				),
			)
		);
	}

	/**
	 * `GET /appointments/{id}/attendance`: who came (staff of the appointment only).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public static function get_attendance( WP_REST_Request $request ): WP_REST_Response {
		return rest_ensure_response( MFK_Meet_Attendance::summary( (int) $request->get_param( 'id' ) ) );
	}

	/**
	 * `GET /appointments/{id}/meeting/access`: state (none, pending, applied, needs_grant,
	 * not_applied), the access type asked, the reason code and whether automatic artifacts
	 * were refused by the account.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public static function get_access( WP_REST_Request $request ): WP_REST_Response {
		return rest_ensure_response( MFK_Meet_Access::summary( (int) $request->get_param( 'id' ) ) );
	}
}
