<?php
/**
 * How WordPress reaches the sidecar: which addresses are acceptable (HTTPS, or plain HTTP
 * on this machine only), which certificates are trusted (the system's, or the CA file
 * MFK_SIDECAR_CA_BUNDLE names for a private CA), and what a failed connection means in
 * words an administrator can act on.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Transport policy and failure causes.
 */
final class MFK_Sidecar_Transport {

	/**
	 * Whether a sidecar address may be used: https anywhere, http only on loopback.
	 *
	 * @param string $url Base URL.
	 */
	public static function is_acceptable_url( string $url ): bool {
		$parts  = wp_parse_url( $url );
		$scheme = strtolower( (string) ( $parts['scheme'] ?? '' ) );
		if ( 'https' === $scheme ) {
			return true;
		}
		return 'http' === $scheme && self::is_loopback( (string) ( $parts['host'] ?? '' ) );
	}

	/**
	 * Loopback host names and addresses.
	 *
	 * @param string $host Host (IPv6 in brackets or not).
	 */
	public static function is_loopback( string $host ): bool {
		$host = strtolower( trim( $host, '[]' ) );
		return 'localhost' === $host || '::1' === $host || 1 === preg_match( '/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/', $host );
	}

	/**
	 * The error for an address that would send signed calls unencrypted over a network.
	 */
	public static function insecure_url_error(): WP_Error {
		return new WP_Error( 'sidecar_insecure_url', __( 'The sidecar address must start with https:// (plain http:// is accepted only for a sidecar on this server: 127.0.0.1 or localhost).', 'meet-for-kivicare' ), array( 'status' => 503, 'retryable' => false ) );
	}

	/**
	 * CA file trusted for the sidecar's certificate besides the system's ('' for none).
	 */
	public static function ca_bundle(): string {
		$file = defined( 'MFK_SIDECAR_CA_BUNDLE' ) ? (string) MFK_SIDECAR_CA_BUNDLE : '';
		/**
		 * Filters the CA certificate file trusted for the sidecar's HTTPS certificate (a private
		 * certificate authority). Empty: WordPress's own bundle.
		 *
		 * @param string $file Path to a PEM file.
		 */
		return (string) apply_filters( 'mfk_sidecar_ca_bundle', $file );
	}

	/**
	 * Request arguments that make certificates be verified.
	 *
	 * @return array<string,mixed>
	 */
	public static function tls_args(): array {
		$args = array( 'sslverify' => true );
		$ca   = self::ca_bundle();
		if ( '' !== $ca ) {
			$args['sslcertificates'] = $ca;
		}
		return $args;
	}

	/**
	 * Why a connection failed, from the HTTP library's message: dns, refused, timeout,
	 * tls_untrusted, tls_name, tls_expired, tls or '' (unknown).
	 *
	 * @param string $message Transport error message.
	 */
	public static function cause( string $message ): string {
		$rules = array(
			'tls_expired'   => '/expired/i',
			'tls_name'      => '/subject name|does not match|no alternative certificate|hostname/i',
			'tls_untrusted' => '/self[- ]signed|local issuer|unable to get|unable to verify|certificate verify failed|untrusted|unknown ca/i',
			'dns'           => '/resolve host|cURL error 6\b|getaddrinfo|name or service not known/i',
			'refused'       => '/refused|cURL error 7\b|failed to connect/i',
			'timeout'       => '/timed out|cURL error 28\b|timeout/i',
			'tls'           => '/\bSSL\b|\bTLS\b|certificate|wrong version number/i',
		);
		foreach ( $rules as $cause => $pattern ) {
			if ( preg_match( $pattern, $message ) ) {
				return $cause;
			}
		}
		return '';
	}
}
