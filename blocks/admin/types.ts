/**
 * Shapes of the plugin's REST API answers (docs/rest-api.md, namespace meet-for-kivicare/v1)
 * that the admin screens read.
 */

export type MeetAccessType = 'RESTRICTED' | 'TRUSTED' | 'OPEN';

export type SendUpdates = 'none' | 'externalOnly' | 'all';

/** `GET /settings`. Secrets are only reported as set or not. */
export interface Settings {
	google_client_id: string;
	google_client_secret_set: boolean;
	sidecar_url: string;
	sidecar_url_locked: boolean;
	sidecar_secret_set: boolean;
	sidecar_secret_locked: boolean;
	/** An enrolment key of a hosted sidecar is stored (or set in wp-config.php). */
	sidecar_enrolment_key_set?: boolean;
	sidecar_enrolment_key_locked?: boolean;
	/** This site's id: what a hosted sidecar's operator enrols. */
	site_id?: string;
	sync_budget_ms: number;
	event_title_template: string;
	send_updates: SendUpdates;
	/** Who joins the Meet without asking (Google's `config.accessType`). */
	meet_access_type?: MeetAccessType;
	/** Days attendance records are kept (0: until erased). */
	attendance_retention_days?: number;
	add_patient_as_attendee: boolean;
	join_window_minutes: number;
	calendar_id: string;
	/** A consultation's event deleted in the doctor's Google Calendar: restored, or left and flagged. */
	google_deleted_event?: 'restore' | 'flag';
	/** Doctors' Google busy times block their KiviCare slots unless they switch it off. */
	busy_blocks_default?: boolean;
	/** Seconds busy times read from Google are reused for slot views. */
	busy_cache_seconds?: number;
	/** How long a slot view or booking waits for Google's busy times. */
	busy_budget_ms?: number;
	link_ready_email_subject: string;
	link_ready_email_body: string;
	link_ready_doctor_email_subject: string;
	link_ready_doctor_email_body: string;
	reschedule_email_subject: string;
	reschedule_email_body: string;
	keep_data_on_uninstall: boolean;
	redirect_uri: string;
}

/** One check of `POST /settings/test`. */
export interface TestCheck {
	id: string;
	ok: boolean;
	message: string;
	hint?: string;
	code?: string;
	/** Where the fix is made (a Google Cloud console page). */
	link?: { url: string; label: string };
	latency_ms?: number;
}

export interface TestResult {
	/** Every check that ran passed. */
	ok: boolean;
	/** Every check ran and passed, the test meeting included. */
	complete?: boolean;
	checks: TestCheck[];
	/** What was not checked, and why. */
	not_checked?: Array< { id: string; message: string } >;
	/** The connected doctor the test ran as. */
	doctor?: { id: number; name: string; email: string } | null;
}

/** `GET /health`. */
export interface Health {
	sidecar: {
		reachable: boolean;
		signed: boolean;
		version?: string | null;
		latency_ms?: number | null;
		/** Configured for a hosted sidecar (an enrolment key). */
		hosted?: boolean;
		/** Why the sidecar is unreachable or refuses the signature. */
		code?: string;
		message?: string;
	};
	/** Client ID, client secret, sidecar address and shared secret are all set. */
	configured?: boolean;
	queue: {
		pending: number;
		failed: number;
		oldest_pending_age_seconds: number | null;
		last_run_at: string | null;
	};
	last_errors: Array< {
		appointment_id: number;
		state?: string;
		code: string;
		message: string;
		at: string | null;
	} >;
	doctors_needing_reconnect: number;
	/** The last time Google busy times could not be read (slots used the last known ones). */
	busy_times_failure?: { code: string; at: string } | null;
	/** Changes made in the doctors' Google calendars (MFK_Calendar_Sync::health()). */
	calendar_sync?: CalendarSyncHealth;
}

/** `calendar_sync` of `GET /health`. */
export interface CalendarSyncHealth {
	/** Google sends push notifications to the site (else only the periodic check runs). */
	push: boolean;
	/** Connected doctors. */
	doctors: number;
	/** Doctors whose calendar was checked at least once. */
	synced: number;
	/** Doctors whose last check failed. */
	failing: number;
	/** Open push channels. */
	channels: number;
	/** The least recent last check of a doctor's calendar. */
	oldest_sync_at: string | null;
	/** Meetings moved in Google, waiting for Apply to appointment or Put back. */
	moved_in_google: number;
}

export type ConnectionStatus = 'active' | 'reconnect_needed' | 'disconnected';

/** `GET /connection`. */
export interface Connection {
	doctor_id: number;
	status: ConnectionStatus;
	email?: string | null;
	reason_code?: string | null;
	reason_message?: string | null;
	connected_at?: string | null;
	/** Name of the calendar new consultations go to. */
	calendar_name?: string | null;
	/** `needs_grant`: the grant lacks the Meet settings scope (access control is off). */
	meet_access?: 'ok' | 'needs_grant';
}

/** The calendar that receives a doctor's consultations. */
export interface CurrentCalendar {
	id: string;
	summary: string;
	primary: boolean;
	/** After a choice: meetings that had lost their calendar, now made in this one. */
	moved?: number;
	/** After asking for the "Video consultations" calendar: whether it was made just now. */
	created?: boolean;
}

/** One calendar the doctor may choose (writable, Google Meet allowed). */
export interface CalendarOption {
	id: string;
	summary: string;
	primary: boolean;
	access_role: 'owner' | 'writer';
	/** The "Video consultations" calendar the product made. */
	consultations: boolean;
}

/** `GET /connection/calendars`. */
export interface CalendarChoices {
	current: CurrentCalendar;
	access: { list: boolean; create: boolean };
	calendars: CalendarOption[];
}

/** One row of `GET /connections`. */
export interface DoctorConnection {
	doctor_id: number;
	name: string;
	status: ConnectionStatus;
	email?: string | null;
	reason_code?: string | null;
	reason_message?: string | null;
	pending_meetings: number;
	failed_meetings: number;
	/** Whether the doctor's new meetings go to their primary calendar. */
	calendar_primary?: boolean;
	/** Name of the calendar the doctor chose (null: their primary calendar). */
	calendar_name?: string | null;
	/** `needs_grant`: access control is off for this doctor's Meet meetings until they allow it. */
	meet_access?: 'ok' | 'needs_grant';
	/** Until when the connection link last e-mailed to the doctor works (null: none). */
	invite_until?: string | null;
	/** Whether the signed-in user may e-mail this doctor a connection link. */
	can_invite?: boolean;
	/** Whether the signed-in user may disconnect this doctor (administrators). */
	can_disconnect?: boolean;
}

/** `GET /connection/busy-times`: the doctor's Google busy times as KiviCare blocks. */
export interface BusyTimes {
	state: 'on' | 'off' | 'needs_grant' | 'not_connected';
	switched_on: boolean;
	scope: 'granted' | 'missing' | 'unknown';
	days?: number;
	/** Local wall time of the doctor, `Y-m-d H:i:s`; never an event title. */
	blocks?: Array< { start: string; end: string; name: string } >;
}
