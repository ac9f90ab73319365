<?php
/**
 * "Try again" for one appointment's meeting, shared by the REST API and WP-CLI:
 * re-queue it (backoff reset, a fresh conference after a failed one, a meeting
 * created for a telemedicine appointment that has none) and optionally run it now.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Meeting retry service.
 */
final class MFK_Retry {

	/**
	 * Makes the appointment's meeting due now.
	 *
	 * @param int $appointment_id Appointment.
	 * @return true|WP_Error
	 */
	public static function requeue( int $appointment_id ) {
		$appointment = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment ) {
			return new WP_Error( 'not_found', __( 'The appointment does not exist.', 'meet-for-kivicare' ), array( 'status' => 404 ) );
		}
		if ( MFK_Appointments::STATUS_CANCELLED === (int) $appointment['status'] ) {
			return new WP_Error( 'appointment_cancelled', __( 'The appointment is cancelled, so it has no meeting to retry.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		$row = MFK_Mappings::get_by_appointment( $appointment_id );
		if ( null !== $row && MFK_Mappings::STATE_LEGACY === $row['state'] ) {
			return new WP_Error( 'legacy_meeting', __( 'This link was made by the original Google Meet add-on and is left as it is. Use "regenerate" in KiviCare to replace it with a new one.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		$telemed = MFK_Appointments::is_telemed( $appointment );
		if ( false === $telemed || ( null === $telemed && null === $row ) ) {
			return new WP_Error( 'not_telemedicine', __( 'The appointment has no telemedicine service, so it gets no Meet link.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		$doctor_id = (int) $appointment['doctor_id'];
		if ( ! MFK_Doctor_Connection::is_connected( $doctor_id ) ) {
			return new WP_Error( 'not_connected', __( 'The doctor has not connected a Google account. The meeting is made as soon as they do.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}

		if ( null === $row || MFK_Mappings::DESIRED_ACTIVE !== $row['desired'] || MFK_Mappings::STATE_READY === $row['state'] || MFK_Mappings::STATE_CANCELLED === $row['state'] ) {
			// No meeting yet, or one that looks fine: record the intent again (an ensure
			// adopts the existing event, restores a deleted one, never duplicates).
			$target = MFK_Meetings::target_from_appointment( $appointment );
			if ( null === $target ) {
				return new WP_Error( 'invalid_request', __( 'The appointment has no valid date and time.', 'meet-for-kivicare' ), array( 'status' => 400 ) );
			}
			$done = MFK_Mappings::record_intent( $appointment_id, $target, array( 'force' => true ) );
			return is_wp_error( $done ) ? $done : true;
		}
		MFK_Mappings::replay( $appointment_id );
		return true;
	}

	/**
	 * Processes the appointment's pending meeting now, within $budget_ms; otherwise
	 * (budget 0, row held by another runner) asks WP-Cron to do it soon.
	 *
	 * @param int $appointment_id Appointment.
	 * @param int $budget_ms      Milliseconds.
	 */
	public static function run_now( int $appointment_id, int $budget_ms ): void {
		$row = MFK_Mappings::get_by_appointment( $appointment_id );
		if ( null === $row || MFK_Mappings::STATE_PENDING !== $row['state'] ) {
			return;
		}
		if ( $budget_ms >= 250 ) {
			$claimed = MFK_Queue_Leases::claim_one( (int) $row['id'], (int) ceil( $budget_ms / 1000 ) + 30 );
			if ( null !== $claimed ) {
				MFK_Queue_Worker::process(
					array( $claimed ),
					array(
						'wait_ms' => max( 0, $budget_ms - 400 ),
						'timeout' => $budget_ms / 1000,
					)
				);
			}
		}
		$row = MFK_Mappings::get_by_appointment( $appointment_id );
		if ( null !== $row && MFK_Mappings::STATE_PENDING === $row['state'] ) {
			MFK_Background_Sync::later( array( $appointment_id ) );
		}
	}
}
