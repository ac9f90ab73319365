/**
 * The settings fields' names in words, shared by the panels' labels and the error summary.
 */
import { __ } from '@wordpress/i18n';

export function fieldLabel( name: string ): string {
	const labels: Record< string, string > = {
		google_client_id: __( 'Client ID', 'meet-for-kivicare' ),
		google_client_secret: __( 'Client secret', 'meet-for-kivicare' ),
		sidecar_url: __( 'Sidecar address', 'meet-for-kivicare' ),
		sidecar_secret: __( 'Shared secret', 'meet-for-kivicare' ),
		sidecar_enrolment_key: __( 'Enrolment key', 'meet-for-kivicare' ),
		sync_budget_ms: __( 'Time allowed at booking', 'meet-for-kivicare' ),
		event_title_template: __( 'Event title', 'meet-for-kivicare' ),
		send_updates: __( 'Invitations sent by Google', 'meet-for-kivicare' ),
		meet_access_type: __(
			'Who may join without asking',
			'meet-for-kivicare'
		),
		attendance_retention_days: __( 'Keep attendance', 'meet-for-kivicare' ),
		add_patient_as_attendee: __( 'Patient as guest', 'meet-for-kivicare' ),
		join_window_minutes: __( 'Join window', 'meet-for-kivicare' ),
		calendar_id: __( 'Calendar', 'meet-for-kivicare' ),
		google_deleted_event: __(
			'A consultation deleted in Google Calendar',
			'meet-for-kivicare'
		),
		busy_blocks_default: __(
			'Google busy times block slots',
			'meet-for-kivicare'
		),
		busy_cache_seconds: __( 'Reuse busy times', 'meet-for-kivicare' ),
		busy_budget_ms: __( 'Wait for busy times', 'meet-for-kivicare' ),
		link_ready_email_subject: __(
			'“Link ready” to the patient: subject',
			'meet-for-kivicare'
		),
		link_ready_email_body: __(
			'“Link ready” to the patient: message',
			'meet-for-kivicare'
		),
		link_ready_doctor_email_subject: __(
			'“Link ready” to the doctor: subject',
			'meet-for-kivicare'
		),
		link_ready_doctor_email_body: __(
			'“Link ready” to the doctor: message',
			'meet-for-kivicare'
		),
		reschedule_email_subject: __(
			'“New time”: subject',
			'meet-for-kivicare'
		),
		reschedule_email_body: __( '“New time”: message', 'meet-for-kivicare' ),
		keep_data_on_uninstall: __(
			'Keep data on uninstall',
			'meet-for-kivicare'
		),
	};
	return labels[ name ] ?? name;
}
