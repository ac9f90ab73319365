<?php
/**
 * The doctor's Google OAuth round trip: consent URL with a single-use `state`, and
 * the callback (`admin-post.php?action=mfk_oauth_callback`) that checks it, exchanges
 * the code through the sidecar and sends the doctor back to where they started.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * OAuth connect flow for doctors.
 *
 * The `state` sent to Google is `<token>.<nonce>`:
 * - `token` is 32 random characters; only its SHA-256 is stored, in the starting
 *   user's meta, with an expiry (15 minutes) and the page to return to. Deleting that
 *   meta row is what makes the state single-use (one DELETE succeeds, a replay finds
 *   nothing).
 * - `nonce` is `wp_create_nonce()` over the token, so the state also only verifies in
 *   the browser session of the user who started the flow.
 * A state made for another user is not in the current user's meta and its nonce does
 * not verify: it is refused like a forged one, and nothing changes.
 */
final class MFK_OAuth {

	/** admin-post action of the redirect URI (its handlers are hooked in php/plugin/hooks.php). */
	const ACTION = 'mfk_oauth_callback';

	/** User meta (several rows per user) holding pending flows. */
	const META_STATE = 'mfk_oauth_state';

	/** How long a started flow stays valid. */
	const TTL = 15 * MINUTE_IN_SECONDS;

	/** At most this many flows may be pending per user; older ones are dropped. */
	const MAX_PENDING = 5;

	/** Flow started from the plugin's screens: back with `mfk_connected=1`. */
	const FLOW_PLUGIN = 'mfk';

	/** Flow started from KiviCare's dashboard: back with `google_meet_connected=1` too. */
	const FLOW_KIVICARE = 'kivicare';

	/** Also ask what choosing a calendar needs (incremental consent). */
	const ACCESS_CALENDARS = 'calendars';

	/** Also ask the doctor's busy times (incremental consent, MFK_Busy_Times). */
	const ACCESS_BUSY = 'busy';

	/**
	 * The redirect URI to register in the Google Cloud console (per site).
	 */
	public static function redirect_uri(): string {
		return admin_url( 'admin-post.php?action=' . self::ACTION );
	}

	/**
	 * Whether a user is a KiviCare doctor (role `kiviCare_doctor`).
	 *
	 * @param int $user_id User.
	 */
	public static function is_doctor( int $user_id ): bool {
		$user    = $user_id > 0 ? get_userdata( $user_id ) : false;
		$doctor  = $user && in_array( 'kiviCare_doctor', (array) $user->roles, true );
		/**
		 * Filters whether a user counts as a doctor who can connect Google.
		 *
		 * @param bool $doctor  Decision.
		 * @param int  $user_id User.
		 */
		return (bool) apply_filters( 'mfk_is_doctor', $doctor, $user_id );
	}

	/**
	 * Starts a flow for the current user: records the state and asks the sidecar for
	 * the consent URL.
	 *
	 * @param int    $user_id   Current user (must be the doctor connecting themselves).
	 * @param string $return_to Local URL the flow started from.
	 * @param string $flow      FLOW_PLUGIN or FLOW_KIVICARE.
	 * @param string $access    '', ACCESS_CALENDARS or ACCESS_BUSY.
	 * @return string|WP_Error Consent URL.
	 */
	public static function start( int $user_id, string $return_to, string $flow = self::FLOW_PLUGIN, string $access = '' ) {
		if ( $user_id <= 0 || get_current_user_id() !== $user_id ) {
			return new WP_Error( 'rest_forbidden', __( 'Only the doctor can connect their own Google account.', 'meet-for-kivicare' ), array( 'status' => 403 ) );
		}
		if ( ! self::is_doctor( $user_id ) ) {
			return new WP_Error( 'rest_forbidden', __( 'Only doctors can connect a Google account.', 'meet-for-kivicare' ), array( 'status' => 403 ) );
		}
		$token = wp_generate_password( 32, false, false );
		$nonce = wp_create_nonce( self::nonce_action( $token ) );
		$state = $token . '.' . $nonce;

		self::prune( $user_id );
		add_user_meta(
			$user_id,
			self::META_STATE,
			array(
				'hash'    => hash( 'sha256', $token ),
				'expires' => time() + self::TTL,
				'return'  => self::safe_return_url( $return_to ),
				'flow'    => self::FLOW_KIVICARE === $flow ? self::FLOW_KIVICARE : self::FLOW_PLUGIN,
			)
		);

		$url = MFK_Doctor_Connection::authorization_url( $user_id, self::redirect_uri(), $state, $access );
		if ( is_wp_error( $url ) ) {
			self::consume( $user_id, $token );
		}
		return $url;
	}

