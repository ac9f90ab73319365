<?php
/**
 * Why WordPress cannot work with its sidecar, in words an administrator can act on: the
 * address (DNS, refused, timeout, plain http), the certificate (untrusted, other name,
 * expired), the enrolment key (wrong, for another site, retired, revoked), the clocks, and a
 * sidecar configured for the other mode (hosted or single-site).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Plain-words diagnosis of MFK_Health::sidecar()'s figures.
 */
final class MFK_Sidecar_Diagnosis {

	/**
	 * What went wrong and what to do, or null when the sidecar accepts our signed calls.
	 *
	 * @param array<string,mixed> $sidecar MFK_Health::sidecar().
	 * @return array{message:string,hint:string}|null
	 */
	public static function explain( array $sidecar ): ?array {
		if ( ! empty( $sidecar['signed'] ) ) {
			return null;
		}
		return empty( $sidecar['reachable'] ) ? self::unreachable( $sidecar ) : self::refused( $sidecar );
	}

	/**
	 * The sidecar did not answer.
	 *
	 * @param array<string,mixed> $sidecar Figures.
	 * @return array{message:string,hint:string}
	 */
	private static function unreachable( array $sidecar ): array {
		$url = MFK_Settings::sidecar_url();
		if ( 'sidecar_insecure_url' === $sidecar['code'] ) {
			return self::say( (string) $sidecar['message'], __( 'Enter the https:// address the sidecar\'s operator gave you.', 'meet-for-kivicare' ) );
		}
		$host   = (string) wp_parse_url( $url, PHP_URL_HOST );
		$causes = array(
			/* translators: %s: host name. */
			'dns'           => array( sprintf( __( 'The host name %s could not be found.', 'meet-for-kivicare' ), $host ), __( 'Check the sidecar address for typos (the settings, or MFK_SIDECAR_URL in wp-config.php).', 'meet-for-kivicare' ) ),
			/* translators: %s: sidecar URL. */
			'refused'       => array( sprintf( __( 'Nothing accepts connections at %s.', 'meet-for-kivicare' ), $url ), __( 'Check that the sidecar runs, and the port in its address (the settings, or MFK_SIDECAR_URL in wp-config.php).', 'meet-for-kivicare' ) ),
			'timeout'       => array( __( 'The sidecar did not answer in time.', 'meet-for-kivicare' ), __( 'Check that a firewall between this server and the sidecar lets the connection through.', 'meet-for-kivicare' ) ),
			'tls_untrusted' => array( __( 'The sidecar\'s HTTPS certificate is not trusted by this server (self-signed, or from a private certificate authority).', 'meet-for-kivicare' ), __( 'Ask the operator for a certificate from a public authority, or set MFK_SIDECAR_CA_BUNDLE in wp-config.php to their CA certificate file.', 'meet-for-kivicare' ) ),
			/* translators: %s: host name. */
			'tls_name'      => array( sprintf( __( 'The sidecar\'s HTTPS certificate is not made out for %s.', 'meet-for-kivicare' ), $host ), __( 'Use the host name the certificate was issued for (ask the operator).', 'meet-for-kivicare' ) ),
			'tls_expired'   => array( __( 'The sidecar\'s HTTPS certificate has expired.', 'meet-for-kivicare' ), __( 'Ask the sidecar\'s operator to renew it.', 'meet-for-kivicare' ) ),
			'tls'           => array( __( 'The secure connection to the sidecar failed.', 'meet-for-kivicare' ), __( 'Check that the address starts with https:// only if the sidecar (or its proxy) speaks HTTPS on that port.', 'meet-for-kivicare' ) ),
			'blocked'       => array( (string) $sidecar['message'], __( 'Add the sidecar host to WP_ACCESSIBLE_HOSTS in wp-config.php.', 'meet-for-kivicare' ) ),
		);
		if ( isset( $causes[ $sidecar['cause'] ] ) ) {
			return self::say( $causes[ $sidecar['cause'] ][0], $causes[ $sidecar['cause'] ][1] );
		}
		return self::say( __( 'The sidecar does not answer.', 'meet-for-kivicare' ), __( 'Start the sidecar and check its address (MFK_SIDECAR_URL). If WP_HTTP_BLOCK_EXTERNAL is set, add the sidecar host to WP_ACCESSIBLE_HOSTS.', 'meet-for-kivicare' ) );
	}

