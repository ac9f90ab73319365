<?php
/**
 * Writes the outcome of a sidecar operation on its row (while the worker still holds
 * the row's lease) and announces the states meetings reach.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Records operation outcomes.
 */
final class MFK_Operation_Recorder {

	/**
	 * Records the outcome of one operation on its row.
	 *
	 * @param array<string,mixed>              $row     Claimed row.
	 * @param array<string,mixed>              $plan    Plan (MFK_Operation_Planner::plan()).
	 * @param array<string,mixed>|WP_Error     $outcome Sidecar answer or error.
	 * @param array<string,mixed>              $args    MFK_Queue_Worker::process() arguments.
	 * @return string Final state, or 'lost'.
	 */
	public static function record( array $row, array $plan, $outcome, array $args ): string {
		if ( is_wp_error( $outcome ) ) {
			return self::record_error( $row, $plan, $outcome );
		}
		$kind = $plan['kind'];

		if ( 'move' === $kind ) {
			$fields = array(
				'synced_status'      => '',
				'synced_doctor_id'   => 0,
				'synced_calendar_id' => '',
				'url'                => '',
				'event_url'          => '',
				'link_state'         => MFK_Mappings::LINK_NONE, // The old doctor's event is gone, and its link.
				'etag'               => '',
				'synced_revision'    => null,
				'last_error_code'    => '',
				'last_error_message' => '',
			);
			return MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_PENDING, 0 ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}

		if ( 'cancel' === $kind ) {
			$fields = array(
				'synced_status'      => 'cancelled',
				'synced_doctor_id'   => (int) $plan['doctor_id'],
				'synced_calendar_id' => (string) $plan['body']['calendarId'],
				'link_state'         => MFK_Mappings::LINK_NONE,
				'etag'               => '',
				'synced_revision'    => null,
				'last_error_code'    => '',
				'last_error_message' => '',
			);
			if ( MFK_Mappings::DESIRED_CANCELLED !== $row['desired'] ) {
				// The appointment vanished without KiviCare telling us: record that wish too.
				// (Never written otherwise, so a re-booking that arrived meanwhile survives.)
				$fields['desired'] = MFK_Mappings::DESIRED_CANCELLED;
			}
			if ( ! MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_CANCELLED ) ) {
				return 'lost';
			}
			return self::after_write( $row, MFK_Mappings::STATE_CANCELLED, $args );
		}