	/**
	 * KiviCare's provider asks for a consent URL (`get_authorization_url()`).
	 *
	 * @param string $url       URL so far.
	 * @param int    $doctor_id Doctor.
	 */
	public static function filter_provider_authorization_url( $url, $doctor_id ): string {
		if ( '' !== (string) $url || (int) $doctor_id !== get_current_user_id() ) {
			return (string) $url;
		}
		$result = self::start( (int) $doctor_id, (string) wp_get_referer(), self::FLOW_KIVICARE );
		return is_wp_error( $result ) ? '' : $result;
	}

	/**
	 * Google sent a logged-out browser back: the state cannot be checked without the
	 * session that started the flow, so nothing is stored.
	 */
	public static function handle_logged_out_callback(): void {
		wp_die(
			esc_html__( 'Your WordPress session ended before Google sent you back. Log in and connect your Google account again.', 'meet-for-kivicare' ),
			esc_html__( 'Google connection not completed', 'meet-for-kivicare' ),
			array(
				'response'  => 401,
				'link_url'  => esc_url( wp_login_url() ),
				'link_text' => esc_html__( 'Log in', 'meet-for-kivicare' ),
			)
		);
	}

	/**
	 * admin-post handler: verifies the state, then exchanges the code.
	 */
	public static function handle_callback(): void {
		$result = self::complete( get_current_user_id(), self::query_args() );
		if ( isset( $result['die'] ) ) {
			wp_die(
				esc_html( $result['die'] ),
				esc_html__( 'Google connection not completed', 'meet-for-kivicare' ),
				array(
					'response'  => 403,
					'link_url'  => esc_url( admin_url() ),
					'link_text' => esc_html__( 'Back to the dashboard', 'meet-for-kivicare' ),
				)
			);
		}
		wp_safe_redirect( $result['redirect'], 302, 'Meet for KiviCare' );
		exit;
	}

	/**
	 * Callback logic, separate from the HTTP plumbing.
	 *
	 * @param int                  $user_id Current user.
	 * @param array<string,string> $query   `state`, `code`, `error`.
	 * @return array{die?:string,redirect?:string,code?:string}
	 */
	public static function complete( int $user_id, array $query ): array {
		$state = (string) ( $query['state'] ?? '' );
		if ( ! preg_match( '/^([A-Za-z0-9]{32})\.([0-9a-f]{10})$/', $state, $parts ) ) {
			return array( 'die' => __( 'This Google sign-in answer is not valid for your account. Start the connection again from your profile.', 'meet-for-kivicare' ) );
		}
		list( , $token, $nonce ) = $parts;

		$record = self::find( $user_id, $token );
		if ( null === $record || ! wp_verify_nonce( $nonce, self::nonce_action( $token ) ) ) {
			// Forged, already used, or started by another user.
			return array( 'die' => __( 'This Google sign-in answer is not valid for your account, or it was already used. Start the connection again from your profile.', 'meet-for-kivicare' ) );
		}
		if ( ! self::consume( $user_id, $token ) ) {
			return array( 'die' => __( 'This Google sign-in answer was already used. Start the connection again from your profile.', 'meet-for-kivicare' ) );
		}
		if ( (int) $record['expires'] < time() ) {
			return array( 'die' => __( 'The Google sign-in took longer than 15 minutes and has expired. Start the connection again from your profile.', 'meet-for-kivicare' ) );
		}

		$back = '' !== (string) $record['return'] ? (string) $record['return'] : self::default_return_url();
		if ( ! empty( $query['error'] ) ) {
			$code = 'access_denied' === $query['error'] ? 'access_denied' : 'google_error';
			return array(
				'redirect' => add_query_arg( 'mfk_error', $code, $back ),
				'code'     => $code,
			);
		}
		$code = (string) ( $query['code'] ?? '' );
		if ( '' === $code || strlen( $code ) > 2048 ) {
			return array(
				'redirect' => add_query_arg( 'mfk_error', 'invalid_request', $back ),
				'code'     => 'invalid_request',
			);
		}

		$connected = MFK_Doctor_Connection::connect_from_code( $user_id, $code, self::redirect_uri() );
		if ( is_wp_error( $connected ) ) {
			$error = sanitize_key( (string) $connected->get_error_code() );
			return array(
				'redirect' => add_query_arg( 'mfk_error', $error, $back ),
				'code'     => $error,
			);
		}
		$args = array( 'mfk_connected' => '1' );
		if ( self::FLOW_KIVICARE === $record['flow'] ) {
			$args['google_meet_connected'] = '1';
		}
		return array(
			'redirect' => add_query_arg( $args, remove_query_arg( array( 'mfk_error', 'mfk_connected', 'google_meet_connected' ), $back ) ),
			'code'     => 'connected',
		);
	}

