<?php
/**
 * `kivicare/v1/appointments*` (KiviCare 4.3 `app/controllers/api/AppointmentsController.php`).
 * The create / reschedule / payment / regenerate / delete paths call the
 * telemed provider exactly where and how core does (contract §3).
 *
 * @package KiviCareStandIn
 */

namespace App\controllers\api;

use App\baseClasses\KCBase;
use App\baseClasses\KCBaseController;
use App\baseClasses\KCPermissions;
use App\baseClasses\KCTelemedFactory;
use App\models\KCAppointment;
use App\services\KCAppointmentService as Appointments;
use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Appointments controller.
 */
class AppointmentsController extends KCBaseController {

	const MEET_MODEL = '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';

	/**
	 * Routes.
	 */
	public function register_routes() {
		$this->route(
			'/appointments',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_appointments' ),
					'permission_callback' => $this->can( 'appointment_list' ),
					'args'                => $this->list_args(),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'create_appointment' ),
					'permission_callback' => $this->can( 'appointment_add' ),
					'args'                => $this->create_args(),
				),
			)
		);
		$this->route(
			'/appointments/slots',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'get_slots' ),
				'permission_callback' => array( $this, 'logged_in' ),
				'args'                => array(
					'date'       => array(
						'required'          => true,
						'validate_callback' => array( __CLASS__, 'valid_date' ),
					),
					'doctor_id'  => $this->int_arg( true ),
					'clinic_id'  => $this->int_arg(),
					'service_id' => array( 'required' => false ),
					'timezone'   => array(
						'required'          => false,
						'validate_callback' => 'kcIsValidTimezone',
					),
				),
			)
		);
		$this->route(
			'/appointments/calendar',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'get_month' ),
				'permission_callback' => $this->can( 'appointment_list' ),
				'args'                => array(
					'month'     => array(
						'required'          => true,
						'validate_callback' => array( __CLASS__, 'valid_month' ),
					),
					'doctor_id' => $this->int_arg( true ),
				),
			)
		);
		$this->route(
			'/appointments/(?P<id>\d+)',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_appointment' ),
					'permission_callback' => $this->owned( 'appointment_view' ),
				),
				array(
					'methods'             => WP_REST_Server::EDITABLE,
					'callback'            => array( $this, 'update_appointment' ),
					'permission_callback' => $this->owned( 'appointment_edit' ),
					'args'                => $this->update_args(),
				),
				array(
					'methods'             => WP_REST_Server::DELETABLE,
					'callback'            => array( $this, 'delete_appointment' ),
					'permission_callback' => $this->owned( 'appointment_delete' ),
				),
			)
		);
		$this->route(
			'/appointments/(?P<id>\d+)/view',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'view_appointment' ),
				'permission_callback' => $this->owned( 'appointment_view' ),
			)
		);
		$this->route(
			'/appointments/(?P<id>\d+)/status',
			array(
				'methods'             => WP_REST_Server::EDITABLE,
				'callback'            => array( $this, 'update_status' ),
				'permission_callback' => array( $this, 'can_change_status' ),
				'args'                => array(
					'status' => array(
						'required'          => true,
						'validate_callback' => array( __CLASS__, 'valid_status' ),
					),
				),
			)
		);
		$this->route(
			'/appointments/bulk/delete',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'bulk_delete' ),
				'permission_callback' => $this->can( 'appointment_delete' ),
				'args'                => array(
					'ids' => array(
						'required'          => true,
						'validate_callback' => static function ( $value ) {
							return is_array( $value ) && count( $value ) > 0 && count( $value ) <= 500;
						},
					),
				),
			)
		);
		$this->route(
			'/appointments/(?P<id>\d+)/regenerate-video-conference',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'regenerate_video_link' ),
				// Core's callback returns a closure (truthy) for these roles: ownership is not enforced.
				'permission_callback' => static function () {
					return in_array( KCBase::get_user_role(), array( KCBase::DOCTOR, KCBase::CLINIC_ADMIN, KCBase::RECEPTIONIST, KCBase::ADMIN ), true );
				},
			)
		);
		$this->route(
			'/appointments/payment-success',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'payment_success' ),
				'permission_callback' => $this->can( 'appointment_view' ),
				'args'                => array(
					'appointment_id' => $this->int_arg( true ),
					'payment_id'     => array(
						'required'          => false,
						'sanitize_callback' => 'sanitize_text_field',
					),
					'gateway'        => array(
						'required'          => false,
						'sanitize_callback' => 'sanitize_text_field',
					),
				),
			)
		);
	}

	/* ------------------------------------------------------------------ */
	/* Argument schemas and permission callbacks                           */
	/* ------------------------------------------------------------------ */

	/**
	 * YYYY-MM-DD of a real calendar date.
	 *
	 * @param mixed $value Value.
	 * @return bool
	 */
	public static function valid_date( $value ) {
		if ( ! is_string( $value ) || ! preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $value, $m ) ) {
			return false;
		}
		return checkdate( (int) $m[2], (int) $m[3], (int) $m[1] );
	}

	/**
	 * YYYY-MM of a real month.
	 *
	 * @param mixed $value Value.
	 * @return bool
	 */
	public static function valid_month( $value ) {
		return is_string( $value ) && (bool) preg_match( '/^\d{4}-(0[1-9]|1[0-2])$/', $value );
	}

	/**
	 * HH:MM, 24 h, no seconds.
	 *
	 * @param mixed $value Value.
	 * @return bool
	 */
	public static function valid_time( $value ) {
		return is_string( $value ) && (bool) preg_match( '/^([01]\d|2[0-3]):[0-5]\d$/', $value );
	}

	/**
	 * 0..4.
	 *
	 * @param mixed $value Value.
	 * @return bool
	 */
	public static function valid_status( $value ) {
		return ( is_int( $value ) || ( is_string( $value ) && ctype_digit( $value ) ) ) && (int) $value >= 0 && (int) $value <= 4;
	}

	/**
	 * Short free text.
	 *
	 * @param mixed $value Value.
	 * @return bool
	 */
	public static function valid_text( $value ) {
		return is_string( $value ) && strlen( $value ) <= 5000;
	}

	/**
	 * POST appointments arguments (AC 922-1052).
	 *
	 * @return array
	 */
	private function create_args() {
		return array(
			'appointmentStartDate' => array(
				'required'          => true,
				'validate_callback' => array( __CLASS__, 'valid_date' ),
			),
			'appointmentStartTime' => array(
				'required'          => true,
				'validate_callback' => array( __CLASS__, 'valid_time' ),
			),
			'doctorId'             => $this->int_arg( true ),
			'patientId'            => $this->int_arg(),
			'clinicId'             => $this->int_arg(),
			'serviceId'            => array(
				'required'          => true,
				'validate_callback' => static function ( $value ) {
					return count( Appointments::parse_ids( $value ) ) > 0;
				},
			),
			'status'               => array(
				'required'          => false,
				'validate_callback' => array( __CLASS__, 'valid_status' ),
			),
			'paymentGateway'       => array(
				'required'          => false,
				'validate_callback' => array( __CLASS__, 'valid_text' ),
			),
			'timezone'             => array(
				'required'          => false,
				'validate_callback' => 'kcIsValidTimezone',
			),
			'description'          => array(
				'required'          => false,
				'validate_callback' => array( __CLASS__, 'valid_text' ),
			),
		);
	}

	/**
	 * PUT appointments/{id} arguments.
	 *
	 * @return array
	 */
	private function update_args() {
		$args = $this->create_args();
		unset( $args['paymentGateway'] );
		$args['doctorId']['required']  = false;
		$args['serviceId']['required'] = false;
		return $args;
	}

	/**
	 * GET appointments arguments.
	 *
	 * @return array
	 */
	private function list_args() {
		return array(
			'search'    => array(
				'required'          => false,
				'validate_callback' => array( __CLASS__, 'valid_text' ),
			),
			'timezone'  => array(
				'required'          => false,
				'validate_callback' => 'kcIsValidTimezone',
			),
			'clinic'    => $this->int_arg(),
			'doctor'    => $this->int_arg(),
			'patient'   => $this->int_arg(),
			'status'    => array(
				'required'          => false,
				'validate_callback' => static function ( $value ) {
					return 'all' === $value || self::valid_status( $value );
				},
			),
			'orderby'   => array(
				'required' => false,
				'enum'     => array( 'appointment_start_date', 'start', 'id', 'status', 'created_at' ),
			),
			'order'     => array(
				'required' => false,
				'enum'     => array( 'asc', 'desc', 'ASC', 'DESC' ),
			),
			'page'      => $this->int_arg(),
			'perPage'   => array(
				'required'          => false,
				'validate_callback' => static function ( $value ) {
					return is_numeric( $value ) && (int) $value >= -1 && (int) $value <= 1000;
				},
			),
			'timeFrame' => array(
				'required' => false,
				'enum'     => array( 'all', 'upcoming', 'past', 'today' ),
			),
		);
	}

	/**
	 * Permission: role action + access to the appointment in the route (a
	 * missing appointment passes here and gets a 404 from the callback).
	 *
	 * @param string $action Action key.
	 * @return callable
	 */
	private function owned( $action ) {
		return static function ( WP_REST_Request $request ) use ( $action ) {
			if ( ! is_user_logged_in() || ! KCPermissions::can_user_perform_action( $action ) ) {
				return false;
			}
			$row = Appointments::find_row( (int) $request['id'] );
			return ! $row || Appointments::user_can_access( get_current_user_id(), $row );
		};
	}

	/**
	 * Status changes: staff need `patient_appointment_status_change`; patients
	 * change their own appointments through `appointment_edit`.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return bool
	 */
	public function can_change_status( WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return false;
		}
		$action = KCBase::PATIENT === KCBase::get_user_role() ? 'appointment_edit' : 'patient_appointment_status_change';
		if ( ! KCPermissions::can_user_perform_action( $action ) ) {
			return false;
		}
		$row = Appointments::find_row( (int) $request['id'] );
		return ! $row || Appointments::user_can_access( get_current_user_id(), $row );
	}

	/* ------------------------------------------------------------------ */
	/* Create                                                              */
	/* ------------------------------------------------------------------ */

	/**
	 * POST appointments (`createAppointment`, AC 2901).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function create_appointment( WP_REST_Request $request ) {
		global $wpdb;

		$user_id = get_current_user_id();
		$role    = KCBase::get_user_role( $user_id );

		$date       = (string) $request['appointmentStartDate'];
		$time       = (string) $request['appointmentStartTime'];
		$doctor_id  = (int) $request['doctorId'];
		$patient_id = (int) $request['patientId'];

		if ( KCBase::PATIENT === $role ) {
			if ( $patient_id && $patient_id !== $user_id ) {
				return $this->error( __( 'You can only book appointments for yourself.', 'kc-lang' ), 403 );
			}
			$patient_id = $user_id;
		}
		if ( KCBase::DOCTOR === $role && $doctor_id !== $user_id ) {
			return $this->error( __( 'You can only book appointments with yourself.', 'kc-lang' ), 403 );
		}
		if ( ! KCBase::user_has_role( $doctor_id, KCBase::DOCTOR ) ) {
			return $this->error( __( 'Doctor not found.', 'kc-lang' ), 400 );
		}
		if ( ! $patient_id || ! KCBase::user_has_role( $patient_id, KCBase::PATIENT ) ) {
			return $this->error( __( 'Patient not found.', 'kc-lang' ), 400 );
		}

		// Without Pro the default clinic is forced; with Pro clinicId is required.
		if ( isKiviCareProActive() ) {
			$clinic_id = (int) $request['clinicId'];
			if ( ! $clinic_id ) {
				return $this->error( __( 'Clinic is required.', 'kc-lang' ), 400 );
			}
		} else {
			$clinic_id = kcGetDefaultClinicId();
		}
		if ( ! $clinic_id || ! $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$wpdb->prefix}kc_clinics WHERE id = %d", $clinic_id ) ) ) {
			return $this->error( __( 'Clinic not found. Run the setup wizard first.', 'kc-lang' ), 400 );
		}
		if ( in_array( $role, array( KCBase::CLINIC_ADMIN, KCBase::RECEPTIONIST ), true ) && ! in_array( $clinic_id, KCBase::staff_clinic_ids( $user_id ), true ) ) {
			return $this->error( __( 'You cannot book appointments for this clinic.', 'kc-lang' ), 403 );
		}

		$mapping_ids = Appointments::parse_ids( $request['serviceId'] );
		$mappings    = Appointments::load_mappings( $mapping_ids );
		if ( count( $mappings ) !== count( $mapping_ids ) ) {
			return $this->error( __( 'Service not found.', 'kc-lang' ), 400 );
		}
		foreach ( $mappings as $mapping ) {
			if ( (int) $mapping->doctor_id !== $doctor_id ) {
				return $this->error( __( 'The selected service is not offered by this doctor.', 'kc-lang' ), 400 );
			}
		}

		$timezone = $request->has_param( 'timezone' ) && '' !== (string) $request['timezone'] ? (string) $request['timezone'] : kcGetDoctorTimezone( $doctor_id );

		// Status omitted ⇒ 0 (Cancelled): core defaults to 0, callers must send 1.
		$status  = $request->has_param( 'status' ) ? (int) $request['status'] : KCAppointment::STATUS_CANCELLED;
		$gateway = (string) $request['paymentGateway'];
		if ( '' !== $gateway && 'offline' !== $gateway ) {
			$status = KCAppointment::STATUS_PENDING;
		}

		$duration = Appointments::duration_of( $mappings );
		$interval = Appointments::interval( $date, $time, $duration, $timezone );
		if ( ! $interval ) {
			return $this->error( __( 'Invalid appointment date or time.', 'kc-lang' ), 400 );
		}
		list( $start, $end ) = $interval;

		$telemed_selected = array_filter(
			$mappings,
			static function ( $m ) {
				return 'yes' === $m->telemed_service;
			}
		);
		$telemed_mappings = array_filter(
			$telemed_selected,
			static function ( $m ) use ( $clinic_id ) {
				return (int) $m->clinic_id === $clinic_id;
			}
		);

		$wpdb->query( 'START TRANSACTION' );
		try {
			$start_utc = KCAppointment::to_utc( $start->format( 'Y-m-d' ), $start->format( 'H:i:s' ), $timezone );
			$end_utc   = KCAppointment::to_utc( $end->format( 'Y-m-d' ), $end->format( 'H:i:s' ), $timezone );
			if ( ! Appointments::within_session( $doctor_id, $time, $duration ) || Appointments::slot_taken( $doctor_id, $start_utc, $end_utc ) || self::overlaps_busy_block( $doctor_id, $start, $end, $start_utc, $end_utc ) ) {
				$wpdb->query( 'ROLLBACK' );
				return $this->error( __( 'Selected time slot is not available.', 'kc-lang' ), 409 );
			}

			if ( $telemed_selected && ! isKiviCareTelemedActive() && ! isKiviCareGoogleMeetActive() ) {
				$wpdb->query( 'ROLLBACK' );
				return $this->error( __( 'Telemed services cannot be booked as telemed addon is not active', 'kc-lang' ), 400 );
			}

			$description = $request->has_param( 'description' ) ? sanitize_textarea_field( (string) $request['description'] ) : '';
			$now         = current_time( 'mysql' );

			$appointment_id = KCAppointment::create(
				array(
					'appointmentStartDate' => $start->format( 'Y-m-d' ),
					'appointmentStartTime' => $start->format( 'H:i:s' ),
					'appointmentEndDate'   => $end->format( 'Y-m-d' ),
					'appointmentEndTime'   => $end->format( 'H:i:s' ),
					'visitType'            => implode( ',', $mapping_ids ),
					'clinicId'             => $clinic_id,
					'doctorId'             => $doctor_id,
					'patientId'            => $patient_id,
					'description'          => $description,
					'status'               => $status,
					'createdAt'            => $now,
					'appointmentTimezone'  => $timezone,
				)
			);
			if ( ! $appointment_id ) {
				throw new \RuntimeException( __( 'Could not save the appointment.', 'kc-lang' ) );
			}

			$this->store_services( $appointment_id, $mappings, $now );
			$this->ensure_patient_clinic( $patient_id, $clinic_id, $now );
			$wpdb->insert(
				$wpdb->prefix . 'kc_patient_encounters',
				array(
					'encounter_date' => $start->format( 'Y-m-d' ),
					'clinic_id'      => $clinic_id,
					'doctor_id'      => $doctor_id,
					'patient_id'     => $patient_id,
					'appointment_id' => $appointment_id,
					'description'    => $description,
					'status'         => 1,
					'added_by'       => $user_id,
					'created_at'     => $now,
				)
			);
			if ( '' !== $gateway ) {
				$wpdb->insert(
					$wpdb->prefix . 'kc_payments_appointment_mappings',
					array(
						'appointment_id' => $appointment_id,
						'payment_mode'   => sanitize_key( $gateway ),
						'payment_status' => 'offline' === $gateway ? 'completed' : 'pending',
						'amount'         => (string) array_sum( array_map( 'floatval', wp_list_pluck( $mappings, 'charges' ) ) ),
						'created_at'     => $now,
						'updated_at'     => $now,
					)
				);
			}

			if ( $telemed_mappings && KCAppointment::STATUS_PENDING !== $status ) {
				$provider = KCTelemedFactory::get_provider_by_doctor_id( $doctor_id );
				if ( ! $provider ) {
					throw new \Exception( __( 'Telemed provider not found for the selected doctor', 'kc-lang' ) );
				}
				$meeting = $provider->create_meeting(
					array(
						'topic'             => implode( ', ', wp_list_pluck( $telemed_mappings, 'display_name' ) ),
						'type'              => 'scheduled',
						'start_time'        => $start->format( 'Y-m-d H:i:s' ),
						'duration'          => (int) ( ( $end->getTimestamp() - $start->getTimestamp() ) / 60 ),
						'timezone'          => wp_timezone_string(),
						'password'          => '',
						'waiting_room'      => false,
						'auto_recording'    => false,
						'host_video'        => true,
						'participant_video' => true,
						'mute_upon_entry'   => true,
						'patient_id'        => $patient_id,
						'doctor_id'         => $doctor_id,
						'appointment_id'    => $appointment_id,
					)
				);
				// Only falsy results fail: a WP_Error is an object, hence truthy.
				if ( ! $meeting ) {
					throw new \Exception( __( 'Failed to create telemed meeting', 'kc-lang' ) );
				}
			}

			$data = array(
				'id'                   => $appointment_id,
				'appointmentStartDate' => $start->format( 'Y-m-d' ),
				'appointmentStartTime' => $start->format( 'H:i' ),
				'appointmentEndDate'   => $end->format( 'Y-m-d' ),
				'appointmentEndTime'   => $end->format( 'H:i' ),
				'appointmentTimezone'  => $timezone,
				'clinicId'             => $clinic_id,
				'doctorId'             => $doctor_id,
				'patientId'            => $patient_id,
				'serviceId'            => $mapping_ids,
				'status'               => $status,
				'description'          => $description,
				'paymentGateway'       => $gateway,
			);
			// Fired before COMMIT, as in core (AC 3325-3329).
			do_action( 'kc_after_create_appointment', $appointment_id, $data, $request );

			$wpdb->query( 'COMMIT' );
		} catch ( \Throwable $e ) {
			$wpdb->query( 'ROLLBACK' );
			/* translators: %s: reason */
			return $this->error( sprintf( __( 'Failed to create appointment: %s', 'kc-lang' ), $e->getMessage() ), 500 );
		}

		return $this->response(
			array(
				'appointment_id' => $appointment_id,
				'status'         => $status,
			),
			__( 'Appointment booked successfully', 'kc-lang' ),
			201
		);
	}

	/**
	 * Writes kc_appointment_service_mapping rows (service_id = kc_services.id).
	 *
	 * @param int      $appointment_id Appointment id.
	 * @param object[] $mappings       Mapping rows.
	 * @param string   $now            created_at.
	 */
	private function store_services( $appointment_id, array $mappings, $now ) {
		global $wpdb;
		foreach ( $mappings as $mapping ) {
			$wpdb->insert(
				$wpdb->prefix . 'kc_appointment_service_mapping',
				array(
					'appointment_id' => $appointment_id,
					'service_id'     => (int) $mapping->service_id,
					'status'         => 1,
					'created_at'     => $now,
				)
			);
		}
	}

	/**
	 * Links a patient to a clinic once.
	 *
	 * @param int    $patient_id Patient id.
	 * @param int    $clinic_id  Clinic id.
	 * @param string $now        created_at.
	 */
	private function ensure_patient_clinic( $patient_id, $clinic_id, $now ) {
		global $wpdb;
		$exists = $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$wpdb->prefix}kc_patient_clinic_mappings WHERE patient_id = %d AND clinic_id = %d", $patient_id, $clinic_id ) );
		if ( ! $exists ) {
			$wpdb->insert(
				$wpdb->prefix . 'kc_patient_clinic_mappings',
				array(
					'patient_id' => $patient_id,
					'clinic_id'  => $clinic_id,
					'created_at' => $now,
				)
			);
		}
	}

	/* ------------------------------------------------------------------ */
	/* Reschedule                                                          */
	/* ------------------------------------------------------------------ */

	/**
	 * PUT appointments/{id} (`updateAppointment`, AC 3363).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function update_appointment( WP_REST_Request $request ) {
		global $wpdb;

		$id  = (int) $request['id'];
		$row = Appointments::find_row( $id );
		if ( ! $row ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}

		$date = (string) $request['appointmentStartDate'];
		$time = (string) $request['appointmentStartTime'];

		$doctor_id = $request->has_param( 'doctorId' ) ? (int) $request['doctorId'] : (int) $row->doctor_id;
		if ( ! KCBase::user_has_role( $doctor_id, KCBase::DOCTOR ) ) {
			return $this->error( __( 'Doctor not found.', 'kc-lang' ), 400 );
		}
		// The edit form may give the appointment another patient: only the row's patient_id
		// changes (the provider's attendees are built from the row before the update).
		$patient_id = $request->has_param( 'patientId' ) ? (int) $request['patientId'] : (int) $row->patient_id;
		if ( $patient_id !== (int) $row->patient_id ) {
			if ( KCBase::PATIENT === KCBase::get_user_role() ) {
				return $this->error( __( 'You can only book appointments for yourself.', 'kc-lang' ), 403 );
			}
			if ( ! KCBase::user_has_role( $patient_id, KCBase::PATIENT ) ) {
				return $this->error( __( 'Patient not found.', 'kc-lang' ), 400 );
			}
		}
		$timezone = $request->has_param( 'timezone' ) && '' !== (string) $request['timezone'] ? (string) $request['timezone'] : (string) $row->appointment_timezone;
		$status   = $request->has_param( 'status' ) ? (int) $request['status'] : (int) $row->status;
		// An omitted description is overwritten with '' (AC 3372-3379).
		$description = $request->has_param( 'description' ) ? sanitize_textarea_field( (string) $request['description'] ) : '';

		$new_mappings = null;
		if ( $request->has_param( 'serviceId' ) ) {
			$mapping_ids  = Appointments::parse_ids( $request['serviceId'] );
			$new_mappings = Appointments::load_mappings( $mapping_ids );
			if ( ! $mapping_ids || count( $new_mappings ) !== count( $mapping_ids ) ) {
				return $this->error( __( 'Service not found.', 'kc-lang' ), 400 );
			}
			$duration = Appointments::duration_of( $new_mappings );
		} else {
			$duration = (int) round( ( strtotime( (string) $row->appointment_end_utc ) - strtotime( (string) $row->appointment_start_utc ) ) / 60 );
			$duration = $duration > 0 ? $duration : Appointments::DEFAULT_DURATION;
		}

		$interval = Appointments::interval( $date, $time, $duration, $timezone );
		if ( ! $interval ) {
			return $this->error( __( 'Invalid appointment date or time.', 'kc-lang' ), 400 );
		}
		list( $start, $end ) = $interval;

		$wpdb->query( 'START TRANSACTION' );
		try {
			$start_utc = KCAppointment::to_utc( $start->format( 'Y-m-d' ), $start->format( 'H:i:s' ), $timezone );
			$end_utc   = KCAppointment::to_utc( $end->format( 'Y-m-d' ), $end->format( 'H:i:s' ), $timezone );
			if ( KCAppointment::STATUS_CANCELLED !== $status && ( ! Appointments::within_session( $doctor_id, $time, $duration ) || Appointments::slot_taken( $doctor_id, $start_utc, $end_utc, $id ) || self::overlaps_busy_block( $doctor_id, $start, $end, $start_utc, $end_utc ) ) ) {
				$wpdb->query( 'ROLLBACK' );
				return $this->error( __( 'Selected time slot is not available.', 'kc-lang' ), 409 );
			}

			// The provider is told before the row changes (AC 3494-3547).
			if ( Appointments::is_telemed( $row ) ) {
				$this->reschedule_meeting( $row, $doctor_id, $description, $start, $end );
			}

			$model = KCAppointment::hydrate( (array) $row );
			$saved = $model->update(
				array(
					'appointmentStartDate' => $start->format( 'Y-m-d' ),
					'appointmentStartTime' => $start->format( 'H:i:s' ),
					'appointmentEndDate'   => $end->format( 'Y-m-d' ),
					'appointmentEndTime'   => $end->format( 'H:i:s' ),
					'appointmentTimezone'  => $timezone,
					'doctorId'             => $doctor_id,
					'patientId'            => $patient_id,
					'description'          => $description,
					'status'               => $status,
				) + ( null !== $new_mappings ? array( 'visitType' => implode( ',', wp_list_pluck( $new_mappings, 'id' ) ) ) : array() )
			);
			if ( ! $saved ) {
				throw new \RuntimeException( __( 'Could not save the appointment.', 'kc-lang' ) );
			}
			if ( null !== $new_mappings ) {
				$wpdb->delete( $wpdb->prefix . 'kc_appointment_service_mapping', array( 'appointment_id' => $id ) );
				$this->store_services( $id, $new_mappings, current_time( 'mysql' ) );
			}
			$wpdb->update(
				$wpdb->prefix . 'kc_patient_encounters',
				array(
					'encounter_date' => $start->format( 'Y-m-d' ),
					'doctor_id'      => $doctor_id,
				),
				array( 'appointment_id' => $id )
			);

			$data = Appointments::format( Appointments::find_row( $id ) );
			do_action( 'kc_appointment_updated', $id, $data );

			$wpdb->query( 'COMMIT' );
		} catch ( \Throwable $e ) {
			$wpdb->query( 'ROLLBACK' );
			/* translators: %s: reason */
			return $this->error( sprintf( __( 'Failed to update appointment: %s', 'kc-lang' ), $e->getMessage() ), 500 );
		}

		return $this->response( $data, __( 'Appointment updated successfully', 'kc-lang' ) );
	}

	/**
	 * Core's reschedule call: only for provider id 'googlemeet' with the add-on's
	 * mapping model present and a row carrying an eventId.
	 *
	 * @param object             $row         Appointment row before the update.
	 * @param int                $doctor_id   Doctor id.
	 * @param string             $description New description.
	 * @param \DateTimeImmutable $start       New local start.
	 * @param \DateTimeImmutable $end         New local end.
	 * @throws \Exception When the provider returns a falsy value.
	 */
	private function reschedule_meeting( $row, $doctor_id, $description, $start, $end ) {
		$provider = KCTelemedFactory::get_provider_by_doctor_id( $doctor_id );
		if ( ! $provider || 'googlemeet' !== $provider->get_provider_id() || ! class_exists( self::MEET_MODEL ) ) {
			return;
		}
		$model   = self::MEET_MODEL;
		$mapping = $model::query()->where( 'appointmentId', (int) $row->id )->select( array( 'eventId' ) )->first();
		if ( ! $mapping || empty( $mapping->eventId ) ) {
			kcLog( 'Google Meet mapping not found for appointment', array( 'appointment_id' => (int) $row->id ) );
			return;
		}
		$result = $provider->update_meeting(
			$mapping->eventId,
			array(
				'appointment_id' => (int) $row->id,
				'topic'          => Appointments::telemed_topic( $row ),
				'summary'        => $description,
				'attendees'      => array_values(
					array_filter(
						array(
							array( 'email' => KCBase::user_email( $row->patient_id ) ),
							array( 'email' => KCBase::user_email( $doctor_id ) ),
						),
						static function ( $a ) {
							return '' !== $a['email'];
						}
					)
				),
				'doctor_id'      => $doctor_id,
				'start_time'     => $start->format( DATE_ATOM ),
				'end_time'       => $end->format( DATE_ATOM ),
				'timezone'       => wp_timezone_string(),
			)
		);
		if ( ! $result ) {
			throw new \Exception( __( 'Failed to update Google Meet event', 'kc-lang' ) );
		}
	}

	/* ------------------------------------------------------------------ */
	/* Status, delete, regenerate, payment                                 */
	/* ------------------------------------------------------------------ */

	/**
	 * PUT appointments/{id}/status (AC 3729-3827). No provider call.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function update_status( WP_REST_Request $request ) {
		$id    = (int) $request['id'];
		$model = KCAppointment::find( $id );
		if ( ! $model ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}
		$status = (int) $request['status'];
		if ( ! $model->update( array( 'status' => $status ) ) ) {
			return $this->error( __( 'Failed to update appointment status.', 'kc-lang' ), 500 );
		}
		if ( KCAppointment::STATUS_CANCELLED === $status ) {
			do_action( 'kc_appointment_cancelled', $id );
		}
		do_action( 'kc_appointment_status_update', $id, $status, $model );

		return $this->response(
			array(
				'id'     => $id,
				'status' => $status,
			),
			__( 'Appointment status updated successfully', 'kc-lang' )
		);
	}

	/**
	 * DELETE appointments/{id} (AC 3703-3705): provider's
	 * `cancel_meeting_by_appointment()` first, result ignored, not caught.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function delete_appointment( WP_REST_Request $request ) {
		$id  = (int) $request['id'];
		$row = Appointments::find_row( $id );
		if ( ! $row ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}
		$provider = KCTelemedFactory::get_provider_by_doctor_id( (int) $row->doctor_id );
		if ( $provider ) {
			$provider->cancel_meeting_by_appointment( $id );
		}
		$this->delete_rows( $id );
		return $this->response( array( 'id' => $id ), __( 'Appointment deleted successfully', 'kc-lang' ) );
	}

	/**
	 * POST appointments/bulk/delete (AC 4707-4710): provider errors caught per id.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function bulk_delete( WP_REST_Request $request ) {
		$deleted = array();
		$skipped = array();
		foreach ( Appointments::parse_ids( $request['ids'] ) as $id ) {
			$row = Appointments::find_row( $id );
			if ( ! $row || ! Appointments::user_can_access( get_current_user_id(), $row ) ) {
				$skipped[] = $id;
				continue;
			}
			try {
				$provider = KCTelemedFactory::get_provider_by_doctor_id( (int) $row->doctor_id );
				if ( $provider ) {
					$provider->cancel_meeting_by_appointment( $id );
				}
			} catch ( \Throwable $e ) {
				kcLog( 'Telemed cancel failed during bulk delete', array( 'appointment_id' => $id ) );
			}
			$this->delete_rows( $id );
			$deleted[] = $id;
		}
		return $this->response(
			array(
				'deleted' => $deleted,
				'skipped' => $skipped,
			),
			__( 'Appointments deleted successfully', 'kc-lang' )
		);
	}

	/**
	 * Removes an appointment and its dependent rows.
	 *
	 * @param int $id Appointment id.
	 */
	private function delete_rows( $id ) {
		global $wpdb;
		$wpdb->delete( $wpdb->prefix . 'kc_appointment_service_mapping', array( 'appointment_id' => $id ) );
		$wpdb->delete( $wpdb->prefix . 'kc_patient_encounters', array( 'appointment_id' => $id ) );
		$wpdb->delete( $wpdb->prefix . 'kc_payments_appointment_mappings', array( 'appointment_id' => $id ) );
		$wpdb->delete( $wpdb->prefix . 'kc_appointments', array( 'id' => $id ) );
	}

	/**
	 * GET appointments/{id}/regenerate-video-conference (AC 4237, contract §10): inside a
	 * transaction, `create_meeting()` with topic 'Regenerated Telemed Service', start now, 30
	 * minutes; only a WP_Error fails (rollback, 500 "Failed to regenerate telemed link" with the
	 * error's message); no telemed check, no dedupe, no link in the answer.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function regenerate_video_link( WP_REST_Request $request ) {
		global $wpdb;
		$id  = (int) $request['id'];
		$row = Appointments::find_row( $id );
		if ( ! $row ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}
		$provider = KCTelemedFactory::get_provider_by_doctor_id( (int) $row->doctor_id );
		if ( ! $provider ) {
			return $this->error( __( 'Telemed provider not found for the selected doctor', 'kc-lang' ), 400 );
		}
		$wpdb->query( 'START TRANSACTION' );
		$result = $provider->create_meeting(
			array(
				'topic'             => 'Regenerated Telemed Service',
				'type'              => 'scheduled',
				'start_time'        => current_time( 'mysql' ),
				'duration'          => 30,
				'timezone'          => wp_timezone_string(),
				'password'          => '',
				'waiting_room'      => false,
				'auto_recording'    => false,
				'host_video'        => true,
				'participant_video' => true,
				'mute_upon_entry'   => true,
				'patient_id'        => (int) $row->patient_id,
				'doctor_id'         => (int) $row->doctor_id,
				'appointment_id'    => $id,
			)
		);
		if ( is_wp_error( $result ) ) {
			$wpdb->query( 'ROLLBACK' );
			/* translators: %s: the provider's error message. */
			return $this->error( sprintf( __( 'Failed to regenerate telemed link: %s', 'kc-lang' ), $result->get_error_message() ), 500 );
		}
		$wpdb->query( 'COMMIT' );
		return $this->response( array( 'appointment_id' => $id ), __( 'Telemed link regenerated successfully', 'kc-lang' ) );
	}

	/**
	 * POST appointments/payment-success (`handlePaymentSuccess`, AC 3837).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function payment_success( WP_REST_Request $request ) {
		global $wpdb;
		$id  = (int) $request['appointment_id'];
		$row = Appointments::find_row( $id );
		if ( ! $row ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}
		if ( ! Appointments::user_can_access( get_current_user_id(), $row ) ) {
			return $this->error( __( 'You cannot access this appointment.', 'kc-lang' ), 403 );
		}
		$table = $wpdb->prefix . 'kc_payments_appointment_mappings';
		$now   = current_time( 'mysql' );

		$wpdb->query( 'START TRANSACTION' );
		try {
			KCAppointment::hydrate( (array) $row )->update( array( 'status' => KCAppointment::STATUS_BOOKED ) );
			$payment = array(
				'payment_status' => 'completed',
				'payment_id'     => (string) $request['payment_id'],
				'updated_at'     => $now,
			);
			if ( $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$table} WHERE appointment_id = %d", $id ) ) ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$wpdb->update( $table, $payment, array( 'appointment_id' => $id ) );
			} else {
				$wpdb->insert(
					$table,
					$payment + array(
						'appointment_id' => $id,
						'payment_mode'   => sanitize_key( (string) $request['gateway'] ),
						'created_at'     => $now,
					)
				);
			}

			if ( Appointments::is_telemed( $row ) ) {
				$provider = KCTelemedFactory::get_provider_by_doctor_id( (int) $row->doctor_id );
				if ( $provider ) {
					$minutes = (int) ( ( strtotime( (string) $row->appointment_end_utc ) - strtotime( (string) $row->appointment_start_utc ) ) / 60 );
					// The result is not checked (AC 3902-3937).
					$provider->create_meeting(
						array(
							'topic'             => Appointments::telemed_topic( $row ),
							'type'              => 'scheduled',
							'start_time'        => $row->appointment_start_date . ' ' . $row->appointment_start_time,
							'duration'          => max( $minutes, 30 ),
							'timezone'          => wp_timezone_string(),
							'password'          => '',
							'waiting_room'      => false,
							'auto_recording'    => false,
							'host_video'        => true,
							'participant_video' => true,
							'mute_upon_entry'   => true,
							'patient_id'        => (int) $row->patient_id,
							'doctor_id'         => (int) $row->doctor_id,
							'appointment_id'    => $id,
						)
					);
				}
			}

			do_action( 'kc_appointment_payment_completed', $id, $payment );
			$wpdb->query( 'COMMIT' );
		} catch ( \Exception $e ) {
			$wpdb->query( 'ROLLBACK' );
			$wpdb->update( $wpdb->prefix . 'kc_appointments', array( 'status' => KCAppointment::STATUS_CANCELLED ), array( 'id' => $id ) );
			$wpdb->update(
				$table,
				array(
					'payment_status' => 'cancelled',
					'updated_at'     => $now,
				),
				array( 'appointment_id' => $id )
			);
			/* translators: %s: reason */
			return $this->error( sprintf( __( 'Payment processing failed: %s', 'kc-lang' ), $e->getMessage() ), 500 );
		}

		return $this->response(
			array(
				'appointment_id' => $id,
				'status'         => KCAppointment::STATUS_BOOKED,
			),
			__( 'Payment completed successfully', 'kc-lang' )
		);
	}

	/* ------------------------------------------------------------------ */
	/* Reads                                                               */
	/* ------------------------------------------------------------------ */

	/**
	 * Shared list item shape incl. `video_consultation` and the list filter;
	 * also used by the wp-admin screen.
	 *
	 * @param object $row Appointment row.
	 * @return array
	 */
	public static function list_item( $row ) {
		$item                       = Appointments::format( $row );
		$item['video_consultation'] = apply_filters( 'kc_is_video_consultation', false, (int) $row->id );
		return apply_filters( 'kc_appointment_list_item', $item, $row );
	}

	/**
	 * GET appointments.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function get_appointments( WP_REST_Request $request ) {
		$args   = array(
			'search'    => $request['search'],
			'clinic'    => $request['clinic'],
			'doctor'    => $request['doctor'],
			'patient'   => $request['patient'],
			'status'    => $request['status'],
			'orderby'   => $request['orderby'],
			'order'     => $request['order'],
			'page'      => $request['page'],
			'perPage'   => $request['perPage'],
			'timeFrame' => $request['timeFrame'],
		);
		$result = Appointments::list_for_user( get_current_user_id(), $args );
		$items  = array_map( array( __CLASS__, 'list_item' ), $result['rows'] );
		return $this->response(
			array(
				'appointments' => $items,
				'total'        => $result['total'],
				'page'         => max( 1, (int) $request['page'] ),
				'perPage'      => null === $request['perPage'] ? 10 : (int) $request['perPage'],
			),
			__( 'Appointments retrieved successfully', 'kc-lang' )
		);
	}

	/**
	 * GET appointments/{id} (+ `kc_appointment_data`).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function get_appointment( WP_REST_Request $request ) {
		$id  = (int) $request['id'];
		$row = Appointments::find_row( $id );
		if ( ! $row ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}
		$data                       = Appointments::format( $row );
		$data['video_consultation'] = apply_filters( 'kc_is_video_consultation', false, $id );
		$data                       = apply_filters( 'kc_appointment_data', $data, $id );
		return $this->response( $data, __( 'Appointment retrieved successfully', 'kc-lang' ) );
	}

	/**
	 * GET appointments/{id}/view (+ `kc_appointment_details_data`).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function view_appointment( WP_REST_Request $request ) {
		$id    = (int) $request['id'];
		$model = KCAppointment::find( $id );
		if ( ! $model ) {
			return $this->error( __( 'Appointment not found.', 'kc-lang' ), 404 );
		}
		$row                        = (object) $model->toArray();
		$data                       = Appointments::format( $row );
		$data['patient_email']      = KCBase::user_email( $row->patient_id );
		$data['doctor_email']       = KCBase::user_email( $row->doctor_id );
		$data['is_telemed']         = Appointments::is_telemed( $row );
		$data['video_consultation'] = apply_filters( 'kc_is_video_consultation', false, $id );
		$data                       = apply_filters( 'kc_appointment_details_data', $data, $model );
		return $this->response( $data, __( 'Appointment details retrieved successfully', 'kc-lang' ) );
	}

	/**
	 * GET appointments/calendar: a doctor's month view for staff, as KiviCare's appointment
	 * calendar builds it (§10, DS 363): the month ±3 days of the doctor's appointments and, through
	 * `kc_external_busy_slots`, the external busy times as virtual appointments (status
	 * `google_busy_block`, `is_google_event`, `google_event_name`), in the doctor's wall time.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function get_month( WP_REST_Request $request ) {
		global $wpdb;
		$doctor_id = (int) $request['doctor_id'];
		$timezone  = kcGetDoctorTimezone( $doctor_id );
		$zone      = new \DateTimeZone( $timezone );
		$local     = static function ( $utc ) use ( $zone ) {
			return ( new \DateTimeImmutable( (string) $utc, new \DateTimeZone( 'UTC' ) ) )->setTimezone( $zone )->format( 'Y-m-d H:i:s' );
		};
		$first = new \DateTimeImmutable( $request['month'] . '-01', $zone );
		$from  = $first->modify( '-3 days' );
		$to    = $first->modify( 'first day of next month' )->modify( '+3 days' );
		$rows  = $wpdb->get_results(
			$wpdb->prepare(
				'SELECT id, appointment_start_utc, appointment_end_utc, status FROM %i WHERE doctor_id = %d AND appointment_start_utc < %s AND appointment_end_utc > %s ORDER BY appointment_start_utc',
				$wpdb->prefix . 'kc_appointments',
				$doctor_id,
				$to->setTimezone( new \DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' ),
				$from->setTimezone( new \DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' )
			),
			ARRAY_A
		);
		$events = array();
		foreach ( $rows as $row ) {
			$events[] = array(
				'id'     => (int) $row['id'],
				'start'  => $local( $row['appointment_start_utc'] ),
				'end'    => $local( $row['appointment_end_utc'] ),
				'status' => (int) $row['status'],
			);
		}
		foreach ( Appointments::external_busy_blocks_month( $doctor_id, (string) $request['month'] ) as $block ) {
			$events[] = array(
				'start'             => $local( $block['start_utc'] ),
				'end'               => $local( $block['end_utc'] ),
				'status'            => $block['status'],
				'is_google_event'   => true,
				'google_event_name' => $block['name'],
			);
		}
		usort(
			$events,
			static function ( $a, $b ) {
				return strcmp( $a['start'], $b['start'] );
			}
		);
		return $this->response(
			array(
				'month'    => (string) $request['month'],
				'timezone' => $timezone,
				'from'     => $from->format( 'Y-m-d' ),
				'to'       => $to->modify( '-1 day' )->format( 'Y-m-d' ),
				'events'   => $events,
			),
			__( 'Calendar retrieved successfully', 'kc-lang' )
		);
	}

	/**
	 * GET appointments/slots: the doctor's session cut into slots of the
	 * service's duration, each flagged available or not.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function get_slots( WP_REST_Request $request ) {
		$doctor_id = (int) $request['doctor_id'];
		$date      = (string) $request['date'];
		$timezone  = $request['timezone'] ? (string) $request['timezone'] : kcGetDoctorTimezone( $doctor_id );
		$mappings  = Appointments::load_mappings( Appointments::parse_ids( $request['service_id'] ) );
		$duration  = Appointments::duration_of( $mappings );

		list( $from, $to ) = Appointments::session_bounds( $doctor_id );
		$slots             = array();
		// Single dates read external busy times through kc_external_busy_slots_single (§10).
		$blocks = Appointments::external_busy_blocks( $doctor_id, $date );
		$staff  = KCBase::PATIENT !== KCBase::get_user_role();
		for ( $minute = $from; $minute + $duration <= $to; $minute += $duration ) {
			$time     = sprintf( '%02d:%02d', intdiv( $minute, 60 ), $minute % 60 );
			$interval = Appointments::interval( $date, $time, $duration, $timezone );
			if ( ! $interval ) {
				continue;
			}
			$start_utc = KCAppointment::to_utc( $interval[0]->format( 'Y-m-d' ), $interval[0]->format( 'H:i:s' ), $timezone );
			$end_utc   = KCAppointment::to_utc( $interval[1]->format( 'Y-m-d' ), $interval[1]->format( 'H:i:s' ), $timezone );
			$block = Appointments::busy_block_at( $blocks, $start_utc, $end_utc );
			if ( $block && ! $staff ) {
				// Patients are not offered a slot a busy block covers (TS 355-370).
				continue;
			}
			$slot = array(
				'time'      => $time,
				'available' => ! $block && ! Appointments::slot_taken( $doctor_id, $start_utc, $end_utc ),
			);
			if ( $block ) {
				// Staff see it as KiviCare shows Google events (TS 430-437).
				$slot['is_google_event']   = true;
				$slot['google_event_name'] = $block['name'];
			}
			$slots[] = $slot;
		}
		return $this->response(
			array(
				'date'     => $date,
				'timezone' => $timezone,
				'duration' => $duration,
				'slots'    => $slots,
			),
			__( 'Slots retrieved successfully', 'kc-lang' )
		);
	}

	/**
	 * Whether a booking overlaps an external busy block: booking builds its slot data through the
	 * same path as single dates, so kc_external_busy_slots_single runs for the doctor's local
	 * date(s) of the booking (§10, AC 3005-3024, 3460-3465).
	 *
	 * @param int                $doctor_id Doctor.
	 * @param \DateTimeImmutable $start     Local start.
	 * @param \DateTimeImmutable $end       Local end.
	 * @param string             $start_utc Y-m-d H:i:s.
	 * @param string             $end_utc   Y-m-d H:i:s.
	 */
	private static function overlaps_busy_block( $doctor_id, $start, $end, $start_utc, $end_utc ) {
		$zone  = new \DateTimeZone( kcGetDoctorTimezone( $doctor_id ) );
		$dates = array_unique( array( $start->setTimezone( $zone )->format( 'Y-m-d' ), $end->setTimezone( $zone )->format( 'Y-m-d' ) ) );
		foreach ( $dates as $date ) {
			if ( Appointments::busy_block_at( Appointments::external_busy_blocks( $doctor_id, $date ), $start_utc, $end_utc ) ) {
				return true;
			}
		}
		return false;
	}
}
