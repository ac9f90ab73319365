<?php
/**
 * Installs WordPress into the harness database when it is not installed yet, then sets pretty
 * permalinks. Idempotent. Plugins are activated by activate.php in a separate, normal load
 * (plugins are not loaded while WP_INSTALLING is set).
 *
 * Environment: MFK_DOCROOT, MFK_SITE_URL, MFK_ADMIN_USER, MFK_ADMIN_PASSWORD, MFK_ADMIN_EMAIL,
 * MFK_SITE_TITLE.
 *
 * @package MeetForKiviCare\Harness
 */

define( 'WP_INSTALLING', true );
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$mfk_installed_now = false;
if ( ! is_blog_installed() ) {
	// wp_install() mails the new admin; there is nobody to tell.
	add_filter( 'pre_wp_mail', '__return_false' );
	$mfk_result = wp_install(
		(string) getenv( 'MFK_SITE_TITLE' ),
		(string) getenv( 'MFK_ADMIN_USER' ),
		(string) getenv( 'MFK_ADMIN_EMAIL' ),
		false,
		'',
		wp_slash( (string) getenv( 'MFK_ADMIN_PASSWORD' ) )
	);
	if ( is_wp_error( $mfk_result ) ) {
		fwrite( STDERR, 'wp_install failed: ' . $mfk_result->get_error_message() . "\n" );
		exit( 1 );
	}
	update_option( 'blogdescription', '' );
	$mfk_installed_now = true;
}

if ( '/%postname%/' !== get_option( 'permalink_structure' ) ) {
	global $wp_rewrite;
	$wp_rewrite->set_permalink_structure( '/%postname%/' );
	$wp_rewrite->flush_rules( false );
}

echo wp_json_encode(
	array(
		'installed' => $mfk_installed_now,
		'version'   => get_bloginfo( 'version' ),
	)
);
