<?php
/**
 * The loopback kick: where PHP cannot end the response early (no PHP-FPM), the request
 * that left meetings pending asks the site itself, over HTTP, to make them. The kick is
 * signed for this purpose only (HMAC-SHA256 with a key derived from the site's auth salt,
 * over the appointment ids, an expiry a minute ahead and a single-use nonce) and can only
 * make the queue work on those appointments' due rows; it carries nothing that changes
 * data. It is written to a socket and not waited for, so the booking's answer is not
 * held up; a site that cannot reach itself falls back to the queue's next cron run, and
 * Site Health says so (probe()).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Signed loopback requests that start the background sync.
 */
final class MFK_Loopback_Kick {

	/** REST route (namespace MFK_REST::NAMESPACE). */
	const ROUTE = '/background';

	/** Seconds a kick stays valid. */
	const TTL = 60;

	/** Prefix of the options that remember used nonces until they expire. */
	const NONCE_PREFIX = '_mfk_kick_';

	/** Option recording the last failed send (the next ones wait a while). */
	const FAILURE_OPTION = 'mfk_loopback_failure';

	/** After a failed send, kicks pause this long (seconds); the queue's cron runs meanwhile. */
	const FAILURE_PAUSE = 5 * MINUTE_IN_SECONDS;

	/**
	 * Signature of a kick.
	 *
	 * @param string $ids     Comma-separated appointment ids ('' for a probe).
	 * @param int    $expires Unix time.
	 * @param string $nonce   32 hex characters.
	 */
	public static function sign( string $ids, int $expires, string $nonce ): string {
		$key = hash_hmac( 'sha256', 'mfk-background-kick', wp_salt( 'auth' ) );
		return hash_hmac( 'sha256', implode( "\n", array( 'mfk-kick', (string) get_current_blog_id(), $ids, (string) $expires, $nonce ) ), $key );
	}

	/**
	 * Body of a fresh kick for these appointments.
	 *
	 * @param int[] $appointment_ids Appointments (none for a probe).
	 * @return array{ids:string,expires:int,nonce:string,signature:string}
	 */
	public static function payload( array $appointment_ids ): array {
		$ids     = implode( ',', array_slice( array_values( array_unique( array_map( 'intval', $appointment_ids ) ) ), 0, 100 ) );
		$expires = time() + self::TTL;
		$nonce   = bin2hex( random_bytes( 16 ) );
		return array(
			'ids'       => $ids,
			'expires'   => $expires,
			'nonce'     => $nonce,
			'signature' => self::sign( $ids, $expires, $nonce ),
		);
	}

