<?php
/**
 * Wires the plugin's parts to WordPress.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Plugin bootstrap.
 */
final class MFK_Plugin {

	/**
	 * Registers hooks. Called once from plugin.php.
	 */
	public static function boot(): void {
		add_action( 'init', array( __CLASS__, 'load_textdomain' ), 0 );
	}

	/**
	 * Loads translations shipped with the plugin.
	 */
	public static function load_textdomain(): void {
		load_plugin_textdomain( 'meet-for-kivicare', false, dirname( plugin_basename( MFK_PLUGIN_FILE ) ) . '/languages' );
	}
}
