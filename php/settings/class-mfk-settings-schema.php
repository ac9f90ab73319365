<?php
/**
 * What the plugin's settings are: every field with its default, and the placeholders
 * each template may use.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Setting fields, defaults and template placeholders.
 */
final class MFK_Settings_Schema {

	/** Placeholders allowed in the event title: none of them is clinical. */
	const TITLE_PLACEHOLDERS = array( '{clinic_name}', '{doctor_name}', '{site_name}' );

	/** Placeholders allowed in the "link ready" e-mail. */
	const MAIL_PLACEHOLDERS = array( '{meet_link}', '{appointment_date}', '{appointment_time}', '{doctor_name}', '{patient_name}', '{clinic_name}', '{site_name}' );

	/** Placeholders allowed in the "updated time" e-mail: the above plus the old time. */
	const RESCHEDULE_PLACEHOLDERS = array( '{meet_link}', '{appointment_date}', '{appointment_time}', '{previous_date}', '{previous_time}', '{doctor_name}', '{patient_name}', '{clinic_name}', '{site_name}' );

	/**
	 * Notification templates: body field => [subject field, placeholders, placeholder the
	 * body must contain].
	 */
	const MAIL_TEMPLATES = array(
		'link_ready_doctor_email_body' => array( 'link_ready_doctor_email_subject', self::MAIL_PLACEHOLDERS, '{meet_link}' ),
		'reschedule_email_body'        => array( 'reschedule_email_subject', self::RESCHEDULE_PLACEHOLDERS, '{appointment_time}' ),
	);

	/**
	 * Default values.
	 *
	 * @return array<string,mixed>
	 */
	public static function defaults(): array {
		return array(
			'google_client_id'         => '',
			'google_client_secret'     => '', // Sealed blob only, never the secret itself.
			'sidecar_url'              => 'http://127.0.0.1:8787',
			'sidecar_secret'           => '',
			'sidecar_enrolment_key'    => '', // Hosted sidecar: its operator's key for this site.
			'sync_budget_ms'           => 0, // Links are made right after the booking, in the background.
			'event_title_template'     => 'Video consultation',
			'send_updates'             => 'none',
			'add_patient_as_attendee'  => false,
			'meet_access_type'         => 'RESTRICTED', // Who joins without knocking (MFK_Meet_Access).
			'google_deleted_event'     => 'restore', // A consultation deleted in Google: restored, or left deleted and flagged.
			'attendance_retention_days' => 365, // Attendance kept this long; 0: until erased.
			'join_window_minutes'      => 10,
			'calendar_id'              => 'primary',
			'link_ready_email_subject' => __( 'Your video consultation link', 'meet-for-kivicare' ),
			'link_ready_email_body'    => __( "Hello {patient_name},\n\nThe video link for your consultation with {doctor_name} on {appointment_date} at {appointment_time} is ready:\n{meet_link}\n\n{clinic_name}", 'meet-for-kivicare' ),
			// The same notice for the doctor, and the "updated time" notice (patient and doctor).
			'link_ready_doctor_email_subject' => __( 'Video consultation link ready', 'meet-for-kivicare' ),
			'link_ready_doctor_email_body'    => __( "Hello {doctor_name},\n\nThe video link for your consultation with {patient_name} on {appointment_date} at {appointment_time} is ready:\n{meet_link}\n\n{clinic_name}", 'meet-for-kivicare' ),
			'reschedule_email_subject'        => __( 'Your video consultation has a new time', 'meet-for-kivicare' ),
			'reschedule_email_body'           => __( "Hello,\n\nThe video consultation of {patient_name} with {doctor_name}, planned for {previous_date} at {previous_time}, now takes place on {appointment_date} at {appointment_time}.\nThe video link stays the same:\n{meet_link}\n\n{clinic_name}", 'meet-for-kivicare' ),
			'keep_data_on_uninstall'   => false,
			// Doctors' Google busy times block KiviCare slots (MFK_Busy_Times).
			'busy_blocks_default'      => true, // Doctors who granted the scope, unless they switch it off.
			'busy_cache_seconds'       => 60, // How long busy times are reused.
			'busy_budget_ms'           => 1500, // How long a slot view or booking waits for Google.
		);
	}
}
