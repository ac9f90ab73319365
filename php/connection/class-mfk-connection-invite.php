<?php
/**
 * A link e-mailed to a doctor to connect (or reconnect) their Google account, sent from the
 * doctors' table by an administrator or by the clinic admin of one of the doctor's clinics.
 *
 * The link (`admin-post.php?action=mfk_connect_invite&doctor=<id>&invite=<token>`) never signs
 * anyone in: the doctor signs in to WordPress as usual (or already is), and only then does it
 * start the ordinary OAuth flow (MFK_OAuth::start) and send them to Google's consent page,
 * pre-filled with the account they connected before. It is bound to the doctor (another
 * WordPress account is refused and the link stays usable by its doctor), works once (only the
 * token's SHA-256 is kept, in the doctor's meta; deleting that row is what consumes it), expires
 * after TTL, and a new link replaces the previous one.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Connection links e-mailed to doctors.
 */
final class MFK_Connection_Invite {

	/** admin-post action of the link. */
	const ACTION = 'mfk_connect_invite';

	/** Doctor's user meta: `hash`, `expires`, `by`. */
	const META = 'mfk_connect_invite';

	/** How long a link works. */
	const TTL = 3 * DAY_IN_SECONDS;

	/**
	 * Whether a user may send this doctor a link: administrators for every doctor, a clinic
	 * admin for the doctors of the clinics they run.
	 *
	 * @param int $user_id   User.
	 * @param int $doctor_id Doctor.
	 */
	public static function can_invite( int $user_id, int $doctor_id ): bool {
		if ( $user_id <= 0 || ! MFK_OAuth::is_doctor( $doctor_id ) ) {
			return false;
		}
		return MFK_Access::is_admin( $user_id ) || MFK_Clinic_Staff::works_with( $user_id, $doctor_id, true );
	}

