<?php
/**
 * REST: the clinic's two answers to a consultation moved in the doctor's Google Calendar
 * (`moved_in_google`, "moved in Google to …" on the appointment):
 *
 * - `POST /appointments/{id}/meeting/google-move/apply` reschedules the appointment to the time
 *   the event has in Google through KiviCare's own update route (`PUT kivicare/v1/appointments/{id}`,
 *   as the member of staff, with KiviCare's checks), so KiviCare's notifications and ours run;
 * - `POST /appointments/{id}/meeting/google-move/put-back` puts the appointment's time back on
 *   the event in Google (the queue's ensure, conditional on the version Google has now).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Apply / Put back of a move made in Google.
 */
final class MFK_REST_Google_Moves {

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$args = array(
			'id' => array(
				'description' => __( 'KiviCare appointment id.', 'meet-for-kivicare' ),
				'type'        => 'integer',
				'minimum'     => 1,
				'required'    => true,
			),
		);
		foreach ( array(
			'apply'    => 'apply',
			'put-back' => 'put_back',
		) as $path => $method ) {
			register_rest_route(
				MFK_REST::NAMESPACE,
				'/appointments/(?P<id>\d+)/meeting/google-move/' . $path,
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( __CLASS__, $method ),
					'permission_callback' => array( 'MFK_REST_Meetings', 'can_manage' ),
					'args'                => $args,
				)
			);
		}
	}

	/**
	 * The meeting's row when it is flagged moved in Google, else an error.
	 *
	 * @param int $id Appointment.
	 * @return array<string,mixed>|WP_Error
	 */
	private static function moved_row( int $id ) {
		$row = MFK_Mappings::get_by_appointment( $id );
		if ( null === $row || 'moved_in_google' !== $row['last_error_code'] ) {
			return new WP_Error( 'mfk_not_moved', __( 'This appointment\'s event is not marked as moved in Google Calendar.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		return $row;
	}

	/**
	 * Apply to appointment: KiviCare reschedules the appointment to Google's time.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function apply( WP_REST_Request $request ) {
		$id  = (int) $request->get_param( 'id' );
		$row = self::moved_row( $id );
		if ( is_wp_error( $row ) ) {
			return $row;
		}
		$doctor_id = $row['synced_doctor_id'] > 0 ? (int) $row['synced_doctor_id'] : (int) $row['doctor_id'];
		$fields    = MFK_Doctor_Connection::request_fields( $doctor_id );
		if ( is_wp_error( $fields ) ) {
			return MFK_REST::error( $fields );
		}
		// The time the event has in Google now (it may have moved again since the flag).
		$event = MFK_Sidecar_Client::instance()->post(
			'/v1/meetings/get',
			$fields + array(
				'appointmentId' => $id,
				'calendarId'    => '' !== (string) $row['synced_calendar_id'] ? (string) $row['synced_calendar_id'] : (string) $row['calendar_id'],
			),
			array(
				'timeout'   => 15,
				'doctor_id' => $doctor_id,
			)
		);
		if ( is_wp_error( $event ) ) {
			return MFK_REST::error( $event );
		}
		$appointment = MFK_Appointments::get( $id );
		$instants    = null !== $appointment ? MFK_Appointments::instants( $appointment ) : null;
		$start       = is_array( $event['start'] ?? null ) ? (string) ( $event['start']['dateTime'] ?? '' ) : '';
		if ( null === $instants || '' === $start || 'cancelled' === ( $event['status'] ?? '' ) ) {
			return new WP_Error( 'mfk_not_moved', __( 'The event has no time in Google Calendar to apply.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		try {
			$local = ( new DateTimeImmutable( $start ) )->setTimezone( new DateTimeZone( $instants['timezone'] ) );
		} catch ( Exception $e ) {
			return new WP_Error( 'mfk_not_moved', __( 'The event has no time in Google Calendar to apply.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		$update = new WP_REST_Request( 'PUT', '/kivicare/v1/appointments/' . $id );
		$update->set_header( 'content-type', 'application/json' );
		$update->set_body(
			(string) wp_json_encode(
				array(
					'appointmentStartDate' => $local->format( 'Y-m-d' ),
					'appointmentStartTime' => $local->format( 'H:i' ),
					'timezone'             => $instants['timezone'],
					// KiviCare overwrites an omitted description with ''.
					'description'          => (string) ( $appointment['description'] ?? '' ),
				)
			)
		);
		$answer = rest_do_request( $update );
		if ( $answer->is_error() || $answer->get_status() >= 300 ) {
			$data    = (array) $answer->get_data();
			$message = is_string( $data['message'] ?? null ) && '' !== $data['message'] ? $data['message'] : __( 'KiviCare refused the new time.', 'meet-for-kivicare' );
			$status  = $answer->get_status() >= 400 && $answer->get_status() < 500 ? $answer->get_status() : 409;
			return new WP_Error( 'mfk_kivicare_refused', $message, array( 'status' => $status ) );
		}
		return MFK_REST_Meetings::get_meeting( $request );
	}

	/**
	 * Put back: the appointment's time goes back on the event in Google.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function put_back( WP_REST_Request $request ) {
		$id  = (int) $request->get_param( 'id' );
		$row = self::moved_row( $id );
		if ( is_wp_error( $row ) ) {
			return $row;
		}
		global $wpdb;
		$table = MFK_Schema::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$queued = $wpdb->query(
			$wpdb->prepare(
				"UPDATE `{$table}` SET state = 'pending', sync_state = 'pending', last_error_code = %s, next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s
				 WHERE id = %d AND last_error_code = 'moved_in_google' AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				MFK_Calendar_Sync::PUT_BACK,
				$now,
				$now,
				$now,
				(int) $row['id']
			)
		);
		if ( ! $queued ) {
			return new WP_Error( 'mfk_busy', __( 'The meeting is being updated; try again in a moment.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		MFK_Retry::run_now( $id, (int) MFK_Settings::get( 'sync_budget_ms' ) );
		return MFK_REST_Meetings::get_meeting( $request );
	}
}
