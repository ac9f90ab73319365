<?php
/**
 * When a failed operation is tried again: which errors wait for someone to fix the
 * cause, which are outages or configuration problems, and how long each waits.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Retry and backoff decisions of the queue.
 */
final class MFK_Retry_Policy {

	/** A failed conference is retried with this many revisions in total. */
	const MAX_REVISIONS = 3;

	/** Errors after which the meeting waits for someone to fix the cause. */
	const TERMINAL_CODES = array( 'token_revoked', 'credential_invalid', 'seal_key_unknown', 'insufficient_scope', 'quota_exceeded', 'calendar_not_found', 'conference_not_allowed', 'conference_failed', 'moved_in_google', 'client_invalid', 'invalid_request', 'google_error', 'not_found', 'doctor_not_connected', 'max_age_exceeded' );

	/** Outages: retried soon (short cap) so links appear quickly once they end. */
	const OUTAGE_CODES = array( 'sidecar_unavailable', 'google_unavailable', 'sidecar_not_ready', 'shared_state_unavailable' );

	/** Configuration problems: retried every few minutes until an admin fixes them. */
	const CONFIG_CODES = array( 'unauthorized', 'not_configured', 'site_revoked', 'site_mismatch', 'sidecar_insecure_url', 'api_disabled' );

	/**
	 * Whether an error is worth another attempt of the same operation.
	 *
	 * @param string              $code Error code.
	 * @param array<string,mixed> $data Error data (`retryable` from the sidecar).
	 */
	public static function is_retryable( string $code, array $data ): bool {
		return ! in_array( $code, self::TERMINAL_CODES, true )
			&& ( ! empty( $data['retryable'] ) || in_array( $code, self::OUTAGE_CODES, true ) || in_array( $code, self::CONFIG_CODES, true ) );
	}

	/**
	 * Whether a conference Google failed to create gets another revision (a new
	 * conference request) rather than failing for good.
	 *
	 * @param int $revision Revision that failed.
	 */
	public static function retries_conference( int $revision ): bool {
		return $revision + 1 < self::MAX_REVISIONS;
	}

	/**
	 * Seconds until a conference Google is still creating is looked at again.
	 *
	 * @param int $attempts Attempts made (1 after the first).
	 */
	public static function conference_wait( int $attempts ): int {
		return min( 60, 5 * ( 2 ** max( 0, min( 4, $attempts - 1 ) ) ) );
	}

	/**
	 * Exponential backoff with equal jitter. Outages use a short cap so links appear
	 * soon after the sidecar or Google comes back; Google's Retry-After is honoured.
	 *
	 * @param int    $attempts        Attempts made (1 after the first).
	 * @param string $code            Error code.
	 * @param int    $retry_after_ms  Server-suggested wait.
	 * @return int Seconds.
	 */
	public static function backoff( int $attempts, string $code, int $retry_after_ms = 0 ): int {
		if ( in_array( $code, self::OUTAGE_CODES, true ) ) {
			list( $base, $cap ) = array( 5, 30 );
		} elseif ( in_array( $code, self::CONFIG_CODES, true ) ) {
			list( $base, $cap ) = array( 30, 300 );
		} else {
			list( $base, $cap ) = array( 15, HOUR_IN_SECONDS );
		}
		$exp   = (int) min( $cap, $base * ( 2 ** max( 0, min( 20, $attempts - 1 ) ) ) );
		$delay = intdiv( $exp, 2 ) + random_int( 0, max( 0, intdiv( $exp, 2 ) ) );
		return max( 1, $delay, (int) ceil( $retry_after_ms / 1000 ) );
	}
}
