<?php
/**
 * Role names and user/clinic helpers (KiviCare `app/baseClasses/KCBase.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

defined( 'ABSPATH' ) || exit;

/**
 * Role helpers.
 */
class KCBase {

	const PATIENT      = 'kiviCare_patient';
	const DOCTOR       = 'kiviCare_doctor';
	const RECEPTIONIST = 'kiviCare_receptionist';
	const CLINIC_ADMIN = 'kiviCare_clinic_admin';
	const ADMIN        = 'administrator';

	/**
	 * The KiviCare role of a user ('' for none). Administrator wins over any
	 * KiviCare role, as in core.
	 *
	 * @param int|null $user_id User id; current user when null.
	 * @return string
	 */
	public static function get_user_role( $user_id = null ) {
		$user_id = null === $user_id ? get_current_user_id() : (int) $user_id;
		if ( $user_id <= 0 ) {
			return '';
		}
		$user = get_userdata( $user_id );
		if ( ! $user ) {
			return '';
		}
		$roles = (array) $user->roles;
		foreach ( array( self::ADMIN, self::CLINIC_ADMIN, self::RECEPTIONIST, self::DOCTOR, self::PATIENT ) as $role ) {
			if ( in_array( $role, $roles, true ) ) {
				return $role;
			}
		}
		return '';
	}

	/**
	 * Whether a user has a given KiviCare role.
	 *
	 * @param int    $user_id User id.
	 * @param string $role    Role.
	 * @return bool
	 */
	public static function user_has_role( $user_id, $role ) {
		$user = get_userdata( (int) $user_id );
		return $user && in_array( $role, (array) $user->roles, true );
	}

	/**
	 * Clinic ids a clinic admin or receptionist works for.
	 *
	 * @param int $user_id User id.
	 * @return int[]
	 */
	public static function staff_clinic_ids( $user_id ) {
		global $wpdb;
		$user_id = (int) $user_id;
		$role    = self::get_user_role( $user_id );
		if ( self::CLINIC_ADMIN === $role ) {
			$ids = $wpdb->get_col( $wpdb->prepare( "SELECT id FROM {$wpdb->prefix}kc_clinics WHERE clinic_admin_id = %d", $user_id ) );
		} elseif ( self::RECEPTIONIST === $role ) {
			$ids = $wpdb->get_col( $wpdb->prepare( "SELECT clinic_id FROM {$wpdb->prefix}kc_receptionist_clinic_mappings WHERE receptionist_id = %d", $user_id ) );
		} else {
			$ids = array();
		}
		return array_map( 'intval', $ids );
	}

	/**
	 * Display name of a user ('' when missing).
	 *
	 * @param int $user_id User id.
	 * @return string
	 */
	public static function user_name( $user_id ) {
		$user = get_userdata( (int) $user_id );
		return $user ? (string) $user->display_name : '';
	}

	/**
	 * E-mail of a user ('' when missing).
	 *
	 * @param int $user_id User id.
	 * @return string
	 */
	public static function user_email( $user_id ) {
		$user = get_userdata( (int) $user_id );
		return $user ? (string) $user->user_email : '';
	}
}
