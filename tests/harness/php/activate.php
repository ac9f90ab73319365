<?php
/**
 * Activates the plugins given in MFK_ACTIVATE (comma-separated plugin files, in order) unless
 * they are active already (failures are reported per plugin in the JSON output), and has rewrite rules rebuilt when anything changed. Also drops plugins
 * whose files disappeared (for example a removed symlink) from the active list.
 *
 * @package MeetForKiviCare\Harness
 */

require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$mfk_changed = array();
$mfk_errors  = array();
validate_active_plugins();

foreach ( array_filter( explode( ',', (string) getenv( 'MFK_ACTIVATE' ) ) ) as $mfk_plugin_file ) {
	if ( is_plugin_active( $mfk_plugin_file ) ) {
		continue;
	}
	try {
		$mfk_result = activate_plugin( $mfk_plugin_file );
	} catch ( Throwable $mfk_error ) {
		$mfk_result = new WP_Error( 'fatal', get_class( $mfk_error ) . ': ' . $mfk_error->getMessage() . ' in ' . $mfk_error->getFile() . ':' . $mfk_error->getLine() );
	}
	if ( is_wp_error( $mfk_result ) ) {
		$mfk_errors[ $mfk_plugin_file ] = $mfk_result->get_error_message();
		continue;
	}
	$mfk_changed[] = $mfk_plugin_file;
}

if ( $mfk_changed ) {
	// Rebuilt on the next request, when every active plugin has registered its rules on init.
	delete_option( 'rewrite_rules' );
}

echo wp_json_encode(
	array(
		'activated' => $mfk_changed,
		'errors'    => (object) $mfk_errors,
	)
);
