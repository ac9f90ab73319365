<?php
/**
 * Plugin Name:       KiviCare – Clinic & Patient Management System (test stand-in)
 * Description:       Test-only stand-in reproducing the KiviCare 4.3 telemedicine contract (tables, roles, telemed provider factory, kivicare/v1 appointment routes, notifications). Never ships.
 * Version:           4.3.0
 * Requires PHP:      8.1
 * Author:            Meet for KiviCare (tests)
 * License:           GPL-2.0-or-later
 * Text Domain:       kc-lang
 *
 * Folder name and class names mirror the real plugin so that add-ons load and
 * resolve exactly as they do against KiviCare 4.3.
 *
 * @package KiviCareStandIn
 */

defined( 'ABSPATH' ) || exit;

define( 'KIVICARE_VERSION', '4.3.0' );
define( 'KIVI_CARE_VERSION', KIVICARE_VERSION );
define( 'KIVI_CARE_PREFIX', 'kiviCare_' );
define( 'KIVI_CARE_DIR', plugin_dir_path( __FILE__ ) );
define( 'KIVI_CARE_DIR_URI', plugin_dir_url( __FILE__ ) );
define( 'KIVI_CARE_BASE_NAME', plugin_basename( __FILE__ ) );
define( 'KIVI_CARE_MAIN_FILE', __FILE__ );

/*
 * PSR-4 style autoloader for the App\ namespace: App\baseClasses\KCTelemedFactory
 * lives in app/baseClasses/KCTelemedFactory.php, as in the real plugin.
 */
spl_autoload_register(
	static function ( $class_name ) {
		if ( 0 !== strpos( $class_name, 'App\\' ) ) {
			return;
		}
		$relative = str_replace( '\\', '/', substr( $class_name, 4 ) );
		$file     = KIVI_CARE_DIR . 'app/' . $relative . '.php';
		if ( is_readable( $file ) ) {
			require_once $file;
		}
	}
);

require_once KIVI_CARE_DIR . 'includes/functions.php';

/*
 * Action Scheduler, bundled through Composer as in 4.3 (KiviCare's e-mails are queued
 * there). Test switch: option kc_standin_action_scheduler = 'off' runs without it.
 */
if ( 'off' !== get_option( 'kc_standin_action_scheduler' ) && ! class_exists( 'ActionScheduler' ) ) {
	require_once KIVI_CARE_DIR . 'vendor/woocommerce/action-scheduler/action-scheduler.php';
}

register_activation_hook( __FILE__, array( \App\baseClasses\KCActivate::class, 'activate' ) );

\App\baseClasses\KCApp::instance()->boot();

/*
 * Test-only fake telemed provider, loaded only when explicitly switched on
 * (constant KC_STANDIN_FAKE_PROVIDER or option kc_standin_fake_provider.enabled).
 */
if ( kcStandinFakeProviderEnabled() ) {
	require_once KIVI_CARE_DIR . 'test-support/fake-provider.php';
}

do_action( 'kivicare_loaded' );
