<?php
/**
 * REST: meetings. `GET /appointments/{id}/meeting` (participants and staff),
 * `POST /appointments/{id}/meeting/retry` (staff), `GET /me/meetings` (logged in),
 * and the admin operations `GET /health`, `POST /queue/run`.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Meeting and queue routes.
 */
final class MFK_REST_Meetings {

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$id = array(
			'description' => __( 'KiviCare appointment id.', 'meet-for-kivicare' ),
			'type'        => 'integer',
			'minimum'     => 1,
			'required'    => true,
		);
		$render = array(
			'description' => __( 'Also answer `html`: the Meet controls of this appointment as the block shows them to the viewer.', 'meet-for-kivicare' ),
			'type'        => 'boolean',
			'default'     => false,
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/appointments/(?P<id>\d+)/meeting',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_meeting' ),
				'permission_callback' => array( __CLASS__, 'can_view' ),
				'args'                => array(
					'id'     => $id,
					'render' => $render,
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/appointments/(?P<id>\d+)/meeting/retry',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'retry' ),
				'permission_callback' => array( __CLASS__, 'can_manage' ),
				'args'                => array(
					'id'     => $id,
					'render' => $render,
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/me/meetings',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'my_meetings' ),
				'permission_callback' => array( 'MFK_REST', 'logged_in' ),
				'args'                => array(
					'scope' => array(
						'description' => __( 'upcoming: not ended yet; today: starting today (site time zone), ended ones included; later: starting after today.', 'meet-for-kivicare' ),
						'type'        => 'string',
						'enum'        => array( 'upcoming', 'today', 'later' ),
						'default'     => 'upcoming',
					),
					'limit' => array(
						'description' => __( 'Maximum number of meetings.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'maximum'     => 50,
						'default'     => 10,
					),
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/health',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'health' ),
				'permission_callback' => array( 'MFK_REST', 'can_manage' ),
				'args'                => array(),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/queue/run',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'run_queue' ),
				'permission_callback' => array( 'MFK_REST', 'can_manage' ),
				'args'                => array(
					'max_seconds' => array(
						'description' => __( 'Seconds the pass may take.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'maximum'     => 60,
						'default'     => 20,
					),
				),
			)
		);
	}

	/**
	 * Permission: participant or staff of the appointment. Unknown appointments are
	 * refused the same way, so the answer gives no hint whether they exist.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return bool|WP_Error
	 */
	public static function can_view( WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return false;
		}
		$present = MFK_REST::kivicare_present();
		if ( is_wp_error( $present ) ) {
			return $present;
		}
		return MFK_Access::can_view_meeting( get_current_user_id(), (int) $request->get_param( 'id' ) );
	}

	/**
	 * Permission: staff of the appointment (its doctor, its clinic's receptionists and
	 * clinic admins, administrators).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return bool|WP_Error
	 */
	public static function can_manage( WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return false;
		}
		$present = MFK_REST::kivicare_present();
		if ( is_wp_error( $present ) ) {
			return $present;
		}
		return MFK_Access::can_manage_meeting( get_current_user_id(), (int) $request->get_param( 'id' ) );
	}

	/**
	 * `GET /appointments/{id}/meeting`.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function get_meeting( WP_REST_Request $request ) {
		// Access was checked by the permission callback; null now means "no meeting here".
		$info = MFK_Viewer_Meetings::one( (int) $request->get_param( 'id' ), get_current_user_id() );
		if ( null === $info ) {
			return MFK_REST::error( new WP_Error( 'not_telemedicine', __( 'This appointment is not a telemedicine appointment, so it has no Meet link.', 'meet-for-kivicare' ) ) );
		}
		if ( true === $request->get_param( 'render' ) ) {
			// "Check again" in the markup must lead back to the page that asked, not here.
			$page         = wp_validate_redirect( (string) wp_get_raw_referer(), home_url( '/' ) );
			$info['html'] = MFK_Meet_View::item( $info, time(), $page );
		}
		return rest_ensure_response( $info );
	}

	/**
	 * `POST /appointments/{id}/meeting/retry`: re-queue and run now within the budget.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function retry( WP_REST_Request $request ) {
		$id     = (int) $request->get_param( 'id' );
		$queued = MFK_Retry::requeue( $id );
		if ( is_wp_error( $queued ) ) {
			return MFK_REST::error( $queued );
		}
		MFK_Retry::run_now( $id, (int) MFK_Settings::get( 'sync_budget_ms' ) );
		return self::get_meeting( $request );
	}

	/**
	 * `GET /me/meetings`: the viewer's own telemedicine appointments (as doctor or
	 * patient), soonest first.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function my_meetings( WP_REST_Request $request ): WP_REST_Response {
		return rest_ensure_response(
			MFK_Viewer_Meetings::mine(
				get_current_user_id(),
				(string) $request->get_param( 'scope' ),
				(int) $request->get_param( 'limit' )
			)
		);
	}

	/**
	 * `GET /health`.
	 */
	public static function health(): WP_REST_Response {
		return rest_ensure_response( MFK_Health::report() );
	}

	/**
	 * `POST /queue/run`: one bounded queue pass now.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function run_queue( WP_REST_Request $request ): WP_REST_Response {
		$stats = MFK_Queue::run( array( 'max_seconds' => (int) $request->get_param( 'max_seconds' ) ) );
		$queue = MFK_Health::queue();
		return rest_ensure_response(
			array(
				'processed' => (int) $stats['claimed'],
				'ready'     => (int) $stats['ready'],
				'failed'    => (int) $stats['failed'],
				'cancelled' => (int) $stats['cancelled'],
				'remaining' => $queue['pending'],
			)
		);
	}
}
