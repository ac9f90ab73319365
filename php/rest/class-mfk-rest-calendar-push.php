<?php
/**
 * REST: `POST /calendar-notifications`, where Google Calendar sends push notifications for a
 * doctor's calendar (events.watch). Google sends no body and no user: the permission is the
 * channel id WordPress opened and the per-channel secret token Google echoes back
 * (X-Goog-Channel-Token), compared in constant time. A valid notification only marks the
 * doctor's calendar "sync due" for the queue (MFK_Calendar_Sync); nothing here calls Google or
 * the sidecar. Replayed message numbers are ignored; refused requests are rate limited per client
 * address (a valid notification is never refused). The answer is never 5xx (SECURITY.md, "Calendar notifications").
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * The calendar push notification route.
 */
final class MFK_REST_Calendar_Push {

	const ROUTE = '/calendar-notifications';

	/** Failed verifications allowed per client address per minute (filter `mfk_calendar_push_failures_per_minute`). */
	const FAILURES_PER_MINUTE = 30;

	/**
	 * Registers the route.
	 */
	public static function register_routes(): void {
		register_rest_route(
			MFK_REST::NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'receive' ),
				'permission_callback' => array( __CLASS__, 'verify' ),
				'args'                => array(),
			)
		);
	}

	/**
	 * Permission: a known channel and its secret token, unless this address failed too often.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public static function verify( WP_REST_Request $request ) {
		$channel_id = (string) $request->get_header( 'x_goog_channel_id' );
		$token      = (string) $request->get_header( 'x_goog_channel_token' );
		$doctor_id  = 0;
		if ( 1 === preg_match( '/^[A-Za-z0-9_+\/=-]{1,64}$/', $channel_id ) && '' !== $token && strlen( $token ) <= 256 ) {
			$doctor_id = MFK_Calendar_Channels::doctor_of_channel( $channel_id );
		}
		$channel = $doctor_id > 0 ? MFK_Calendar_Channels::channel( $doctor_id ) : null;
		// The comparison runs whether or not the channel is known, so timing tells nothing.
		$expected = null !== $channel && $channel['id'] === $channel_id ? $channel['token'] : str_repeat( "\0", 64 );
		if ( hash_equals( $expected, $token ) && null !== $channel ) {
			// A valid notification is never refused, whatever others sent from the same address.
			$request->set_param( '_mfk_doctor_id', $doctor_id );
			return true;
		}
		$bucket = 'mfk_push_fail_' . md5( self::client_address() . '|' . gmdate( 'YmdHi' ) );
		$limit  = (int) apply_filters( 'mfk_calendar_push_failures_per_minute', self::FAILURES_PER_MINUTE );
		$failed = (int) get_transient( $bucket );
		if ( $failed >= $limit ) {
			return new WP_Error( 'rate_limited', __( 'Too many refused notifications; try again later.', 'meet-for-kivicare' ), array( 'status' => 429 ) );
		}
		set_transient( $bucket, $failed + 1, 2 * MINUTE_IN_SECONDS );
		return new WP_Error( 'mfk_push_refused', __( 'Unknown channel or wrong token.', 'meet-for-kivicare' ), array( 'status' => 403 ) );
	}

	/**
	 * A verified notification: a new message number marks the calendar "sync due"; a replayed
	 * one is acknowledged and ignored.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response
	 */
	public static function receive( WP_REST_Request $request ): WP_REST_Response {
		$doctor_id = (int) $request->get_param( '_mfk_doctor_id' );
		$number    = (string) $request->get_header( 'x_goog_message_number' );
		$state     = (string) $request->get_header( 'x_goog_resource_state' );
		if ( 1 !== preg_match( '/^[0-9]{1,18}$/', $number ) || ! MFK_Calendar_Channels::accept_message( $doctor_id, (int) $number ) ) {
			return new WP_REST_Response( array( 'accepted' => false ), 200 );
		}
		if ( 'sync' !== $state ) {
			MFK_Calendar_Sync::mark_due( $doctor_id );
		}
		return new WP_REST_Response( array( 'accepted' => true ), 200 );
	}

	/**
	 * The client's address as PHP sees it (no proxy headers: they are the sender's to forge).
	 */
	private static function client_address(): string {
		return isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '';
	}
}
