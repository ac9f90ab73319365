<?php
/**
 * Test-only mu-plugin of the reliability suite (copied into the site for the PHP crash
 * scenarios and removed after them; never shipped).
 *
 * When a crash plan file exists, the next PHP process that receives a successful sidecar
 * answer for the planned route dies on the spot with SIGKILL: no shutdown hook, no database
 * write, no transaction commit, exactly like a process killed by the OOM killer between
 * Google's answer and WordPress's write. The plan is taken with rename(), so exactly one
 * process crashes; the sidecar's answer is saved next to it for the test to compare.
 *
 * @package MeetForKiviCare
 */

add_action(
	'http_api_debug',
	static function ( $response, $context, $transport, $args, $url ) {
		$plan_file = WP_CONTENT_DIR . '/mfk-rel-crash-plan.json';
		if ( 'response' !== $context || is_wp_error( $response ) || ! is_file( $plan_file ) ) {
			return;
		}
		$plan = json_decode( (string) file_get_contents( $plan_file ), true );
		if ( ! is_array( $plan ) || empty( $plan['route'] ) || false === strpos( (string) $url, (string) $plan['route'] ) ) {
			return;
		}
		if ( 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
			return;
		}
		$taken = $plan_file . '.taken';
		if ( ! @rename( $plan_file, $taken ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- another process took it.
			return;
		}
		file_put_contents( WP_CONTENT_DIR . '/mfk-rel-crash-answer.json', (string) wp_remote_retrieve_body( $response ) );
		posix_kill( getmypid(), 9 );
	},
	10,
	5
);
