<?php
/**
 * `GET dashboard/upcoming-appointments` (KiviCare `app/controllers/api/DashboardController.php`
 * 568-586): each item goes through `kc_get_upcoming_appointment_data`, then
 * gets `video_consultation` from `kc_is_video_consultation`.
 *
 * @package KiviCareStandIn
 */

namespace App\controllers\api;

use App\baseClasses\KCBaseController;
use App\models\KCAppointment;
use App\services\KCAppointmentService as Appointments;
use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Dashboard.
 */
class DashboardController extends KCBaseController {

	/**
	 * Routes.
	 */
	public function register_routes() {
		$this->route(
			'/dashboard/upcoming-appointments',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'upcoming' ),
				'permission_callback' => $this->can( 'dashboard' ),
				'args'                => array(
					'limit' => array(
						'required'          => false,
						'validate_callback' => static fn( $v ) => is_numeric( $v ) && (int) $v >= 1 && (int) $v <= 100,
					),
				),
			)
		);
	}

	/**
	 * Upcoming, not cancelled appointments the user sees, soonest first.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function upcoming( WP_REST_Request $request ) {
		$result = Appointments::list_for_user(
			get_current_user_id(),
			array(
				'timeFrame' => 'upcoming',
				'orderby'   => 'start',
				'order'     => 'asc',
				'perPage'   => $request['limit'] ? (int) $request['limit'] : 10,
			)
		);
		$items  = array();
		foreach ( $result['rows'] as $row ) {
			if ( KCAppointment::STATUS_CANCELLED === (int) $row->status ) {
				continue;
			}
			$data                       = apply_filters( 'kc_get_upcoming_appointment_data', Appointments::format( $row ), $row );
			$data['video_consultation'] = apply_filters( 'kc_is_video_consultation', false, (int) $row->id );
			$items[]                    = $data;
		}
		return $this->response( $items, __( 'Upcoming appointments retrieved successfully', 'kc-lang' ) );
	}
}
