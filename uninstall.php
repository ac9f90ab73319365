<?php
/**
 * Removes the plugin's tables, options, cron events and user meta, on every site
 * of a network, unless the administrator chose to keep the data.
 *
 * @package MeetForKiviCare
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! defined( 'MFK_PLUGIN_DIR' ) ) {
	define( 'MFK_PLUGIN_DIR', plugin_dir_path( __FILE__ ) );
}
if ( ! defined( 'MFK_PLUGIN_FILE' ) ) {
	define( 'MFK_PLUGIN_FILE', MFK_PLUGIN_DIR . 'plugin.php' );
}
if ( ! defined( 'MFK_VERSION' ) ) {
	define( 'MFK_VERSION', '0.1.0' );
}
require_once MFK_PLUGIN_DIR . 'php/load.php';

/**
 * Whether the current site asked to keep its data.
 */
function mfk_uninstall_keeps_data(): bool {
	$settings = get_option( 'mfk_settings', array() );
	return is_array( $settings ) && ! empty( $settings['keep_data_on_uninstall'] );
}

$mfk_sites = is_multisite() ? get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) : array( get_current_blog_id() );
$mfk_kept  = false;
foreach ( $mfk_sites as $mfk_site_id ) {
	if ( is_multisite() ) {
		switch_to_blog( (int) $mfk_site_id );
	}
	if ( mfk_uninstall_keeps_data() ) {
		$mfk_kept = true;
		MFK_Queue::unschedule();
	} else {
		MFK_Schema::uninstall_site();
	}
	if ( is_multisite() ) {
		restore_current_blog();
	}
}

// User meta is shared by all sites: remove it only when no site keeps its data.
if ( ! $mfk_kept ) {
	$mfk_meta_keys = array(
		MFK_Doctor_Connection::META_CREDENTIAL,
		MFK_Doctor_Connection::META_EMAIL,
		MFK_Doctor_Connection::META_STATUS,
		MFK_Doctor_Connection::META_ERROR_CODE,
		MFK_Doctor_Connection::META_ERROR_MSG,
		MFK_Doctor_Connection::META_SINCE,
		MFK_Doctor_Connection::META_CALENDAR,
		MFK_Doctor_Calendar::META_NAME,
		MFK_OAuth::META_STATE, // Google sign-ins started but never finished.
		// Calendar sync: tokens, channels (expired at Google within a week), state.
		MFK_Calendar_Sync::META_SYNC_TOKEN,
		MFK_Calendar_Sync::META_SYNC_DUE,
		MFK_Calendar_Sync::META_SYNC_LAST,
		MFK_Calendar_Sync::META_SYNC_ERROR,
		MFK_Calendar_Channels::META_CHANNEL,
		MFK_Calendar_Channels::META_CHANNEL_ID,
	);
	foreach ( $mfk_meta_keys as $mfk_key ) {
		delete_metadata( 'user', 0, $mfk_key, '', true );
	}
	// KiviCare's own meta, only where this plugin set it.
	delete_metadata( 'user', 0, MFK_Doctor_Connection::META_KC_TYPE, 'googlemeet', true );
	delete_metadata( 'user', 0, MFK_Doctor_Connection::META_KC_CONNECT, '', true );
}
