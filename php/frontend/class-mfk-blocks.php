<?php
/**
 * Registers the plugin's blocks and admin scripts from the build (build/blocks, build/admin).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Block and script registration.
 */
final class MFK_Blocks {

	/** Script handle of the admin bundle (build/admin/index.js). */
	const ADMIN_SCRIPT = 'meet-for-kivicare-admin';

	/**
	 * Hooks registration into init. Called once from MFK_Plugin::boot().
	 */
	public static function register(): void {
		add_action( 'init', array( __CLASS__, 'register_blocks' ) );
		add_action( 'init', array( __CLASS__, 'register_admin_script' ) );
	}

	/**
	 * Registers every block found in build/blocks/<name>/block.json. A missing build (a source
	 * checkout before `npm run build`) only means no blocks; it is never fatal.
	 */
	public static function register_blocks(): void {
		$block_dirs = glob( MFK_PLUGIN_DIR . 'build/blocks/*', GLOB_ONLYDIR );
		foreach ( $block_dirs ? $block_dirs : array() as $block_dir ) {
			if ( ! is_readable( $block_dir . '/block.json' ) ) {
				continue;
			}
			$block_type = register_block_type( $block_dir );
			if ( ! $block_type ) {
				continue;
			}
			// View scripts carry no translatable strings (the Meet controls word their countdown
			// with the browser's Intl API); translations would make every page load wp-i18n.
			$handles = array_merge( $block_type->editor_script_handles, $block_type->script_handles );
			foreach ( $handles as $handle ) {
				wp_set_script_translations( $handle, 'meet-for-kivicare', MFK_PLUGIN_DIR . 'languages' );
			}
		}
	}

	/**
	 * Registers (does not enqueue) the admin bundle with the dependencies and version that the
	 * build wrote into index.asset.php; admin screens enqueue it where they need it.
	 */
	public static function register_admin_script(): void {
		$asset_file = MFK_PLUGIN_DIR . 'build/admin/index.asset.php';
		if ( ! is_readable( $asset_file ) ) {
			return;
		}
		$asset = require $asset_file;
		wp_register_script(
			self::ADMIN_SCRIPT,
			MFK_PLUGIN_URL . 'build/admin/index.js',
			$asset['dependencies'] ?? array(),
			$asset['version'] ?? MFK_VERSION,
			array( 'in_footer' => true )
		);
		wp_set_script_translations( self::ADMIN_SCRIPT, 'meet-for-kivicare', MFK_PLUGIN_DIR . 'languages' );
		if ( is_readable( MFK_PLUGIN_DIR . 'build/admin/index.css' ) ) {
			wp_register_style(
				self::ADMIN_SCRIPT,
				MFK_PLUGIN_URL . 'build/admin/index.css',
				array( 'wp-components' ),
				$asset['version'] ?? MFK_VERSION
			);
			// The build writes a mirrored index-rtl.css; WordPress loads it for RTL languages.
			wp_style_add_data( self::ADMIN_SCRIPT, 'rtl', 'replace' );
		}
	}
}
