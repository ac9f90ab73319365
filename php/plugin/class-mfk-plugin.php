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
		MFK_Schema::register();
		MFK_Queue::register();
		MFK_Compat::register();
		MFK_Admin_Notices::register();
		MFK_Doctor_Connection::register();
		MFK_Blocks::register();
		MFK_Shortcode::register();
		MFK_Dashboard_Widget::register();
		MFK_Admin_Page::register();
		MFK_REST::register();
		MFK_OAuth::register();
		MFK_Notifications::register();
		MFK_Site_Health::register();
		if ( defined( 'WP_CLI' ) && WP_CLI ) {
			MFK_CLI_Command::register();
			MFK_CLI::register();
		}
	}

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
