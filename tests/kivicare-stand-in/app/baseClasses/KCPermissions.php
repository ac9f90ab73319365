<?php
/**
 * Roles, capabilities and the static role → action map REST checks use
 * (KiviCare `app/baseClasses/KCPermissions.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

defined( 'ABSPATH' ) || exit;

/**
 * Permission map.
 */
class KCPermissions {

	/**
	 * Appointment-related keys per role (contract §9). Patients change status
	 * through `appointment_edit`; they have neither delete nor status change.
	 */
	const ROLE_ACTIONS = array(
		KCBase::PATIENT      => array(
			'appointment_list',
			'appointment_add',
			'appointment_edit',
			'appointment_view',
			'appointment_cancel',
			'dashboard',
		),
		KCBase::DOCTOR       => array(
			'appointment_list',
			'appointment_add',
			'appointment_edit',
			'appointment_view',
			'appointment_delete',
			'patient_appointment_status_change',
			'service_list',
			'service_add',
			'dashboard',
		),
		KCBase::RECEPTIONIST => array(
			'appointment_list',
			'appointment_add',
			'appointment_edit',
			'appointment_view',
			'appointment_delete',
			'patient_appointment_status_change',
			'service_list',
			'service_add',
			'dashboard',
		),
		KCBase::CLINIC_ADMIN => array(
			'appointment_list',
			'appointment_add',
			'appointment_edit',
			'appointment_view',
			'appointment_delete',
			'patient_appointment_status_change',
			'service_list',
			'service_add',
			'dashboard',
		),
		KCBase::ADMIN        => array(
			'appointment_list',
			'appointment_add',
			'appointment_edit',
			'appointment_view',
			'appointment_delete',
			'patient_appointment_status_change',
			'service_list',
			'service_add',
			'dashboard',
		),
	);

	/**
	 * Creates the four KiviCare roles and adds `kiviCare_<key>` capabilities.
	 */
	public static function create_roles() {
		$labels = array(
			KCBase::PATIENT      => 'KiviCare Patient',
			KCBase::DOCTOR       => 'KiviCare Doctor',
			KCBase::RECEPTIONIST => 'KiviCare Receptionist',
			KCBase::CLINIC_ADMIN => 'KiviCare Clinic Admin',
		);
		foreach ( $labels as $role => $label ) {
			if ( ! get_role( $role ) ) {
				add_role( $role, $label, array( 'read' => true ) );
			}
		}
		foreach ( self::ROLE_ACTIONS as $role => $actions ) {
			$role_object = get_role( $role );
			if ( ! $role_object ) {
				continue;
			}
			foreach ( $actions as $action ) {
				if ( ! $role_object->has_cap( KIVI_CARE_PREFIX . $action ) ) {
					$role_object->add_cap( KIVI_CARE_PREFIX . $action );
				}
			}
		}
	}

	/**
	 * Static role map check (`can_user_perform_action`), as core's REST uses.
	 *
	 * @param string   $action  Action key, e.g. 'appointment_add'.
	 * @param int|null $user_id User id; current user when null.
	 * @return bool
	 */
	public static function can_user_perform_action( $action, $user_id = null ) {
		$role = KCBase::get_user_role( $user_id );
		return '' !== $role && in_array( $action, self::ROLE_ACTIONS[ $role ], true );
	}
}
