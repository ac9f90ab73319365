<?php
/**
 * Google push channels on doctors' calendars (events.watch): opened where Google can reach the
 * site (HTTPS), renewed before they expire, stopped on disconnect; each with a per-channel
 * secret token WordPress generates. The channel is stored in the doctor's user meta.
 * Notifications arrive at MFK_REST_Calendar_Push; the sync itself is MFK_Calendar_Sync's.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Push channels of doctors' calendars.
 */
final class MFK_Calendar_Channels {

	const META_CHANNEL    = 'mfk_calendar_channel';
	const META_CHANNEL_ID = 'mfk_calendar_channel_id';

	/** A channel is renewed when it expires within this (seconds). */
	const RENEW_BEFORE = DAY_IN_SECONDS;

	/** Lifetime asked for a channel (seconds; Google may give less). */
	const CHANNEL_TTL = 7 * DAY_IN_SECONDS;

	/**
	 * Whether push channels are opened: Google delivers only to HTTPS, so by default only when
	 * the site's REST address is HTTPS (filter `mfk_calendar_push`).
	 */
	public static function push_enabled(): bool {
		return (bool) apply_filters( 'mfk_calendar_push', 0 === strpos( self::push_address(), 'https://' ) );
	}

	/** Where Google sends notifications (filter `mfk_calendar_push_address`). */
	public static function push_address(): string {
		return (string) apply_filters( 'mfk_calendar_push_address', rest_url( MFK_REST::NAMESPACE . MFK_REST_Calendar_Push::ROUTE ) );
	}

	/**
	 * Opens the doctor's channel when there is none, or a new one before the current one expires
	 * (then stops the old one).
	 *
	 * @param int      $doctor_id Doctor.
	 * @param int|null $now       Unix time.
	 * @return array<string,mixed>|null|WP_Error The channel in effect.
	 */
	public static function ensure_channel( int $doctor_id, ?int $now = null ) {
		$now     = $now ?? time();
		$current = self::channel( $doctor_id );
		if ( null !== $current && ( 0 === (int) $current['expiration'] || (int) floor( $current['expiration'] / 1000 ) - self::RENEW_BEFORE > $now ) ) {
			return $current;
		}
		$id     = 'mfk-' . wp_generate_uuid4();
		$secret = bin2hex( random_bytes( 32 ) );
		$answer = MFK_Doctor_Connection::call(
			$doctor_id,
			'/v1/calendars/watch',
			array(
				'calendarId' => MFK_Doctor_Connection::calendar_id( $doctor_id ),
				'channelId'  => $id,
				'token'      => $secret,
				'address'    => self::push_address(),
				'ttlSeconds' => self::CHANNEL_TTL,
			),
			15
		);
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$channel = array(
			'id'           => $id,
			'token'        => $secret,
			'resource_id'  => (string) ( $answer['resourceId'] ?? '' ),
			'expiration'   => (int) ( $answer['expiration'] ?? 0 ),
			'last_message' => 0,
		);
		update_user_meta( $doctor_id, self::META_CHANNEL, $channel );
		update_user_meta( $doctor_id, self::META_CHANNEL_ID, $id );
		if ( null !== $current ) {
			self::stop( $doctor_id, $current );
		}
		return $channel;
	}

	/**
	 * Stops a channel at Google (best effort: an unstopped channel expires, and its notices are
	 * refused for an unknown id).
	 *
	 * @param int                 $doctor_id Doctor.
	 * @param array<string,mixed> $channel   Channel.
	 */
	public static function stop( int $doctor_id, array $channel ): void {
		if ( '' === (string) $channel['resource_id'] ) {
			return;
		}
		MFK_Doctor_Connection::call(
			$doctor_id,
			'/v1/calendars/stop-watch',
			array(
				'channelId'  => (string) $channel['id'],
				'resourceId' => (string) $channel['resource_id'],
			),
			10
		);
	}

	/**
	 * The doctor's channel as stored, or null.
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{id:string,token:string,resource_id:string,expiration:int,last_message:int}|null
	 */
	public static function channel( int $doctor_id ): ?array {
		$stored = get_user_meta( $doctor_id, self::META_CHANNEL, true );
		if ( ! is_array( $stored ) || empty( $stored['id'] ) || empty( $stored['token'] ) ) {
			return null;
		}
		return array(
			'id'           => (string) $stored['id'],
			'token'        => (string) $stored['token'],
			'resource_id'  => (string) ( $stored['resource_id'] ?? '' ),
			'expiration'   => (int) ( $stored['expiration'] ?? 0 ),
			'last_message' => (int) ( $stored['last_message'] ?? 0 ),
		);
	}

	/**
	 * The doctor whose channel has this id, or 0.
	 *
	 * @param string $channel_id Channel id.
	 */
	public static function doctor_of_channel( string $channel_id ): int {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching -- one indexed lookup per notification.
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT user_id FROM %i WHERE meta_key = %s AND meta_value = %s LIMIT 1', $wpdb->usermeta, self::META_CHANNEL_ID, $channel_id ) );
	}

	/**
	 * Records a notification's message number; false when it is not newer than the last one
	 * (a replay). Atomic on the stored channel: the update only succeeds from the value read.
	 *
	 * @param int $doctor_id Doctor.
	 * @param int $number    X-Goog-Message-Number.
	 */
	public static function accept_message( int $doctor_id, int $number ): bool {
		$channel = self::channel( $doctor_id );
		if ( null === $channel || $number <= $channel['last_message'] ) {
			return false;
		}
		$before                  = get_user_meta( $doctor_id, self::META_CHANNEL, true );
		$channel['last_message'] = $number;
		return (bool) update_user_meta( $doctor_id, self::META_CHANNEL, $channel, $before );
	}
}
