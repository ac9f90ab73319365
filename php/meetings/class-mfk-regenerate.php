<?php
/**
 * KiviCare's "regenerate video conference" (`GET kivicare/v1/appointments/{id}/regenerate-video-conference`)
 * as the button says: a ready meeting gets a new conference on the same event (a new Meet link,
 * told to patient and doctor), a waiting or failed one is tried again at once. KiviCare calls the
 * provider's `create_meeting()` for it with `start_time` = now and 30 minutes, arguments that are
 * never used for the appointment's time; it is recognised by the route being dispatched, noted
 * before KiviCare's callback runs.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Regenerating an appointment's Meet link.
 */
final class MFK_Regenerate {

	/** KiviCare's route, with the appointment id. */
	const ROUTE = '#^/kivicare/v1/appointments/(\d+)/regenerate-video-conference/?$#';

	/**
	 * Appointments whose regenerate route this request dispatches.
	 *
	 * @var array<int,true>
	 */
	private static $requested = array();

	/**
	 * `rest_request_before_callbacks`: notes the appointment whose link KiviCare's regenerate
	 * route is about to remake (the route's own permission check and callback come next).
	 *
	 * @param mixed           $response Response so far (unchanged).
	 * @param array           $handler  Route handler.
	 * @param WP_REST_Request $request  Request.
	 * @return mixed
	 */
	public static function note_request( $response, $handler = array(), $request = null ) {
		unset( $handler );
		if ( $request instanceof WP_REST_Request && 'GET' === $request->get_method() && preg_match( self::ROUTE, $request->get_route(), $match ) ) {
			self::$requested[ (int) $match[1] ] = true;
		}
		return $response;
	}

	/**
	 * Whether this request is KiviCare's regenerate of that appointment.
	 *
	 * @param int $appointment_id Appointment.
	 */
	public static function requested( int $appointment_id ): bool {
		return isset( self::$requested[ $appointment_id ] );
	}

	/**
	 * Remakes the appointment's link, or tries its meeting again at once. Syncing happens after
	 * KiviCare's transaction (regenerate runs inside one), at the end of the request, and the
	 * queue takes over when that is not enough.
	 *
	 * @param array<string,mixed>      $appointment KiviCare's appointment row.
	 * @param array<string,mixed>|null $row         The meeting's row (null: none yet).
	 * @param array<string,mixed>      $target      What the meeting should be (from the appointment).
	 * @return array<string,mixed>|WP_Error|false The row after the change; false on a database failure.
	 */
	public static function regenerate( array $appointment, ?array $row, array $target ) {
		$appointment_id = (int) $appointment['id'];
		if ( MFK_Appointments::STATUS_CANCELLED === (int) $appointment['status'] ) {
			return new WP_Error( 'appointment_cancelled', __( 'The appointment is cancelled, so it has no video link to regenerate.', 'meet-for-kivicare' ), array( 'status' => 409 ) );
		}
		$in_step = null !== $row
			&& MFK_Mappings::DESIRED_ACTIVE === $row['desired']
			&& MFK_Mappings::STATE_READY === $row['state']
			&& MFK_Mappings::LINK_READY === $row['link_state'];
		$waiting = null !== $row
			&& MFK_Mappings::DESIRED_ACTIVE === $row['desired']
			&& in_array( $row['state'], array( MFK_Mappings::STATE_PENDING, MFK_Mappings::STATE_FAILED ), true );

		if ( $in_step && MFK_Mappings::request_new_link( $row ) ) {
			// A new conference on the same event: the next revision asks Google for a new Meet.
			$row = MFK_Mappings::get_by_appointment( $appointment_id );
		} elseif ( $in_step || $waiting ) {
			// Already being made, or failed: tried again now (a failed conference with a new
			// revision), without a second new conference. A click while the first one is still
			// on its way therefore gives one new link, not two.
			MFK_Mappings::replay( $appointment_id );
			$row = MFK_Mappings::get_by_appointment( $appointment_id );
		} else {
			// No meeting yet, a cancelled one being restored, or a link of the original add-on
			// (replaced by a managed event): ensured, never duplicated.
			$row = MFK_Mappings::record_intent(
				$appointment_id,
				$target,
				array(
					'force'        => true,
					'adopt_legacy' => true,
				)
			);
		}
		if ( ! is_array( $row ) ) {
			return false;
		}
		MFK_Request_Sync::touch( $appointment_id );
		MFK_Queue::schedule_immediate_run();
		return $row;
	}
}
