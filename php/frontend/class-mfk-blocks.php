<?php
/**
 * Registers the plugin's blocks from the build (build/blocks).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Block registration.
 */
final class MFK_Blocks {

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
}
