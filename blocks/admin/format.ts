/**
 * Plain-word texts for codes and figures the REST API returns.
 */
import { __, _n, sprintf } from '@wordpress/i18n';
import type { ConnectionStatus } from './types';

/** What an error code means, in words an administrator understands. */
export function describeCode( code: string ): string {
	const texts: Record< string, string > = {
		token_revoked: __(
			'Google no longer accepts the doctor’s connection; the doctor must reconnect',
			'meet-for-kivicare'
		),
		credential_invalid: __(
			'the stored Google connection cannot be opened; the doctor must reconnect',
			'meet-for-kivicare'
		),
		seal_key_unknown: __(
			'the sidecar’s sealing key changed; restore the previous key or the doctor must reconnect',
			'meet-for-kivicare'
		),
		insufficient_scope: __(
			'the doctor did not allow access to calendar events; the doctor must reconnect and keep every box ticked',
			'meet-for-kivicare'
		),
		not_connected: __(
			'the doctor has not connected a Google account',
			'meet-for-kivicare'
		),
		doctor_not_connected: __(
			'the doctor has not connected a Google account',
			'meet-for-kivicare'
		),
		quota_exceeded: __(
			'Google’s usage limits are reached; links are created again in a few hours',
			'meet-for-kivicare'
		),
		rate_limited: __(
			'Google asked to slow down; it is retried automatically',
			'meet-for-kivicare'
		),
		conference_failed: __(
			'Google could not create the Meet conference',
			'meet-for-kivicare'
		),
		calendar_not_found: __(
			'the calendar chosen for consultations no longer exists in that Google account, or the account can no longer add events to it: choose another calendar on the Google connection page',
			'meet-for-kivicare'
		),
		moved_in_google: __(
			'the event was moved in Google Calendar; it keeps that time until the appointment is changed again',
			'meet-for-kivicare'
		),
		conference_not_allowed: __(
			'Google Meet is turned off for that calendar (a Google Workspace setting)',
			'meet-for-kivicare'
		),
		client_invalid: __(
			'Google refused the OAuth client ID or secret',
			'meet-for-kivicare'
		),
		api_disabled: __(
			'the Google Calendar API is not enabled in the Google Cloud project; Test connection links to the page that enables it',
			'meet-for-kivicare'
		),
		google_unavailable: __(
			'Google did not answer; it is retried automatically',
			'meet-for-kivicare'
		),
		sidecar_unavailable: __(
			'the sidecar service did not answer',
			'meet-for-kivicare'
		),
		sidecar_misconfigured: __(
			'the sidecar address or shared secret is missing',
			'meet-for-kivicare'
		),
		unauthorized: __(
			'the sidecar refused the shared secret',
			'meet-for-kivicare'
		),
		not_configured: __(
			'the Google OAuth client is not configured',
			'meet-for-kivicare'
		),
		max_age_exceeded: __(
			'gave up after retrying for too long',
			'meet-for-kivicare'
		),
	};
	return texts[ code ] ?? code;
}

/** Name of a connection test check. */
export function checkLabel( id: string ): string {
	const labels: Record< string, string > = {
		sidecar: __( 'Sidecar reachable', 'meet-for-kivicare' ),
		signed: __( 'Shared secret accepted', 'meet-for-kivicare' ),
		signature: __( 'Shared secret accepted', 'meet-for-kivicare' ),
		enrolment: __( 'Enrolment key accepted', 'meet-for-kivicare' ),
		client: __( 'OAuth client accepted by Google', 'meet-for-kivicare' ),
		token: __( 'The doctor’s Google connection', 'meet-for-kivicare' ),
		calendar: __(
			'The doctor’s calendar (Google Calendar API)',
			'meet-for-kivicare'
		),
		meet: __( 'Google Meet allowed', 'meet-for-kivicare' ),
		probe: __( 'Test meeting created and removed', 'meet-for-kivicare' ),
	};
	return labels[ id ] ?? id;
}

export function statusLabel( status: ConnectionStatus ): string {
	switch ( status ) {
		case 'active':
			return __( 'Connected', 'meet-for-kivicare' );
		case 'reconnect_needed':
			return __( 'Reconnect needed', 'meet-for-kivicare' );
		default:
			return __( 'Not connected', 'meet-for-kivicare' );
	}
}

/** A duration in seconds as "45 seconds", "12 minutes", "3 hours", "2 days". */
export function formatAge( seconds: number ): string {
	const s = Math.max( 0, Math.round( seconds ) );
	if ( s < 60 ) {
		return sprintf(
			/* translators: %d: number of seconds. */
			_n( '%d second', '%d seconds', s, 'meet-for-kivicare' ),
			s
		);
	}
	const minutes = Math.round( s / 60 );
	if ( minutes < 60 ) {
		return sprintf(
			/* translators: %d: number of minutes. */
			_n( '%d minute', '%d minutes', minutes, 'meet-for-kivicare' ),
			minutes
		);
	}
	const hours = Math.round( s / 3600 );
	if ( hours < 48 ) {
		return sprintf(
			/* translators: %d: number of hours. */
			_n( '%d hour', '%d hours', hours, 'meet-for-kivicare' ),
			hours
		);
	}
	const days = Math.round( s / 86400 );
	return sprintf(
		/* translators: %d: number of days. */
		_n( '%d day', '%d days', days, 'meet-for-kivicare' ),
		days
	);
}

/** An ISO 8601 instant in the browser's language and zone ('' when missing or invalid). */
export function formatDateTime( iso: string | null | undefined ): string {
	if ( ! iso ) {
		return '';
	}
	const time = Date.parse( iso );
	if ( Number.isNaN( time ) ) {
		return '';
	}
	return new Date( time ).toLocaleString(
		document.documentElement.lang || undefined,
		{
			dateStyle: 'medium',
			timeStyle: 'short',
		}
	);
}

/**
 * What went wrong when Google sent the doctor back (`?mfk_error=<code>`), with the next step.
 */
export function connectErrorMessage( code: string ): string {
	switch ( code ) {
		case 'access_denied':
			return __(
				'You declined on Google’s consent page, so nothing was connected. Choose Connect Google again and allow access to your calendar events.',
				'meet-for-kivicare'
			);
		case 'insufficient_scope':
			return __(
				'Google did not grant access to your calendar events. Connect again and keep every box ticked on Google’s consent page.',
				'meet-for-kivicare'
			);
		case 'invalid_request':
			return __(
				'Google sent you back without an answer this site can use. Choose Connect Google again.',
				'meet-for-kivicare'
			);
		case 'google_error':
			return __(
				'Google reported an error on its consent page. Choose Connect Google again; if it keeps failing, tell your administrator.',
				'meet-for-kivicare'
			);
		case 'client_invalid':
			return __(
				'Google refused this site’s OAuth client. Ask your administrator to check the client ID, secret and redirect URI in the Meet for KiviCare settings.',
				'meet-for-kivicare'
			);
		case 'sidecar_unavailable':
			return __(
				'The Meet service of this site did not answer. Try again in a minute; if it keeps failing, tell your administrator.',
				'meet-for-kivicare'
			);
		default:
			return sprintf(
				/* translators: %s: error code. */
				__(
					'Google could not be connected (%s). Try again; if it keeps failing, tell your administrator.',
					'meet-for-kivicare'
				),
				code
			);
	}
}
