<?php
/**
 * The doctor's Google busy times block KiviCare slots: answers KiviCare's
 * `kc_external_busy_slots` (month views) and `kc_external_busy_slots_single` (single dates and
 * every booking) with the doctor's free/busy intervals, in the doctor's wall time, named "Busy on
 * Google Calendar" and never after an event. This site's own consultation events are not
 * blocks: KiviCare knows those appointments already.
 *
 * The filters run inside every slot view and booking request, so busy times are cached per
 * doctor and range (object cache when present, transients otherwise) for a short, configurable
 * time; booking requests fetch fresh within a small budget; when the sidecar or Google is slow
 * or down, the answer comes from the last known busy times (or none) and the failure is recorded.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Busy times of connected doctors as KiviCare busy blocks.
 */
final class MFK_Busy_Times {

	/** The doctor's own switch: 'on', 'off', or absent (the clinic default). */
	const META_SWITCH = 'mfk_busy_blocks';

	/** What the doctor's grant allows: 'granted', 'missing' or absent (not known yet). */
	const META_SCOPE = 'mfk_busy_scope';

	/** Cache generation of the doctor (bumped when the grant or switch changes). */
	const META_GENERATION = 'mfk_busy_generation';

	/** Last failure to read busy times, for the health panel. */
	const OPTION_STATUS = 'mfk_busy_status';

	/** How long the last known busy times stay usable when Google cannot be reached. */
	const LAST_KNOWN_TTL = DAY_IN_SECONDS;

	/** After a failure, booking requests do not wait for the sidecar again for this long. */
	const FAILURE_PAUSE = 30;

	/** The scope the feature needs (granular consent: the doctor may refuse it). */
	const SCOPE = 'https://www.googleapis.com/auth/calendar.events.freebusy';

	/**
	 * Whether the current request is a booking (create or edit of an appointment).
	 *
	 * @var bool
	 */
	private static $booking = false;

	/**
	 * Busy intervals already read in this request, by cache key.
	 *
	 * @var array<string,array<int,array{0:int,1:int}>>
	 */
	private static $memo = array();

	/**
	 * What Google's answers told about doctors' scope in this request (written at its end).
	 *
	 * @var array<int,string>
	 */
	private static $scope_seen = array();

	/**
	 * Recognises KiviCare's booking routes (create, edit) before their callback runs: those
	 * fetch busy times fresh.
	 *
	 * @param mixed           $response Response so far (returned unchanged).
	 * @param array           $handler  Route handler (unused).
	 * @param WP_REST_Request $request  Request.
	 * @return mixed
	 */
	public static function note_request( $response, $handler, $request ) {
		unset( $handler );
		if ( $request instanceof WP_REST_Request ) {
			self::$booking = in_array( $request->get_method(), array( 'POST', 'PUT', 'PATCH' ), true )
				&& 1 === preg_match( '#^/kivicare/v1/appointments(/\d+)?/?$#', $request->get_route() );
		}
		return $response;
	}

	/**
	 * `kc_external_busy_slots`: the doctor's blocks between two local dates.
	 *
	 * @param mixed  $items     Items so far.
	 * @param mixed  $doctor_id Doctor.
	 * @param mixed  $from      Y-m-d, the doctor's zone.
	 * @param mixed  $to        Y-m-d, the doctor's zone (included).
	 * @return array<int,array{start:string,end:string,name:string}>
	 */
	public static function filter_range( $items, $doctor_id, $from, $to ): array {
		$items = is_array( $items ) ? $items : array();
		return array_merge( $items, self::items( (int) $doctor_id, (string) $from, (string) $to ) );
	}

	/**
	 * `kc_external_busy_slots_single`: the doctor's blocks on one local date.
	 *
	 * @param mixed $items     Items so far.
	 * @param mixed $doctor_id Doctor.
	 * @param mixed $date      Y-m-d, the doctor's zone.
	 * @return array<int,array{start:string,end:string,name:string}>
	 */
	public static function filter_single( $items, $doctor_id, $date ): array {
		$items = is_array( $items ) ? $items : array();
		return array_merge( $items, self::items( (int) $doctor_id, (string) $date, (string) $date ) );
	}

	/**
	 * Whether busy times block the doctor's slots: connected, the scope not known to be
	 * missing, and switched on (the doctor's switch, else the clinic default).
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function enabled( int $doctor_id ): bool {
		if ( ! MFK_Doctor_Connection::is_active( $doctor_id ) ) {
			return false;
		}
		if ( 'missing' === self::scope( $doctor_id ) ) {
			return false;
		}
		return self::switched_on( $doctor_id );
	}

	/**
	 * What the doctor's grant allows: 'granted', 'missing' or '' (not known yet).
	 *
	 * @param int $doctor_id Doctor.
	 */
	private static function scope( int $doctor_id ): string {
		return self::$scope_seen[ $doctor_id ] ?? (string) get_user_meta( $doctor_id, self::META_SCOPE, true );
	}

