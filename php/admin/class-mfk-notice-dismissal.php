<?php
/**
 * Admin notices a user has dismissed. Each notice has a key (its cause) and a signature (what it
 * says about that cause, e.g. which doctors must reconnect): dismissing hides it for that user
 * only, until the signature changes, so a new doctor or a new failed meeting brings it back.
 * WordPress's own "Dismiss" button (`.is-dismissible`) sends the dismissal through admin-ajax.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Per-user dismissal of the plugin's notices.
 */
final class MFK_Notice_Dismissal {

	/** User meta: notice key => signature dismissed. */
	const META = 'mfk_dismissed_notices';

	/** admin-ajax action and nonce action. */
	const ACTION = 'mfk_dismiss_notice';

	/**
	 * Whether a notice was printed in this request (the dismiss script is needed).
	 *
	 * @var bool
	 */
	private static $printed = false;

	/**
	 * Whether the user dismissed this notice as it reads now.
	 *
	 * @param int    $user_id   User.
	 * @param string $key       Notice key.
	 * @param string $signature What the notice says.
	 */
	public static function is_dismissed( int $user_id, string $key, string $signature ): bool {
		$dismissed = (array) get_user_meta( $user_id, self::META, true );
		return isset( $dismissed[ $key ] ) && hash_equals( (string) $dismissed[ $key ], self::hash( $signature ) );
	}

	/**
	 * Records a dismissal.
	 *
	 * @param int    $user_id   User.
	 * @param string $key       Notice key.
	 * @param string $hash      Hashed signature, as printed with the notice.
	 */
	public static function dismiss( int $user_id, string $key, string $hash ): void {
		$dismissed = array_filter( (array) get_user_meta( $user_id, self::META, true ), 'is_string' );
		// A user dismisses a handful of causes; keep the meta small whatever is sent.
		$dismissed[ $key ] = $hash;
		update_user_meta( $user_id, self::META, array_slice( $dismissed, -20, null, true ) );
	}

	/**
	 * The signature as stored and printed.
	 *
	 * @param string $signature Signature.
	 */
	public static function hash( string $signature ): string {
		return substr( hash( 'sha256', $signature ), 0, 16 );
	}

	/**
	 * Prints one dismissible notice unless this user dismissed it.
	 *
	 * @param string $type      error|warning|info.
	 * @param string $key       Notice key (its cause).
	 * @param string $signature What it says about the cause.
	 * @param string $message   Text.
	 * @param string $url       Where the cause is fixed ('' for none).
	 * @param string $link_text Text of that link.
	 */
	public static function notice( string $type, string $key, string $signature, string $message, string $url = '', string $link_text = '' ): void {
		$user_id = get_current_user_id();
		if ( $user_id <= 0 || self::is_dismissed( $user_id, $key, $signature ) ) {
			return;
		}
		self::$printed = true;
		printf(
			'<div class="notice notice-%1$s is-dismissible mfk-notice" data-mfk-notice="%2$s" data-mfk-signature="%3$s"><p>%4$s%5$s</p></div>',
			esc_attr( $type ),
			esc_attr( $key ),
			esc_attr( self::hash( $signature ) ),
			esc_html( $message ),
			'' !== $url ? sprintf( ' <a href="%1$s">%2$s</a>', esc_url( $url ), esc_html( $link_text ) ) : ''
		);
	}

	/**
	 * `admin_footer`: the few lines that send a click on a notice's "Dismiss" to admin-ajax.
	 */
	public static function print_script(): void {
		if ( ! self::$printed ) {
			return;
		}
		$script = sprintf(
			'document.addEventListener("click",function(e){var b=e.target&&e.target.closest&&e.target.closest(".mfk-notice .notice-dismiss");if(!b){return;}var n=b.closest(".mfk-notice");var d=new URLSearchParams({action:%1$s,notice:n.getAttribute("data-mfk-notice"),signature:n.getAttribute("data-mfk-signature"),_ajax_nonce:%2$s});window.fetch(%3$s,{method:"POST",credentials:"same-origin",body:d});});',
			wp_json_encode( self::ACTION ),
			wp_json_encode( wp_create_nonce( self::ACTION ) ),
			wp_json_encode( admin_url( 'admin-ajax.php' ) )
		);
		wp_print_inline_script_tag( $script );
	}

	/**
	 * `wp_ajax_mfk_dismiss_notice`.
	 */
	public static function handle_ajax(): void {
		check_ajax_referer( self::ACTION );
		$key  = isset( $_POST['notice'] ) ? sanitize_key( wp_unslash( $_POST['notice'] ) ) : '';
		$hash = isset( $_POST['signature'] ) ? sanitize_key( wp_unslash( $_POST['signature'] ) ) : '';
		if ( '' === $key || ! preg_match( '/^[0-9a-f]{16}$/', $hash ) || strlen( $key ) > 64 ) {
			wp_send_json_error( null, 400 );
		}
		self::dismiss( get_current_user_id(), $key, $hash );
		wp_send_json_success();
	}
}
