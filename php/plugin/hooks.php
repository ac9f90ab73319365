<?php
/**
 * Every action and filter the plugin adds, in one place. Callbacks name their class
 * as a string, so a class is only loaded when its hook fires. What each hook does
 * for integrators is in docs/hooks.md.
 *
 * Added elsewhere, because they exist only for part of a request: the end-of-request
 * sync (`shutdown`, MFK_Request_Sync::touch(), once a meeting changed), the background
 * sync after it (`shutdown` at the last priority, MFK_Background_Sync::later(), once a
 * meeting was left pending), the patient's booking confirmation once KiviCare committed
 * (`shutdown` (20), MFK_Booking_Confirmation::on_booked(), handed to the background sync
 * where it runs), the collection of KiviCare's
 * queued Meet e-mails while KiviCare queues them (`action_scheduler_stored_action`,
 * MFK_KiviCare_Mail::queue()) and the loopback HTTP filters around one sidecar call
 * (MFK_Sidecar_Client).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

// The plugin: translations; the table, its upgrades and the sites of a network.
add_action( 'init', array( 'MFK_Plugin', 'load_textdomain' ), 0 );
// On init, not plugins_loaded: an upgrade also writes KiviCare's options from the settings, whose
// defaults are translated (translations load on init), and KiviCare reads them on init (10).
add_action( 'init', array( 'MFK_Schema', 'maybe_upgrade' ), 1 );
add_action( 'wp_initialize_site', array( 'MFK_Schema', 'initialize_site' ), 200 );
add_filter( 'wpmu_drop_tables', array( 'MFK_Schema', 'drop_tables_with_site' ), 10, 2 );
// Each site of a network has its own settings and enrolment: nothing read for one is used for another.
add_action( 'switch_blog', array( 'MFK_Settings', 'flush_cache' ) );
add_action( 'switch_blog', array( 'MFK_Appointments', 'forget' ), 10, 0 );
add_action( 'switch_blog', array( 'MFK_KiviCare_Mail', 'forget' ), 10, 0 );

// The queue: WP-Cron's schedule and runs, and a reconnected doctor's waiting meetings.
add_filter( 'cron_schedules', array( 'MFK_Queue', 'cron_schedules' ) );
add_action( 'init', array( 'MFK_Queue', 'ensure_scheduled' ), 20 );
add_action( 'mfk_queue_tick', array( 'MFK_Queue', 'cron_run' ) );
add_action( 'mfk_queue_run_now', array( 'MFK_Queue', 'cron_run' ) );
add_action( 'mfk_doctor_reconnected', array( 'MFK_Queue', 'on_doctor_reconnected' ) );
// Booking confirmations the background run could not send (MFK_Booking_Confirmation).
add_action( 'mfk_booking_confirmations', array( 'MFK_Booking_Confirmation', 'send_overdue' ), 10, 0 );
add_action( 'mfk_doctor_connected', array( 'MFK_Meet_Access', 'on_doctor_connected' ) );
add_action( 'mfk_meeting_ready', array( 'MFK_Meet_Access', 'wake' ), 10, 0 );
add_action( 'mfk_meeting_rescheduled', array( 'MFK_Meet_Access', 'wake' ), 10, 0 );
add_action( 'update_option_mfk_settings', array( 'MFK_Meet_Access', 'wake' ), 10, 0 );
add_filter( 'wp_privacy_personal_data_exporters', array( 'MFK_Attendance_Privacy', 'register_exporter' ) );
add_filter( 'wp_privacy_personal_data_erasers', array( 'MFK_Attendance_Privacy', 'register_eraser' ) );
add_action( 'mfk_doctor_connected', array( 'MFK_Sealing_Status', 'on_doctor_connected' ) );
// Changes made in doctors' Google Calendars: the periodic sync and channels, and their end on disconnect.
add_action( 'mfk_queue_tick', array( 'MFK_Calendar_Sync', 'cron_run' ), 20 );
add_action( 'mfk_queue_run_now', array( 'MFK_Calendar_Sync', 'cron_run' ), 20 );
add_action( 'mfk_doctor_disconnecting', array( 'MFK_Calendar_Sync', 'on_disconnected' ) );
add_action( 'rest_api_init', array( 'MFK_REST_Calendar_Push', 'register_routes' ) );
add_action( 'rest_api_init', array( 'MFK_REST_Google_Moves', 'register_routes' ) );

// KiviCare: its hooks are added once KiviCare is found without the original add-on.
add_action( 'plugins_loaded', 'mfk_integrate_kivicare', 5 );

// Doctors' Google connection: the OAuth callback, and the consent URL KiviCare asks for.
add_action( 'admin_post_mfk_oauth_callback', array( 'MFK_OAuth', 'handle_callback' ) );
add_action( 'admin_post_nopriv_mfk_oauth_callback', array( 'MFK_OAuth', 'handle_logged_out_callback' ) );
add_filter( 'mfk_doctor_authorization_url', array( 'MFK_OAuth', 'filter_provider_authorization_url' ), 10, 2 );
add_action( 'admin_post_mfk_connect_invite', array( 'MFK_Connection_Invite', 'handle' ) );
add_action( 'admin_post_nopriv_mfk_connect_invite', array( 'MFK_Connection_Invite', 'handle_logged_out' ) );

// The REST API.
add_action( 'rest_api_init', array( 'MFK_REST', 'register_routes' ) );
add_filter( 'rest_post_dispatch', array( 'MFK_REST', 'normalize_param_errors' ), 10, 3 );
// The video visits report's CSV download is streamed instead of JSON.
add_filter( 'rest_pre_serve_request', array( 'MFK_REST_Reports', 'serve_csv' ), 10, 2 );

// Notifications: the queue's actions, and the Meet link in KiviCare Pro's templates.
add_action( 'mfk_meeting_ready', array( 'MFK_Notifications', 'on_meeting_ready' ), 10, 3 );
add_action( 'mfk_meeting_rescheduled', array( 'MFK_Notifications', 'on_meeting_rescheduled' ), 10, 3 );
add_filter( 'kivicare_template_dynamic_keys', array( 'MFK_Notifications', 'filter_dynamic_keys' ) );
add_filter( 'kivicare_custom_email_key_value', array( 'MFK_Notifications', 'filter_key_value' ), 10, 3 );
add_filter( 'kivicare_process_email_template', array( 'MFK_Mail_Privacy', 'filter_kivicare_template' ), 10, 2 );
add_filter( 'wp_mail', array( 'MFK_Mail_Privacy', 'filter_wp_mail' ), 99 );

// The front end: the block, the shortcode and its early style.
add_action( 'init', array( 'MFK_Blocks', 'register_blocks' ) );
add_action( 'init', array( 'MFK_Shortcode', 'add' ) );
add_action( 'wp_enqueue_scripts', array( 'MFK_Shortcode', 'enqueue_early' ) );

// wp-admin: the screens and their script, profile sections, notices, the dashboard
// widget and Site Health.
add_action( 'init', array( 'MFK_Admin_Script', 'register' ) );
add_action( 'admin_menu', array( 'MFK_Admin_Page', 'add_pages' ), 20 ); // After KiviCare's menu (10).
add_action( 'admin_enqueue_scripts', array( 'MFK_Admin_Page', 'enqueue' ) );
add_action( 'show_user_profile', array( 'MFK_Admin_Page', 'own_profile_section' ) );
add_action( 'edit_user_profile', array( 'MFK_Admin_Page', 'other_profile_section' ) );
add_filter( 'plugin_action_links_' . plugin_basename( MFK_PLUGIN_FILE ), array( 'MFK_Admin_Page', 'action_links' ) );
add_action( 'admin_notices', array( 'MFK_Admin_Notices', 'render' ) );
add_action( 'network_admin_notices', array( 'MFK_Admin_Notices', 'render_environment' ) );
add_action( 'admin_footer', array( 'MFK_Notice_Dismissal', 'print_script' ) );
add_action( 'wp_ajax_mfk_dismiss_notice', array( 'MFK_Notice_Dismissal', 'handle_ajax' ) );
add_action( 'wp_dashboard_setup', array( 'MFK_Dashboard_Widget', 'add' ) );
add_filter( 'site_status_tests', array( 'MFK_Site_Health', 'add_tests' ) );
add_filter( 'debug_information', array( 'MFK_Site_Health', 'debug_information' ) );

// WP-CLI: `wp mfk status|sync|retry` and `wp mfk queue run|status|retry`.
if ( defined( 'WP_CLI' ) && WP_CLI ) {
	WP_CLI::add_command( 'mfk queue', 'MFK_CLI_Command' );
	WP_CLI::add_command( 'mfk status', array( new MFK_CLI(), 'status' ) );
	WP_CLI::add_command( 'mfk sync', array( new MFK_CLI(), 'sync' ) );
	WP_CLI::add_command( 'mfk retry', array( new MFK_CLI(), 'retry' ) );
}

/**
 * Hooks into KiviCare when KiviCare 4.x is active and the original Google Meet add-on
 * is not (MFK_Compat). KiviCare reads `kc_telemed_providers` on `init` (priority 10)
 * and its classes are loaded before this plugin (folder order), so `plugins_loaded` is
 * early enough and never depends on `kivicare_loaded`.
 */
