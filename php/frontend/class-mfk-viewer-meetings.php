<?php
/**
 * What a signed-in user may see of telemedicine appointments' meetings: one appointment, or
 * their own upcoming / today's ones. The server-side screens (block, shortcode, dashboard
 * widget) draw from this; it has the field names of the REST API's meeting answer.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Viewer-scoped meeting read model.
 */
final class MFK_Viewer_Meetings {

	const ROLE_HOST  = 'host';
	const ROLE_GUEST = 'guest';
	const ROLE_STAFF = 'staff';

	const PHASE_UPCOMING = 'upcoming';
	const PHASE_OPEN     = 'open';
	const PHASE_ENDED    = 'ended';

	/** Most appointments a list shows. */
	const MAX_LIMIT = 50;

	/**
	 * The meeting of one appointment as `$user_id` may see it, or null when they may not see it
	 * or it is not a telemedicine appointment (callers then show nothing: no hint that the
	 * appointment exists).
	 *
	 * @param int      $appointment_id Appointment.
	 * @param int      $user_id        Viewer.
	 * @param int|null $now            Unix time (tests); default now.
	 * @return array<string,mixed>|null
	 */
	public static function one( int $appointment_id, int $user_id, ?int $now = null ): ?array {
		if ( $appointment_id <= 0 || $user_id <= 0 ) {
			return null;
		}
		$appointment = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment || ! MFK_Access::can_view_meeting( $user_id, $appointment ) ) {
			return null;
		}
		return self::build( $appointment, MFK_Mappings::get_by_appointment( $appointment_id ), $user_id, $now ?? time() );
	}

	/**
	 * The viewer's own telemedicine appointments (as doctor or patient), soonest first.
	 *
	 * `upcoming`: not ended yet. `today`: starting on today's date in the site's time zone,
	 * ended ones included. `later`: starting after today.
	 *
	 * @param int      $user_id Viewer.
	 * @param string   $scope   upcoming|today|later.
	 * @param int      $limit   1 to MAX_LIMIT.
	 * @param int|null $now     Unix time (tests); default now.
	 * @return array<int,array<string,mixed>>
	 */
	public static function mine( int $user_id, string $scope = 'upcoming', int $limit = 10, ?int $now = null ): array {
		global $wpdb;
		$now   = $now ?? time();
		$limit = max( 1, min( self::MAX_LIMIT, $limit ) );
		if ( $user_id <= 0 || ! MFK_Appointments::has_table( 'kc_appointments' ) ) {
			return array();
		}

		$site_zone = wp_timezone();
		$today     = ( new DateTimeImmutable( '@' . $now ) )->setTimezone( $site_zone );
		$day_start = $today->setTime( 0, 0 )->getTimestamp();
		$day_end   = $today->setTime( 0, 0 )->modify( '+1 day' )->getTimestamp();

		// Wall-clock dates are local to each appointment's zone: widen the date range by a day
		// on each side, then filter on true instants below.
		$from  = gmdate( 'Y-m-d', ( 'upcoming' === $scope ? $now : $day_start ) - DAY_IN_SECONDS );
		$to    = 'today' === $scope ? gmdate( 'Y-m-d', $day_end + DAY_IN_SECONDS ) : '9999-12-31';
		$table = MFK_Appointments::table( 'kc_appointments' );
		$rows  = (array) $wpdb->get_results(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
				"SELECT * FROM `{$table}` WHERE ( doctor_id = %d OR patient_id = %d ) AND appointment_start_date BETWEEN %s AND %s ORDER BY appointment_start_date ASC, appointment_start_time ASC LIMIT 300",
				$user_id,
				$user_id,
				$from,
				$to
			),
			ARRAY_A
		);
		if ( ! $rows ) {
			return array();
		}

		$mappings = self::mappings_for( array_map( static fn ( $r ) => (int) $r['id'], $rows ) );
		$items    = array();
		foreach ( $rows as $appointment ) {
			$meeting = self::build( $appointment, $mappings[ (int) $appointment['id'] ] ?? null, $user_id, $now );
			if ( null === $meeting ) {
				continue;
			}
			$start = self::timestamp( $meeting, 'start' );
			$end   = self::timestamp( $meeting, 'end' );
			$keep  = 'today' === $scope
				? $start >= $day_start && $start < $day_end
				: ( 'later' === $scope ? $start >= $day_end : $end > $now );
			if ( $keep ) {
				$items[] = $meeting;
			}
		}
		usort( $items, static fn ( $a, $b ) => self::timestamp( $a, 'start' ) <=> self::timestamp( $b, 'start' ) ?: $a['appointment_id'] <=> $b['appointment_id'] );
		return array_slice( $items, 0, $limit );
	}

	/**
	 * The meeting fields of one appointment for a viewer already allowed to see it. Null when the
	 * appointment is not a telemedicine appointment or has no valid time.
	 *
	 * @param array<string,mixed>      $appointment KiviCare appointment row.
	 * @param array<string,mixed>|null $row         Mapping row (null: none yet).
	 * @param int                      $user_id     Viewer.
	 * @param int                      $now         Unix time.
	 * @return array<string,mixed>|null
	 */
	public static function build( array $appointment, ?array $row, int $user_id, int $now ): ?array {
		$status    = (int) ( $appointment['status'] ?? 0 );
		$cancelled = MFK_Appointments::STATUS_CANCELLED === $status;

		if ( null === $row ) {
			// No meeting recorded: a telemedicine appointment whose doctor has not connected
			// Google yet, or whose intent the queue has not written. Anything else is not ours.
			if ( $cancelled || true !== MFK_Appointments::is_telemed( $appointment ) ) {
				return null;
			}
		} elseif ( MFK_Mappings::DESIRED_CANCELLED === $row['desired'] && ! $cancelled ) {
			// The meeting was withdrawn while the appointment lives on: its services are no
			// longer telemedicine, or payment is awaited (KiviCare books the meeting once paid).
			if ( MFK_Appointments::STATUS_PENDING !== $status && true !== MFK_Appointments::is_telemed( $appointment ) ) {
				return null;
			}
		}

		$instants = MFK_Appointments::instants( $appointment );
		if ( null === $instants ) {
			return null;
		}
		$start = $instants['start']->getTimestamp();
		$end   = $instants['end']->getTimestamp();
		$zone  = $instants['timezone'];

		$doctor_id  = (int) $appointment['doctor_id'];
		$patient_id = (int) $appointment['patient_id'];
		if ( $doctor_id === $user_id ) {
			$role = self::ROLE_HOST;
		} elseif ( $patient_id === $user_id ) {
			$role = self::ROLE_GUEST;
		} else {
			$role = self::ROLE_STAFF;
		}

		// The link (join with the last good URL) and the sync of the latest change are told
		// apart: a change that did not reach Google never hides a link that still works.
		$url   = '';
		$sync  = MFK_Mappings::SYNC_IN_STEP;
		$error = null;
		if ( $cancelled || ( null !== $row && MFK_Mappings::DESIRED_CANCELLED === $row['desired'] && MFK_Appointments::STATUS_PENDING !== $status ) ) {
			$state = MFK_Mappings::STATE_CANCELLED;
		} elseif ( null === $row ) {
			$state = MFK_Mappings::STATE_PENDING;
			$sync  = MFK_Mappings::SYNC_PENDING;
			if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
				$error = array(
					'code'    => 'not_connected',
					'message' => __( 'The doctor has not connected a Google account yet.', 'meet-for-kivicare' ),
				);
			}
		} else {
			$sync = MFK_Mappings::STATE_LEGACY === $row['state'] ? MFK_Mappings::SYNC_IN_STEP : (string) $row['sync_state'];
			if ( MFK_Mappings::STATE_CANCELLED === $row['state'] || MFK_Appointments::STATUS_PENDING === $status ) {
				// Being restored after a re-booking, or waiting for payment.
				$sync = MFK_Mappings::SYNC_PENDING;
			}
			$url = MFK_Appointments::STATUS_PENDING === $status ? '' : MFK_Mappings::link_url( $row );
			if ( '' !== $url && ! self::is_meet_url( $url ) ) {
				$url = ''; // Only Google Meet links are ever shown.
			}
			if ( '' !== $url ) {
				$state = MFK_Mappings::STATE_READY;
			} else {
				$state = MFK_Mappings::SYNC_FAILED === $sync ? MFK_Mappings::STATE_FAILED : MFK_Mappings::STATE_PENDING;
			}
			if ( MFK_Mappings::SYNC_IN_STEP !== $sync && '' !== $row['last_error_code'] ) {
				$error = array(
					'code'    => (string) $row['last_error_code'],
					'message' => (string) $row['last_error_message'],
				);
			}
		}

		$window   = max( 0, (int) MFK_Settings::get( 'join_window_minutes' ) );
		$opens_at = $start - $window * MINUTE_IN_SECONDS;
		if ( $now >= $end || MFK_Appointments::STATUS_CHECK_OUT === $status ) {
			$phase = self::PHASE_ENDED;
		} elseif ( $now >= $opens_at ) {
			$phase = self::PHASE_OPEN;
		} else {
			$phase = self::PHASE_UPCOMING;
		}

		$meeting = array(
			'appointment_id'      => (int) $appointment['id'],
			'telemedicine'        => true,
			'state'               => $state,
			'link'                => '' !== $url ? MFK_Mappings::LINK_READY : MFK_Mappings::LINK_NONE,
			'sync'                => MFK_Mappings::STATE_CANCELLED === $state ? MFK_Mappings::SYNC_IN_STEP : $sync,
			'appointment_status'  => $status,
			'role'                => $role,
			'start'               => MFK_Appointments::rfc3339( $instants['start'], $zone ),
			'end'                 => MFK_Appointments::rfc3339( $instants['end'], $zone ),
			'timezone'            => $zone,
			'join_opens_at'       => MFK_Appointments::rfc3339( new DateTimeImmutable( '@' . $opens_at ), $zone ),
			'join_window_minutes' => $window,
			'phase'               => $phase,
			'doctor_name'         => MFK_Appointments::user_name( $doctor_id ),
			'patient_name'        => MFK_Appointments::user_name( $patient_id ),
			// The same instants as Unix times, for clients that compute with them.
			'start_ts'            => $start,
			'end_ts'              => $end,
			'opens_at_ts'         => $opens_at,
		);
		if ( '' !== $url ) {
			$meeting['url'] = $url;
		}
		if ( MFK_Appointments::STATUS_PENDING === $status && MFK_Mappings::STATE_CANCELLED !== $state ) {
			// KiviCare books the meeting once the online payment succeeds.
			$meeting['waiting_for'] = 'payment';
		} elseif ( null !== $row && MFK_Calendar_Sync::DELETED_IN_GOOGLE === (string) $row['last_error_code'] && MFK_Mappings::STATE_CANCELLED !== $state ) {
			// The event was deleted in Google and left so: the clinic arranges the link again.
			$meeting['waiting_for'] = 'clinic';
		}
		// Staff-only details: the calendar event, why the latest change has not reached Google
		// (also while the last good link works) and what fixes it. Patients never see reasons.
		if ( self::ROLE_GUEST !== $role ) {
			if ( null !== $row && '' !== (string) $row['event_url'] && MFK_Mappings::STATE_CANCELLED !== $state ) {
				$meeting['event_url'] = (string) $row['event_url'];
			}
			if ( null !== $error && MFK_Mappings::STATE_CANCELLED !== $state ) {
				$meeting['error'] = $error;
				$meeting['fix']   = self::fix( (string) $error['code'], $role, (int) $appointment['id'] );
			}
		}
		return $meeting;
	}

	/**
	 * What fixes a change that did not reach Google, for this viewer: the doctor reconnecting
	 * (their connection page, for the doctor), the previous sealing key restored (Site Health,
	 * for administrators), or trying again (the retry route, for every member of staff).
	 *
	 * @param string $code           Error code.
	 * @param string $role           Viewer's role (host or staff).
	 * @param int    $appointment_id Appointment.
	 * @return array{action:string,url?:string}
	 */
	public static function fix( string $code, string $role, int $appointment_id ): array {
		if ( MFK_Sealing_Status::CODE === $code && MFK_Access::is_admin( get_current_user_id() ) ) {
			return array(
				'action' => 'restore_key',
				'url'    => admin_url( 'site-health.php' ),
			);
		}
		if ( 'calendar_not_found' === $code ) {
			// The doctor chooses another calendar; meetings that lost theirs move to it.
			return self::ROLE_HOST === $role
				? array(
					'action' => 'choose_calendar',
					'url'    => MFK_Admin_Page::connection_url() . '#mfk-calendar',
				)
				: array( 'action' => 'choose_calendar' );
		}
		if ( in_array( $code, array( 'not_connected', 'doctor_not_connected' ), true ) || self::needs_doctor( $code ) ) {
			$fix = array( 'action' => in_array( $code, array( 'not_connected', 'doctor_not_connected' ), true ) ? 'connect' : 'reconnect' );
			if ( self::ROLE_HOST === $role ) {
				$fix['url'] = MFK_Admin_Page::connection_url();
			}
			return $fix;
		}
		if ( 'moved_in_google' === $code ) {
			// Moved in the doctor's Google Calendar: the clinic applies that time or puts its own back.
			return array(
				'action'       => 'google_move',
				'url'          => rest_url( sprintf( '%s/appointments/%d/meeting/google-move/apply', MFK_REST::NAMESPACE, $appointment_id ) ),
				'put_back_url' => rest_url( sprintf( '%s/appointments/%d/meeting/google-move/put-back', MFK_REST::NAMESPACE, $appointment_id ) ),
			);
		}
		return array(
			'action' => 'retry',
			'url'    => rest_url( sprintf( '%s/appointments/%d/meeting/retry', MFK_REST::NAMESPACE, $appointment_id ) ),
		);
	}

	/**
	 * Whether only the doctor can fix an error (by connecting Google again).
	 *
	 * @param string $code Error code.
	 */
	public static function needs_doctor( string $code ): bool {
		return MFK_Sealing_Status::CODE === $code || in_array( $code, MFK_Doctor_Connection::RECONNECT_CODES, true );
	}

	/**
	 * Unix time of one of a meeting's instants (`start`, `end`, `join_opens_at`).
	 *
	 * @param array<string,mixed> $meeting Meeting from build().
	 * @param string              $field   Field holding an RFC 3339 date-time.
	 */
	public static function timestamp( array $meeting, string $field ): int {
		$unix = array(
			'start'         => 'start_ts',
			'end'           => 'end_ts',
			'join_opens_at' => 'opens_at_ts',
		);
		if ( isset( $unix[ $field ], $meeting[ $unix[ $field ] ] ) ) {
			return (int) $meeting[ $unix[ $field ] ];
		}
		$time = strtotime( (string) ( $meeting[ $field ] ?? '' ) );
		return false === $time ? 0 : $time;
	}

	/**
	 * Only Google Meet links are ever rendered as a button (a stored value that is not one
	 * would be a bug or tampering).
	 *
	 * @param string $url URL.
	 */
	public static function is_meet_url( string $url ): bool {
		$parts = wp_parse_url( $url );
		return is_array( $parts ) && 'https' === ( $parts['scheme'] ?? '' ) && 'meet.google.com' === strtolower( (string) ( $parts['host'] ?? '' ) );
	}

	/**
	 * Mapping rows by appointment id, in one query.
	 *
	 * @param array<int,int> $ids Appointment ids.
	 * @return array<int,array<string,mixed>>
	 */
	private static function mappings_for( array $ids ): array {
		global $wpdb;
		$ids = array_values( array_unique( array_filter( $ids ) ) );
		if ( ! $ids ) {
			return array();
		}
		$table = MFK_Schema::table();
		$in    = implode( ',', array_fill( 0, count( $ids ), '%d' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- table name and placeholders only.
		$rows = (array) $wpdb->get_results( $wpdb->prepare( "SELECT * FROM `{$table}` WHERE appointment_id IN ({$in})", $ids ), ARRAY_A );
		$out  = array();
		foreach ( $rows as $raw ) {
			$row = MFK_Mappings::normalize( $raw );
			if ( null !== $row ) {
				$out[ (int) $row['appointment_id'] ] = $row;
			}
		}
		return $out;
	}
}
