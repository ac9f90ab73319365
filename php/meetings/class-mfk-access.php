<?php
/**
 * Who may see and manage an appointment's meeting.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Access rules for meeting links, shared by the dashboard filters and REST routes.
 */
final class MFK_Access {

	/**
	 * Per-request cache: "user:clinic" => bool.
	 *
	 * @var array<string,bool>
	 */
	private static $staff_cache = array();

	/**
	 * The appointment's doctor, its patient, staff of its clinic (receptionist,
	 * clinic admin) and administrators may see the link.
	 *
	 * @param int                            $user_id     User.
	 * @param int|array<string,mixed>|object $appointment Appointment id or row.
	 */
	public static function can_view_meeting( int $user_id, $appointment ): bool {
		$appt = self::appointment( $appointment );
		if ( $user_id <= 0 || null === $appt ) {
			return false;
		}
		$allowed = self::is_admin( $user_id )
			|| $appt['doctor_id'] === $user_id
			|| $appt['patient_id'] === $user_id
			|| self::is_clinic_staff( $user_id, $appt['clinic_id'] );
		/**
		 * Filters whether a user may see an appointment's Meet link.
		 *
		 * @param bool  $allowed        Decision.
		 * @param int   $user_id        User.
		 * @param int   $appointment_id Appointment.
		 */
		return (bool) apply_filters( 'mfk_can_view_meeting', $allowed, $user_id, $appt['id'] );
	}

	/**
	 * The appointment's doctor, its clinic's staff and administrators may manage the
	 * meeting (retry, regenerate); patients may not.
	 *
	 * @param int                            $user_id     User.
	 * @param int|array<string,mixed>|object $appointment Appointment id or row.
	 */
	public static function can_manage_meeting( int $user_id, $appointment ): bool {
		$appt = self::appointment( $appointment );
		if ( $user_id <= 0 || null === $appt ) {
			return false;
		}
		$allowed = self::is_admin( $user_id )
			|| $appt['doctor_id'] === $user_id
			|| self::is_clinic_staff( $user_id, $appt['clinic_id'] );
		/**
		 * Filters whether a user may manage an appointment's meeting.
		 *
		 * @param bool $allowed        Decision.
		 * @param int  $user_id        User.
		 * @param int  $appointment_id Appointment.
		 */
		return (bool) apply_filters( 'mfk_can_manage_meeting', $allowed, $user_id, $appt['id'] );
	}

	/**
	 * Whether the current request may ask for an appointment's meeting to be made or remade
	 * (KiviCare's `create_meeting()`: booking, payment, "regenerate"). No user (queue, WP-CLI,
	 * cron, payment webhooks) may; otherwise whoever may manage the meeting, and for a booking
	 * or a payment (not a regenerate) the patient of the appointment, booking for themselves.
	 *
	 * @param int                            $user_id     Current user (0: none).
	 * @param int|array<string,mixed>|object $appointment Appointment id or row.
	 * @param bool                           $regenerate  Whether a new link is asked for.
	 */
	public static function may_request_meeting( int $user_id, $appointment, bool $regenerate ): bool {
		if ( $user_id <= 0 ) {
			return true;
		}
		if ( self::can_manage_meeting( $user_id, $appointment ) ) {
			return true;
		}
		$appt = self::appointment( $appointment );
		return ! $regenerate && null !== $appt && $appt['patient_id'] === $user_id;
	}

	/**
	 * Site administrator (or network super admin).
	 *
	 * @param int $user_id User.
	 */
	public static function is_admin( int $user_id ): bool {
		return is_super_admin( $user_id ) || user_can( $user_id, 'manage_options' );
	}

	/**
	 * Receptionist or clinic admin of that clinic.
	 *
	 * @param int $user_id   User.
	 * @param int $clinic_id Clinic.
	 */
	public static function is_clinic_staff( int $user_id, int $clinic_id ): bool {
		global $wpdb;
		$key = $user_id . ':' . $clinic_id;
		if ( isset( self::$staff_cache[ $key ] ) ) {
			return self::$staff_cache[ $key ];
		}
		$user  = get_userdata( $user_id );
		$roles = $user ? (array) $user->roles : array();
		$ok    = false;
		if ( $clinic_id > 0 && in_array( 'kiviCare_clinic_admin', $roles, true ) && MFK_Appointments::has_table( 'kc_clinics' ) ) {
			$table = MFK_Appointments::table( 'kc_clinics' );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$ok = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM `{$table}` WHERE id = %d AND clinic_admin_id = %d", $clinic_id, $user_id ) ) > 0;
		}
		if ( ! $ok && $clinic_id > 0 && in_array( 'kiviCare_receptionist', $roles, true ) && MFK_Appointments::has_table( 'kc_receptionist_clinic_mappings' ) ) {
			$table = MFK_Appointments::table( 'kc_receptionist_clinic_mappings' );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$ok = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM `{$table}` WHERE clinic_id = %d AND receptionist_id = %d", $clinic_id, $user_id ) ) > 0;
		}
		self::$staff_cache[ $key ] = $ok;
		return $ok;
	}

	/**
	 * Normalizes an appointment id or row (array or object, KiviCare's snake_case or
	 * camelCase keys) into ids, reading the table when fields are missing.
	 *
	 * @param int|array<string,mixed>|object $appointment Id or row.
	 * @return array{id:int,doctor_id:int,patient_id:int,clinic_id:int}|null
	 */
	public static function appointment( $appointment ): ?array {
		if ( is_object( $appointment ) ) {
			// KiviCare models keep their fields behind toArray() / magic getters.
			$object      = $appointment;
			$appointment = method_exists( $object, 'toArray' ) ? (array) $object->toArray() : get_object_vars( $object );
			foreach ( array( 'id', 'doctor_id', 'patient_id', 'clinic_id' ) as $key ) {
				if ( ! isset( $appointment[ $key ] ) && isset( $object->{$key} ) ) {
					$appointment[ $key ] = $object->{$key};
				}
			}
		}
		if ( is_array( $appointment ) ) {
			$pick = static function ( array $row, array $keys ): int {
				foreach ( $keys as $key ) {
					if ( isset( $row[ $key ] ) && is_numeric( $row[ $key ] ) ) {
						return (int) $row[ $key ];
					}
				}
				return 0;
			};
			$id   = $pick( $appointment, array( 'id', 'appointment_id', 'appointmentId' ) );
			$norm = array(
				'id'         => $id,
				'doctor_id'  => $pick( $appointment, array( 'doctor_id', 'doctorId' ) ),
				'patient_id' => $pick( $appointment, array( 'patient_id', 'patientId' ) ),
				'clinic_id'  => $pick( $appointment, array( 'clinic_id', 'clinicId' ) ),
			);
			if ( $id > 0 && $norm['doctor_id'] > 0 && $norm['patient_id'] > 0 && $norm['clinic_id'] > 0 ) {
				return $norm;
			}
			$appointment = $id;
		}
		if ( ! is_numeric( $appointment ) || (int) $appointment <= 0 ) {
			return null;
		}
		$row = MFK_Appointments::get( (int) $appointment );
		if ( null === $row ) {
			return null;
		}
		return array(
			'id'         => (int) $row['id'],
			'doctor_id'  => (int) $row['doctor_id'],
			'patient_id' => (int) $row['patient_id'],
			'clinic_id'  => (int) $row['clinic_id'],
		);
	}
}
