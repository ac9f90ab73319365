<?php
/**
 * Plugin settings: one option read over the defaults (MFK_Settings_Schema), the
 * wp-config overrides, and the save path (validated by MFK_Settings_Validator, the
 * client secret sealed by the sidecar, KiviCare's options brought in line by
 * MFK_KiviCare_Options).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings storage. Screens and REST routes build on this class.
 */
final class MFK_Settings {

	/** The plugin's settings (array). */
	const OPTION = 'mfk_settings';

	/**
	 * Request-level cache of the stored option merged over defaults.
	 *
	 * @var array<string,mixed>|null
	 */
	private static $cache = null;

	/**
	 * All settings (stored over defaults). Contains the sealed client secret and the
	 * shared secret: server-side use only, see for_display().
	 *
	 * @return array<string,mixed>
	 */
	public static function all(): array {
		if ( null === self::$cache ) {
			$stored      = get_option( self::OPTION, array() );
			self::$cache = array_merge( MFK_Settings_Schema::defaults(), is_array( $stored ) ? array_intersect_key( $stored, MFK_Settings_Schema::defaults() ) : array() );
		}
		return self::$cache;
	}

	/**
	 * One setting.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	public static function get( string $key ) {
		$all = self::all();
		return $all[ $key ] ?? null;
	}

	/**
	 * Settings safe to send to a browser: secrets replaced by flags.
	 *
	 * @return array<string,mixed>
	 */
	public static function for_display(): array {
		$all = self::all();
		unset( $all['google_client_secret'], $all['sidecar_secret'], $all['sidecar_enrolment_key'] );
		$all['google_client_secret_set']     = '' !== (string) self::get( 'google_client_secret' );
		$all['sidecar_secret_set']           = '' !== self::sidecar_secret();
		$all['sidecar_url']                  = self::sidecar_url();
		$all['sidecar_url_locked']           = defined( 'MFK_SIDECAR_URL' );
		$all['sidecar_secret_locked']        = defined( 'MFK_SIDECAR_SECRET' );
		$all['sidecar_enrolment_key_set']    = '' !== self::sidecar_enrolment_key();
		$all['sidecar_enrolment_key_locked'] = defined( 'MFK_SIDECAR_ENROLMENT_KEY' );
		$all['site_id']                      = MFK_Site::id();
		return $all;
	}

	/**
	 * Sidecar base URL; the MFK_SIDECAR_URL constant wins.
	 */
	public static function sidecar_url(): string {
		if ( defined( 'MFK_SIDECAR_URL' ) && '' !== (string) MFK_SIDECAR_URL ) {
			return untrailingslashit( (string) MFK_SIDECAR_URL );
		}
		return untrailingslashit( (string) self::get( 'sidecar_url' ) );
	}

	/**
	 * Shared HMAC secret; the MFK_SIDECAR_SECRET constant wins.
	 */
	public static function sidecar_secret(): string {
		if ( defined( 'MFK_SIDECAR_SECRET' ) && '' !== (string) MFK_SIDECAR_SECRET ) {
			return (string) MFK_SIDECAR_SECRET;
		}
		return (string) self::get( 'sidecar_secret' );
	}

	/**
	 * Enrolment key of a hosted sidecar; the MFK_SIDECAR_ENROLMENT_KEY constant wins.
	 * Empty: the sidecar is this site's own (shared secret).
	 */
	public static function sidecar_enrolment_key(): string {
		if ( defined( 'MFK_SIDECAR_ENROLMENT_KEY' ) && '' !== (string) MFK_SIDECAR_ENROLMENT_KEY ) {
			return trim( (string) MFK_SIDECAR_ENROLMENT_KEY );
		}
		return (string) self::get( 'sidecar_enrolment_key' );
	}

