<?php
/**
 * Server-side rendering of the Meet controls (Start / Join Google Meet and the states around
 * them), shared by the block, the shortcode and the dashboard widget, and answered by the
 * REST API for the view script. The markup works without JavaScript; the block's small view
 * script counts down, enables a button when its join window opens, and swaps in a link that
 * was being prepared.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Meet controls renderer.
 */
final class MFK_Meet_View {

	/** Script handle of the view script that block.json registers. */
	const VIEW_SCRIPT = 'meet-for-kivicare-meet-controls-view-script';

	/** Style handle of the front-end style that block.json registers. */
	const STYLE = 'meet-for-kivicare-meet-controls-style';

	/**
	 * Normalizes what the block, the shortcode and the widget pass in.
	 *
	 * @param array<string,mixed> $args `appointment_id`, `scope`, `limit`.
	 * @return array{appointment_id:int,scope:string,limit:int}
	 */
	public static function args( array $args ): array {
		$scope = isset( $args['scope'] ) ? (string) $args['scope'] : 'upcoming';
		return array(
			'appointment_id' => isset( $args['appointment_id'] ) ? absint( $args['appointment_id'] ) : 0,
			'scope'          => in_array( $scope, array( 'upcoming', 'today', 'later' ), true ) ? $scope : 'upcoming',
			'limit'          => max( 1, min( MFK_Viewer_Meetings::MAX_LIMIT, isset( $args['limit'] ) ? absint( $args['limit'] ) : 5 ) ),
		);
	}

	/**
	 * Inner HTML for the current visitor: a sign-in prompt for guests, the meeting of one
	 * appointment, or the visitor's list. '' means "show nothing at all" (a visitor without a
	 * right to the chosen appointment must not learn that it exists).
	 *
	 * @param array<string,mixed> $args See args().
	 * @param int|null            $now  Unix time (tests).
	 */
	public static function render( array $args, ?int $now = null ): string {
		$args = self::args( $args );
		if ( ! is_user_logged_in() ) {
			return self::sign_in_prompt();
		}
		$user_id = get_current_user_id();
		if ( $args['appointment_id'] > 0 ) {
			$meeting = MFK_Viewer_Meetings::one( $args['appointment_id'], $user_id, $now );
			return null === $meeting ? '' : '<ul class="mfk-meet__list">' . self::item( $meeting, $now ?? time() ) . '</ul>';
		}
		$meetings = MFK_Viewer_Meetings::mine( $user_id, $args['scope'], $args['limit'], $now );
		return self::items( $meetings, $args['scope'], $now ?? time() );
	}

	/**
	 * A list of meetings, or a short line saying there are none.
	 *
	 * @param array<int,array<string,mixed>> $meetings Meetings.
	 * @param string                         $scope    upcoming|today|later.
	 * @param int                            $now      Unix time.
	 */
	public static function items( array $meetings, string $scope, int $now ): string {
		if ( ! $meetings ) {
			$empty = 'today' === $scope
				? __( 'No video consultations today.', 'meet-for-kivicare' )
				: __( 'You have no upcoming video consultations.', 'meet-for-kivicare' );
			return '<p class="mfk-meet__empty">' . esc_html( $empty ) . '</p>';
		}
		$html = '';
		foreach ( $meetings as $meeting ) {
			$html .= self::item( $meeting, $now );
		}
		return '<ul class="mfk-meet__list">' . $html . '</ul>';
	}

	/**
	 * One appointment: who and when, then the button or the state that replaces it.
	 *
	 * @param array<string,mixed> $meeting  From MFK_Viewer_Meetings.
	 * @param int                 $now      Unix time.
	 * @param string              $page_url The page showing it ('' = the requested page);
	 *                                      a REST answer renders for the page that asked.
	 */
	public static function item( array $meeting, int $now, string $page_url = '' ): string {
		$state = (string) $meeting['state'];
		$phase = (string) $meeting['phase'];
		$role  = (string) $meeting['role'];

		$parts = array(
			sprintf(
				'<p class="mfk-meet__summary"><span class="mfk-meet__title">%1$s</span> <time class="mfk-meet__when" datetime="%2$s">%3$s</time></p>',
				esc_html( self::title( $meeting ) ),
				esc_attr( gmdate( 'c', MFK_Viewer_Meetings::timestamp( $meeting, 'start' ) ) ),
				esc_html( self::when( MFK_Viewer_Meetings::timestamp( $meeting, 'start' ), (string) $meeting['timezone'] ) )
			),
		);

		if ( MFK_Mappings::STATE_CANCELLED === $state ) {
			$parts[] = MFK_Meet_Status::status( __( 'This appointment was cancelled.', 'meet-for-kivicare' ) );
		} elseif ( MFK_Viewer_Meetings::PHASE_ENDED === $phase ) {
			$parts[] = MFK_Meet_Status::status( __( 'This consultation has ended.', 'meet-for-kivicare' ) );
			$parts[] = MFK_Meet_Panel_Notes::for_meeting( $meeting );
		} elseif ( MFK_Mappings::STATE_READY === $state && isset( $meeting['url'] ) ) {
			$parts[] = self::button( $meeting, $now );
			// The link works; staff also learn that the latest change has not reached Google.
			$parts[] = MFK_Meet_Status::sync_notice( $meeting, $page_url );
			$parts[] = MFK_Meet_Panel_Notes::for_meeting( $meeting );
		} else {
			$parts[] = MFK_Meet_Status::not_ready( $meeting, $state, $page_url );
		}

		return sprintf(
			'<li class="mfk-meet__item is-%1$s is-%2$s" data-mfk-appointment="%3$d" data-mfk-state="%1$s" data-mfk-phase="%2$s" data-mfk-role="%4$s"%5$s>%6$s</li>',
			esc_attr( $state ),
			esc_attr( $phase ),
			(int) $meeting['appointment_id'],
			esc_attr( $role ),
			self::refresh_attributes( $meeting, $state, $phase ),
			implode( '', $parts )
		);
	}

