<?php
/**
 * `GET static-data?type=…` lists for booking widgets (KiviCare
 * `app/controllers/api/StaticDataController.php`). Telemed services of a doctor
 * are listed only when a telemed add-on makes them bookable for that doctor:
 * Google Meet requires the add-on constant, the `kiviCare_google_meet_setting`
 * gate and doctor meta `kiviCare_google_meet_connect` === 'on' (SD 490-517,
 * 1098-1157, 1468-1520).
 *
 * @package KiviCareStandIn
 */

namespace App\controllers\api;

use App\baseClasses\KCBase;
use App\baseClasses\KCBaseController;
use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Static data.
 */
class StaticDataController extends KCBaseController {

	/**
	 * Routes.
	 */
	public function register_routes() {
		$this->route(
			'/static-data',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'get_static_data' ),
				'permission_callback' => '__return_true',
				'args'                => array(
					'type'      => array(
						'required' => true,
						'enum'     => array( 'clinics', 'clinic_doctors', 'doctor_services' ),
					),
					'clinic_id' => $this->int_arg(),
					'doctor_id' => $this->int_arg(),
				),
			)
		);
	}

	/**
	 * Whether a doctor's telemed services are shown.
	 *
	 * @param int $doctor_id Doctor id.
	 * @return bool
	 */
	public static function telemed_visible( $doctor_id ) {
		// The Zoom add-on's own gate is not modelled: its constant alone suffices here.
		return kcDoctorGoogleMeetVisible( $doctor_id ) || isKiviCareTelemedActive();
	}

	/**
	 * GET static-data.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function get_static_data( WP_REST_Request $request ) {
		global $wpdb;
		$p         = $wpdb->prefix;
		$clinic_id = $request['clinic_id'] ? (int) $request['clinic_id'] : kcGetDefaultClinicId();

		switch ( $request['type'] ) {
			case 'clinics':
				$rows = $wpdb->get_results( "SELECT id, name FROM {$p}kc_clinics WHERE status = 1 ORDER BY id" );
				$data = array_map(
					static fn( $r ) => array(
						'id'    => (int) $r->id,
						'label' => (string) $r->name,
					),
					(array) $rows
				);
				break;

			case 'clinic_doctors':
				$ids  = $wpdb->get_col(
					$wpdb->prepare(
						"SELECT doctor_id FROM {$p}kc_doctor_clinic_mappings WHERE clinic_id = %d
						UNION SELECT doctor_id FROM {$p}kc_service_doctor_mapping WHERE clinic_id = %d AND status = 1",
						$clinic_id,
						$clinic_id
					)
				);
				$data = array();
				foreach ( array_unique( array_map( 'intval', $ids ) ) as $doctor_id ) {
					if ( ! KCBase::user_has_role( $doctor_id, KCBase::DOCTOR ) ) {
						continue;
					}
					$data[] = array(
						'id'      => $doctor_id,
						'label'   => KCBase::user_name( $doctor_id ),
						'telemed' => self::telemed_visible( $doctor_id ),
					);
				}
				break;

			default: // doctor_services.
				$doctor_id = (int) $request['doctor_id'];
				$rows      = $wpdb->get_results(
					$wpdb->prepare(
						"SELECT m.id, m.service_id, m.telemed_service, m.charges, m.duration, COALESCE(NULLIF(m.service_name_alias, ''), s.name) AS name
						FROM {$p}kc_service_doctor_mapping m JOIN {$p}kc_services s ON s.id = m.service_id
						WHERE m.doctor_id = %d AND m.clinic_id = %d AND m.status = 1 ORDER BY m.id",
						$doctor_id,
						$clinic_id
					)
				);
				$telemed   = self::telemed_visible( $doctor_id );
				$data      = array();
				foreach ( (array) $rows as $r ) {
					if ( 'yes' === $r->telemed_service && ! $telemed ) {
						continue;
					}
					$data[] = array(
						'id'              => (int) $r->id,
						'service_id'      => (int) $r->service_id,
						'label'           => (string) $r->name,
						'charges'         => (string) $r->charges,
						'duration'        => null === $r->duration ? null : (int) $r->duration,
						'telemed_service' => (string) $r->telemed_service,
					);
				}
		}
		return $this->response( $data, __( 'Data retrieved successfully', 'kc-lang' ) );
	}
}