	/**
	 * When the doctor's current link expires (0 when there is none that still works).
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function pending_until( int $doctor_id ): int {
		$record  = get_user_meta( $doctor_id, self::META, true );
		$expires = is_array( $record ) ? (int) ( $record['expires'] ?? 0 ) : 0;
		return $expires > time() ? $expires : 0;
	}

	/**
	 * Creates a link for the doctor (replacing any earlier one) and e-mails it.
	 *
	 * @param int $doctor_id Doctor.
	 * @param int $by        User sending it.
	 * @return array{doctor_id:int,expires_at:string}|WP_Error
	 */
	public static function send( int $doctor_id, int $by ) {
		$doctor = get_userdata( $doctor_id );
		if ( ! $doctor || ! is_email( $doctor->user_email ) ) {
			return new WP_Error( 'doctor_without_email', __( 'This doctor has no valid e-mail address in WordPress.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		$token   = wp_generate_password( 32, false, false );
		$expires = time() + self::TTL;
		$record  = array(
			'hash'    => hash( 'sha256', $token ),
			'expires' => $expires,
			'by'      => $by,
		);
		update_user_meta( $doctor_id, self::META, $record );
		$url = add_query_arg(
			array(
				'action' => self::ACTION,
				'doctor' => $doctor_id,
				'invite' => $token,
			),
			admin_url( 'admin-post.php' )
		);
		if ( ! self::mail( $doctor, $url, $expires, $by ) ) {
			delete_user_meta( $doctor_id, self::META, $record );
			return new WP_Error( 'mail_failed', __( 'WordPress could not send the e-mail. Check that this site can send e-mail, then try again.', 'meet-for-kivicare' ), array( 'status' => 502 ) );
		}
		return array(
			'doctor_id'  => $doctor_id,
			'expires_at' => gmdate( 'c', $expires ),
		);
	}

	/**
	 * The e-mail: who asks, which Google account to use again, what the link does and until when.
	 *
	 * @param WP_User $doctor  Doctor.
	 * @param string  $url     The link.
	 * @param int     $expires Unix time.
	 * @param int     $by      Sender.
	 */
	private static function mail( WP_User $doctor, string $url, int $expires, int $by ): bool {
		$site      = wp_specialchars_decode( (string) get_bloginfo( 'name' ), ENT_QUOTES );
		$status    = MFK_Doctor_Connection::get( (int) $doctor->ID );
		$reconnect = MFK_Doctor_Connection::STATUS_DISCONNECTED !== $status['status'] && '' !== $status['email'];
		$sender    = get_userdata( $by );
		$lines     = array(
			/* translators: %s: doctor's name. */
			sprintf( __( 'Hello %s,', 'meet-for-kivicare' ), $doctor->display_name ),
			'',
			$reconnect
				/* translators: 1: who sends the link, 2: site name, 3: Google account e-mail. */
				? sprintf( __( '%1$s asks you to reconnect your Google account on %2$s, so that your video consultations get their Google Meet links. Use the same Google account as before: %3$s.', 'meet-for-kivicare' ), $sender ? $sender->display_name : $site, $site, $status['email'] )
				/* translators: 1: who sends the link, 2: site name. */
				: sprintf( __( '%1$s asks you to connect your Google account on %2$s, so that your video consultations get Google Meet links.', 'meet-for-kivicare' ), $sender ? $sender->display_name : $site, $site ),
			'',
			__( 'Open this link, sign in to WordPress as usual if you are asked to, then allow access on Google\'s page:', 'meet-for-kivicare' ),
			$url,
			'',
			/* translators: %s: date and time. */
			sprintf( __( 'The link works once, for your account only, until %s. It does not sign you in.', 'meet-for-kivicare' ), wp_date( get_option( 'date_format', 'F j, Y' ) . ' ' . get_option( 'time_format', 'g:i a' ) . ' T', $expires ) ),
		);
		$subject = $reconnect
			/* translators: %s: site name. */
			? sprintf( __( 'Reconnect your Google account for video consultations at %s', 'meet-for-kivicare' ), $site )
			/* translators: %s: site name. */
			: sprintf( __( 'Connect your Google account for video consultations at %s', 'meet-for-kivicare' ), $site );
		return (bool) wp_mail( $doctor->user_email, $subject, implode( "\n", $lines ), array( 'Content-Type: text/plain; charset=UTF-8' ) );
	}

	/**
	 * Opening the link while signed in: checks it, consumes it, starts the OAuth flow.
	 *
	 * @param int    $user_id   Signed-in user.
	 * @param int    $doctor_id Doctor the link was sent to.
	 * @param string $token     Token.
	 * @return array{redirect?:string,die?:string,status?:int}
	 */
	public static function open( int $user_id, int $doctor_id, string $token ): array {
		if ( $doctor_id !== $user_id ) {
			return array(
				'die'    => __( 'This link was sent to another doctor. Sign out, then sign in with the WordPress account the e-mail was sent to.', 'meet-for-kivicare' ),
				'status' => 403,
			);
		}
		$record = get_user_meta( $doctor_id, self::META, true );
		$valid  = is_array( $record ) && preg_match( '/^[A-Za-z0-9]{32}$/', $token ) && hash_equals( (string) ( $record['hash'] ?? '' ), hash( 'sha256', $token ) );
		// Deleting the row is what consumes the link: of two clicks, one finds it.
		if ( ! $valid || ! delete_user_meta( $doctor_id, self::META, $record ) ) {
			return array(
				'die'    => __( 'This link was already used, or a newer one was sent. Connect from your Google Meet page instead.', 'meet-for-kivicare' ),
				'status' => 410,
			);
		}
		if ( (int) ( $record['expires'] ?? 0 ) < time() ) {
			return array(
				'die'    => __( 'This link has expired. Connect from your Google Meet page instead, or ask the clinic for a new link.', 'meet-for-kivicare' ),
				'status' => 410,
			);
		}
		$consent = MFK_OAuth::start( $user_id, MFK_Admin_Page::connection_url() );
		if ( is_wp_error( $consent ) ) {
			return array(
				'die'    => $consent->get_error_message(),
				'status' => 502,
			);
		}
		return array( 'redirect' => $consent );
	}

	/**
	 * `admin_post_mfk_connect_invite`.
	 */
	public static function handle(): void {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- the token is the link's own proof, checked in open().
		$doctor_id = isset( $_GET['doctor'] ) ? absint( $_GET['doctor'] ) : 0;
		$token     = isset( $_GET['invite'] ) && is_string( $_GET['invite'] ) ? sanitize_text_field( wp_unslash( $_GET['invite'] ) ) : '';
		// phpcs:enable WordPress.Security.NonceVerification.Recommended
		$result = self::open( get_current_user_id(), $doctor_id, $token );
		if ( isset( $result['redirect'] ) ) {
			// Google's consent page: another host, named by the sidecar.
			wp_redirect( $result['redirect'] ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect
			exit;
		}
		wp_die(
			esc_html( (string) $result['die'] ),
			esc_html__( 'Google connection link', 'meet-for-kivicare' ),
			array(
				'response'  => (int) $result['status'],
				'link_url'  => esc_url( MFK_Admin_Page::connection_url() ),
				'link_text' => esc_html__( 'Your Google Meet page', 'meet-for-kivicare' ),
			)
		);
	}

	/**
	 * `admin_post_nopriv_mfk_connect_invite`: the link signs nobody in; WordPress's own login
	 * comes first and brings the doctor back to it.
	 */
	public static function handle_logged_out(): void {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- only passed on to the login page.
		$back = add_query_arg(
			array(
				'action' => self::ACTION,
				'doctor' => isset( $_GET['doctor'] ) ? absint( $_GET['doctor'] ) : 0,
				'invite' => isset( $_GET['invite'] ) && is_string( $_GET['invite'] ) ? (string) preg_replace( '/[^A-Za-z0-9]/', '', wp_unslash( $_GET['invite'] ) ) : '',
			),
			admin_url( 'admin-post.php' )
		);
		// phpcs:enable WordPress.Security.NonceVerification.Recommended
		wp_safe_redirect( wp_login_url( $back ) );
		exit;
	}
}
