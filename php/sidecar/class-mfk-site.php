<?php
/**
 * Identity of this site and of its meetings (see docs/ARCHITECTURE.md, "Identity").
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Site id and deterministic event ids.
 */
final class MFK_Site {

	/** Option holding the site's UUID (per blog on multisite). */
	const OPTION = 'mfk_site_id';

	/**
	 * The site's UUID, created on first use.
	 */
	public static function id(): string {
		$id = get_option( self::OPTION );
		if ( is_string( $id ) && '' !== $id ) {
			return $id;
		}
		$id = wp_generate_uuid4();
		// add_option() is a no-op when another request created it first; re-read.
		add_option( self::OPTION, $id, '', true );
		return (string) get_option( self::OPTION, $id );
	}

	/**
	 * Google event id of an appointment: "mfk" + the first 40 characters of the
	 * lowercase base32hex encoding of sha256("<site id>:<appointment id>"). The
	 * sidecar derives the same id; it is stored so KiviCare core has an event id
	 * before the event exists.
	 *
	 * @param int         $appointment_id KiviCare appointment id.
	 * @param string|null $site_id        Site UUID (defaults to this site's).
	 */
	public static function event_id( int $appointment_id, ?string $site_id = null ): string {
		$site_id = $site_id ?? self::id();
		return 'mfk' . substr( self::base32hex( hash( 'sha256', $site_id . ':' . $appointment_id, true ) ), 0, 40 );
	}

	/**
	 * RFC 4648 base32hex, lowercase, without padding.
	 *
	 * @param string $bytes Raw bytes.
	 */
	public static function base32hex( string $bytes ): string {
		$alphabet = '0123456789abcdefghijklmnopqrstuv';
		$out      = '';
		$buffer   = 0;
		$bits     = 0;
		$length   = strlen( $bytes );
		for ( $i = 0; $i < $length; $i++ ) {
			$buffer = ( ( $buffer << 8 ) | ord( $bytes[ $i ] ) ) & 0xFFFF;
			$bits  += 8;
			while ( $bits >= 5 ) {
				$bits -= 5;
				$out  .= $alphabet[ ( $buffer >> $bits ) & 31 ];
			}
		}
		if ( $bits > 0 ) {
			$out .= $alphabet[ ( $buffer << ( 5 - $bits ) ) & 31 ];
		}
		return $out;
	}
}
