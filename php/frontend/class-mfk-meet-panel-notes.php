<?php
/**
 * What the doctor and staff (never the patient) read under a meeting on its Meet panel: whether
 * the clinic's access control could be set on the Meet, and after the consultation who came.
 * Nothing here names the doctor's Google account.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Staff notes of a meeting: access control and attendance.
 */
final class MFK_Meet_Panel_Notes {

	/**
	 * The notes for a meeting as the viewer sees it ('' for patients and when there is nothing to say).
	 *
	 * @param array<string,mixed> $meeting From MFK_Viewer_Meetings.
	 */
	public static function for_meeting( array $meeting ): string {
		if ( MFK_Viewer_Meetings::ROLE_GUEST === ( $meeting['role'] ?? MFK_Viewer_Meetings::ROLE_GUEST ) ) {
			return '';
		}
		$id       = (int) $meeting['appointment_id'];
		$attended = self::attendance( $id );
		if ( '' !== $attended || MFK_Viewer_Meetings::PHASE_ENDED === ( $meeting['phase'] ?? '' ) ) {
			return $attended;
		}
		return self::access( $id );
	}

	/**
	 * A line when the access type is not (yet) applied for a reason a person should know.
	 *
	 * @param int $id Appointment.
	 */
	private static function access( int $id ): string {
		$access = MFK_Meet_Access::summary( $id );
		if ( MFK_Meet_Access::STATE_NEEDS === $access['state'] ) {
			$text = __( 'Access control is off for this Meet: the doctor has not allowed this site to set who may join without asking (their Google connection page offers it). The link works.', 'meet-for-kivicare' );
		} elseif ( MFK_Meet_Access::STATE_NOT_APPLIED === $access['state'] ) {
			/* translators: %s: a stable reason code such as google_error. */
			$text = sprintf( __( 'Access control could not be set on this Meet (%s). The link works.', 'meet-for-kivicare' ), $access['reason'] );
		} else {
			return '';
		}
		return sprintf(
			'<p class="mfk-meet__status mfk-meet__access" data-mfk-access="%1$s">%2$s</p>',
			esc_attr( $access['state'] ),
			esc_html( $text )
		);
	}

	/**
	 * The outcome and who came, once recorded.
	 *
	 * @param int $id Appointment.
	 */
	private static function attendance( int $id ): string {
		$a = MFK_Meet_Attendance::summary( $id );
		if ( 'recorded' !== $a['state'] ) {
			return '';
		}
		$labels = array(
			MFK_Meet_Attendance::HELD            => __( 'The consultation took place.', 'meet-for-kivicare' ),
			MFK_Meet_Attendance::PATIENT_NO_SHOW => __( 'The patient did not join.', 'meet-for-kivicare' ),
			MFK_Meet_Attendance::DOCTOR_NO_SHOW  => __( 'The doctor did not join.', 'meet-for-kivicare' ),
			MFK_Meet_Attendance::NOT_HELD        => __( 'Nobody joined the video call.', 'meet-for-kivicare' ),
		);
		$people = array();
		foreach ( $a['participants'] as $p ) {
			$people[] = sprintf(
				/* translators: 1: participant's display name, 2: minutes present. */
				__( '%1$s (%2$d min)', 'meet-for-kivicare' ),
				$p['displayName'],
				$p['minutes']
			);
		}
		return sprintf(
			'<p class="mfk-meet__status mfk-meet__attendance" data-mfk-outcome="%1$s">%2$s%3$s</p>',
			esc_attr( (string) $a['outcome'] ),
			esc_html( $labels[ $a['outcome'] ] ?? '' ),
			$people ? ' ' . esc_html( implode( ', ', $people ) ) : ''
		);
	}
}
