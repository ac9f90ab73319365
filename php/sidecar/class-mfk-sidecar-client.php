<?php
/**
 * Signed HTTP calls to the sidecar (docs/sidecar-api.md).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Client for the sidecar's HTTP API. Never logs request or response bodies.
 */
class MFK_Sidecar_Client {

	/** Default timeout of a call, in seconds. */
	const DEFAULT_TIMEOUT = 5.0;

	/**
	 * Shared instance built from the settings.
	 *
	 * @var MFK_Sidecar_Client|null
	 */
	private static $instance = null;

	/**
	 * Base URL without trailing slash.
	 *
	 * @var string
	 */
	private $base_url;

	/**
	 * Shared HMAC secret.
	 *
	 * @var string
	 */
	private $secret;

	/**
	 * Scheme://host:port of $base_url, used to scope the loopback exemptions.
	 *
	 * @var string
	 */
	private $origin;

	/**
	 * Headers naming this site to a hosted sidecar (none for the site's own sidecar).
	 *
	 * @var array<string,string>
	 */
	private $site_headers = array();

	/**
	 * Why signed calls cannot be made with the configured enrolment key, if so.
	 *
	 * @var WP_Error|null
	 */
	private $enrolment_error = null;

	/**
	 * Builds a client; without arguments it uses the settings (constants first). With an
	 * enrolment key (a hosted sidecar) calls are signed with the key's secret and name the
	 * site; otherwise with the shared secret.
	 *
	 * @param string|null $base_url      Sidecar base URL.
	 * @param string|null $secret        Shared secret.
	 * @param string|null $enrolment_key Enrolment key of a hosted sidecar.
	 */
	public function __construct( ?string $base_url = null, ?string $secret = null, ?string $enrolment_key = null ) {
		$this->base_url = untrailingslashit( $base_url ?? MFK_Settings::sidecar_url() );
		$this->secret   = $secret ?? MFK_Settings::sidecar_secret();
		$this->origin   = self::origin_of( $this->base_url );
		$enrolment_key  = trim( $enrolment_key ?? MFK_Settings::sidecar_enrolment_key() );
		if ( '' !== $enrolment_key ) {
			$checked = MFK_Enrolment::check( $enrolment_key, MFK_Site::id() );
			$parts   = MFK_Enrolment::parse( $enrolment_key );
			if ( is_wp_error( $checked ) || null === $parts ) {
				$this->enrolment_error = is_wp_error( $checked ) ? $checked : null;
				return;
			}
			$this->secret       = $parts['secret'];
			$this->site_headers = array(
				'X-MFK-Site'   => $parts['site_id'],
				'X-MFK-Key-Id' => $parts['kid'],
			);
		}
	}

	/**
	 * Whether calls go to a hosted sidecar (an enrolment key is configured).
	 */
	public function is_hosted(): bool {
		return array() !== $this->site_headers || null !== $this->enrolment_error;
	}

