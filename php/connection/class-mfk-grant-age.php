<?php
/**
 * Why Google stopped accepting a doctor's grant, told from its age: an OAuth app left in
 * "Testing" gets refresh tokens that Google ends 7 days after consent, so a grant refused
 * about a week after it was made points at the app's publishing status, not at the doctor.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Age of a doctor's Google grant at the time it failed.
 */
final class MFK_Grant_Age {

	/** Code for a grant that failed as an app in Testing's grants do. */
	const TESTING_EXPIRED = 'testing_app_expired';

	/** A refresh token of an app in Testing lives this long. */
	const TESTING_LIFETIME = 7 * DAY_IN_SECONDS;

	/**
	 * A failure noticed later than this after the expiry may as well be a revocation (the
	 * queue may have had nothing to do for the doctor for days).
	 */
	const NOTICED_WITHIN = 2 * DAY_IN_SECONDS;

	/**
	 * The cause to record for a refused grant: `testing_app_expired` for a refusal that
	 * came when a Testing app's token would expire, the given code otherwise.
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $code      Code the sidecar gave (token_revoked, …).
	 * @param int    $now       Unix time of the failure.
	 */
	public static function cause( int $doctor_id, string $code, int $now = 0 ): string {
		if ( 'token_revoked' !== $code ) {
			return $code;
		}
		$since = strtotime( (string) get_user_meta( $doctor_id, MFK_Doctor_Connection::META_SINCE, true ) );
		if ( false === $since ) {
			return $code;
		}
		$age = ( $now > 0 ? $now : time() ) - $since;
		// A minute of slack: Google ends the token at 7 days to the second, clocks are not.
		return $age >= self::TESTING_LIFETIME - MINUTE_IN_SECONDS && $age <= self::TESTING_LIFETIME + self::NOTICED_WITHIN
			? self::TESTING_EXPIRED
			: $code;
	}

	/**
	 * What a grant that ended as a Testing app's do means, for the doctors' table and notices.
	 */
	public static function message(): string {
		return __( 'Google ended this connection 7 days after consent, as it does for every connection of an OAuth app whose publishing status is "Testing". An administrator publishes the app (Google Cloud console → Google Auth Platform → Audience → Publish app); then the doctor reconnects once.', 'meet-for-kivicare' );
	}
}
