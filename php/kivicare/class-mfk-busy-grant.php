<?php
/**
 * Whether a doctor's Google grant allows reading busy times, recorded from the scopes Google
 * granted at connection, so no slot view or booking spends a sidecar call to find out.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * The busy-times scope of a new grant.
 */
final class MFK_Busy_Grant {

	/** Scopes that allow freebusy.query (`calendar.events` alone does not). */
	const ALLOWING = array( 'calendar', 'calendar.readonly', 'calendar.freebusy', 'calendar.events.freebusy' );

	/**
	 * Records 'granted' or 'missing' for the doctor; nothing when the scopes are unknown.
	 *
	 * @param int                $doctor_id Doctor.
	 * @param array<int, string> $scopes    Scopes Google granted.
	 */
	public static function note( int $doctor_id, array $scopes ): void {
		if ( array() === $scopes ) {
			return;
		}
		$granted = false;
		foreach ( $scopes as $scope ) {
			if ( in_array( str_replace( 'https://www.googleapis.com/auth/', '', $scope ), self::ALLOWING, true ) ) {
				$granted = true;
				break;
			}
		}
		update_user_meta( $doctor_id, MFK_Busy_Times::META_SCOPE, $granted ? 'granted' : 'missing' );
	}
}