	/**
	 * Checks a received kick and uses up its nonce: true, or a 403 error for a forged,
	 * expired or replayed one.
	 *
	 * @param string $ids       Appointment ids.
	 * @param int    $expires   Expiry.
	 * @param string $nonce     Nonce.
	 * @param string $signature Signature.
	 * @return true|WP_Error
	 */
	public static function verify( string $ids, int $expires, string $nonce, string $signature ) {
		$refused = new WP_Error( 'rest_forbidden', __( 'This request is not allowed.', 'meet-for-kivicare' ), array( 'status' => 403 ) );
		if ( ! hash_equals( self::sign( $ids, $expires, $nonce ), strtolower( $signature ) ) ) {
			return $refused;
		}
		if ( $expires < time() || $expires > time() + self::TTL + 5 ) {
			return $refused;
		}
		global $wpdb;
		// The unique option name makes the nonce single use, also between concurrent requests.
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- an atomic single-use marker, never cached.
		$fresh = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'off')", self::NONCE_PREFIX . $nonce, (string) $expires ) );
		if ( ! $fresh ) {
			return $refused;
		}
		// Used nonces are kept until they expire, then dropped.
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- housekeeping of the markers above.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s AND CAST(option_value AS UNSIGNED) < %d", $wpdb->esc_like( self::NONCE_PREFIX ) . '%', time() ) );
		return true;
	}

	/**
	 * Where kicks go.
	 */
	public static function url(): string {
		/**
		 * Filters the address the site reaches itself at for background kicks (e.g. an
		 * internal address when the public one is not reachable from the server).
		 *
		 * @param string $url The plugin's REST route.
		 */
		return (string) apply_filters( 'mfk_background_url', rest_url( MFK_REST::NAMESPACE . self::ROUTE ) );
	}

	/**
	 * Sends a kick without waiting for its answer: the request is written to the socket
	 * and the connection left (the receiver ignores the disconnect). A failed connection
	 * is remembered, and kicks pause for a while (the queue's cron runs then).
	 *
	 * @param int[] $appointment_ids Appointments.
	 */
	public static function send( array $appointment_ids ): bool {
		$failure = get_option( self::FAILURE_OPTION );
		if ( is_array( $failure ) && time() - (int) ( $failure['at'] ?? 0 ) < self::FAILURE_PAUSE ) {
			return false;
		}
		$url   = self::url();
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) ) {
			self::record_failure( 'invalid_url', $url );
			return false;
		}
		$https  = 'https' === ( $parts['scheme'] ?? 'http' );
		$port   = (int) ( $parts['port'] ?? ( $https ? 443 : 80 ) );
		$target = ( $https ? 'ssl://' : 'tcp://' ) . $parts['host'] . ':' . $port;
		$body   = http_build_query( self::payload( $appointment_ids ), '', '&' );
		$path   = ( $parts['path'] ?? '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		$host   = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
		$errno  = 0;
		$error  = '';
		// A loopback's certificate is often not valid for the server itself, as WordPress's
		// own loopback requests assume (https_local_ssl_verify).
		$context = stream_context_create(
			array(
				'ssl' => array(
					'verify_peer'      => (bool) apply_filters( 'https_local_ssl_verify', false ),
					'verify_peer_name' => (bool) apply_filters( 'https_local_ssl_verify', false ),
					'peer_name'        => $parts['host'],
				),
			)
		);
		$socket = @stream_socket_client( $target, $errno, $error, 1.0, STREAM_CLIENT_CONNECT, $context ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- the failure is recorded below.
		if ( false === $socket ) {
			self::record_failure( 'connect_failed', $error );
			return false;
		}
		$request = "POST {$path} HTTP/1.1\r\nHost: {$host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			. 'Content-Length: ' . strlen( $body ) . "\r\nConnection: close\r\nUser-Agent: Meet for KiviCare background\r\n\r\n" . $body;
		stream_set_timeout( $socket, 1 );
		$written = fwrite( $socket, $request ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite -- a socket.
		fclose( $socket ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- a socket.
		if ( strlen( $request ) !== $written ) {
			self::record_failure( 'write_failed', '' );
			return false;
		}
		if ( false !== $failure ) {
			delete_option( self::FAILURE_OPTION );
		}
		return true;
	}

	/**
	 * Remembers a failed send.
	 *
	 * @param string $code    Short code.
	 * @param string $message Detail (no secret: an address or a socket error).
	 */
	private static function record_failure( string $code, string $message ): void {
		update_option(
			self::FAILURE_OPTION,
			array(
				'at'      => time(),
				'code'    => $code,
				'message' => mb_substr( wp_strip_all_tags( $message ), 0, 200 ),
			),
			true // Read on every kick: autoloaded while it exists.
		);
	}

	/**
	 * Site Health's check: a real signed kick with no appointment, waited for. True when
	 * the site answered it, else the reason.
	 *
	 * @return true|WP_Error
	 */
	public static function probe() {
		$response = wp_remote_post(
			self::url(),
			array(
				'timeout'   => 10,
				'body'      => self::payload( array() ),
				'sslverify' => (bool) apply_filters( 'https_local_ssl_verify', false ),
			)
		);
		if ( is_wp_error( $response ) ) {
			self::record_failure( 'probe_failed', $response->get_error_message() );
			return $response;
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		if ( 200 !== $status ) {
			self::record_failure( 'probe_failed', 'HTTP ' . $status );
			/* translators: %d: HTTP status code. */
			return new WP_Error( 'probe_failed', sprintf( __( 'The site answered its own request with HTTP %d.', 'meet-for-kivicare' ), $status ) );
		}
		delete_option( self::FAILURE_OPTION );
		return true;
	}
}
