/**
 * The settings form's model, without React: the editable values derived from `GET /settings`,
 * what a save sends (only changed fields; secrets only when typed), and which fields an error
 * answer points at. Validation itself is the server's: it checks the whole update and stores
 * all of it or nothing.
 */
import type { Settings } from './types';

export type FieldName =
	| 'google_client_id'
	| 'google_client_secret'
	| 'sidecar_url'
	| 'sidecar_secret'
	| 'sidecar_enrolment_key'
	| 'sync_budget_ms'
	| 'event_title_template'
	| 'send_updates'
	| 'meet_access_type'
	| 'attendance_retention_days'
	| 'add_patient_as_attendee'
	| 'join_window_minutes'
	| 'calendar_id'
	| 'google_deleted_event'
	| 'busy_blocks_default'
	| 'busy_cache_seconds'
	| 'busy_budget_ms'
	| 'link_ready_email_subject'
	| 'link_ready_email_body'
	| 'link_ready_doctor_email_subject'
	| 'link_ready_doctor_email_body'
	| 'reschedule_email_subject'
	| 'reschedule_email_body'
	| 'keep_data_on_uninstall';

export type FormValues = Record< FieldName, string | boolean >;

/** Fields that hold a number on the server but are typed as text. */
export const NUMBER_FIELDS: readonly FieldName[] = [
	'sync_budget_ms',
	'join_window_minutes',
	'attendance_retention_days',
	'busy_cache_seconds',
	'busy_budget_ms',
];

/** Write-only fields: never sent back by the server, sent only when the admin types one. */
export const SECRET_FIELDS: readonly FieldName[] = [
	'google_client_secret',
	'sidecar_secret',
	'sidecar_enrolment_key',
];

export const FIELD_ORDER: readonly FieldName[] = [
	'google_client_id',
	'google_client_secret',
	'sidecar_url',
	'sidecar_enrolment_key',
	'sidecar_secret',
	'event_title_template',
	'send_updates',
	'meet_access_type',
	'add_patient_as_attendee',
	'attendance_retention_days',
	'join_window_minutes',
	'sync_budget_ms',
	'calendar_id',
	'google_deleted_event',
	'busy_blocks_default',
	'busy_cache_seconds',
	'busy_budget_ms',
	'link_ready_email_subject',
	'link_ready_email_body',
	'link_ready_doctor_email_subject',
	'link_ready_doctor_email_body',
	'reschedule_email_subject',
	'reschedule_email_body',
	'keep_data_on_uninstall',
];

/** Form values for the stored settings (secret inputs start empty). */
export function valuesFromSettings( settings: Settings ): FormValues {
	return {
		google_client_id: settings.google_client_id ?? '',
		google_client_secret: '',
		sidecar_url: settings.sidecar_url ?? '',
		sidecar_secret: '',
		sidecar_enrolment_key: '',
		sync_budget_ms: String( settings.sync_budget_ms ?? '' ),
		event_title_template: settings.event_title_template ?? '',
		send_updates: settings.send_updates ?? 'none',
		meet_access_type: settings.meet_access_type ?? 'RESTRICTED',
		attendance_retention_days: String(
			settings.attendance_retention_days ?? 365
		),
		add_patient_as_attendee: !! settings.add_patient_as_attendee,
		join_window_minutes: String( settings.join_window_minutes ?? '' ),
		calendar_id: settings.calendar_id ?? '',
		google_deleted_event: settings.google_deleted_event ?? 'restore',
		busy_blocks_default: settings.busy_blocks_default ?? true,
		busy_cache_seconds: String( settings.busy_cache_seconds ?? 60 ),
		busy_budget_ms: String( settings.busy_budget_ms ?? 1500 ),
		link_ready_email_subject: settings.link_ready_email_subject ?? '',
		link_ready_email_body: settings.link_ready_email_body ?? '',
		link_ready_doctor_email_subject:
			settings.link_ready_doctor_email_subject ?? '',
		link_ready_doctor_email_body:
			settings.link_ready_doctor_email_body ?? '',
		reschedule_email_subject: settings.reschedule_email_subject ?? '',
		reschedule_email_body: settings.reschedule_email_body ?? '',
		keep_data_on_uninstall: !! settings.keep_data_on_uninstall,
	};
}

/** Fields the admin cannot change here because wp-config.php sets them. */
export function lockedFields( settings: Settings ): Set< FieldName > {
	const locked = new Set< FieldName >();
	if ( settings.sidecar_url_locked ) {
		locked.add( 'sidecar_url' );
	}
	if ( settings.sidecar_secret_locked ) {
		locked.add( 'sidecar_secret' );
	}
	if ( settings.sidecar_enrolment_key_locked ) {
		locked.add( 'sidecar_enrolment_key' );
	}
	return locked;
}

/**
 * The `POST /settings` body: changed fields only, secrets only when typed, numbers as numbers
 * when they are whole numbers (anything else goes as typed, for the server to explain).
 */
export function buildPayload(
	initial: FormValues,
	values: FormValues,
	locked: Set< FieldName > = new Set()
): Partial< Record< FieldName, string | number | boolean > > {
	const payload: Partial< Record< FieldName, string | number | boolean > > =
		{};
	for ( const name of FIELD_ORDER ) {
		if ( locked.has( name ) ) {
			continue;
		}
		const value = values[ name ];
		if ( SECRET_FIELDS.includes( name ) ) {
			if ( typeof value === 'string' && value.trim() !== '' ) {
				payload[ name ] = value.trim();
			}
			continue;
		}
		if ( value === initial[ name ] ) {
			continue;
		}
		if ( NUMBER_FIELDS.includes( name ) && typeof value === 'string' ) {
			const trimmed = value.trim();
			payload[ name ] = /^-?\d+$/.test( trimmed )
				? Number( trimmed )
				: trimmed;
			continue;
		}
		payload[ name ] = value;
	}
	return payload;
}

export function isDirty(
	initial: FormValues,
	values: FormValues,
	locked: Set< FieldName > = new Set()
): boolean {
	return Object.keys( buildPayload( initial, values, locked ) ).length > 0;
}

/**
 * Field errors of a failed save, in form order (fields the form does not show come last, so
 * the summary still lists them).
 */
export function orderedErrors(
	params: Record< string, string >
): Array< [ string, string ] > {
	const known = FIELD_ORDER.filter( ( name ) => name in params ).map(
		( name ): [ string, string ] => [ name, params[ name ] ?? '' ]
	);
	const other = Object.entries( params ).filter(
		( [ name ] ) => ! ( FIELD_ORDER as readonly string[] ).includes( name )
	);
	return [ ...known, ...other ];
}

/** DOM id of a field's wrapper (the error summary links to it). */
export function fieldId( name: string ): string {
	return `mfk-field-${ name.replace( /[^a-z0-9_-]/gi, '-' ) }`;
}
