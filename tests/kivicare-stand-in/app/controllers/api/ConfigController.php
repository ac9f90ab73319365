<?php
/**
 * `GET config`: the add-on flags the dashboard reads (`addOns.googlemeet.active`,
 * CC 487, 981-984) and the Google Meet doctor-menu flag (CC 630-637).
 *
 * @package KiviCareStandIn
 */

namespace App\controllers\api;

use App\baseClasses\KCBase;
use App\baseClasses\KCBaseController;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Dashboard configuration.
 */
class ConfigController extends KCBaseController {

	/**
	 * Routes.
	 */
	public function register_routes() {
		$this->route(
			'/config',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'get_config' ),
				'permission_callback' => array( $this, 'logged_in' ),
			)
		);
	}

	/**
	 * `google_meet` is 'yes' when enableCal is "yes" (any case) and client id,
	 * secret and app name are all set.
	 *
	 * @return string
	 */
	public static function google_meet_flag() {
		$s = get_option( KIVI_CARE_PREFIX . 'google_meet_setting', array() );
		$s = is_array( $s ) ? $s : array();
		$ok = isset( $s['enableCal'] ) && 'yes' === strtolower( (string) $s['enableCal'] )
			&& ! empty( $s['client_id'] ) && ! empty( $s['client_secret'] ) && ! empty( $s['app_name'] );
		return $ok ? 'yes' : 'no';
	}

	/**
	 * GET config.
	 *
	 * @return \WP_REST_Response
	 */
	public function get_config() {
		return $this->response(
			array(
				'version'     => KIVICARE_VERSION,
				'user'        => array(
					'id'   => get_current_user_id(),
					'role' => KCBase::get_user_role(),
				),
				'addOns'      => array(
					'googlemeet' => array(
						'active'  => isKiviCareGoogleMeetActive(),
						'version' => kcGetAddonVersion( 'kivicare-googlemeet' ),
					),
					'telemed'    => array(
						'active'  => isKiviCareTelemedActive(),
						'version' => kcGetAddonVersion( 'kivicare-telemed' ),
					),
					'pro'        => array(
						'active'  => isKiviCareProActive(),
						'version' => kcGetAddonVersion( 'kivicare-pro' ),
					),
				),
				'google_meet' => self::google_meet_flag(),
			),
			__( 'Configuration retrieved successfully', 'kc-lang' )
		);
	}
}
