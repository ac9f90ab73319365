<?php
/**
 * The admin bundle (build/admin): the React screens of the settings page, the doctors'
 * connection page and the profile section.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Admin script registration.
 */
final class MFK_Admin_Script {

	/** Script and style handle of the admin bundle (build/admin/index.js). */
	const HANDLE = 'meet-for-kivicare-admin';

	/**
	 * Registers (does not enqueue) the admin bundle with the dependencies and version that the
	 * build wrote into index.asset.php; admin screens enqueue it where they need it.
	 */
	public static function register(): void {
		$asset_file = MFK_PLUGIN_DIR . 'build/admin/index.asset.php';
		if ( ! is_readable( $asset_file ) ) {
			return;
		}
		$asset = require $asset_file;
		wp_register_script(
			self::HANDLE,
			MFK_PLUGIN_URL . 'build/admin/index.js',
			$asset['dependencies'] ?? array(),
			$asset['version'] ?? MFK_VERSION,
			array( 'in_footer' => true )
		);
		wp_set_script_translations( self::HANDLE, 'meet-for-kivicare', MFK_PLUGIN_DIR . 'languages' );
		if ( is_readable( MFK_PLUGIN_DIR . 'build/admin/index.css' ) ) {
			wp_register_style(
				self::HANDLE,
				MFK_PLUGIN_URL . 'build/admin/index.css',
				array( 'wp-components' ),
				$asset['version'] ?? MFK_VERSION
			);
			// The build writes a mirrored index-rtl.css; WordPress loads it for RTL languages.
			wp_style_add_data( self::HANDLE, 'rtl', 'replace' );
		}
	}
}
