<?php
/**
 * Global helper functions, named as in KiviCare 4.3 `includes/functions.php`.
 *
 * @package KiviCareStandIn
 */

defined( 'ABSPATH' ) || exit;

if ( ! function_exists( 'isKiviCareTelemedActive' ) ) {
	/**
	 * Zoom telemed add-on present? KiviCare checks the constant only.
	 *
	 * @return bool
	 */
	function isKiviCareTelemedActive() {
		return defined( 'KIVICARE_TELEMED_VERSION' );
	}
}

if ( ! function_exists( 'isKiviCareGoogleMeetActive' ) ) {
	/**
	 * Google Meet add-on present? KiviCare checks the constant only.
	 *
	 * @return bool
	 */
	function isKiviCareGoogleMeetActive() {
		return defined( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION' );
	}
}

if ( ! function_exists( 'isKiviCareProActive' ) ) {
	/**
	 * KiviCare Pro present? The stand-in also honours the test option
	 * `kc_standin_pro_active` so multi-clinic behaviour can be switched on.
	 *
	 * @return bool
	 */
	function isKiviCareProActive() {
		return defined( 'KIVI_CARE_PRO_VERSION' ) || (bool) get_option( 'kc_standin_pro_active', false );
	}
}

if ( ! function_exists( 'kcGetAddonVersion' ) ) {
	/**
	 * Version of a KiviCare add-on, read from the constant each add-on defines.
	 * Note the Google Meet add-on's version constant differs from its gate constant.
	 *
	 * @param string $addon Add-on slug.
	 * @return string|false
	 */
	function kcGetAddonVersion( $addon ) {
		$constants = array(
			'kivicare-googlemeet' => 'KIVICARE_GOOGLEMEET_VERSION',
			'kivicare-telemed'    => 'KIVICARE_TELEMED_VERSION',
			'kivicare-pro'        => 'KIVI_CARE_PRO_VERSION',
		);
		if ( isset( $constants[ $addon ] ) && defined( $constants[ $addon ] ) ) {
			return (string) constant( $constants[ $addon ] );
		}
		return false;
	}
}

if ( ! function_exists( 'kcGetDefaultClinicId' ) ) {
	/**
	 * The clinic created by the setup wizard.
	 *
	 * @return int 0 when the setup wizard has not run yet.
	 */
	function kcGetDefaultClinicId() {
		global $wpdb;
		$id = (int) get_option( KIVI_CARE_PREFIX . 'default_clinic_id', 0 );
		if ( $id > 0 ) {
			return $id;
		}
		return (int) $wpdb->get_var( "SELECT id FROM {$wpdb->prefix}kc_clinics ORDER BY id ASC LIMIT 1" );
	}
}

if ( ! function_exists( 'kcGetDoctorTimezone' ) ) {
	/**
	 * A doctor's time zone: user meta `timezone`, else the site's.
	 *
	 * @param int $doctor_id Doctor user id.
	 * @return string
	 */
	function kcGetDoctorTimezone( $doctor_id ) {
		$tz = (string) get_user_meta( (int) $doctor_id, 'timezone', true );
		if ( '' !== $tz && kcIsValidTimezone( $tz ) ) {
			return $tz;
		}
		return wp_timezone_string();
	}
}

if ( ! function_exists( 'kcIsValidTimezone' ) ) {
	/**
	 * Whether PHP understands a time zone name or offset.
	 *
	 * @param mixed $tz Candidate.
	 * @return bool
	 */
	function kcIsValidTimezone( $tz ) {
		if ( ! is_string( $tz ) || '' === $tz || strlen( $tz ) > 64 ) {
			return false;
		}
		try {
			new DateTimeZone( $tz );
			return true;
		} catch ( Exception $e ) {
			return false;
		}
	}
}

if ( ! function_exists( 'kcGoogleMeetSettingEnabled' ) ) {
	/**
	 * Static-data gate on the `kiviCare_google_meet_setting` option: `enabled`
	 * truthy, or `auth_type` 'oauth', or `enableCal` Yes/on.
	 *
	 * @return bool
	 */
	function kcGoogleMeetSettingEnabled() {
		$setting = get_option( KIVI_CARE_PREFIX . 'google_meet_setting', array() );
		if ( ! is_array( $setting ) ) {
			return false;
		}
		if ( ! empty( $setting['enabled'] ) ) {
			return true;
		}
		if ( isset( $setting['auth_type'] ) && 'oauth' === $setting['auth_type'] ) {
			return true;
		}
		$cal = isset( $setting['enableCal'] ) ? strtolower( (string) $setting['enableCal'] ) : '';
		return in_array( $cal, array( 'yes', 'on' ), true );
	}
}

if ( ! function_exists( 'kcDoctorGoogleMeetVisible' ) ) {
	/**
	 * Static-data visibility of a doctor's telemed services through Google Meet:
	 * add-on constant AND setting gate AND doctor meta `kiviCare_google_meet_connect` === 'on'.
	 *
	 * @param int $doctor_id Doctor user id.
	 * @return bool
	 */
	function kcDoctorGoogleMeetVisible( $doctor_id ) {
		return isKiviCareGoogleMeetActive()
			&& kcGoogleMeetSettingEnabled()
			&& 'on' === get_user_meta( (int) $doctor_id, KIVI_CARE_PREFIX . 'google_meet_connect', true );
	}
}

if ( ! function_exists( 'kcStandinFakeProviderEnabled' ) ) {
	/**
	 * Whether the test-only fake provider is switched on.
	 *
	 * @return bool
	 */
	function kcStandinFakeProviderEnabled() {
		if ( defined( 'KC_STANDIN_FAKE_PROVIDER' ) && KC_STANDIN_FAKE_PROVIDER ) {
			return true;
		}
		$opt = get_option( 'kc_standin_fake_provider', array() );
		return is_array( $opt ) && ! empty( $opt['enabled'] );
	}
}

if ( ! function_exists( 'kcLog' ) ) {
	/**
	 * Diagnostic log line. Quiet unless KC_STANDIN_DEBUG_LOG is true, so the
	 * stand-in never adds lines to WordPress's debug log that tests could mistake
	 * for warnings. Every line is also exposed through the `kc_standin_log` action.
	 *
	 * @param string $message Message.
	 * @param array  $context Extra data.
	 */
	function kcLog( $message, $context = array() ) {
		do_action( 'kc_standin_log', $message, $context );
		if ( defined( 'KC_STANDIN_DEBUG_LOG' ) && KC_STANDIN_DEBUG_LOG ) {
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( '[KiviCare stand-in] ' . $message . ( $context ? ' ' . wp_json_encode( $context ) : '' ) );
		}
	}
}
