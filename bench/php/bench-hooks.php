<?php
/**
 * Benchmark switches, loaded by a mu-plugin that exists only in the benchmark's own WordPress
 * instance (bench/lib/world.ts installs it). The header `X-MFK-Bench-Variant` picks what a
 * request runs with, so the variants of a comparison can be interleaved request by request on
 * the same site and database:
 *
 * - (none)       Meet for KiviCare as configured;
 * - `ours-default` the same with the default settings (a sync budget of 0: the booking records
 *                the intent, the link is made right after it in the background);
 * - `none`       Meet for KiviCare not loaded; KiviCare's `googlemeet` provider is one that does
 *                nothing (KiviCare refuses telemedicine bookings without a provider);
 * - `php-only`   Meet for KiviCare not loaded; bench/php/php-only-provider.php is KiviCare's
 *                `googlemeet` provider instead (what a PHP-only add-on does);
 * - `ours-default-no-meet-steps` the default path without the Meet steps (access type "anyone
 *                with the link", no patient guest, the steps never woken by this request).
 *
 * Test-only: never shipped, never installed outside the bench instance.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/*
 * E-mails are composed (templates, placeholders, the Meet link) but not handed to the SMTP sink:
 * KiviCare sends a different number of them per variant (in person: patient, doctor, clinic;
 * telemedicine with a link: clinic and two link e-mails; without a link yet: clinic only), and
 * the harness's sink takes tens of milliseconds per message, so delivery time would be measured
 * instead of the plugin. Delivery is the mail server's cost, the same with or without us.
 */
add_filter( 'pre_wp_mail', '__return_true' );

/*
 * What the e-mail figures measure, written to wp-content/mfk-bench-events.jsonl with the time
 * (Unix seconds, microseconds): each e-mail handed to wp_mail (recipient, subject, the Meet
 * links it carries) and each of KiviCare's e-mails queued in Action Scheduler.
 */
function mfk_bench_event( array $event ): void {
	$event['t'] = microtime( true );
	// phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents -- benchmark log.
	file_put_contents( WP_CONTENT_DIR . '/mfk-bench-events.jsonl', wp_json_encode( $event ) . "\n", FILE_APPEND | LOCK_EX );
}
add_filter(
	'pre_wp_mail',
	static function ( $short, $atts ) {
		preg_match_all( '#https://meet\.google\.com/[a-z0-9-]+#', (string) ( $atts['message'] ?? '' ), $links );
		mfk_bench_event(
			array(
				'kind'    => 'mail',
				'to'      => implode( ',', (array) ( $atts['to'] ?? array() ) ),
				'subject' => (string) ( $atts['subject'] ?? '' ),
				'links'   => array_values( array_unique( $links[0] ) ),
			)
		);
		return $short;
	},
	20,
	2
);
add_action(
	'action_scheduler_stored_action',
	static function ( $action_id ) {
		$context = ActionScheduler::store()->fetch_action( $action_id )->get_args()[0] ?? array();
		mfk_bench_event(
			array(
				'kind'        => 'queued',
				'action'      => (int) $action_id,
				'template'    => (string) ( $context['template'] ?? '' ),
				'to'          => (string) ( $context['to'] ?? '' ),
				'appointment' => (int) ( $context['entity_id'] ?? 0 ),
				'link'        => (string) ( $context['custom_data']['meet_link'] ?? '' ),
			)
		);
	}
);

// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotValidated -- benchmark switch, compared against fixed values.
$mfk_bench_variant = isset( $_SERVER['HTTP_X_MFK_BENCH_VARIANT'] ) ? sanitize_key( wp_unslash( $_SERVER['HTTP_X_MFK_BENCH_VARIANT'] ) ) : '';

if ( in_array( $mfk_bench_variant, array( 'none', 'php-only' ), true ) ) {
	add_filter(
		'option_active_plugins',
		static function ( $plugins ) {
			return array_values( array_diff( (array) $plugins, array( 'meet-for-kivicare/plugin.php' ) ) );
		}
	);
}

if ( in_array( $mfk_bench_variant, array( 'none', 'php-only' ), true ) ) {
	define( 'MFK_BENCH_PROVIDER', $mfk_bench_variant );
	// After KiviCare, whose abstract provider these extend.
	add_action(
		'plugins_loaded',
		static function () {
			require_once __DIR__ . '/php-only-provider.php';
		},
		5
	);
}

if ( 'ours-default' === $mfk_bench_variant ) {
	add_filter(
		'option_mfk_settings',
		static function ( $settings ) {
			return array( 'sync_budget_ms' => 0 ) + (array) $settings;
		}
	);
}
if ( 'ours-default-no-meet-steps' === $mfk_bench_variant ) {
	// The default path without the Meet steps: anyone with the link (no patient guest, no
	// access step) and the steps' wake-up kept in the future, so this request never starts them.
	add_filter(
		'option_mfk_settings',
		static function ( $settings ) {
			return array(
				'sync_budget_ms'          => 0,
				'meet_access_type'        => 'OPEN',
				'add_patient_as_attendee' => false,
			) + (array) $settings;
		}
	);
	add_filter(
		'pre_option_mfk_meet_steps_next_due',
		static function () {
			return (string) ( time() + DAY_IN_SECONDS );
		}
	);
	add_action(
		'plugins_loaded',
		static function () {
			remove_action( 'mfk_meeting_ready', array( 'MFK_Meet_Access', 'wake' ), 10 );
			remove_action( 'mfk_meeting_rescheduled', array( 'MFK_Meet_Access', 'wake' ), 10 );
		},
		20
	);
}
unset( $mfk_bench_variant );
