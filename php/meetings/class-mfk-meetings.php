<?php
/**
 * What happens to an appointment's meeting when KiviCare books, reschedules,
 * cancels or deletes it: records intents and brings them in line with KiviCare's
 * row. Syncing within the request's time budget is MFK_Request_Sync's.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Meeting lifecycle service used by the provider and the KiviCare hooks.
 */
final class MFK_Meetings {

	/**
	 * KiviCare's create_meeting (booking, payment success, regenerate): checks who asks
	 * (MFK_Access::may_request_meeting()) and the two conditions, records the intent inside
	 * KiviCare's transaction, then tries to provision within the budget so KiviCare's booking
	 * e-mails carry the link. KiviCare's regenerate route is MFK_Regenerate's.
	 *
	 * @param array<string,mixed> $meeting_data KiviCare's meeting data.
	 * @return array<string,mixed>|WP_Error|false False only when the intent could not be
	 *                                             stored (the booking is rolled back
	 *                                             rather than losing the meeting).
	 */
	public static function ensure_for_booking( array $meeting_data ) {
		$appointment_id = (int) ( $meeting_data['appointment_id'] ?? 0 );
		$appointment    = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment ) {
			return new WP_Error( 'mfk_appointment_not_found', __( 'The appointment does not exist.', 'meet-for-kivicare' ), array( 'status' => 404 ) );
		}
		// KiviCare lets every doctor, receptionist and clinic admin call "regenerate" for any
		// appointment: the provider is the last line. Refused before anything changes, and
		// the refusal carries no link.
		$regenerate = MFK_Regenerate::requested( $appointment_id );
		if ( ! MFK_Access::may_request_meeting( get_current_user_id(), $appointment, $regenerate ) ) {
			return new WP_Error( 'mfk_forbidden', __( 'You may not manage the video consultation of this appointment.', 'meet-for-kivicare' ), array( 'status' => 403 ) );
		}
		if ( false === MFK_Appointments::is_telemed( $appointment ) ) {
			return new WP_Error( 'mfk_not_telemed', __( 'None of the appointment\'s services is a telemedicine service of this doctor at this clinic.', 'meet-for-kivicare' ), array( 'status' => 400 ) );
		}
		$doctor_id = (int) $appointment['doctor_id'];
		if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			return new WP_Error( 'doctor_not_connected', __( 'The doctor has not connected a Google account.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		// Regenerate passes "now, 30 minutes": only the appointment's own times count.
		$target = self::target_from_appointment( $appointment, $regenerate ? 30 : (int) ( $meeting_data['duration'] ?? 30 ) );
		if ( null === $target ) {
			return new WP_Error( 'mfk_invalid_time', __( 'The appointment has no valid date and time.', 'meet-for-kivicare' ), array( 'status' => 400 ) );
		}

		$existing = MFK_Mappings::get_by_appointment( $appointment_id );
		if ( $regenerate ) {
			$row = MFK_Regenerate::regenerate( $appointment, $existing, $target );
			return is_array( $row ) ? self::answer( $appointment_id, $row ) : $row;
		}
		$row = MFK_Mappings::record_intent(
			$appointment_id,
			$target,
			array(
				'force'          => true, // Regenerate or payment success: re-ensure, never duplicate.
				'adopt_legacy'   => true,
				'new_conference' => null !== $existing && MFK_Mappings::STATE_FAILED === $existing['state'] && 'conference_failed' === $existing['last_error_code'],
			)
		);
		if ( ! is_array( $row ) ) {
			return false;
		}

		$is_new_booking = null === $existing;
		$pushed         = array(
			'doctor_id'   => $doctor_id,
			'calendar_id' => (string) $row['calendar_id'],
		);
		$row = MFK_Request_Sync::sync_now(
			$row,
			array(
				'booking' => $is_new_booking,
				'source'  => $is_new_booking ? 'booking' : 'request',
			),
			$pushed
		) ?? $row;
		if ( MFK_Mappings::STATE_READY !== $row['state'] ) {
			MFK_Queue::schedule_immediate_run();
		}

		return self::answer( $appointment_id, $row );
	}

	/**
	 * What `create_meeting()` answers KiviCare (which only checks that it is truthy).
	 *
	 * @param int                 $appointment_id Appointment.
	 * @param array<string,mixed> $row            The meeting's row.
	 * @return array<string,mixed>
	 */
	private static function answer( int $appointment_id, array $row ): array {
		$link = MFK_Mappings::link_url( $row );
		return array(
			'id'             => (string) $row['event_id'],
			'event_id'       => (string) $row['event_id'],
			'meeting_id'     => (string) $row['event_id'],
			'appointment_id' => $appointment_id,
			'join_url'       => $link,
			'url'            => $link,
			'event_url'      => (string) $row['event_url'],
			'password'       => '',
			'status'         => (string) $row['state'],
			'provider'       => 'googlemeet',
		);
	}

	/**
	 * KiviCare's update_meeting (reschedule): records the new time. KiviCare calls it
	 * before it updates the appointment row, so the instants come from its ISO-8601
	 * values; `kc_appointment_updated` then re-reads the row. Syncing happens after
	 * KiviCare's transaction, at the end of the request.
	 *
	 * @param string              $event_id     Event id KiviCare read from the mapping.
	 * @param array<string,mixed> $meeting_data KiviCare's data.
	 * @return array<string,mixed>
	 */
	public static function reschedule( string $event_id, array $meeting_data ): array {
		$appointment_id = (int) ( $meeting_data['appointment_id'] ?? 0 );
		$row            = $appointment_id > 0 ? MFK_Mappings::get_by_appointment( $appointment_id ) : MFK_Mappings::get_by_event_id( $event_id );
		$result         = array(
			'id'             => $event_id,
			'event_id'       => $event_id,
			'appointment_id' => $appointment_id,
			'status'         => 'pending',
		);
		if ( null === $row ) {
			$result['status'] = 'skipped';
			return $result;
		}
		$appointment_id = (int) $row['appointment_id'];
		$appointment    = MFK_Appointments::get( $appointment_id );
		$zone           = $row['timezone'];
		if ( $appointment ) {
			$instants = MFK_Appointments::instants( $appointment );
			$zone     = $instants ? $instants['timezone'] : $zone;
		}
		$start = MFK_Appointments::parse_iso( $meeting_data['start_time'] ?? null, $zone );
		$end   = MFK_Appointments::parse_iso( $meeting_data['end_time'] ?? null, $zone );
		if ( null !== $start ) {
			if ( null === $end || $end <= $start ) {
				$end = $start->modify( '+30 minutes' );
			}
			$doctor_id = (int) ( $meeting_data['doctor_id'] ?? $row['doctor_id'] );
			$doctor_id = $doctor_id > 0 ? $doctor_id : (int) $row['doctor_id'];
			$cancelled = $appointment && MFK_Appointments::STATUS_CANCELLED === (int) $appointment['status'];
			MFK_Mappings::record_intent(
				$appointment_id,
				array(
					'desired'     => $cancelled ? MFK_Mappings::DESIRED_CANCELLED : MFK_Mappings::DESIRED_ACTIVE,
					'start_utc'   => $start->format( 'Y-m-d H:i:s' ),
					'end_utc'     => $end->format( 'Y-m-d H:i:s' ),
					'timezone'    => '' !== MFK_Appointments::valid_zone( $zone ) ? $zone : MFK_Appointments::site_zone(),
					'doctor_id'   => $doctor_id,
					'calendar_id' => MFK_Doctor_Connection::calendar_id( $doctor_id ),
				),
				array( 'create' => false )
			);
		}
		MFK_Request_Sync::touch( $appointment_id );
		$row = MFK_Mappings::get_by_appointment( $appointment_id );
		if ( $row ) {
			$result['status']   = $row['state'];
			$result['join_url'] = MFK_Mappings::link_url( $row );
		}
		return $result;
	}

	/**
	 * Re-derives an appointment's meeting from KiviCare's row (after an update or a
	 * status change, and at the end of every request that touched it).
	 *
	 * @param int      $appointment_id Appointment id.
	 * @param int|null $status         Status KiviCare just set (trusted over the row).
	 * @param bool     $create         Whether a telemed appointment without a meeting
	 *                                 gets one (re-booked, confirmed later, service changed).
	 */
	public static function refresh( int $appointment_id, ?int $status = null, bool $create = true ): void {
		if ( $appointment_id <= 0 ) {
			return;
		}
		MFK_Request_Sync::touch( $appointment_id );
		self::reconcile( $appointment_id, $status, $create );
	}

	/**
	 * KiviCare's cancel_meeting_by_appointment (delete, bulk delete, doctor deletion):
	 * the appointment still exists when this runs, so the wish is explicit.
	 *
	 * @param int $appointment_id Appointment id.
	 */
	public static function cancel( int $appointment_id ): bool {
		if ( $appointment_id <= 0 ) {
			return false;
		}
		$row = MFK_Mappings::record_intent( $appointment_id, array( 'desired' => MFK_Mappings::DESIRED_CANCELLED ) );
		MFK_Request_Sync::touch( $appointment_id );
		return ! is_wp_error( $row );
	}

	/**
	 * Processes a doctor's pending rows right away (the doctor is being deleted, and
	 * the grant needed to clean up goes with the account).
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function flush_doctor( int $doctor_id ): void {
		global $wpdb;
		if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			return;
		}
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$ids  = array_map( 'intval', (array) $wpdb->get_col( $wpdb->prepare( "SELECT id FROM `{$table}` WHERE (doctor_id = %d OR synced_doctor_id = %d) AND state = 'pending' LIMIT 100", $doctor_id, $doctor_id ) ) );
		$rows = array();
		foreach ( $ids as $id ) {
			$claimed = MFK_Queue_Leases::claim_one( $id, 60 );
			if ( $claimed ) {
				$rows[] = $claimed;
			}
		}
		if ( $rows ) {
			MFK_Queue_Worker::process( $rows, array( 'wait_ms' => 0, 'timeout' => 15 ) );
		}
	}

	/**
	 * Target of an active meeting from the appointment row.
	 *
	 * @param array<string,mixed> $appointment Appointment row.
	 * @param int                 $duration    Minutes when the row has no end.
	 * @return array<string,mixed>|null
	 */
	public static function target_from_appointment( array $appointment, int $duration = 30 ): ?array {
		$instants = MFK_Appointments::instants( $appointment, max( 1, $duration ) );
		if ( null === $instants ) {
			return null;
		}
		$doctor_id = (int) $appointment['doctor_id'];
		return array(
			'desired'     => MFK_Mappings::DESIRED_ACTIVE,
			'start_utc'   => $instants['start']->format( 'Y-m-d H:i:s' ),
			'end_utc'     => $instants['end']->format( 'Y-m-d H:i:s' ),
			'timezone'    => $instants['timezone'],
			'doctor_id'   => $doctor_id,
			'calendar_id' => MFK_Doctor_Connection::calendar_id( $doctor_id ),
			'guests'      => MFK_Meet_Access::guests_key( $appointment ),
		);
	}

	/**
	 * Brings the row in line with the appointment as this connection sees it.
	 *
	 * @param int      $appointment_id Appointment id.
	 * @param int|null $status         Status hint.
	 * @param bool     $create         Create a missing row for a telemed appointment.
	 */
	public static function reconcile( int $appointment_id, ?int $status, bool $create ): void {
		$appointment = MFK_Appointments::get( $appointment_id );
		$row         = MFK_Mappings::get_by_appointment( $appointment_id );

		if ( null === $appointment ) {
			if ( $row ) {
				MFK_Mappings::record_intent( $appointment_id, array( 'desired' => MFK_Mappings::DESIRED_CANCELLED ) );
			}
			return;
		}
		$status = $status ?? (int) $appointment['status'];
		if ( MFK_Appointments::STATUS_CANCELLED === $status ) {
			if ( $row ) {
				MFK_Mappings::record_intent( $appointment_id, array( 'desired' => MFK_Mappings::DESIRED_CANCELLED ) );
			}
			return;
		}
		if ( $row && MFK_Mappings::STATE_LEGACY === $row['state'] ) {
			return;
		}
		$telemed = MFK_Appointments::is_telemed( $appointment );
		if ( null === $row ) {
			$bookable = in_array( $status, array( MFK_Appointments::STATUS_BOOKED, MFK_Appointments::STATUS_CHECK_IN ), true );
			if ( $create && true === $telemed && $bookable && MFK_Doctor_Connection::is_connected( (int) $appointment['doctor_id'] ) ) {
				$target = self::target_from_appointment( $appointment );
				if ( $target ) {
					MFK_Mappings::record_intent( $appointment_id, $target );
				}
			}
			return;
		}
		if ( false === $telemed ) {
			MFK_Mappings::record_intent( $appointment_id, array( 'desired' => MFK_Mappings::DESIRED_CANCELLED ) );
			return;
		}
		if ( MFK_Appointments::STATUS_PENDING === $status && MFK_Mappings::DESIRED_CANCELLED === $row['desired'] ) {
			return; // Waiting for payment: KiviCare creates the meeting once paid.
		}
		$target = self::target_from_appointment( $appointment );
		if ( $target ) {
			MFK_Mappings::record_intent( $appointment_id, $target );
		}
	}
}
