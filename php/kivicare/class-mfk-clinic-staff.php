<?php
/**
 * Which doctors a KiviCare clinic admin or receptionist works with: the doctors of the clinics
 * they run (`kc_clinics.clinic_admin_id`) or are a receptionist of
 * (`kc_receptionist_clinic_mappings`), through `kc_doctor_clinic_mappings`. Their screens and
 * routes show those doctors' Google connections and nobody else's.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Clinic staff and their doctors.
 */
final class MFK_Clinic_Staff {

	/**
	 * Clinics a user runs (clinic admin) or works at (receptionist).
	 *
	 * @param int  $user_id User.
	 * @param bool $admin_only Only clinics the user is the clinic admin of.
	 * @return array<int,int>
	 */
	public static function clinics( int $user_id, bool $admin_only = false ): array {
		global $wpdb;
		$user  = $user_id > 0 ? get_userdata( $user_id ) : false;
		$roles = $user ? (array) $user->roles : array();
		$ids   = array();
		if ( in_array( 'kiviCare_clinic_admin', $roles, true ) && MFK_Appointments::has_table( 'kc_clinics' ) ) {
			$ids = array_merge( $ids, $wpdb->get_col( $wpdb->prepare( 'SELECT id FROM %i WHERE clinic_admin_id = %d', MFK_Appointments::table( 'kc_clinics' ), $user_id ) ) );
		}
		if ( ! $admin_only && in_array( 'kiviCare_receptionist', $roles, true ) && MFK_Appointments::has_table( 'kc_receptionist_clinic_mappings' ) ) {
			$ids = array_merge( $ids, $wpdb->get_col( $wpdb->prepare( 'SELECT clinic_id FROM %i WHERE receptionist_id = %d', MFK_Appointments::table( 'kc_receptionist_clinic_mappings' ), $user_id ) ) );
		}
		return array_values( array_unique( array_map( 'intval', $ids ) ) );
	}

	/**
	 * Whether the user is a clinic admin or receptionist of at least one clinic.
	 *
	 * @param int $user_id User.
	 */
	public static function is_staff( int $user_id ): bool {
		return array() !== self::clinics( $user_id );
	}

	/**
	 * Doctors of the user's clinics.
	 *
	 * @param int  $user_id    User.
	 * @param bool $admin_only Only the clinics the user is the clinic admin of.
	 * @return array<int,int>
	 */
	public static function doctors( int $user_id, bool $admin_only = false ): array {
		global $wpdb;
		$clinics = self::clinics( $user_id, $admin_only );
		if ( ! $clinics || ! MFK_Appointments::has_table( 'kc_doctor_clinic_mappings' ) ) {
			return array();
		}
		$in  = implode( ',', array_fill( 0, count( $clinics ), '%d' ) );
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders only.
				"SELECT DISTINCT doctor_id FROM %i WHERE clinic_id IN ({$in})",
				array_merge( array( MFK_Appointments::table( 'kc_doctor_clinic_mappings' ) ), $clinics )
			)
		);
		return array_values( array_map( 'intval', $ids ) );
	}

	/**
	 * Whether the user works at a clinic of this doctor.
	 *
	 * @param int  $user_id    User.
	 * @param int  $doctor_id  Doctor.
	 * @param bool $admin_only As the clinic's admin only.
	 */
	public static function works_with( int $user_id, int $doctor_id, bool $admin_only = false ): bool {
		return $doctor_id > 0 && in_array( $doctor_id, self::doctors( $user_id, $admin_only ), true );
	}
}