	/**
	 * A link being prepared usually arrives within a minute (the queue's next pass): the view
	 * script asks the REST API for this item again and swaps it in when its state changes, so
	 * a patient waiting on the page sees Join appear. The REST nonce is the one WordPress's own
	 * scripts use for the logged-in visitor.
	 *
	 * @param array<string,mixed> $meeting Meeting.
	 * @param string              $state   Mapping state.
	 * @param string              $phase   Viewer phase.
	 */
	private static function refresh_attributes( array $meeting, string $state, string $phase ): string {
		if ( MFK_Mappings::STATE_PENDING !== $state || MFK_Viewer_Meetings::PHASE_ENDED === $phase ) {
			return '';
		}
		$url = add_query_arg(
			'render',
			'1',
			rest_url( sprintf( '%s/appointments/%d/meeting', MFK_REST::NAMESPACE, (int) $meeting['appointment_id'] ) )
		);
		return sprintf(
			' data-mfk-refresh="%1$s" data-mfk-nonce="%2$s" data-mfk-ready-text="%3$s"',
			esc_url( $url ),
			esc_attr( wp_create_nonce( 'wp_rest' ) ),
			esc_attr__( 'The video link is ready.', 'meet-for-kivicare' )
		);
	}

	/**
	 * Start (doctor and staff) or Join (patient): the same link. Before the join window it is
	 * an inactive link with a countdown; the view script activates it when the window opens,
	 * and a reload does the same without JavaScript.
	 *
	 * @param array<string,mixed> $meeting Meeting.
	 * @param int                 $now     Unix time.
	 */
	private static function button( array $meeting, int $now ): string {
		$label    = MFK_Viewer_Meetings::ROLE_GUEST === $meeting['role']
			? __( 'Join Google Meet', 'meet-for-kivicare' )
			: __( 'Start Google Meet', 'meet-for-kivicare' );
		$new_tab  = '<span class="mfk-visually-hidden"> ' . esc_html__( '(opens in a new tab)', 'meet-for-kivicare' ) . '</span>';
		$open_msg = __( 'The meeting is open.', 'meet-for-kivicare' );
		$window   = (int) $meeting['join_window_minutes'];

		if ( MFK_Viewer_Meetings::PHASE_OPEN === $meeting['phase'] ) {
			return sprintf(
				'<p class="mfk-meet__actions"><a class="mfk-meet__button wp-element-button" href="%1$s" target="_blank" rel="noopener noreferrer">%2$s%3$s</a></p>%4$s',
				esc_url( (string) $meeting['url'] ),
				esc_html( $label ),
				$new_tab,
				MFK_Meet_Status::status( $open_msg )
			);
		}

		$opens_at = MFK_Viewer_Meetings::timestamp( $meeting, 'join_opens_at' );
		$window_text = 0 === $window
			? __( 'You can join at the start time.', 'meet-for-kivicare' )
			/* translators: %d: number of minutes. */
			: sprintf( _n( 'You can join %d minute before the start.', 'You can join %d minutes before the start.', $window, 'meet-for-kivicare' ), $window );
		$countdown = sprintf(
			/* translators: %s: relative time, for example "in 25 minutes". */
			esc_html__( 'Opens %s.', 'meet-for-kivicare' ),
			'<span data-mfk-countdown>' . esc_html( self::relative( $opens_at - $now ) ) . '</span>'
		);
		// An <a> without href is not focusable and not clickable; role and aria-disabled tell
		// assistive technology what it is and why it does nothing yet.
		return sprintf(
			'<p class="mfk-meet__actions"><a class="mfk-meet__button wp-element-button is-disabled" role="link" aria-disabled="true" data-mfk-href="%1$s" data-mfk-opens-at="%2$s" data-mfk-open-text="%3$s">%4$s%5$s</a></p><p class="mfk-meet__status"><span data-mfk-countdown-line>%6$s</span> %7$s</p><p class="mfk-visually-hidden" role="status" data-mfk-live></p>',
			esc_url( (string) $meeting['url'] ),
			esc_attr( gmdate( 'c', $opens_at ) ),
			esc_attr( $open_msg ),
			esc_html( $label ),
			$new_tab,
			$countdown,
			esc_html( $window_text )
		);
	}

