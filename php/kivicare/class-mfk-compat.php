<?php
/**
 * Detects KiviCare and the original Google Meet add-on, and turns the KiviCare
 * integration on only when it is safe to do so.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Environment checks and the KiviCare gate constants.
 */
final class MFK_Compat {

	/** KiviCare's abstract telemed provider; the provider class extends it. */
	const KIVICARE_ABSTRACT = 'App\\abstracts\\KCAbstractTelemedProvider';

	/** Folder of the original, commercial Google Meet add-on. */
	const ORIGINAL_ADDON_DIR = 'kivicare-google-meet';

	/** Version reported to KiviCare through its gate constants. */
	const ADDON_VERSION = '4.0.0';

	/**
	 * Why the integration is off for this request ('' when it is on).
	 *
	 * @var string
	 */
	private static $inactive_reason = 'unchecked';

	/**
	 * Turns the KiviCare integration on when KiviCare is present and the original
	 * add-on is not: defines KiviCare's gate constants (its provider and mapping model
	 * become loadable, see php/load.php). The caller then adds the KiviCare hooks.
	 *
	 * @return bool Whether the integration runs in this request.
	 */
	public static function maybe_integrate(): bool {
		if ( self::original_addon_active() ) {
			self::$inactive_reason = 'conflict';
			return false;
		}
		if ( ! self::kivicare_active() ) {
			self::$inactive_reason = 'kivicare_missing';
			return false;
		}
		self::$inactive_reason = '';
		if ( ! defined( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION' ) ) {
			define( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION', self::ADDON_VERSION );
		}
		if ( ! defined( 'KIVICARE_GOOGLEMEET_VERSION' ) ) {
			define( 'KIVICARE_GOOGLEMEET_VERSION', self::ADDON_VERSION );
		}
		return true;
	}

	/**
	 * Whether the KiviCare integration is running in this request.
	 */
	public static function integration_active(): bool {
		return '' === self::$inactive_reason;
	}

	/**
	 * 'conflict', 'kivicare_missing', 'unchecked' or '' (active).
	 */
	public static function inactive_reason(): string {
		return self::$inactive_reason;
	}

	/**
	 * KiviCare 4.x is loaded: its abstract provider class can be autoloaded.
	 */
	public static function kivicare_active(): bool {
		return class_exists( self::KIVICARE_ABSTRACT );
	}

	/**
	 * Whether the original Google Meet add-on is active (plugin folder, or its
	 * constant/classes defined by something other than this plugin).
	 */
	public static function original_addon_active(): bool {
		$active = (array) get_option( 'active_plugins', array() );
		if ( is_multisite() ) {
			$active = array_merge( $active, array_keys( (array) get_site_option( 'active_sitewide_plugins', array() ) ) );
		}
		foreach ( $active as $plugin_file ) {
			if ( 0 === strpos( (string) $plugin_file, self::ORIGINAL_ADDON_DIR . '/' ) ) {
				return true;
			}
		}
		// Loaded some other way (renamed folder, mu-plugin): its constant or model
		// exists before this plugin defined anything.
		if ( '' !== self::$inactive_reason && 'unchecked' !== self::$inactive_reason ) {
			return 'conflict' === self::$inactive_reason;
		}
		if ( 'unchecked' === self::$inactive_reason ) {
			if ( defined( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION' ) ) {
				return true;
			}
			if ( class_exists( 'KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping', false ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Notice text shown when the original add-on is active.
	 */
	public static function conflict_message(): string {
		return __( 'Meet for KiviCare cannot run while the original "KiviCare – Google Meet" add-on is active: both register the same Google Meet provider. Deactivate the original add-on first; its existing meeting links are kept and shown by Meet for KiviCare.', 'meet-for-kivicare' );
	}
}
