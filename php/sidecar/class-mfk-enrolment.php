<?php
/**
 * The enrolment key a hosted sidecar's operator gives a site (docs/deploy.md):
 * `mfke1.<key id>.<site id>.<secret>`. WordPress signs its calls with the secret and
 * names its site id and key id in headers; the sidecar derives the same secret from its
 * master key, so the key only works for the site it was made for.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reading and checking enrolment keys.
 */
final class MFK_Enrolment {

	/** Format of a key (see src/sidecar/tenancy/enrolment.ts). */
	const PATTERN = '/^mfke1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9][A-Za-z0-9-]{7,63})\.([A-Za-z0-9_-]{43})$/';

	/**
	 * The parts of a key, or null when the text is not one.
	 *
	 * @param string $key Enrolment key.
	 * @return array{kid:string,site_id:string,secret:string}|null
	 */
	public static function parse( string $key ): ?array {
		if ( ! preg_match( self::PATTERN, trim( $key ), $m ) ) {
			return null;
		}
		return array(
			'kid'     => $m[1],
			'site_id' => $m[2],
			'secret'  => $m[3],
		);
	}

	/**
	 * Checks that a key is well formed and made for this site.
	 *
	 * @param string $key     Enrolment key.
	 * @param string $site_id This site's id.
	 * @return true|WP_Error
	 */
	public static function check( string $key, string $site_id ) {
		$parts = self::parse( $key );
		if ( null === $parts ) {
			return new WP_Error( 'enrolment_key_invalid', __( 'This is not an enrolment key: paste it exactly as the sidecar\'s operator sent it (it starts with "mfke1.").', 'meet-for-kivicare' ), array( 'status' => 400 ) );
		}
		if ( $parts['site_id'] !== $site_id ) {
			return new WP_Error(
				'enrolment_key_other_site',
				/* translators: 1: site id the key was made for, 2: this site's id. */
				sprintf( __( 'This enrolment key was made for the site id %1$s, and this site\'s id is %2$s: ask the operator for a key for this site id.', 'meet-for-kivicare' ), $parts['site_id'], $site_id ),
				array( 'status' => 400 )
			);
		}
		return true;
	}
}
