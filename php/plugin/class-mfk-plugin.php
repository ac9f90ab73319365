<?php
/**
 * The plugin's life in WordPress: activation, deactivation and translations. Its hooks
 * are listed in php/plugin/hooks.php.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Activation, deactivation, translations.
 */
final class MFK_Plugin {

	/**
	 * Activation: refuses to run beside the original Google Meet add-on, then creates
	 * the tables (on every site when network-activated) and schedules the queue.
	 *
	 * @param bool $network_wide Whether the plugin is being network-activated.
	 */
	public static function activate( $network_wide = false ): void {
		$conflict = MFK_Compat::original_addon_active();
		if ( $conflict ) {
			wp_die(
				esc_html( MFK_Compat::conflict_message() ),
				esc_html__( 'Plugin could not be activated', 'meet-for-kivicare' ),
				array( 'back_link' => true )
			);
		}
		MFK_Schema::activate( (bool) $network_wide );
	}

	/**
	 * Deactivation: stops the queue's cron events (data stays until uninstall).
	 *
	 * @param bool $network_wide Whether the plugin is being network-deactivated.
	 */
	public static function deactivate( $network_wide = false ): void {
		MFK_Schema::for_each_site(
			(bool) $network_wide,
			static function (): void {
				MFK_Queue::unschedule();
			}
		);
	}

	/**
	 * Loads translations shipped with the plugin.
	 */
	public static function load_textdomain(): void {
		load_plugin_textdomain( 'meet-for-kivicare', false, dirname( plugin_basename( MFK_PLUGIN_FILE ) ) . '/languages' );
	}
}