	/**
	 * The doctor's switch, else the clinic default.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function switched_on( int $doctor_id ): bool {
		$own = (string) get_user_meta( $doctor_id, self::META_SWITCH, true );
		if ( 'on' === $own || 'off' === $own ) {
			return 'on' === $own;
		}
		return (bool) MFK_Settings::get( 'busy_blocks_default' );
	}

	/**
	 * Sets the doctor's own switch.
	 *
	 * @param int  $doctor_id Doctor.
	 * @param bool $on        On or off.
	 */
	public static function set_switch( int $doctor_id, bool $on ): void {
		update_user_meta( $doctor_id, self::META_SWITCH, $on ? 'on' : 'off' );
		self::bump( $doctor_id );
	}

	/**
	 * The feature's state for the doctor's panel.
	 *
	 * @param int $doctor_id Doctor.
	 * @return array{state:string,switched_on:bool,scope:string}
	 */
	public static function state( int $doctor_id ): array {
		$scope = self::scope( $doctor_id );
		$on    = self::switched_on( $doctor_id );
		if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			$state = 'not_connected';
		} elseif ( 'missing' === $scope ) {
			$state = 'needs_grant';
		} elseif ( ! $on ) {
			$state = 'off';
		} else {
			$state = 'on';
		}
		return array(
			'state'       => $state,
			'switched_on' => $on,
			'scope'       => '' !== $scope ? $scope : 'unknown',
		);
	}

	/**
	 * A new or renewed grant may carry (or lack) the scope: ask again, forget cached times.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function grant_changed( $doctor_id ): void {
		unset( self::$scope_seen[ (int) $doctor_id ] );
		delete_user_meta( (int) $doctor_id, self::META_SCOPE );
		self::bump( (int) $doctor_id );
	}

	/**
	 * KiviCare items for the doctor's blocks between two local dates (both included).
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $from      Y-m-d.
	 * @param string $to        Y-m-d.
	 * @return array<int,array{start:string,end:string,name:string}>
	 */
	public static function items( int $doctor_id, string $from, string $to ): array {
		if ( $doctor_id <= 0 || ! MFK_Busy_Intervals::valid_date( $from ) || ! MFK_Busy_Intervals::valid_date( $to ) || $to < $from || ! self::enabled( $doctor_id ) ) {
			return array();
		}
		$zone  = MFK_Busy_Intervals::zone( $doctor_id );
		$start = ( new DateTimeImmutable( $from . ' 00:00:00', $zone ) )->getTimestamp();
		$end   = ( new DateTimeImmutable( $to . ' 00:00:00', $zone ) )->modify( '+1 day' )->getTimestamp();
		if ( $end - $start > 45 * DAY_IN_SECONDS ) {
			return array();
		}
		$busy = MFK_Busy_Intervals::subtract( self::busy( $doctor_id, $start, $end, self::$booking ), MFK_Busy_Intervals::own_events( $doctor_id, $start, $end ) );
		return MFK_Busy_Intervals::wall_items( $busy, $zone );
	}

	/**
	 * Busy intervals (Unix seconds) of the doctor, from the cache when fresh enough.
	 *
	 * @param int  $doctor_id Doctor.
	 * @param int  $start     Range start.
	 * @param int  $end       Range end.
	 * @param bool $fresh     Fetch even when cached (booking requests).
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function busy( int $doctor_id, int $start, int $end, bool $fresh = false ): array {
		$key = self::key( $doctor_id, $start, $end );
		if ( isset( self::$memo[ $key ] ) ) {
			return self::$memo[ $key ];
		}
		$cached = MFK_Busy_Store::get( $key );
		$status = get_option( self::OPTION_STATUS, array() );
		$paused = is_array( $status ) && isset( $status['at'] ) && time() - (int) $status['at'] < self::FAILURE_PAUSE;
		if ( is_array( $cached ) && ( ! $fresh || $paused ) ) {
			self::$memo[ $key ] = $cached;
			return $cached;
		}
		$fetched = self::fetch( $doctor_id, $start, $end );
		if ( is_array( $fetched ) ) {
			return self::remember( $key, $fetched );
		}
		// Google or the sidecar failed: the last known busy times, or none; kept for the
		// cache lifetime so a burst of slot views does not wait for the sidecar again.
		$last = MFK_Busy_Store::get( 'last_' . $key );
		$last = is_array( $last ) ? $last : array();
		if ( 'insufficient_scope' !== $fetched ) {
			MFK_Busy_Store::set( $key, $last, self::lifetime() );
		}
		self::$memo[ $key ] = $last;
		return $last;
	}

	/**
	 * Cache key of a doctor's range (the doctor's generation included).
	 *
	 * @param int $doctor_id Doctor.
	 * @param int $start     Range start.
	 * @param int $end       Range end.
	 */
	public static function key( int $doctor_id, int $start, int $end ): string {
		return 'b_' . $doctor_id . '_' . (int) get_user_meta( $doctor_id, self::META_GENERATION, true ) . '_' . $start . '_' . $end;
	}

	/**
	 * Keeps busy intervals read from Google: cached, and as the last known ones.
	 *
	 * @param string                        $key   Cache key.
	 * @param array<int,array{0:int,1:int}> $spans Intervals.
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function remember( string $key, array $spans ): array {
		MFK_Busy_Store::set( $key, $spans, self::lifetime() );
		MFK_Busy_Store::set( 'last_' . $key, $spans, self::LAST_KNOWN_TTL );
		self::$memo[ $key ] = $spans;
		return $spans;
	}

	/**
	 * One sidecar call within the time budget.
	 *
	 * @param int $doctor_id Doctor.
	 * @param int $start     Range start.
	 * @param int $end       Range end.
	 * @return array<int,array{0:int,1:int}>|string Intervals, or the error code.
	 */
	private static function fetch( int $doctor_id, int $start, int $end ) {
		$fields = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( is_wp_error( $fields ) ) {
			return self::failed( $doctor_id, $fields );
		}
		$calendar = MFK_Doctor_Connection::calendar_id( $doctor_id );
		$ids      = array_values( array_unique( array( 'primary', '' !== $calendar ? $calendar : 'primary' ) ) );
		$answer   = MFK_Sidecar_Client::instance()->post(
			'/v1/calendars/busy',
			$fields + array(
				'calendarIds' => $ids,
				'timeMin'     => gmdate( 'Y-m-d\TH:i:s\Z', $start ),
				'timeMax'     => gmdate( 'Y-m-d\TH:i:s\Z', $end ),
			),
			array(
				'timeout'   => self::budget_seconds(),
				'doctor_id' => $doctor_id,
			)
		);
		if ( is_wp_error( $answer ) ) {
			return self::failed( $doctor_id, $answer );
		}
		return self::accept( $doctor_id, $answer );
	}

	/**
	 * The merged intervals of a sidecar answer for the doctor (whose grant proved to allow it).
	 *
	 * @param int                 $doctor_id Doctor.
	 * @param array<string,mixed> $answer    `calendars` of the answer.
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function accept( int $doctor_id, array $answer ): array {
		if ( 'granted' !== self::scope( $doctor_id ) ) {
			self::$scope_seen[ $doctor_id ] = 'granted';
			MFK_Busy_Store::later(
				static function () use ( $doctor_id ) {
					update_user_meta( $doctor_id, self::META_SCOPE, 'granted' );
				}
			);
		}
		return MFK_Busy_Intervals::from_answer( $answer );
	}

	/**
	 * Records a failed read; a missing scope turns the feature off for the doctor, a lost
	 * grant asks the doctor to reconnect.
	 *
	 * @param int      $doctor_id Doctor.
	 * @param WP_Error $error     Error.
	 * @return string The error code.
	 */
	public static function failed( int $doctor_id, WP_Error $error ): string {
		$code = (string) $error->get_error_code();
		$data = (array) $error->get_error_data();
		if ( isset( $data['credential'] ) && is_string( $data['credential'] ) ) {
			MFK_Doctor_Connection::store_credential( $doctor_id, $data['credential'] );
		}
		if ( 'insufficient_scope' === $code ) {
			self::$scope_seen[ $doctor_id ] = 'missing';
			MFK_Busy_Store::later(
				static function () use ( $doctor_id ) {
					update_user_meta( $doctor_id, self::META_SCOPE, 'missing' );
				}
			);
			return $code;
		}
		if ( in_array( $code, array( 'token_revoked', 'credential_invalid' ), true ) ) {
			MFK_Doctor_Connection::mark_reconnect_needed( $doctor_id, $code, $error->get_error_message() );
		}
		$status = array(
			'code'      => $code,
			'at'        => time(),
			'doctor_id' => $doctor_id,
		);
		MFK_Busy_Store::later(
			static function () use ( $status ) {
				update_option( self::OPTION_STATUS, $status, false );
			}
		);
		return $code;
	}

	/**
	 * The last failure to read busy times (health panel), or null.
	 *
	 * @return array{code:string,at:int,doctor_id:int}|null
	 */
	public static function last_failure(): ?array {
		$status = get_option( self::OPTION_STATUS, null );
		return is_array( $status ) ? $status : null;
	}

	/** Cache lifetime in seconds (setting `busy_cache_seconds`). */
	private static function lifetime(): int {
		return max( 10, (int) MFK_Settings::get( 'busy_cache_seconds' ) );
	}

	/** The time a request may wait for the sidecar, in seconds (setting `busy_budget_ms`). */
	public static function budget_seconds(): float {
		return max( 200, (int) MFK_Settings::get( 'busy_budget_ms' ) ) / 1000;
	}

	/**
	 * Forgets the doctor's cached busy times.
	 *
	 * @param int $doctor_id Doctor.
	 */
	private static function bump( int $doctor_id ): void {
		update_user_meta( $doctor_id, self::META_GENERATION, (int) get_user_meta( $doctor_id, self::META_GENERATION, true ) + 1 );
		self::$memo = array();
	}
}