	/**
	 * Client configured from the settings (rebuilt after reset()).
	 */
	public static function instance(): self {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Drops the shared instance (settings changed).
	 */
	public static function reset(): void {
		self::$instance = null;
	}

	/**
	 * Signed POST. Returns the decoded answer, or a WP_Error carrying the sidecar's
	 * code and `data.status` / `data.retryable`; transport failures are
	 * `sidecar_unavailable`.
	 *
	 * @param string              $route Path such as /v1/meetings/ensure.
	 * @param array<string,mixed> $body  JSON body.
	 * @param array<string,mixed> $args  `timeout` (seconds, float), `doctor_id` (store
	 *                                   a returned `credential` for this doctor).
	 * @return array<string,mixed>|WP_Error
	 */
	public function post( string $route, array $body, array $args = array() ) {
		$answer = $this->request( 'POST', $route, $body, (float) ( $args['timeout'] ?? self::DEFAULT_TIMEOUT ) );
		if ( is_wp_error( $answer ) ) {
			MFK_Sealing_Status::note_error( $answer, (int) ( $args['doctor_id'] ?? 0 ) );
		} elseif ( ! empty( $args['doctor_id'] ) && isset( $answer['credential'] ) && is_string( $answer['credential'] ) ) {
			MFK_Doctor_Connection::store_credential( (int) $args['doctor_id'], $answer['credential'] );
		}
		return $answer;
	}

	/**
	 * Runs operations through POST /v1/batch. Each operation may carry `_doctor_id`
	 * (stripped before sending) so a returned credential is stored for that doctor.
	 *
	 * @param array<int,array<string,mixed>> $operations Operations with `op` and `id`.
	 * @param float                          $timeout    Seconds.
	 * @return array<string,array{ok:bool,result?:array<string,mixed>,error?:WP_Error}>|WP_Error
	 *         Results keyed by operation id.
	 */
	public function batch( array $operations, float $timeout ) {
		$doctors = array();
		$send    = array();
		foreach ( $operations as $operation ) {
			$doctors[ (string) $operation['id'] ] = (int) ( $operation['_doctor_id'] ?? 0 );
			unset( $operation['_doctor_id'] );
			$send[] = $operation;
		}
		$answer = $this->request( 'POST', '/v1/batch', array( 'operations' => $send ), $timeout );
		if ( is_wp_error( $answer ) ) {
			MFK_Sealing_Status::note_error( $answer, 0 );
			return $answer;
		}
		if ( ! isset( $answer['results'] ) || ! is_array( $answer['results'] ) ) {
			return new WP_Error( 'sidecar_unavailable', __( 'The sidecar sent a malformed batch answer.', 'meet-for-kivicare' ), array( 'status' => 502, 'retryable' => true ) );
		}
		$results = array();
		foreach ( $answer['results'] as $item ) {
			if ( ! is_array( $item ) || ! isset( $item['id'] ) ) {
				continue;
			}
			$id = (string) $item['id'];
			if ( ! empty( $item['ok'] ) && isset( $item['result'] ) && is_array( $item['result'] ) ) {
				if ( ! empty( $doctors[ $id ] ) && isset( $item['result']['credential'] ) && is_string( $item['result']['credential'] ) ) {
					MFK_Doctor_Connection::store_credential( $doctors[ $id ], $item['result']['credential'] );
				}
				$results[ $id ] = array(
					'ok'     => true,
					'result' => $item['result'],
				);
			} else {
				$results[ $id ] = array(
					'ok'    => false,
					'error' => self::error_from_body( is_array( $item['error'] ?? null ) ? $item['error'] : array(), 500 ),
				);
				MFK_Sealing_Status::note_error( $results[ $id ]['error'], $doctors[ $id ] ?? 0 );
			}
		}
		return $results;
	}

	/**
	 * Unsigned GET of /healthz or /readyz.
	 *
	 * @param string $route   Path.
	 * @param float  $timeout Seconds.
	 * @return array<string,mixed>|WP_Error
	 */
	public function probe( string $route, float $timeout = 2.0 ) {
		return $this->request( 'GET', $route, null, $timeout, false );
	}

	/**
	 * Canonical-string signature (docs/sidecar-api.md, "Signing").
	 *
	 * @param string $method    HTTP method.
	 * @param string $path      Path with query string, exactly as sent.
	 * @param string $raw_body  Raw body bytes ('' when none).
	 * @param int    $timestamp Unix seconds.
	 * @param string $nonce     Random nonce.
	 */
	public function sign( string $method, string $path, string $raw_body, int $timestamp, string $nonce ): string {
		$canonical = implode(
			"\n",
			array( 'v1', strtoupper( $method ), $path, (string) $timestamp, $nonce, hash( 'sha256', $raw_body ) )
		);
		return 'v1=' . hash_hmac( 'sha256', $canonical, $this->secret );
	}

	/**
	 * Performs one HTTP call.
	 *
	 * @param string                   $method  GET or POST.
	 * @param string                   $route   Path below the base URL.
	 * @param array<string,mixed>|null $body    JSON body or null.
	 * @param float                    $timeout Seconds.
	 * @param bool                     $signed  Whether to sign.
	 * @return array<string,mixed>|WP_Error
	 */
	private function request( string $method, string $route, ?array $body, float $timeout, bool $signed = true ) {
		if ( '' === $this->origin ) {
			return new WP_Error( 'not_configured', __( 'The sidecar address is not configured.', 'meet-for-kivicare' ), array( 'status' => 503, 'retryable' => false ) );
		}
		if ( ! MFK_Sidecar_Transport::is_acceptable_url( $this->base_url ) ) {
			return MFK_Sidecar_Transport::insecure_url_error();
		}
		if ( $signed && null !== $this->enrolment_error ) {
			$error = $this->enrolment_error;
			return new WP_Error( 'not_configured', $error->get_error_message(), array( 'status' => 503, 'retryable' => false, 'cause' => $error->get_error_code() ) );
		}
		if ( $signed && '' === $this->secret ) {
			return new WP_Error( 'not_configured', __( 'The sidecar shared secret is not configured.', 'meet-for-kivicare' ), array( 'status' => 503, 'retryable' => false ) );
		}

		$url     = $this->base_url . $route;
		$raw     = null === $body ? '' : (string) wp_json_encode( $body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		$headers = array(
			'Accept' => 'application/json',
		);
		if ( null !== $body ) {
			$headers['Content-Type'] = 'application/json; charset=utf-8';
		}
		if ( $signed ) {
			$timestamp                   = time();
			$nonce                       = bin2hex( random_bytes( 16 ) );
			$path                        = (string) wp_parse_url( $url, PHP_URL_PATH );
			$query                       = (string) wp_parse_url( $url, PHP_URL_QUERY );
			$path                        = '' === $query ? $path : $path . '?' . $query;
			$headers['X-MFK-Timestamp']  = (string) $timestamp;
			$headers['X-MFK-Nonce']      = $nonce;
			$headers['X-MFK-Signature']  = $this->sign( $method, $path, $raw, $timestamp, $nonce );
			$headers                    += $this->site_headers;
		}

		$timeout = max( 0.2, $timeout );
		$this->scope_loopback( true );
		try {
			$response = wp_remote_request(
				$url,
				MFK_Sidecar_Transport::tls_args() + array(
					'method'             => $method,
					'headers'            => $headers,
					'body'               => null === $body ? null : $raw,
					'timeout'            => $timeout,
					'redirection'        => 0,
					'reject_unsafe_urls' => false, // The configured sidecar is on loopback by design.
					'user-agent'         => 'MeetForKiviCare/' . MFK_VERSION . '; WordPress',
					'data_format'        => 'body',
				)
			);
		} finally {
			$this->scope_loopback( false );
		}

		if ( is_wp_error( $response ) ) {
			$blocked = 'http_request_not_executed' === $response->get_error_code();
			$message = $blocked
				? __( 'WordPress blocks requests to the sidecar host (WP_HTTP_BLOCK_EXTERNAL): add it to WP_ACCESSIBLE_HOSTS.', 'meet-for-kivicare' )
				: __( 'The Meet sidecar could not be reached.', 'meet-for-kivicare' );
			$cause   = $blocked ? 'blocked' : MFK_Sidecar_Transport::cause( $response->get_error_message() );
			return new WP_Error( 'sidecar_unavailable', $message, array( 'status' => 503, 'retryable' => true, 'cause' => $cause ) );
		}

		$status  = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( $status >= 200 && $status < 300 ) {
			if ( ! is_array( $decoded ) ) {
				return new WP_Error( 'sidecar_unavailable', __( 'The sidecar sent an answer that is not JSON.', 'meet-for-kivicare' ), array( 'status' => 502, 'retryable' => true ) );
			}
			return $decoded;
		}
		if ( is_array( $decoded ) && isset( $decoded['code'] ) && is_string( $decoded['code'] ) ) {
			return self::error_from_body( $decoded, $status );
		}
		if ( is_array( $decoded ) && 'GET' === $method ) {
			// /readyz answers 503 with its checks: hand them to the caller.
			return new WP_Error( 'sidecar_not_ready', __( 'The sidecar is not ready.', 'meet-for-kivicare' ), array( 'status' => $status, 'retryable' => true, 'checks' => $decoded ) );
		}
		// Something other than the sidecar answered (proxy, wrong port).
		return new WP_Error( 'sidecar_unavailable', __( 'The sidecar address answered with an unexpected response.', 'meet-for-kivicare' ), array( 'status' => 502, 'retryable' => true ) );
	}

	/**
	 * Turns the sidecar's error body into a WP_Error.
	 *
	 * @param array<string,mixed> $body   `{code, message, data}`.
	 * @param int                 $status HTTP status.
	 */
	public static function error_from_body( array $body, int $status ): WP_Error {
		$code = isset( $body['code'] ) && is_string( $body['code'] ) && '' !== $body['code'] ? $body['code'] : 'internal_error';
		$data = isset( $body['data'] ) && is_array( $body['data'] ) ? $body['data'] : array();
		$data = array(
			'status'    => (int) ( $data['status'] ?? $status ),
			'retryable' => (bool) ( $data['retryable'] ?? false ),
		) + array_intersect_key( $data, array_flip( array( 'retryAfterMs', 'errors', 'sealed', 'kid', 'reason', 'serverTime', 'googleStart', 'googleEnd', 'etag' ) ) );
		$message = isset( $body['message'] ) && is_string( $body['message'] ) ? $body['message'] : $code;
		return new WP_Error( $code, $message, $data );
	}

	/**
	 * Loopback exemptions, added only for the duration of one call and only for the
	 * configured sidecar origin: no proxy, and not "external" for WordPress' checks.
	 *
	 * @param bool $on Add or remove.
	 */
	private function scope_loopback( bool $on ): void {
		if ( $on ) {
			add_filter( 'pre_http_send_through_proxy', array( $this, 'filter_proxy' ), 10, 2 );
			add_filter( 'http_request_host_is_external', array( $this, 'filter_is_external' ), 10, 3 );
		} else {
			remove_filter( 'pre_http_send_through_proxy', array( $this, 'filter_proxy' ), 10 );
			remove_filter( 'http_request_host_is_external', array( $this, 'filter_is_external' ), 10 );
		}
	}

	/**
	 * Never send sidecar calls through an HTTP proxy.
	 *
	 * @param bool|null $send Current decision.
	 * @param string    $uri  Request URL.
	 * @return bool|null
	 */
	public function filter_proxy( $send, $uri ) {
		return self::origin_of( (string) $uri ) === $this->origin ? false : $send;
	}

	/**
	 * Treat the sidecar host as allowed for safe-URL checks.
	 *
	 * @param bool   $external Current decision.
	 * @param string $host     Host.
	 * @param string $url      URL.
	 */
	public function filter_is_external( $external, $host, $url ): bool {
		return self::origin_of( (string) $url ) === $this->origin ? true : (bool) $external;
	}

	/**
	 * scheme://host:port of a URL ('' when not a URL).
	 *
	 * @param string $url URL.
	 */
	private static function origin_of( string $url ): string {
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) || empty( $parts['scheme'] ) ) {
			return '';
		}
		$port = $parts['port'] ?? ( 'https' === strtolower( $parts['scheme'] ) ? 443 : 80 );
		return strtolower( $parts['scheme'] ) . '://' . strtolower( $parts['host'] ) . ':' . $port;
	}
}
