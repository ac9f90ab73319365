<?php
/**
 * Plugin Name: Meet for KiviCare – local harness settings
 * Description: Development and test instances only (installed by tests/harness, never shipped): mail to the local SMTP sink, no update checks, no avatars, a quiet block editor for browser tests, optional auto-login.
 *
 * @package MeetForKiviCare\Harness
 */

defined( 'ABSPATH' ) || exit;

/*
 * All mail goes to the instance's SMTP sink, which stores each message as JSON under
 * .harness/<instance>/mail/ for tests and for a look at what a clinic would receive.
 */
add_action(
	'phpmailer_init',
	static function ( $phpmailer ) {
		$phpmailer->isSMTP();
		$phpmailer->Host        = '127.0.0.1';
		$phpmailer->Port        = MFK_HARNESS_SMTP_PORT;
		$phpmailer->SMTPAuth    = false;
		$phpmailer->SMTPAutoTLS = false;
		$phpmailer->SMTPSecure  = '';
		$phpmailer->Timeout     = 10;
	}
);

// The default sender is wordpress@<host>, and the host is an IP address here, which PHPMailer
// refuses. Real sites have a domain name.
add_filter(
	'wp_mail_from',
	static function ( $from ) {
		return is_email( $from ) && ! str_ends_with( $from, '@127.0.0.1' ) ? $from : 'wordpress@clinic.test';
	}
);

// A mail that cannot be sent must be visible to tests, which read debug.log.
add_action(
	'wp_mail_failed',
	static function ( $error ) {
		error_log( 'wp_mail failed: ' . $error->get_error_message() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions
	}
);

// Offline instances: no avatars from gravatar.com, no update checks against wordpress.org.
add_filter(
	'pre_option_show_avatars',
	static function () {
		return '0';
	}
);
add_filter( 'automatic_updater_disabled', '__return_true' );
remove_action( 'init', 'wp_schedule_update_checks' );
remove_action( 'admin_init', '_maybe_update_core' );
remove_action( 'admin_init', '_maybe_update_plugins' );
remove_action( 'admin_init', '_maybe_update_themes' );
remove_action( 'wp_version_check', 'wp_version_check' );
remove_action( 'wp_update_plugins', 'wp_update_plugins' );
remove_action( 'wp_update_themes', 'wp_update_themes' );
remove_action( 'wp_maybe_auto_update', 'wp_maybe_auto_update' );
foreach ( array( 'load-plugins.php', 'load-update.php', 'load-update-core.php' ) as $mfk_harness_screen ) {
	remove_action( $mfk_harness_screen, 'wp_update_plugins' );
}
foreach ( array( 'load-themes.php', 'load-update.php', 'load-update-core.php' ) as $mfk_harness_screen ) {
	remove_action( $mfk_harness_screen, 'wp_update_themes' );
}
unset( $mfk_harness_screen );
foreach ( array( 'update_core', 'update_plugins', 'update_themes' ) as $mfk_harness_transient ) {
	add_filter(
		"pre_site_transient_{$mfk_harness_transient}",
		static function () {
			return (object) array(
				'last_checked'    => time(),
				'updates'         => array(),
				'translations'    => array(),
				'response'        => array(),
				'no_update'       => array(),
				'checked'         => array(),
				'version_checked' => get_bloginfo( 'version' ),
			);
		}
	);
}
unset( $mfk_harness_transient );
add_action(
	'wp_dashboard_setup',
	static function () {
		remove_meta_box( 'dashboard_primary', 'dashboard', 'side' );
	}
);

/*
 * Auto-login link for the development instance: /?mfk-login=<user>&token=<token>, where the
 * token is the random MFK_HARNESS_LOGIN_TOKEN of the instance (printed by ./bin/dev start).
 * Not defined in the test instance. The sites listen on 127.0.0.1 only.
 */
add_action(
	'init',
	static function () {
		if ( ! defined( 'MFK_HARNESS_LOGIN_TOKEN' ) || ! isset( $_GET['mfk-login'], $_GET['token'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification
			return;
		}
		$token = sanitize_text_field( wp_unslash( $_GET['token'] ) ); // phpcs:ignore WordPress.Security.NonceVerification
		$login = sanitize_user( wp_unslash( $_GET['mfk-login'] ) ); // phpcs:ignore WordPress.Security.NonceVerification
		$user  = get_user_by( 'login', $login );
		if ( ! hash_equals( MFK_HARNESS_LOGIN_TOKEN, $token ) || ! $user ) {
			wp_die( esc_html__( 'Invalid login link.', 'meet-for-kivicare' ), '', array( 'response' => 403 ) );
		}
		wp_set_current_user( $user->ID );
		wp_set_auth_cookie( $user->ID, true );
		$target = isset( $_GET['to'] ) ? esc_url_raw( wp_unslash( $_GET['to'] ) ) : admin_url(); // phpcs:ignore WordPress.Security.NonceVerification
		wp_safe_redirect( $target );
		exit;
	},
	1
);

/*
 * Test instances: the block editor opens without its first-run dialogs (welcome guide, starter
 * pattern chooser), which otherwise cover the editor for every new user. The editor reads its
 * preferences from user meta when the page loads, so the defaults are added there; a user's
 * own choice, once saved, is kept.
 */
add_filter(
	'get_user_metadata',
	static function ( $value, $user_id, $meta_key, $single ) {
		static $reading = false;
		global $wpdb;
		if ( $reading || ! $single || ! defined( 'MFK_HARNESS_QUIET_EDITOR' ) || ! MFK_HARNESS_QUIET_EDITOR
			|| $wpdb->get_blog_prefix() . 'persisted_preferences' !== $meta_key ) {
			return $value;
		}
		$reading     = true;
		$preferences = get_user_meta( $user_id, $meta_key, true );
		$reading     = false;
		$preferences = is_array( $preferences ) ? $preferences : array();
		$preferences['core']           = ( $preferences['core'] ?? array() ) + array( 'enableChoosePatternModal' => false );
		$preferences['core/edit-post'] = ( $preferences['core/edit-post'] ?? array() ) + array( 'welcomeGuide' => false );
		return array( $preferences );
	},
	10,
	4
);

/*
 * Test switches for Meet for KiviCare's background sync (the product's filters): option
 * `mfk_harness_background` = `off` leaves pending meetings to the queue's runners, for tests
 * that look at the queue itself; `mfk_harness_background_url` sends the background kicks to
 * another address (one the site cannot reach).
 */
add_filter(
	'mfk_background_sync',
	static function ( $enabled ) {
		return 'off' === get_option( 'mfk_harness_background' ) ? false : $enabled;
	}
);
add_filter(
	'mfk_background_url',
	static function ( $url ) {
		$other = get_option( 'mfk_harness_background_url' );
		return is_string( $other ) && '' !== $other ? $other : $url;
	}
);
