<?php
/**
 * What a claimed row asks of Google: ensure the event, cancel it, move it to another
 * doctor's calendar, or nothing at all (gave up, the doctor must reconnect, no valid time).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Plans the sidecar operation of a claimed row.
 */
final class MFK_Operation_Planner {

	/**
	 * Decides what a claimed row needs.
	 *
	 * @param array<string,mixed> $row     Claimed row.
	 * @param int                 $wait_ms How long the sidecar may wait for a pending conference.
	 * @return array<string,mixed> `op`, `body`, `doctor_id`, `kind`; or `local` (WP_Error)
	 *                             when it is decided without a call.
	 */
	public static function plan( array $row, int $wait_ms ): array {
		$max_age = (int) apply_filters( 'mfk_queue_max_age', 3 * DAY_IN_SECONDS );
		if ( ! empty( $row['intent_at'] ) && strtotime( $row['intent_at'] . ' UTC' ) + $max_age < time() ) {
			$message = '' !== $row['last_error_message'] ? $row['last_error_message'] : __( 'No answer in time.', 'meet-for-kivicare' );
			return array(
				'kind'  => 'expire',
				'local' => new WP_Error(
					'max_age_exceeded',
					/* translators: %s: last error message. */
					sprintf( __( 'Gave up after retrying for too long. Last error: %s', 'meet-for-kivicare' ), $message )
				),
			);
		}

		$send_updates = (string) MFK_Settings::get( 'send_updates' );
		$is_cancel    = MFK_Mappings::DESIRED_CANCELLED === $row['desired'];
		$moved        = ! $is_cancel && MFK_Mappings::DESIRED_ACTIVE === $row['desired'] && 'active' === $row['synced_status'] && $row['synced_doctor_id'] > 0
			&& ( $row['synced_doctor_id'] !== $row['doctor_id'] || $row['synced_calendar_id'] !== $row['calendar_id'] );

		$appointment = null;
		if ( ! $is_cancel && ! $moved ) {
			$appointment = MFK_Appointments::get( (int) $row['appointment_id'] );
			if ( null === $appointment && MFK_Appointments::has_table( 'kc_appointments' ) ) {
				// Deleted without KiviCare telling us: remove the event.
				$is_cancel = true;
			}
		}

		if ( $is_cancel || $moved ) {
			$doctor_id   = $row['synced_doctor_id'] > 0 ? $row['synced_doctor_id'] : $row['doctor_id'];
			$calendar_id = '' !== $row['synced_calendar_id'] ? $row['synced_calendar_id'] : $row['calendar_id'];
			$kind        = $moved ? 'move' : 'cancel';
		} else {
			$doctor_id   = $row['doctor_id'];
			$calendar_id = '' !== $row['calendar_id'] ? $row['calendar_id'] : MFK_Doctor_Connection::calendar_id( $doctor_id );
			$kind        = 'ensure';
		}

		$fields = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( is_wp_error( $fields ) ) {
			return array(
				'kind'  => $kind,
				'local' => $fields,
			);
		}
		$connection = MFK_Doctor_Connection::get( $doctor_id );
		if ( MFK_Doctor_Connection::STATUS_RECONNECT === $connection['status'] ) {
			return array(
				'kind'  => $kind,
				'local' => new WP_Error(
					'' !== $connection['code'] ? $connection['code'] : 'token_revoked',
					'' !== $connection['message'] ? $connection['message'] : __( 'The doctor must reconnect Google.', 'meet-for-kivicare' ),
					array( 'retryable' => false, 'doctor_checked' => true )
				),
			);
		}

		$base = $fields + array(
			'appointmentId' => (int) $row['appointment_id'],
			'calendarId'    => '' !== $calendar_id ? $calendar_id : 'primary',
		);
		if ( 'ensure' !== $kind ) {
			$body = $base + array( 'sendUpdates' => $send_updates );
			if ( 'active' === $row['synced_status'] && '' !== $row['event_id'] && '' !== ( $row['etag'] ?? '' ) ) {
				// A conditional delete of the version we know (a 412 is resolved by the sidecar).
				$body['known'] = array(
					'eventId' => $row['event_id'],
					'etag'    => $row['etag'],
				);
			}
			return array(
				'kind'      => $kind,
				'op'        => 'cancel',
				'doctor_id' => $doctor_id,
				'body'      => $body,
			);
		}

		$zone  = '' !== MFK_Appointments::valid_zone( $row['timezone'] ) ? $row['timezone'] : 'UTC';
		$start = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['start_utc'], new DateTimeZone( 'UTC' ) );
		$end   = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['end_utc'], new DateTimeZone( 'UTC' ) );
		if ( false === $start || false === $end || $end <= $start ) {
			return array(
				'kind'  => $kind,
				'local' => new WP_Error( 'invalid_request', __( 'The appointment has no valid start and end time.', 'meet-for-kivicare' ) ),
			);
		}
		// The patient is a guest whenever the space is not open to anyone with the link.
		$attendees = MFK_Meet_Access::attendees( $appointment );
		$known = self::known( $row, (int) $doctor_id, (string) $base['calendarId'], $zone );
		return array(
			'kind'      => $kind,
			'op'        => 'ensure',
			'doctor_id' => $doctor_id,
			'body'      => $base + $known + array(
				'revision'    => (int) $row['revision'],
				'summary'     => self::summary( $appointment, $doctor_id ),
				'description' => (string) apply_filters( 'mfk_event_description', '', $row, $appointment ),
				'start'       => array(
					'dateTime' => MFK_Appointments::rfc3339( $start, $zone ),
					'timeZone' => $zone,
				),
				'end'         => array(
					'dateTime' => MFK_Appointments::rfc3339( $end, $zone ),
					'timeZone' => $zone,
				),
				'attendees'   => $attendees,
				'sendUpdates' => $send_updates,
				'waitMs'      => $wait_ms,
			),
		);
	}

	/**
	 * What WordPress knows of the event from its last success, sent as `known` so that the
	 * sidecar changes it in one conditional call (docs/sidecar-api.md). Only for an event made
	 * in this doctor's calendar whose conference revision is on record; otherwise the sidecar
	 * takes the creation path (insert with the deterministic id, or adopt).
	 *
	 * @param array<string,mixed> $row         Claimed row.
	 * @param int                 $doctor_id   Doctor of the change.
	 * @param string              $calendar_id Calendar of the change.
	 * @param string              $zone        Time zone of the appointment.
	 * @return array<string,mixed> `known` => …, or nothing.
	 */
	private static function known( array $row, int $doctor_id, string $calendar_id, string $zone ): array {
		if ( 'active' !== $row['synced_status'] || '' === $row['event_id'] || null === ( $row['synced_revision'] ?? null )
			|| (int) $row['synced_doctor_id'] !== $doctor_id || (string) $row['synced_calendar_id'] !== $calendar_id ) {
			return array();
		}
		$known = array(
			'eventId'  => $row['event_id'],
			'revision' => (int) $row['synced_revision'],
		);
		if ( '' !== ( $row['etag'] ?? '' ) ) {
			$known['etag'] = $row['etag'];
		}
		if ( MFK_Calendar_Sync::PUT_BACK === (string) ( $row['last_error_code'] ?? '' ) ) {
			// "Put back" after a move in Google: no known times, so the appointment's time is
			// written (conditional on the version Google had when the move was flagged).
			return array( 'known' => $known );
		}
		$start = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['synced_start_utc'], new DateTimeZone( 'UTC' ) );
		$end   = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['synced_end_utc'], new DateTimeZone( 'UTC' ) );
		if ( false !== $start && false !== $end ) {
			$known['start'] = array(
				'dateTime' => MFK_Appointments::rfc3339( $start, $zone ),
				'timeZone' => $zone,
			);
			$known['end']   = array(
				'dateTime' => MFK_Appointments::rfc3339( $end, $zone ),
				'timeZone' => $zone,
			);
		}
		return array( 'known' => $known );
	}

	/**
	 * Event title from the template; only non-clinical placeholders exist.
	 *
	 * @param array<string,mixed>|null $appointment Appointment row.
	 * @param int                      $doctor_id   Doctor.
	 */
	public static function summary( ?array $appointment, int $doctor_id ): string {
		$template = (string) MFK_Settings::get( 'event_title_template' );
		$title    = strtr(
			$template,
			array(
				'{clinic_name}' => $appointment ? MFK_Appointments::clinic_name( (int) $appointment['clinic_id'] ) : '',
				'{doctor_name}' => MFK_Appointments::user_name( $doctor_id ),
				'{site_name}'   => wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
			)
		);
		$title = trim( preg_replace( '/\s+/', ' ', $title ) );
		return '' !== $title ? mb_substr( $title, 0, 250 ) : 'Video consultation';
	}
}