		// ensure.
		$url    = isset( $outcome['meetUrl'] ) && is_string( $outcome['meetUrl'] ) ? esc_url_raw( $outcome['meetUrl'] ) : '';
		$fields = array(
			'event_id'           => isset( $outcome['eventId'] ) && is_string( $outcome['eventId'] ) ? $outcome['eventId'] : $row['event_id'],
			'revision'           => isset( $outcome['revision'] ) ? (int) $outcome['revision'] : (int) $row['revision'],
			'synced_status'      => 'active',
			'synced_start_utc'   => $row['start_utc'],
			'synced_end_utc'     => $row['end_utc'],
			'synced_doctor_id'   => (int) $plan['doctor_id'],
			'synced_calendar_id' => isset( $outcome['calendarId'] ) && is_string( $outcome['calendarId'] ) ? $outcome['calendarId'] : (string) $plan['body']['calendarId'],
			// The event's version and conference as Google answered: the next change is one conditional call.
			'etag'               => isset( $outcome['etag'] ) && is_string( $outcome['etag'] ) ? mb_substr( $outcome['etag'], 0, 255 ) : '',
			'synced_revision'    => isset( $outcome['revision'] ) ? (int) $outcome['revision'] : (int) $row['revision'],
			'last_error_code'    => '',
			'last_error_message' => '',
		);
		if ( isset( $outcome['eventUrl'] ) && is_string( $outcome['eventUrl'] ) ) {
			$fields['event_url'] = esc_url_raw( $outcome['eventUrl'] );
		}
		$ready = 'ready' === ( $outcome['status'] ?? '' ) && '' !== $url;
		if ( $ready ) {
			$fields['url']        = $url;
			$fields['link_state'] = MFK_Mappings::LINK_READY;
			if ( $url !== (string) $row['url'] ) {
				// A new link replaces the old one (or none): nobody has been told about it yet.
				$fields['ready_notified_at']    = null;
				$fields['link_in_booking_mail'] = 0;
			}
		} elseif ( ! empty( $outcome['created'] ) && 'active' === $row['synced_status'] ) {
			// The event we knew was gone (deleted for good at Google) and has just been made
			// again: its old link went with it; the new one comes with the new conference.
			$fields['url']                  = '';
			$fields['link_state']           = MFK_Mappings::LINK_NONE;
			$fields['ready_notified_at']    = null;
			$fields['link_in_booking_mail'] = 0;
		}
		if ( $ready && ! empty( $args['booking'] ) ) {
			$fields['link_in_booking_mail'] = 1;
		}
		if ( ! $ready ) {
			// Google is still creating the conference: look again shortly.
			$delay = MFK_Retry_Policy::conference_wait( (int) $row['attempts'] );
			return MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_PENDING, $delay ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}
		if ( ! MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_READY ) ) {
			return 'lost';
		}
		return self::after_write( $row, MFK_Mappings::STATE_READY, $args );
	}

	/**
	 * Records a failed operation: retry with backoff, or fail for good.
	 *
	 * @param array<string,mixed> $row   Claimed row.
	 * @param array<string,mixed> $plan  Plan.
	 * @param WP_Error            $error Error.
	 * @return string Final state or 'lost'.
	 */
	private static function record_error( array $row, array $plan, WP_Error $error ): string {
		$code    = (string) $error->get_error_code();
		$message = mb_substr( wp_strip_all_tags( $error->get_error_message() ), 0, 480 );
		$data    = (array) $error->get_error_data();
		$fields  = array(
			'last_error_code'    => mb_substr( $code, 0, 64 ),
			'last_error_message' => $message,
		);

		if ( 'not_found' === $code && 'cancel' === $plan['kind'] ) {
			// Nothing to remove: that is what we wanted.
			return self::record( $row, $plan, array( 'cancelled' => true, 'existed' => false ), array() );
		}
		if ( 'doctor_not_connected' === $code && 'cancel' === $plan['kind'] ) {
			// Without a grant we cannot reach the calendar; nothing is left to do here.
			$fields['synced_status'] = 'cancelled';
			$fields['link_state']    = MFK_Mappings::LINK_NONE;
			return MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_CANCELLED ) ? self::after_write( $row, MFK_Mappings::STATE_CANCELLED, array() ) : 'lost';
		}
		if ( 'moved_in_google' === $code ) {
			// Someone moved the event in Google Calendar: it keeps its time there and its link; the
			// appointment says so until the clinic changes it again (then with this etag: applied).
			if ( isset( $data['etag'] ) && is_string( $data['etag'] ) ) {
				$fields['etag'] = mb_substr( $data['etag'], 0, 255 );
			}
			$fields['last_error_message'] = self::moved_message( $data );
		}
		if ( in_array( $code, MFK_Doctor_Connection::RECONNECT_CODES, true ) && empty( $data['doctor_checked'] ) ) {
			MFK_Doctor_Connection::mark_reconnect_needed( (int) $plan['doctor_id'], $code, $message );
		}
		if ( 'conference_failed' === $code && 'ensure' === $plan['kind'] && MFK_Retry_Policy::retries_conference( (int) $row['revision'] ) ) {
			$fields['revision'] = (int) $row['revision'] + 1;
			return MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_PENDING, 2 ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}

		if ( MFK_Retry_Policy::is_retryable( $code, $data ) ) {
			$delay = MFK_Retry_Policy::backoff( (int) $row['attempts'], $code, (int) ( $data['retryAfterMs'] ?? 0 ) );
			return MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_PENDING, $delay ) ? MFK_Mappings::STATE_PENDING : 'lost';
		}

		if ( ! MFK_Queue_Leases::complete( $row, $fields, MFK_Mappings::STATE_FAILED ) ) {
			return 'lost';
		}
		return self::after_write( $row, MFK_Mappings::STATE_FAILED, array() );
	}

	/**
	 * The moved_in_google reason with the time the event has in Google, in its own time zone.
	 *
	 * @param array<string,mixed> $data Error data (`googleStart`).
	 */
	public static function moved_message( array $data ): string {
		$start = is_array( $data['googleStart'] ?? null ) ? $data['googleStart'] : array();
		$when  = '';
		if ( isset( $start['dateTime'] ) && is_string( $start['dateTime'] ) ) {
			try {
				$zone = isset( $start['timeZone'] ) && '' !== MFK_Appointments::valid_zone( (string) $start['timeZone'] ) ? (string) $start['timeZone'] : 'UTC';
				$when = ( new DateTimeImmutable( $start['dateTime'] ) )->setTimezone( new DateTimeZone( $zone ) )->format( 'Y-m-d H:i T' );
			} catch ( Exception $e ) {
				$when = '';
			}
		}
		return '' !== $when
			/* translators: %s: date and time of the event in Google Calendar. */
			? sprintf( __( 'The event was moved in Google Calendar to %s; the appointment\'s time was not forced over it. Change the appointment (or retry) to apply the clinic\'s time.', 'meet-for-kivicare' ), $when )
			: __( 'The event was moved in Google Calendar; the appointment\'s time was not forced over it. Change the appointment (or retry) to apply the clinic\'s time.', 'meet-for-kivicare' );
	}

	/**
	 * After a successful write: re-reads the row and fires the matching action if
	 * the row really took that state.
	 *
	 * @param array<string,mixed> $before Row as claimed.
	 * @param string              $state  Intended final state.
	 * @param array<string,mixed> $args   MFK_Queue_Worker::process() arguments.
	 * @return string The state the row is in now.
	 */
	private static function after_write( array $before, string $state, array $args ): string {
		$row = MFK_Mappings::get( (int) $before['id'] );
		if ( null === $row ) {
			return 'lost';
		}
		if ( $row['state'] !== $state ) {
			return $row['state'];
		}
		$id = (int) $row['appointment_id'];
		if ( MFK_Mappings::STATE_READY === $state ) {
			$first_link = $before['url'] !== $row['url'] || 'active' !== $before['synced_status'];
			if ( $first_link ) {
				MFK_Meeting_Events::emit(
					'mfk_meeting_ready',
					$id,
					$state,
					array(
						$id,
						$row,
						array(
							'booking_mail_had_link' => (bool) $row['link_in_booking_mail'],
							'source'                => (string) ( $args['source'] ?? 'queue' ),
							'url_changed'           => '' !== $before['url'] && $before['url'] !== $row['url'],
							'fresh'                 => true, // $row was read just now, after the write.
						),
					)
				);
			} elseif ( 'active' === $before['synced_status'] && ( $before['synced_start_utc'] !== $row['synced_start_utc'] || $before['synced_end_utc'] !== $row['synced_end_utc'] ) ) {
				MFK_Meeting_Events::emit(
					'mfk_meeting_rescheduled',
					$id,
					$state,
					array(
						$id,
						$row,
						array(
							'previous_start_utc' => $before['synced_start_utc'],
							'previous_end_utc'   => $before['synced_end_utc'],
						),
					)
				);
			}
		} elseif ( MFK_Mappings::STATE_CANCELLED === $state ) {
			MFK_Meeting_Events::emit( 'mfk_meeting_cancelled', $id, $state, array( $id, $row ) );
		} elseif ( MFK_Mappings::STATE_FAILED === $state ) {
			MFK_Meeting_Events::emit( 'mfk_meeting_failed', $id, $state, array( $id, $row, $row['last_error_code'] ) );
		}
		return $state;
	}
}