	/**
	 * A local URL to come back to: same host as the site, else the default.
	 *
	 * @param string $url Candidate.
	 */
	public static function safe_return_url( string $url ): string {
		$url = trim( $url );
		if ( '' === $url ) {
			return self::default_return_url();
		}
		if ( '/' === $url[0] && ( ! isset( $url[1] ) || '/' !== $url[1] ) ) {
			$url = home_url( $url );
		}
		$valid = wp_validate_redirect( $url, '' );
		if ( '' === $valid || ! preg_match( '#^https?://#i', $valid ) ) {
			return self::default_return_url();
		}
		return remove_query_arg( array( 'mfk_error', 'mfk_connected', 'google_meet_connected' ), $valid );
	}

	/**
	 * Where a flow without a (valid) starting page returns.
	 */
	public static function default_return_url(): string {
		/**
		 * Filters the page doctors return to after connecting Google when the flow did
		 * not name one.
		 *
		 * @param string $url The doctor's Google connection screen in wp-admin.
		 */
		return (string) apply_filters( 'mfk_oauth_default_return_url', class_exists( 'MFK_Admin_Page' ) ? MFK_Admin_Page::connection_url() : admin_url( 'profile.php' ) );
	}

	/**
	 * Callback query arguments (sanitized).
	 *
	 * @return array<string,string>
	 */
	private static function query_args(): array {
		$out = array();
		foreach ( array( 'state', 'code', 'error' ) as $key ) {
			// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the state carries its own nonce, verified in complete().
			$out[ $key ] = isset( $_GET[ $key ] ) && is_string( $_GET[ $key ] ) ? sanitize_text_field( wp_unslash( $_GET[ $key ] ) ) : '';
		}
		return $out;
	}

	/**
	 * Nonce action bound to one flow.
	 *
	 * @param string $token Random token.
	 */
	private static function nonce_action( string $token ): string {
		return 'mfk_oauth|' . $token;
	}

	/**
	 * The pending record of a token, if this user has it.
	 *
	 * @param int    $user_id User.
	 * @param string $token   Token.
	 * @return array{hash:string,expires:int,return:string,flow:string}|null
	 */
	private static function find( int $user_id, string $token ): ?array {
		if ( $user_id <= 0 ) {
			return null;
		}
		$hash = hash( 'sha256', $token );
		foreach ( (array) get_user_meta( $user_id, self::META_STATE, false ) as $record ) {
			if ( is_array( $record ) && isset( $record['hash'] ) && hash_equals( (string) $record['hash'], $hash ) ) {
				return $record + array(
					'expires' => 0,
					'return'  => '',
					'flow'    => self::FLOW_PLUGIN,
				);
			}
		}
		return null;
	}

	/**
	 * Deletes a token's record. Only one caller can succeed (one DELETE finds the row).
	 *
	 * @param int    $user_id User.
	 * @param string $token   Token.
	 */
	private static function consume( int $user_id, string $token ): bool {
		$record = self::find( $user_id, $token );
		if ( null === $record ) {
			return false;
		}
		$stored = null;
		foreach ( (array) get_user_meta( $user_id, self::META_STATE, false ) as $candidate ) {
			if ( is_array( $candidate ) && ( $candidate['hash'] ?? '' ) === $record['hash'] ) {
				$stored = $candidate;
				break;
			}
		}
		return null !== $stored && delete_user_meta( $user_id, self::META_STATE, $stored );
	}

	/**
	 * Drops expired records and keeps at most MAX_PENDING - 1 others, so a new one fits.
	 *
	 * @param int $user_id User.
	 */
	private static function prune( int $user_id ): void {
		$records = array_values( array_filter( (array) get_user_meta( $user_id, self::META_STATE, false ), 'is_array' ) );
		usort(
			$records,
			static function ( $a, $b ) {
				return (int) ( $b['expires'] ?? 0 ) <=> (int) ( $a['expires'] ?? 0 );
			}
		);
		foreach ( $records as $index => $record ) {
			if ( (int) ( $record['expires'] ?? 0 ) < time() || $index >= self::MAX_PENDING - 1 ) {
				delete_user_meta( $user_id, self::META_STATE, $record );
			}
		}
	}
}
