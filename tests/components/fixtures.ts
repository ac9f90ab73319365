/**
 * REST answers the component tests start from (shapes of docs/rest-api.md).
 */
import type { Settings } from '../../blocks/admin/types';

export const SETTINGS: Settings = {
	google_client_id: 'abc.apps.googleusercontent.com',
	google_client_secret_set: true,
	sidecar_url: 'http://127.0.0.1:8787',
	sidecar_url_locked: false,
	sidecar_secret_set: true,
	sidecar_secret_locked: true,
	sync_budget_ms: 3000,
	event_title_template: 'Video consultation',
	send_updates: 'none',
	add_patient_as_attendee: false,
	join_window_minutes: 10,
	calendar_id: 'primary',
	link_ready_email_subject: 'Your link',
	link_ready_email_body: 'Hello {meet_link}',
	link_ready_doctor_email_subject: 'Link ready',
	link_ready_doctor_email_body: 'Doctor {meet_link}',
	reschedule_email_subject: 'New time',
	reschedule_email_body: 'Now {appointment_time}',
	keep_data_on_uninstall: false,
	redirect_uri:
		'https://clinic.example/wp-admin/admin-post.php?action=mfk_oauth_callback',
};

export const HEALTH = {
	sidecar: {
		reachable: true,
		signed: true,
		version: '0.1.0',
		latency_ms: 3,
		code: '',
		message: '',
	},
	configured: true,
	queue: {
		pending: 2,
		failed: 1,
		oldest_pending_age_seconds: 300,
		last_run_at: '2030-01-01T10:00:00+00:00',
	},
	last_errors: [
		{
			appointment_id: 12,
			state: 'failed',
			code: 'token_revoked',
			message: 'Google answered invalid_grant.',
			at: '2030-01-01T09:58:00+00:00',
		},
	],
	doctors_needing_reconnect: 1,
};

export const DOCTORS = {
	doctors: [
		{
			doctor_id: 3,
			name: 'Zoe Active',
			status: 'active',
			email: 'zoe@gmail.test',
			reason_code: null,
			calendar_primary: false,
			calendar_name: 'Video consultations',
			pending_meetings: 0,
			failed_meetings: 0,
		},
		{
			doctor_id: 4,
			name: 'Anna Never',
			status: 'disconnected',
			email: null,
			reason_code: null,
			calendar_primary: true,
			calendar_name: null,
			pending_meetings: 0,
			failed_meetings: 0,
		},
		{
			doctor_id: 5,
			name: 'Mark Revoked',
			status: 'reconnect_needed',
			email: 'mark@gmail.test',
			reason_code: 'token_revoked',
			calendar_primary: true,
			calendar_name: null,
			pending_meetings: 2,
			failed_meetings: 1,
		},
	],
};
