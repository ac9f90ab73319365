<?php
/**
 * The plugin's class loader: every class, the folder it lives in, and one autoloader
 * that requires a class's file the first time the class is used, so a request only
 * compiles the parts it touches.
 *
 * Folders name one concern each (docs/ARCHITECTURE.md, "PHP (`php/`)"). A new class
 * gets one line here; tests/unit/php-layout.test.ts checks that the map and the files
 * agree.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Lowercase class name => file under php/ (PHP class names are case-insensitive).
 */
const MFK_CLASS_MAP = array(
	// Activation, deactivation, translations (the hooks are in plugin/hooks.php).
	'mfk_plugin'                                        => 'plugin/class-mfk-plugin.php',

	// KiviCare: the `googlemeet` provider and mapping model KiviCare loads by name, the
	// gate that turns the integration on, and the adapter to KiviCare's tables, hooks,
	// options and settings endpoints.
	'kcgmapp\\providers\\kcgmgooglemeet'                => 'kivicare/class-kcgm-google-meet.php',
	'kcgmapp\\models\\kcgmappointmentgooglemeetmapping' => 'kivicare/class-kcgm-appointment-google-meet-mapping.php',
	'kcgmapp\\models\\kcgmmappingquery'                 => 'kivicare/class-kcgm-mapping-query.php',
	'mfk_compat'                                        => 'kivicare/class-mfk-compat.php',
	'mfk_kivicare'                                      => 'kivicare/class-mfk-kivicare.php',
	'mfk_appointments'                                  => 'kivicare/class-mfk-appointments.php',
	'mfk_kivicare_settings_api'                         => 'kivicare/class-mfk-kivicare-settings-api.php',
	'mfk_kivicare_options'                              => 'kivicare/class-mfk-kivicare-options.php',
	'mfk_clinic_staff'                                  => 'kivicare/class-mfk-clinic-staff.php',

	// Meetings: what each appointment's meeting should be, who may see it, "try again"
	// and the backfill.
	'mfk_meetings'                                      => 'meetings/class-mfk-meetings.php',
	'mfk_request_sync'                                  => 'meetings/class-mfk-request-sync.php',
	'mfk_access'                                        => 'meetings/class-mfk-access.php',
	'mfk_retry'                                         => 'meetings/class-mfk-retry.php',
	'mfk_meet_access'                                   => 'meetings/class-mfk-meet-access.php',
	'mfk_meet_attendance'                               => 'meetings/class-mfk-meet-attendance.php',
	'mfk_visits_report'                                 => 'meetings/class-mfk-visits-report.php',
	'mfk_attendance_privacy'                            => 'meetings/class-mfk-attendance-privacy.php',
	'mfk_regenerate'                                    => 'meetings/class-mfk-regenerate.php',
	'mfk_backfill'                                      => 'meetings/class-mfk-backfill.php',
	'mfk_background_sync'                               => 'meetings/class-mfk-background-sync.php',
	'mfk_loopback_kick'                                 => 'meetings/class-mfk-loopback-kick.php',
	'mfk_calendar_sync'                                 => 'meetings/class-mfk-calendar-sync.php',
	'mfk_calendar_channels'                             => 'meetings/class-mfk-calendar-channels.php',

	// The durable provisioning queue: its table, rows, runner and operations.
	'mfk_schema'                                        => 'queue/class-mfk-schema.php',
	'mfk_mappings'                                      => 'queue/class-mfk-mappings.php',
	'mfk_queue_leases'                                  => 'queue/class-mfk-queue-leases.php',
	'mfk_queue'                                         => 'queue/class-mfk-queue.php',
	'mfk_queue_stats'                                   => 'queue/class-mfk-queue-stats.php',
	'mfk_queue_worker'                                  => 'queue/class-mfk-queue-worker.php',
	'mfk_operation_planner'                             => 'queue/class-mfk-operation-planner.php',
	'mfk_operation_recorder'                            => 'queue/class-mfk-operation-recorder.php',
	'mfk_retry_policy'                                  => 'queue/class-mfk-retry-policy.php',
	'mfk_meeting_events'                                => 'queue/class-mfk-meeting-events.php',

	// The sidecar: signed calls, and the site and event identities both sides derive.
	'mfk_sidecar_client'                                => 'sidecar/class-mfk-sidecar-client.php',
	'mfk_sidecar_diagnosis'                             => 'sidecar/class-mfk-sidecar-diagnosis.php',
	'mfk_sidecar_transport'                             => 'sidecar/class-mfk-sidecar-transport.php',
	'mfk_enrolment'                                     => 'sidecar/class-mfk-enrolment.php',
	'mfk_site'                                          => 'sidecar/class-mfk-site.php',

	// Doctors' Google connection: the OAuth round trip and the stored grant.
	'mfk_oauth'                                         => 'connection/class-mfk-oauth.php',
	'mfk_doctor_connection'                             => 'connection/class-mfk-doctor-connection.php',
	'mfk_doctor_calendar'                               => 'connection/class-mfk-doctor-calendar.php',
	'mfk_busy_times'                                    => 'kivicare/class-mfk-busy-times.php',
	'mfk_busy_grant'                                    => 'kivicare/class-mfk-busy-grant.php',
	'mfk_busy_intervals'                                => 'kivicare/class-mfk-busy-intervals.php',
	'mfk_busy_store'                                    => 'kivicare/class-mfk-busy-store.php',
	'mfk_busy_prefetch'                                 => 'kivicare/class-mfk-busy-prefetch.php',
	'mfk_sealing_status'                                => 'connection/class-mfk-sealing-status.php',
	'mfk_connection_invite'                             => 'connection/class-mfk-connection-invite.php',
	'mfk_grant_age'                                     => 'connection/class-mfk-grant-age.php',

	// The plugin's settings.
	'mfk_settings'                                      => 'settings/class-mfk-settings.php',
	'mfk_settings_schema'                               => 'settings/class-mfk-settings-schema.php',
	'mfk_settings_validator'                            => 'settings/class-mfk-settings-validator.php',
	'mfk_setup_hints'                                   => 'settings/class-mfk-setup-hints.php',
	'mfk_connection_test'                               => 'settings/class-mfk-connection-test.php',

	// The REST API `meet-for-kivicare/v1`.
	'mfk_rest'                                          => 'rest/class-mfk-rest.php',
	'mfk_rest_settings'                                 => 'rest/class-mfk-rest-settings.php',
	'mfk_rest_connection'                               => 'rest/class-mfk-rest-connection.php',
	'mfk_rest_calendars'                                => 'rest/class-mfk-rest-calendars.php',
	'mfk_rest_busy_times'                               => 'rest/class-mfk-rest-busy-times.php',
	'mfk_rest_meetings'                                 => 'rest/class-mfk-rest-meetings.php',
	'mfk_rest_meet_access'                              => 'rest/class-mfk-rest-meet-access.php',
	'mfk_rest_reports'                                  => 'rest/class-mfk-rest-reports.php',
	'mfk_rest_background'                               => 'rest/class-mfk-rest-background.php',
	'mfk_rest_calendar_push'                            => 'rest/class-mfk-rest-calendar-push.php',
	'mfk_rest_google_moves'                             => 'rest/class-mfk-rest-google-moves.php',

	// wp-admin: screens, notices, the dashboard widget, Site Health and its figures.
	'mfk_admin_page'                                    => 'admin/class-mfk-admin-page.php',
	'mfk_admin_script'                                  => 'admin/class-mfk-admin-script.php',
	'mfk_admin_notices'                                 => 'admin/class-mfk-admin-notices.php',
	'mfk_notice_dismissal'                              => 'admin/class-mfk-notice-dismissal.php',
	'mfk_dashboard_widget'                              => 'admin/class-mfk-dashboard-widget.php',
	'mfk_site_health'                                   => 'admin/class-mfk-site-health.php',
	'mfk_health'                                        => 'admin/class-mfk-health.php',

	// The front end: the block, the shortcode and the Meet view they share.
	'mfk_blocks'                                        => 'frontend/class-mfk-blocks.php',
	'mfk_shortcode'                                     => 'frontend/class-mfk-shortcode.php',
	'mfk_meet_status'                                   => 'frontend/class-mfk-meet-status.php',
	'mfk_meet_view'                                     => 'frontend/class-mfk-meet-view.php',
	'mfk_meet_panel_notes'                              => 'frontend/class-mfk-meet-panel-notes.php',
	'mfk_viewer_meetings'                               => 'frontend/class-mfk-viewer-meetings.php',

	// E-mails and the actions for SMS and other channels.
	'mfk_notifications'                                 => 'notifications/class-mfk-notifications.php',
	'mfk_mail_privacy'                                  => 'notifications/class-mfk-mail-privacy.php',
	'mfk_kivicare_mail'                                 => 'notifications/class-mfk-kivicare-mail.php',
	'mfk_booking_confirmation'                          => 'notifications/class-mfk-booking-confirmation.php',

	// WP-CLI (the system-cron runner, cli/run-queue.php, is a script, not a class).
	'mfk_cli'                                           => 'cli/class-mfk-cli.php',
	'mfk_cli_command'                                   => 'cli/class-mfk-cli-command.php',
);

/**
 * Requires the file of a class of the plugin on first use.
 *
 * @param string $class_name Class being looked up.
 */
function mfk_autoload( string $class_name ): void {
	$key = strtolower( $class_name );
	if ( ! isset( MFK_CLASS_MAP[ $key ] ) ) {
		return;
	}
	// The KCGMApp names are KiviCare's: they are this plugin's only while its KiviCare
	// integration runs (beside the original add-on they belong to that add-on).
	if ( 0 === strpos( $key, 'kcgmapp\\' ) && ! MFK_Compat::integration_active() ) {
		return;
	}
	require_once MFK_PLUGIN_DIR . 'php/' . MFK_CLASS_MAP[ $key ];
}

spl_autoload_register( 'mfk_autoload' );