	/**
	 * Sign-in prompt for visitors who are not logged in, returning them to this page.
	 */
	public static function sign_in_prompt(): string {
		$uri  = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '';
		$back = '' !== $uri ? home_url( $uri ) : home_url( '/' );
		return sprintf(
			'<p class="mfk-meet__signin"><a class="mfk-meet__link" href="%1$s">%2$s</a></p>',
			esc_url( wp_login_url( $back ) ),
			esc_html__( 'Sign in to join your video consultation.', 'meet-for-kivicare' )
		);
	}

	/**
	 * "Video consultation with …" from the viewer's point of view.
	 *
	 * @param array<string,mixed> $meeting Meeting.
	 */
	private static function title( array $meeting ): string {
		$doctor  = (string) $meeting['doctor_name'];
		$patient = (string) $meeting['patient_name'];
		if ( MFK_Viewer_Meetings::ROLE_GUEST === $meeting['role'] ) {
			/* translators: %s: doctor's name. */
			return '' !== $doctor ? sprintf( __( 'Video consultation with %s', 'meet-for-kivicare' ), $doctor ) : __( 'Video consultation', 'meet-for-kivicare' );
		}
		if ( MFK_Viewer_Meetings::ROLE_HOST === $meeting['role'] ) {
			/* translators: %s: patient's name. */
			return '' !== $patient ? sprintf( __( 'Video consultation with %s', 'meet-for-kivicare' ), $patient ) : __( 'Video consultation', 'meet-for-kivicare' );
		}
		/* translators: 1: doctor's name, 2: patient's name. */
		return sprintf( __( 'Video consultation: %1$s with %2$s', 'meet-for-kivicare' ), $doctor, $patient );
	}

	/**
	 * Date and time in the appointment's own time zone, with the zone named.
	 *
	 * @param int    $timestamp Unix time.
	 * @param string $zone      IANA zone.
	 */
	private static function when( int $timestamp, string $zone ): string {
		$tz = new DateTimeZone( '' !== MFK_Appointments::valid_zone( $zone ) ? $zone : 'UTC' );
		return sprintf(
			/* translators: 1: date, 2: time, 3: time zone name. */
			__( '%1$s at %2$s (%3$s)', 'meet-for-kivicare' ),
			wp_date( (string) get_option( 'date_format', 'F j, Y' ), $timestamp, $tz ),
			wp_date( (string) get_option( 'time_format', 'g:i a' ), $timestamp, $tz ),
			str_replace( '_', ' ', $tz->getName() )
		);
	}

	/**
	 * "in 25 minutes", "in 3 hours", "in 2 days": minutes rounded up (never "in 0 minutes"),
	 * hours and days rounded. The view script words its updates the same way with the
	 * browser's Intl API.
	 *
	 * @param int $seconds Seconds from now.
	 */
	public static function relative( int $seconds ): string {
		$minutes = max( 1, (int) ceil( $seconds / MINUTE_IN_SECONDS ) );
		if ( $minutes < 60 ) {
			/* translators: %d: number of minutes. */
			return sprintf( _n( 'in %d minute', 'in %d minutes', $minutes, 'meet-for-kivicare' ), $minutes );
		}
		$hours = max( 1, (int) round( $seconds / HOUR_IN_SECONDS ) );
		if ( $hours < 48 ) {
			/* translators: %d: number of hours. */
			return sprintf( _n( 'in %d hour', 'in %d hours', $hours, 'meet-for-kivicare' ), $hours );
		}
		$days = max( 2, (int) round( $seconds / DAY_IN_SECONDS ) );
		/* translators: %d: number of days. */
		return sprintf( _n( 'in %d day', 'in %d days', $days, 'meet-for-kivicare' ), $days );
	}

	/**
	 * Front-end assets for renderings outside the block (shortcode, dashboard widget); the
	 * block gets them from block.json.
	 */
	public static function enqueue_assets(): void {
		if ( wp_script_is( self::VIEW_SCRIPT, 'registered' ) ) {
			wp_enqueue_script( self::VIEW_SCRIPT );
		}
		if ( wp_style_is( self::STYLE, 'registered' ) ) {
			wp_enqueue_style( self::STYLE );
		}
	}
}