function mfk_integrate_kivicare(): void {
	if ( ! MFK_Compat::maybe_integrate() ) {
		return;
	}
	add_filter( 'kc_telemed_providers', array( 'MFK_KiviCare', 'register_provider' ) );
	// KiviCare's "regenerate video conference" route, recognised before its callback runs.
	add_filter( 'rest_request_before_callbacks', array( 'MFK_Regenerate', 'note_request' ), 10, 3 );

	// The appointment's life, where KiviCare does not call the provider.
	add_action( 'kc_appointment_updated', array( 'MFK_KiviCare', 'on_updated' ), 10, 1 );
	add_action( 'kc_appointment_cancelled', array( 'MFK_KiviCare', 'on_cancelled' ), 10, 1 );
	add_action( 'kc_appointment_status_update', array( 'MFK_KiviCare', 'on_status_update' ), 10, 2 );
	add_action( 'delete_user', array( 'MFK_KiviCare', 'on_delete_user' ), 5, 1 );
	// The patient's confirmation of a video consultation KiviCare's own e-mails do not confirm.
	add_action( 'kc_after_create_appointment', array( 'MFK_Booking_Confirmation', 'on_booked' ), 20, 1 );

	// The link in KiviCare's dashboard data, for those who may see it.
	add_filter( 'kc_is_video_consultation', array( 'MFK_KiviCare', 'filter_is_video_consultation' ), 10, 2 );
	add_filter( 'kc_appointment_list_item', array( 'MFK_KiviCare', 'filter_list_item' ), 10, 2 );
	add_filter( 'kc_appointment_data', array( 'MFK_KiviCare', 'filter_appointment_data' ), 10, 2 );
	add_filter( 'kc_appointment_details_data', array( 'MFK_KiviCare', 'filter_details_data' ), 10, 2 );
	add_filter( 'kc_get_upcoming_appointment_data', array( 'MFK_KiviCare', 'filter_details_data' ), 10, 2 );

	// The doctor's Google busy times as KiviCare busy blocks.
	add_filter( 'kc_external_busy_slots', array( 'MFK_Busy_Times', 'filter_range' ), 10, 4 );
	add_filter( 'kc_external_busy_slots_single', array( 'MFK_Busy_Times', 'filter_single' ), 10, 3 );
	add_filter( 'rest_request_before_callbacks', array( 'MFK_Busy_Times', 'note_request' ), 10, 3 );
	add_action( 'mfk_doctor_connected', array( 'MFK_Busy_Times', 'grant_changed' ) );
	add_action( 'mfk_doctor_reconnected', array( 'MFK_Busy_Times', 'grant_changed' ) );
}
