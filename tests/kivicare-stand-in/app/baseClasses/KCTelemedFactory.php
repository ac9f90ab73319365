<?php
/**
 * Telemed provider registry (KiviCare 4.3 `app/baseClasses/KCTelemedFactory.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

use App\abstracts\KCAbstractTelemedProvider;

defined( 'ABSPATH' ) || exit;

/**
 * Registry of telemed providers contributed through `kc_telemed_providers`.
 */
class KCTelemedFactory {

	/**
	 * Provider configs keyed by provider id: `class`, `settings_key`, `description`.
	 *
	 * @var array<string,array>
	 */
	private static $providers = array();

	/**
	 * Hooked on `init` priority 10: applies the filter once and caches the result.
	 */
	public static function init() {
		$providers       = apply_filters( 'kc_telemed_providers', array() );
		self::$providers = is_array( $providers ) ? $providers : array();
	}

	/**
	 * Registered provider configs (filter re-read only while the cache is empty).
	 *
	 * @return array<string,array>
	 */
	public static function get_registered_providers() {
		if ( empty( self::$providers ) ) {
			self::init();
		}
		return self::$providers;
	}

	/**
	 * Fresh provider instances, keyed by id. Entries whose class does not exist
	 * are skipped silently. `init_hook()` is called on every instance.
	 *
	 * @return array<string,KCAbstractTelemedProvider>
	 */
	public static function get_available_providers() {
		$available = array();
		foreach ( self::get_registered_providers() as $id => $config ) {
			$instance = self::instantiate( $config );
			if ( null === $instance ) {
				continue;
			}
			$instance->init_hook();
			$available[ $id ] = $instance;
		}
		return $available;
	}

	/**
	 * One provider by id.
	 *
	 * @param string $provider_id Id.
	 * @return KCAbstractTelemedProvider|null
	 */
	public static function get_provider( $provider_id ) {
		$providers = self::get_available_providers();
		return $providers[ $provider_id ] ?? null;
	}

	/**
	 * Providers whose `is_enabled()` is true.
	 *
	 * @return array<string,KCAbstractTelemedProvider>
	 */
	public static function get_enabled_providers() {
		return array_filter(
			self::get_available_providers(),
			static function ( $provider ) {
				return $provider->is_enabled();
			}
		);
	}

	/**
	 * Option `kiviCare_default_telemed_provider` (default 'zoom'), else the first
	 * enabled provider. Unused by 4.3's own callers.
	 *
	 * @return KCAbstractTelemedProvider|null
	 */
	public static function get_default_provider() {
		$default   = get_option( KIVI_CARE_PREFIX . 'default_telemed_provider', 'zoom' );
		$available = self::get_available_providers();
		if ( isset( $available[ $default ] ) && $available[ $default ]->is_enabled() ) {
			return $available[ $default ];
		}
		$enabled = self::get_enabled_providers();
		return $enabled ? reset( $enabled ) : null;
	}

	/**
	 * Static helper kept for API parity; unused by 4.3 callers.
	 *
	 * @param array       $meeting_data Meeting data.
	 * @param string|null $provider_id  Provider id.
	 * @return array|\WP_Error|false
	 */
	public static function create_meeting( $meeting_data, $provider_id = null ) {
		$provider = $provider_id ? self::get_provider( $provider_id ) : self::get_default_provider();
		return $provider ? $provider->create_meeting( $meeting_data ) : false;
	}

	/**
	 * Static helper kept for API parity; unused by 4.3 callers.
	 *
	 * @param string      $meeting_id   Meeting id.
	 * @param array       $meeting_data Meeting data.
	 * @param string|null $provider_id  Provider id.
	 * @return array|false
	 */
	public static function update_meeting( $meeting_id, $meeting_data, $provider_id = null ) {
		$provider = $provider_id ? self::get_provider( $provider_id ) : self::get_default_provider();
		return $provider ? $provider->update_meeting( $meeting_id, $meeting_data ) : false;
	}

	/**
	 * The provider to use for a doctor: the one named by the doctor's
	 * `telemed_type` meta first, then the rest in filter order; the first whose
	 * config `auth_type` is 'server-to-server' or whose
	 * `get_doctor_access_token()` is non-empty. `is_enabled()` is not checked.
	 *
	 * @param int $doctorId Doctor user id.
	 * @return KCAbstractTelemedProvider|null
	 */
	public static function get_provider_by_doctor_id( $doctorId ) {
		$doctorId  = (int) $doctorId;
		$providers = self::get_available_providers();
		if ( empty( $providers ) ) {
			return null;
		}
		$type    = self::get_doctor_telemed_type( $doctorId );
		$ordered = array();
		if ( '' !== $type && isset( $providers[ $type ] ) ) {
			$ordered[ $type ] = $providers[ $type ];
		}
		foreach ( $providers as $id => $provider ) {
			if ( ! isset( $ordered[ $id ] ) ) {
				$ordered[ $id ] = $provider;
			}
		}
		foreach ( $ordered as $provider ) {
			$config = $provider->get_config();
			if ( isset( $config['auth_type'] ) && 'server-to-server' === $config['auth_type'] ) {
				return $provider;
			}
			$token = $provider->get_doctor_access_token( $doctorId );
			if ( ! empty( $token ) ) {
				return $provider;
			}
		}
		return null;
	}

	/**
	 * Doctor meta `telemed_type`.
	 *
	 * @param int $doctorId Doctor user id.
	 * @return string
	 */
	private static function get_doctor_telemed_type( $doctorId ) {
		$type = get_user_meta( (int) $doctorId, 'telemed_type', true );
		return is_string( $type ) ? $type : '';
	}

	/**
	 * `new $class($settings_key)` when the class exists.
	 *
	 * @param mixed $config Provider registration.
	 * @return KCAbstractTelemedProvider|null
	 */
	private static function instantiate( $config ) {
		if ( ! is_array( $config ) || empty( $config['class'] ) || ! is_string( $config['class'] ) ) {
			return null;
		}
		$class = $config['class'];
		if ( ! class_exists( $class ) ) {
			return null;
		}
		$settings_key = isset( $config['settings_key'] ) ? (string) $config['settings_key'] : '';
		$instance     = new $class( $settings_key );
		return $instance instanceof KCAbstractTelemedProvider ? $instance : null;
	}

	/**
	 * Test helper: forget the cached registrations.
	 */
	public static function reset() {
		self::$providers = array();
	}
}
