<?php
/**
 * Test-only mu-plugin (copied into the test site by the integration suites, never shipped):
 * records Meet for KiviCare's meeting actions in an option, and can make KiviCare's booking
 * fail after the provider ran (the transaction is then rolled back).
 *
 * @package MeetForKiviCare
 */

add_action(
	'kc_after_create_appointment',
	static function () {
		if ( get_option( 'mfk_test_throw_after_create' ) ) {
			throw new RuntimeException( 'Simulated failure after create_meeting' );
		}
	},
	50
);

foreach ( array( 'mfk_meeting_ready', 'mfk_meeting_rescheduled', 'mfk_meeting_cancelled', 'mfk_meeting_failed' ) as $mfk_test_hook ) {
	add_action(
		$mfk_test_hook,
		static function ( $appointment_id, $row = null, $context = null ) use ( $mfk_test_hook ) {
			$log   = (array) get_option( 'mfk_test_actions', array() );
			$log[] = array(
				'hook'           => $mfk_test_hook,
				'appointment_id' => (int) $appointment_id,
				'state'          => is_array( $row ) ? $row['state'] : null,
				'context'        => $context,
			);
			update_option( 'mfk_test_actions', $log, false );
		},
		10,
		3
	);
}
