<?php
/**
 * `POST setup-wizard/clinic`: creates (or updates) the default clinic and its
 * clinic admin, as KiviCare's setup wizard does. Activation creates no clinic.
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
 * Setup wizard.
 */
class SetupWizardController extends KCBaseController {

	/**
	 * Routes.
	 */
	public function register_routes() {
		$text = static fn( $v ) => is_string( $v ) && strlen( $v ) <= 191;
		$this->route(
			'/setup-wizard/clinic',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'save_clinic' ),
				'permission_callback' => static fn() => current_user_can( 'manage_options' ),
				'args'                => array(
					'name'         => array(
						'required'          => true,
						'validate_callback' => static fn( $v ) => $text( $v ) && '' !== trim( $v ),
					),
					'email'        => array(
						'required'          => false,
						'validate_callback' => static fn( $v ) => is_string( $v ) && ( '' === $v || is_email( $v ) ),
					),
					'telephone_no' => array(
						'required'          => false,
						'validate_callback' => $text,
					),
					'address'      => array(
						'required'          => false,
						'validate_callback' => $text,
					),
					'city'         => array(
						'required'          => false,
						'validate_callback' => $text,
					),
					'country'      => array(
						'required'          => false,
						'validate_callback' => $text,
					),
					'postal_code'  => array(
						'required'          => false,
						'validate_callback' => $text,
					),
					'clinic_admin' => array(
						'required'          => true,
						'validate_callback' => static fn( $v ) => is_array( $v ) && isset( $v['email'] ) && is_string( $v['email'] ) && is_email( $v['email'] ),
					),
				),
			)
		);
	}

	/**
	 * Creates/updates the default clinic and its admin user.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function save_clinic( WP_REST_Request $request ) {
		global $wpdb;
		$table = $wpdb->prefix . 'kc_clinics';
		$admin = (array) $request['clinic_admin'];

		$email   = sanitize_email( $admin['email'] );
		$user_id = email_exists( $email );
		if ( $user_id ) {
			$user = get_userdata( $user_id );
			if ( in_array( KCBase::ADMIN, (array) $user->roles, true ) ) {
				return $this->error( __( 'An administrator cannot be the clinic admin.', 'kc-lang' ), 400 );
			}
			$user->set_role( KCBase::CLINIC_ADMIN );
		} else {
			$login = isset( $admin['username'] ) && is_string( $admin['username'] ) && '' !== $admin['username'] ? sanitize_user( $admin['username'], true ) : sanitize_user( strstr( $email, '@', true ), true );
			if ( '' === $login || username_exists( $login ) ) {
				$login .= '_' . wp_generate_password( 4, false );
			}
			$user_id = wp_insert_user(
				array(
					'user_login'   => $login,
					'user_email'   => $email,
					'user_pass'    => isset( $admin['password'] ) && is_string( $admin['password'] ) && '' !== $admin['password'] ? $admin['password'] : wp_generate_password( 24 ),
					'first_name'   => sanitize_text_field( (string) ( $admin['first_name'] ?? '' ) ),
					'last_name'    => sanitize_text_field( (string) ( $admin['last_name'] ?? '' ) ),
					'display_name' => trim( sanitize_text_field( (string) ( $admin['first_name'] ?? '' ) ) . ' ' . sanitize_text_field( (string) ( $admin['last_name'] ?? '' ) ) ),
					'role'         => KCBase::CLINIC_ADMIN,
				)
			);
			if ( is_wp_error( $user_id ) ) {
				return $this->error( $user_id->get_error_message(), 400 );
			}
		}

		$data = array(
			'name'            => sanitize_text_field( (string) $request['name'] ),
			'email'           => sanitize_email( (string) $request['email'] ),
			'telephone_no'    => sanitize_text_field( (string) $request['telephone_no'] ),
			'address'         => sanitize_text_field( (string) $request['address'] ),
			'city'            => sanitize_text_field( (string) $request['city'] ),
			'country'         => sanitize_text_field( (string) $request['country'] ),
			'postal_code'     => sanitize_text_field( (string) $request['postal_code'] ),
			'status'          => 1,
			'clinic_admin_id' => (int) $user_id,
		);

		$clinic_id = kcGetDefaultClinicId();
		if ( $clinic_id ) {
			$wpdb->update( $table, $data, array( 'id' => $clinic_id ) );
		} else {
			$wpdb->insert( $table, $data + array( 'created_at' => current_time( 'mysql' ) ) );
			$clinic_id = (int) $wpdb->insert_id;
		}
		update_option( KIVI_CARE_PREFIX . 'default_clinic_id', $clinic_id );
		update_option( KIVI_CARE_PREFIX . 'setup_config', array( 'step' => 'clinic' ) );

		return $this->response(
			array(
				'clinic_id'       => $clinic_id,
				'clinic_admin_id' => (int) $user_id,
			),
			__( 'Clinic saved successfully', 'kc-lang' ),
			201
		);
	}
}