	/**
	 * Google OAuth client as the sidecar expects it.
	 *
	 * @return array{clientId:string,clientSecret:string}|WP_Error
	 */
	public static function client() {
		$id     = (string) self::get( 'google_client_id' );
		$secret = (string) self::get( 'google_client_secret' );
		if ( '' === $id || '' === $secret ) {
			return new WP_Error( 'not_configured', __( 'The Google OAuth client ID and secret are not configured.', 'meet-for-kivicare' ), array( 'status' => 503, 'retryable' => false ) );
		}
		return array(
			'clientId'     => $id,
			'clientSecret' => $secret,
		);
	}

	/**
	 * Whether doctors can connect and meetings can be provisioned.
	 */
	public static function is_configured(): bool {
		return ! is_wp_error( self::client() ) && ( '' !== self::sidecar_secret() || '' !== self::sidecar_enrolment_key() ) && '' !== self::sidecar_url();
	}

	/**
	 * Validates and saves a partial update. A plain `google_client_secret` is sealed
	 * by the sidecar first; an empty one keeps the stored secret.
	 *
	 * @param array<string,mixed> $input Fields to change.
	 * @return array<string,mixed>|WP_Error Settings for display, or field-level errors
	 *                                      in `data.params` (`{field: message}`).
	 */
	public static function update( array $input ) {
		$current = self::all();
		$clean   = MFK_Settings_Validator::validate( $input );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}

		$next   = array_merge( $current, $clean );
		$secret = isset( $input['google_client_secret'] ) ? trim( (string) $input['google_client_secret'] ) : '';
		if ( '' !== $secret ) {
			$sealed = self::seal_client_secret( $secret, $next );
			if ( is_wp_error( $sealed ) ) {
				return MFK_Settings_Validator::field_errors(
					array(
						/* translators: %s: error message from the sidecar. */
						'google_client_secret' => sprintf( __( 'The client secret could not be sealed by the sidecar: %s', 'meet-for-kivicare' ), $sealed->get_error_message() ),
					)
				);
			}
			$next['google_client_secret'] = $sealed;
		}

		update_option( self::OPTION, $next, true );
		self::$cache = null;
		MFK_Sidecar_Client::reset();
		MFK_KiviCare_Options::sync();
		return self::for_display();
	}

	/**
	 * Asks the sidecar to seal the OAuth client secret (with the sidecar settings
	 * about to be saved).
	 *
	 * @param string              $secret Plain client secret.
	 * @param array<string,mixed> $next   Settings about to be saved.
	 * @return string|WP_Error Sealed blob.
	 */
	private static function seal_client_secret( string $secret, array $next ) {
		$url       = defined( 'MFK_SIDECAR_URL' ) && '' !== (string) MFK_SIDECAR_URL ? (string) MFK_SIDECAR_URL : (string) $next['sidecar_url'];
		$shared    = defined( 'MFK_SIDECAR_SECRET' ) && '' !== (string) MFK_SIDECAR_SECRET ? (string) MFK_SIDECAR_SECRET : (string) $next['sidecar_secret'];
		$enrolment = defined( 'MFK_SIDECAR_ENROLMENT_KEY' ) && '' !== (string) MFK_SIDECAR_ENROLMENT_KEY ? (string) MFK_SIDECAR_ENROLMENT_KEY : (string) $next['sidecar_enrolment_key'];
		$client    = new MFK_Sidecar_Client( $url, $shared, $enrolment );
		$answer  = $client->post(
			'/v1/oauth/client/seal',
			array(
				'siteId'       => MFK_Site::id(),
				'clientSecret' => $secret,
			)
		);
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( empty( $answer['clientSecret'] ) || ! is_string( $answer['clientSecret'] ) ) {
			return new WP_Error( 'internal_error', __( 'The sidecar answered without a sealed secret.', 'meet-for-kivicare' ) );
		}
		return $answer['clientSecret'];
	}

	/**
	 * Forgets the request cache (after another process changed the option).
	 */
	public static function flush_cache(): void {
		self::$cache = null;
		MFK_Sidecar_Client::reset();
	}
}
