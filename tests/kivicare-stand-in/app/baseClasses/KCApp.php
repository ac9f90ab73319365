<?php
/**
 * Wires the stand-in to WordPress (KiviCare `app/baseClasses/KCApp.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

use App\admin\AdminMenu;
use App\controllers\KCRestAPI;
use App\emails\KCEmailTemplateManager;
use App\emails\listeners\KCAppointmentNotificationListener;
use App\frontend\KCBookAppointmentShortcode;

defined( 'ABSPATH' ) || exit;

/**
 * Bootstrap.
 */
class KCApp {

	/** @var KCApp|null */
	private static $instance = null;

	/**
	 * Singleton.
	 *
	 * @return KCApp
	 */
	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Registers hooks.
	 */
	public function boot() {
		add_action( 'plugins_loaded', array( KCActivate::class, 'maybe_upgrade' ), 5 );
		add_action( 'init', array( KCEmailTemplateManager::class, 'register_post_types' ), 5 );
		// Providers are read once, on init priority 10 (KCApp.php 53 in 4.3).
		add_action( 'init', array( KCTelemedFactory::class, 'init' ), 10 );
		add_action( 'rest_api_init', array( KCRestAPI::class, 'register_routes' ) );
		add_action( 'admin_init', array( $this, 'deactivate_legacy_google_meet_addon' ) );

		( new KCAppointmentNotificationListener() )->register();
		\App\emails\KCEmailNotificationInit::register();
		KCBookAppointmentShortcode::register();
		if ( is_admin() ) {
			AdminMenu::register();
		}
	}

	/**
	 * KiviCare 4.x deactivates Google Meet add-on releases below 4.0.0.
	 */
	public function deactivate_legacy_google_meet_addon() {
		$legacy = 'kivicare-google-meet/kivicare-googlemeet.php';
		if ( ! function_exists( 'is_plugin_active' ) ) {
			require_once ABSPATH . 'wp-admin/includes/plugin.php';
		}
		if ( ! is_plugin_active( $legacy ) || ! file_exists( WP_PLUGIN_DIR . '/' . $legacy ) ) {
			return;
		}
		$data = get_plugin_data( WP_PLUGIN_DIR . '/' . $legacy, false, false );
		if ( ! empty( $data['Version'] ) && version_compare( $data['Version'], '4.0.0', '<' ) ) {
			deactivate_plugins( $legacy );
			add_action(
				'admin_notices',
				static function () {
					echo '<div class="notice notice-error"><p>' . esc_html__( 'The KiviCare Google Meet add-on below version 4.0.0 is not compatible with KiviCare 4 and has been deactivated.', 'kc-lang' ) . '</p></div>';
				}
			);
		}
	}
}