	/**
	 * The sidecar answered but refused our signed call.
	 *
	 * @param array<string,mixed> $sidecar Figures.
	 * @return array{message:string,hint:string}
	 */
	private static function refused( array $sidecar ): array {
		$site   = MFK_Site::id();
		$hosted = ! empty( $sidecar['hosted'] );
		/* translators: %s: this site's id. */
		$give_id = sprintf( __( 'Give the sidecar\'s operator this site id: %s. They send back an enrolment key; paste it in the Enrolment key field.', 'meet-for-kivicare' ), $site );
		if ( $hosted && 'single-site' === $sidecar['mode'] ) {
			return self::say( __( 'This sidecar serves a single site with a shared secret: it does not know enrolment keys.', 'meet-for-kivicare' ), __( 'Check the address (is it the hosted sidecar\'s?), or clear the enrolment key and use the shared secret of your own sidecar.', 'meet-for-kivicare' ) );
		}
		if ( ! $hosted && 'hosted' === $sidecar['mode'] ) {
			return self::say( __( 'This sidecar serves many sites: this site needs an enrolment key for it.', 'meet-for-kivicare' ), $give_id );
		}
		if ( 'site_revoked' === $sidecar['code'] ) {
			return self::say( __( 'The sidecar\'s operator has revoked this site\'s enrolment.', 'meet-for-kivicare' ), __( 'Ask the operator; meetings wait in the queue until the site is served again.', 'meet-for-kivicare' ) );
		}
		if ( 'shared_state_unavailable' === $sidecar['code'] ) {
			return self::say( __( 'The sidecar cannot reach the state its replicas share, so it refuses signed calls for now.', 'meet-for-kivicare' ), __( 'Tell the sidecar\'s operator (its Redis is down); meetings wait in the queue and are made when it is back.', 'meet-for-kivicare' ) );
		}
		if ( 'not_configured' === $sidecar['code'] && in_array( $sidecar['cause'], array( 'enrolment_key_other_site', 'enrolment_key_invalid' ), true ) ) {
			return self::say( (string) $sidecar['message'], $give_id );
		}
		if ( 'unauthorized' === $sidecar['code'] ) {
			return self::unauthorized( $sidecar, $hosted, $give_id );
		}
		return self::say(
			/* translators: %s: error message. */
			sprintf( __( 'The sidecar refuses WordPress\'s signed requests: %s', 'meet-for-kivicare' ), (string) $sidecar['message'] ),
			MFK_REST_Settings::hint( '' !== $sidecar['code'] ? (string) $sidecar['code'] : 'unauthorized' )
		);
	}

	/**
	 * A signature the sidecar did not accept, by the check that refused it.
	 *
	 * @param array<string,mixed> $sidecar Figures.
	 * @param bool                $hosted  Configured for a hosted sidecar.
	 * @param string              $give_id What to do to get an enrolment key.
	 * @return array{message:string,hint:string}
	 */
	private static function unauthorized( array $sidecar, bool $hosted, string $give_id ): array {
		if ( 'clock_skew' === $sidecar['reason'] && null !== $sidecar['server_time'] ) {
			$difference = time() - (int) $sidecar['server_time'];
			return self::say(
				sprintf(
					/* translators: 1: seconds, 2: "ahead of" or "behind". */
					__( 'This server\'s clock is %1$d seconds %2$s the sidecar\'s, more than signed requests allow.', 'meet-for-kivicare' ),
					abs( $difference ),
					$difference > 0 ? __( 'ahead of', 'meet-for-kivicare' ) : __( 'behind', 'meet-for-kivicare' )
				),
				__( 'Set this server\'s clock right (NTP), or ask the sidecar\'s operator to check theirs.', 'meet-for-kivicare' )
			);
		}
		if ( 'key_id' === $sidecar['reason'] ) {
			return self::say( __( 'The enrolment key was issued under a master key the sidecar no longer uses.', 'meet-for-kivicare' ), __( 'Ask the sidecar\'s operator for a new enrolment key and paste it.', 'meet-for-kivicare' ) );
		}
		if ( $hosted ) {
			return self::say( __( 'The sidecar does not accept this site\'s enrolment key.', 'meet-for-kivicare' ), __( 'Paste the enrolment key again exactly as the operator sent it, or ask them for a new one.', 'meet-for-kivicare' ) . ' ' . $give_id );
		}
		return self::say( __( 'The sidecar refuses WordPress\'s signed requests.', 'meet-for-kivicare' ), MFK_REST_Settings::hint( 'unauthorized' ) );
	}

	/**
	 * One diagnosis.
	 *
	 * @param string $message What is wrong.
	 * @param string $hint    What to do.
	 * @return array{message:string,hint:string}
	 */
	private static function say( string $message, string $hint ): array {
		return array(
			'message' => $message,
			'hint'    => $hint,
		);
	}
}
