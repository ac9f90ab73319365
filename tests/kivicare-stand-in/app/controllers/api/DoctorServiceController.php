<?php
/**
 * `GET/POST doctor-services` (KiviCare `app/controllers/api/DoctorServiceController.php`).
 * `id` in the list is the kc_service_doctor_mapping id, the one bookings use.
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
 * Doctor services.
 */
class DoctorServiceController extends KCBaseController {

	/**
	 * Routes.
	 */
	public function register_routes() {
		$ids = static function ( $value ) {
			return is_array( $value ) && count( $value ) <= 100 && count( array_filter( $value, static fn( $v ) => ! ( is_int( $v ) || ( is_string( $v ) && ctype_digit( $v ) ) ) || (int) $v <= 0 ) ) === 0;
		};
		$this->route(
			'/doctor-services',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'list_services' ),
					'permission_callback' => $this->can( 'service_list' ),
					'args'                => array(
						'doctor_id' => $this->int_arg(),
						'clinic_id' => $this->int_arg(),
					),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'create_service' ),
					'permission_callback' => $this->can( 'service_add' ),
					'args'                => array(
						'name'            => array(
							'required'          => true,
							'validate_callback' => static fn( $v ) => is_string( $v ) && '' !== trim( $v ) && strlen( $v ) <= 191,
						),
						'category'        => array(
							'required'          => false,
							'validate_callback' => static fn( $v ) => is_scalar( $v ) && strlen( (string) $v ) <= 191,
						),
						'price'           => array(
							'required'          => false,
							'validate_callback' => static fn( $v ) => is_numeric( $v ) && (float) $v >= 0,
						),
						'duration'        => array(
							'required'          => false,
							'validate_callback' => static fn( $v ) => is_numeric( $v ) && (int) $v >= 5 && (int) $v <= 1440,
						),
						'doctors'         => array(
							'required'          => true,
							'validate_callback' => static fn( $v ) => $ids( $v ) && count( $v ) > 0,
						),
						'clinics'         => array(
							'required'          => false,
							'validate_callback' => $ids,
						),
						'telemed_service' => array(
							'required' => false,
							'enum'     => array( 'yes', 'no' ),
						),
					),
				),
			)
		);
	}

	/**
	 * GET doctor-services.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function list_services( WP_REST_Request $request ) {
		global $wpdb;
		$p     = $wpdb->prefix;
		$where = array( 'm.status = 1' );
		if ( KCBase::DOCTOR === KCBase::get_user_role() ) {
			$where[] = $wpdb->prepare( 'm.doctor_id = %d', get_current_user_id() );
		}
		if ( $request['doctor_id'] ) {
			$where[] = $wpdb->prepare( 'm.doctor_id = %d', (int) $request['doctor_id'] );
		}
		if ( $request['clinic_id'] ) {
			$where[] = $wpdb->prepare( 'm.clinic_id = %d', (int) $request['clinic_id'] );
		}
		// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- fragments prepared above.
		$rows = $wpdb->get_results( "SELECT m.*, s.name AS service_name, s.type AS category FROM {$p}kc_service_doctor_mapping m JOIN {$p}kc_services s ON s.id = m.service_id WHERE " . implode( ' AND ', $where ) . ' ORDER BY m.id' );
		$list = array();
		foreach ( (array) $rows as $r ) {
			$list[] = array(
				'id'              => (int) $r->id,
				'service_id'      => (int) $r->service_id,
				'name'            => '' !== (string) $r->service_name_alias ? (string) $r->service_name_alias : (string) $r->service_name,
				'category'        => (string) $r->category,
				'doctor_id'       => (int) $r->doctor_id,
				'doctor_name'     => KCBase::user_name( $r->doctor_id ),
				'clinic_id'       => (int) $r->clinic_id,
				'charges'         => (string) $r->charges,
				'duration'        => null === $r->duration ? null : (int) $r->duration,
				'telemed_service' => (string) $r->telemed_service,
				'status'          => (int) $r->status,
			);
		}
		return $this->response( $list, __( 'Doctor services retrieved successfully', 'kc-lang' ) );
	}

	/**
	 * POST doctor-services: one kc_services row, one mapping per doctor × clinic.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function create_service( WP_REST_Request $request ) {
		global $wpdb;
		$p       = $wpdb->prefix;
		$user_id = get_current_user_id();
		$role    = KCBase::get_user_role( $user_id );

		$doctors = array_values( array_unique( array_map( 'intval', (array) $request['doctors'] ) ) );
		foreach ( $doctors as $doctor_id ) {
			if ( ! KCBase::user_has_role( $doctor_id, KCBase::DOCTOR ) ) {
				return $this->error( __( 'Doctor not found.', 'kc-lang' ), 400 );
			}
			if ( KCBase::DOCTOR === $role && $doctor_id !== $user_id ) {
				return $this->error( __( 'Doctors can only add their own services.', 'kc-lang' ), 403 );
			}
		}
		$clinics = array_values( array_unique( array_map( 'intval', (array) $request['clinics'] ) ) );
		if ( ! $clinics ) {
			$clinics = array( kcGetDefaultClinicId() );
		}
		foreach ( $clinics as $clinic_id ) {
			if ( ! $clinic_id || ! $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$p}kc_clinics WHERE id = %d", $clinic_id ) ) ) {
				return $this->error( __( 'Clinic not found. Run the setup wizard first.', 'kc-lang' ), 400 );
			}
			if ( in_array( $role, array( KCBase::CLINIC_ADMIN, KCBase::RECEPTIONIST ), true ) && ! in_array( $clinic_id, KCBase::staff_clinic_ids( $user_id ), true ) ) {
				return $this->error( __( 'You cannot add services to this clinic.', 'kc-lang' ), 403 );
			}
		}

		$now   = current_time( 'mysql' );
		$price = null === $request['price'] ? '0' : (string) $request['price'];
		$wpdb->insert(
			$p . 'kc_services',
			array(
				'type'       => sanitize_text_field( (string) $request['category'] ),
				'name'       => sanitize_text_field( (string) $request['name'] ),
				'price'      => $price,
				'status'     => 1,
				'created_at' => $now,
			)
		);
		$service_id = (int) $wpdb->insert_id;
		if ( ! $service_id ) {
			return $this->error( __( 'Could not save the service.', 'kc-lang' ), 500 );
		}

		$mappings = array();
		foreach ( $doctors as $doctor_id ) {
			foreach ( $clinics as $clinic_id ) {
				$wpdb->insert(
					$p . 'kc_service_doctor_mapping',
					array(
						'service_id'      => $service_id,
						'doctor_id'       => $doctor_id,
						'clinic_id'       => $clinic_id,
						'charges'         => $price,
						'telemed_service' => 'yes' === $request['telemed_service'] ? 'yes' : 'no',
						'multiple'        => 'no',
						'status'          => 1,
						'created_at'      => $now,
						'duration'        => null === $request['duration'] ? null : (int) $request['duration'],
					)
				);
				$mappings[] = array(
					'id'        => (int) $wpdb->insert_id,
					'doctor_id' => $doctor_id,
					'clinic_id' => $clinic_id,
				);
				if ( ! $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$p}kc_doctor_clinic_mappings WHERE doctor_id = %d AND clinic_id = %d", $doctor_id, $clinic_id ) ) ) {
					$wpdb->insert(
						$p . 'kc_doctor_clinic_mappings',
						array(
							'doctor_id'  => $doctor_id,
							'clinic_id'  => $clinic_id,
							'owner'      => 0,
							'created_at' => $now,
						)
					);
				}
			}
		}

		return $this->response(
			array(
				'service_id' => $service_id,
				'mappings'   => $mappings,
			),
			__( 'Service saved successfully', 'kc-lang' ),
			201
		);
	}
}
