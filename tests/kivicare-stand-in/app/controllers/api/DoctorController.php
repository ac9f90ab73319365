<?php
/**
 * `DELETE doctors/{id}` (KiviCare `app/controllers/api/DoctorController.php` 2518-2525):
 * each of the doctor's appointments is offered to the telemed provider's
 * `cancel_meeting_by_appointment()` inside a try/catch, then the doctor, their
 * appointments and service mappings are removed.
 *
 * @package KiviCareStandIn
 */

namespace App\controllers\api;

use App\baseClasses\KCBase;
use App\baseClasses\KCBaseController;
use App\baseClasses\KCTelemedFactory;
use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Doctors.
 */
class DoctorController extends KCBaseController {

	/**
	 * Routes.
	 */
	public function register_routes() {
		$this->route(
			'/doctors/(?P<id>\d+)',
			array(
				'methods'             => WP_REST_Server::DELETABLE,
				'callback'            => array( $this, 'delete_doctor' ),
				'permission_callback' => array( $this, 'can_delete' ),
			)
		);
	}

	/**
	 * Administrators, and clinic admins of a clinic the doctor works in.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return bool
	 */
	public function can_delete( WP_REST_Request $request ) {
		global $wpdb;
		$role = KCBase::get_user_role();
		if ( KCBase::ADMIN === $role ) {
			return true;
		}
		if ( KCBase::CLINIC_ADMIN !== $role ) {
			return false;
		}
		$clinics = $wpdb->get_col( $wpdb->prepare( "SELECT clinic_id FROM {$wpdb->prefix}kc_doctor_clinic_mappings WHERE doctor_id = %d", (int) $request['id'] ) );
		return (bool) array_intersect( array_map( 'intval', $clinics ), KCBase::staff_clinic_ids( get_current_user_id() ) );
	}

	/**
	 * DELETE doctors/{id}.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function delete_doctor( WP_REST_Request $request ) {
		global $wpdb;
		$p         = $wpdb->prefix;
		$doctor_id = (int) $request['id'];
		if ( ! KCBase::user_has_role( $doctor_id, KCBase::DOCTOR ) ) {
			return $this->error( __( 'Doctor not found.', 'kc-lang' ), 404 );
		}

		$appointment_ids = array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT id FROM {$p}kc_appointments WHERE doctor_id = %d", $doctor_id ) ) );
		$provider        = KCTelemedFactory::get_provider_by_doctor_id( $doctor_id );
		foreach ( $appointment_ids as $appointment_id ) {
			try {
				if ( $provider ) {
					$provider->cancel_meeting_by_appointment( $appointment_id );
				}
			} catch ( \Throwable $e ) {
				kcLog( 'Telemed cancel failed during doctor deletion', array( 'appointment_id' => $appointment_id ) );
			}
		}
		if ( $appointment_ids ) {
			$in = implode( ',', $appointment_ids );
			// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integer list.
			$wpdb->query( "DELETE FROM {$p}kc_appointment_service_mapping WHERE appointment_id IN ($in)" );
			$wpdb->query( "DELETE FROM {$p}kc_patient_encounters WHERE appointment_id IN ($in)" );
			$wpdb->query( "DELETE FROM {$p}kc_payments_appointment_mappings WHERE appointment_id IN ($in)" );
			$wpdb->query( "DELETE FROM {$p}kc_appointments WHERE id IN ($in)" );
			// phpcs:enable
		}
		$wpdb->delete( $p . 'kc_service_doctor_mapping', array( 'doctor_id' => $doctor_id ) );
		$wpdb->delete( $p . 'kc_doctor_clinic_mappings', array( 'doctor_id' => $doctor_id ) );

		require_once ABSPATH . 'wp-admin/includes/user.php';
		wp_delete_user( $doctor_id );

		return $this->response(
			array(
				'id'           => $doctor_id,
				'appointments' => $appointment_ids,
			),
			__( 'Doctor deleted successfully', 'kc-lang' )
		);
	}
}
