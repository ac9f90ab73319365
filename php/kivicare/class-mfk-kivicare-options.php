<?php
/**
 * KiviCare's side of the settings: the option KiviCare hands to the provider, and
 * KiviCare's own Google Meet option that its static-data gates and menus read, kept in
 * line with the plugin's settings (never with a secret). Also takes over the OAuth
 * client id the original add-on left behind.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * KiviCare options that follow the plugin settings.
 */
final class MFK_KiviCare_Options {

	/** Option handed to KiviCare's provider constructor as its `settings_key`. */
	const PROVIDER_OPTION = 'mfk_provider_config';

	/** KiviCare's own Google Meet option, read by its static-data gates. */
	const KIVICARE_OPTION = 'kiviCare_google_meet_setting';

	/** KiviCare's Google Meet option as the original add-on left it (restored on uninstall). */
	const KIVICARE_BACKUP_OPTION = 'mfk_original_google_meet_setting';

	/**
	 * Keeps the provider option and KiviCare's own Google Meet option in line with the
	 * settings, so KiviCare's static-data gates and menus see the add-on as set up.
	 * No secret is written there: a marker stands in for the client secret.
	 */
	public static function sync(): void {
		$configured = ! is_wp_error( MFK_Settings::client() );
		$client_id  = (string) MFK_Settings::get( 'google_client_id' );

		$provider = array(
			'enabled'   => $configured,
			'auth_type' => 'oauth',
			'client_id' => $client_id,
		);
		if ( get_option( self::PROVIDER_OPTION ) !== $provider ) {
			update_option( self::PROVIDER_OPTION, $provider, true );
		}

		$kivicare = get_option( self::KIVICARE_OPTION, array() );
		$kivicare = is_array( $kivicare ) ? $kivicare : array();
		if ( $kivicare && empty( $kivicare['mfk_managed'] ) && false === get_option( self::KIVICARE_BACKUP_OPTION ) ) {
			// Written by the original add-on (it may hold its plain client secret): keep a
			// copy that uninstall puts back, before replacing the secret by a marker.
			add_option( self::KIVICARE_BACKUP_OPTION, $kivicare, '', false );
		}
		$kivicare = array_merge(
			$kivicare,
			array(
				'enabled'       => $configured,
				'auth_type'     => 'oauth',
				'enableCal'     => $configured ? 'Yes' : 'No',
				'client_id'     => $client_id,
				'client_secret' => $configured ? 'sealed' : '',
				'app_name'      => '' !== (string) ( $kivicare['app_name'] ?? '' ) ? $kivicare['app_name'] : wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
				'mfk_managed'   => true,
			)
		);
		if ( get_option( self::KIVICARE_OPTION ) !== $kivicare ) {
			update_option( self::KIVICARE_OPTION, $kivicare );
		}
	}

	/**
	 * First installation on a site that used the original add-on: take over its OAuth
	 * client id (the secret has to be entered again, it is stored sealed only).
	 */
	public static function import_original_client_id(): void {
		$stored = get_option( MFK_Settings::OPTION, array() );
		if ( is_array( $stored ) && '' !== (string) ( $stored['google_client_id'] ?? '' ) ) {
			return;
		}
		$original = get_option( self::KIVICARE_OPTION, array() );
		if ( ! is_array( $original ) || ! empty( $original['mfk_managed'] ) ) {
			return;
		}
		$client_id = trim( (string) ( $original['client_id'] ?? '' ) );
		if ( '' === $client_id || ! preg_match( '/^[A-Za-z0-9._-]{3,255}$/', $client_id ) ) {
			return;
		}
		$stored                     = is_array( $stored ) ? $stored : array();
		$stored['google_client_id'] = $client_id;
		update_option( MFK_Settings::OPTION, $stored, true );
		MFK_Settings::flush_cache();
	}
}
