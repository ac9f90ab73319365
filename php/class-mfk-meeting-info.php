<?php
/**
 * What one viewer may know about an appointment's meeting: state, role, times, join
 * window and (only when allowed) the link. Used by the REST API and reusable by any
 * screen that renders the Meet controls.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Meeting payload builder (docs/rest-api.md, "Meetings").
 */
final class MFK_Meeting_Info {

	const ROLE_HOST  = 'host';
	const ROLE_GUEST = 'guest';
	const ROLE_STAFF = 'staff';

	/**
	 * The meeting of an appointment as $user_id may see it. Null when the user may not
	 * see it, or the appointment does not exist (callers answer both the same way).
	 *
	 * @param int      $appointment_id Appointment.
	 * @param int      $user_id        Viewer.
	 * @param int|null $now            Unix time (for tests of the join window).
	 * @return array<string,mixed>|null
	 */
	public static function for_viewer( int $appointment_id, int $user_id, ?int $now = null ): ?array {
		$appointment = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment || ! MFK_Access::can_view_meeting( $user_id, $appointment ) ) {
			return null;
		}
		return self::build( $appointment, MFK_Mappings::get_by_appointment( $appointment_id ), $user_id, $now );
	}

	/**
	 * Builds the payload from rows already read (access already checked).
	 *
	 * @param array<string,mixed>      $appointment Appointment row.
	 * @param array<string,mixed>|null $row         Mapping row.
	 * @param int                      $user_id     Viewer.
	 * @param int|null                 $now         Unix time.
	 * @return array<string,mixed>
	 */
	public static function build( array $appointment, ?array $row, int $user_id, ?int $now = null ): array {
		$now        = $now ?? time();
		$id         = (int) $appointment['id'];
		$status     = (int) $appointment['status'];
		$doctor_id  = (int) $appointment['doctor_id'];
		$role       = self::role( $appointment, $user_id );
		$privileged = self::ROLE_GUEST !== $role;

		$telemed = null !== $row ? true : true === MFK_Appointments::is_telemed( $appointment );

		// Times: what the meeting is scheduled for, else what the appointment says.
		$start    = null;
		$end      = null;
		$timezone = '';
		if ( null !== $row && ! empty( $row['start_utc'] ) && ! empty( $row['end_utc'] ) ) {
			$start    = self::utc( (string) $row['start_utc'] );
			$end      = self::utc( (string) $row['end_utc'] );
			$timezone = (string) $row['timezone'];
		}
		if ( null === $start || null === $end ) {
			$instants = MFK_Appointments::instants( $appointment );
			if ( null !== $instants ) {
				$start    = $instants['start'];
				$end      = $instants['end'];
				$timezone = $instants['timezone'];
			}
		}

		$state = 'none';
		$error = null;
		if ( $telemed ) {
			list( $state, $error ) = self::state( $appointment, $row );
		}

		$window = max( 0, (int) MFK_Settings::get( 'join_window_minutes' ) ) * MINUTE_IN_SECONDS;
		$opens  = null !== $start ? $start->getTimestamp() - $window : null;
		$phase  = 'upcoming';
		if ( null !== $end && $now >= $end->getTimestamp() ) {
			$phase = 'ended';
		} elseif ( null !== $opens && $now >= $opens ) {
			$phase = 'open';
		}

		$out = array(
			'appointment_id'     => $id,
			'telemedicine'       => $telemed,
			'state'              => $state,
			'appointment_status' => $status,
			'role'               => $role,
			'doctor_id'          => $doctor_id,
			'doctor_name'        => MFK_Appointments::user_name( $doctor_id ),
			'start'              => null !== $start ? $start->format( 'c' ) : null,
			'end'                => null !== $end ? $end->format( 'c' ) : null,
			'timezone'           => '' !== $timezone ? $timezone : MFK_Appointments::site_zone(),
			'join_opens_at'      => null !== $opens ? gmdate( 'c', $opens ) : null,
			'phase'              => $phase,
		);
		if ( 'ready' === $state && null !== $row && '' !== (string) $row['url'] ) {
			$out['url'] = esc_url_raw( (string) $row['url'] );
		}
		if ( $privileged && null !== $row && '' !== (string) $row['event_url'] && 'cancelled' !== $state ) {
			$out['event_url'] = esc_url_raw( (string) $row['event_url'] );
		}
		if ( $privileged && null !== $error ) {
			$out['error'] = $error;
		}
		/**
		 * Filters the meeting payload one viewer receives.
		 *
		 * @param array $out         Payload.
		 * @param array $appointment Appointment row.
		 * @param array $row         Mapping row or null.
		 * @param int   $user_id     Viewer.
		 */
		return (array) apply_filters( 'mfk_meeting_info', $out, $appointment, $row, $user_id );
	}

	/**
	 * host (the appointment's doctor), guest (its patient) or staff (anyone else allowed).
	 *
	 * @param array<string,mixed> $appointment Appointment row.
	 * @param int                 $user_id     Viewer.
	 */
	public static function role( array $appointment, int $user_id ): string {
		if ( (int) $appointment['doctor_id'] === $user_id ) {
			return self::ROLE_HOST;
		}
		if ( (int) $appointment['patient_id'] === $user_id ) {
			return self::ROLE_GUEST;
		}
		return self::ROLE_STAFF;
	}

	/**
	 * State of a telemedicine appointment's meeting, and the error staff should see.
	 *
	 * @param array<string,mixed>      $appointment Appointment row.
	 * @param array<string,mixed>|null $row         Mapping row.
	 * @return array{0:string,1:array{code:string,message:string}|null}
	 */
	private static function state( array $appointment, ?array $row ): array {
		if ( MFK_Appointments::STATUS_CANCELLED === (int) $appointment['status'] ) {
			return array( 'cancelled', null );
		}
		if ( null === $row ) {
			if ( ! MFK_Doctor_Connection::is_connected( (int) $appointment['doctor_id'] ) ) {
				return array(
					'failed',
					array(
						'code'    => 'not_connected',
						'message' => __( 'The doctor has not connected a Google account, so no Meet link can be made yet.', 'meet-for-kivicare' ),
					),
				);
			}
			return array( 'pending', null );
		}
		if ( MFK_Mappings::DESIRED_CANCELLED === $row['desired'] ) {
			return array( 'cancelled', null );
		}
		switch ( $row['state'] ) {
			case MFK_Mappings::STATE_READY:
				return array( '' !== (string) $row['url'] ? 'ready' : 'pending', null );
			case MFK_Mappings::STATE_LEGACY:
				return array( '' !== (string) $row['url'] ? 'ready' : 'failed', null );
			case MFK_Mappings::STATE_CANCELLED:
				return array( 'cancelled', null );
			case MFK_Mappings::STATE_FAILED:
				return array(
					'failed',
					array(
						'code'    => '' !== (string) $row['last_error_code'] ? (string) $row['last_error_code'] : 'unknown',
						'message' => (string) $row['last_error_message'],
					),
				);
		}
		// Pending: a link from before a reschedule stays valid (Meet links never change on
		// a time change), so show it while the new time is being synced.
		$error = '' !== (string) $row['last_error_code']
			? array(
				'code'    => (string) $row['last_error_code'],
				'message' => (string) $row['last_error_message'],
			)
			: null;
		if ( '' !== (string) $row['url'] && 'active' === $row['synced_status'] ) {
			return array( 'ready', $error );
		}
		return array( 'pending', $error );
	}

	/**
	 * UTC DATETIME to an instant.
	 *
	 * @param string $value Y-m-d H:i:s.
	 */
	private static function utc( string $value ): ?DateTimeImmutable {
		$dt = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', $value, new DateTimeZone( 'UTC' ) );
		return false === $dt ? null : $dt;
	}
}
