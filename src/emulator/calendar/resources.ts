/**
 * Calendars and events as Google returns them, typed with Google's generated Calendar v3 types
 * so a field Google does not define fails to compile.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { Calendar } from './calendar-store';
import { conferenceView } from './conferences';
import type { StoredEvent } from './event-store';

/** Reminders a calendar applies by default (what `events.list` and calendarList report). */
export const DEFAULT_REMINDERS: calendar_v3.Schema$EventReminder[] = [
	{ method: 'popup', minutes: 10 },
];

function htmlLink( eventId: string, calendarId: string ): string {
	const eid = Buffer.from( `${ eventId } ${ calendarId }` )
		.toString( 'base64' )
		.replace( /=+$/, '' );
	return `https://www.google.com/calendar/event?eid=${ eid }`;
}

/** An event's version as Google writes it: a quoted string that changes with every change. */
export const etagOf = ( ev: StoredEvent ): string => `"${ ev.etagSeq }"`;

export function eventResource(
	cal: Calendar,
	ev: StoredEvent,
	now = Date.now()
): calendar_v3.Schema$Event {
	const owner = { email: cal.owner, self: true };
	const resource: calendar_v3.Schema$Event = {
		kind: 'calendar#event',
		etag: etagOf( ev ),
		id: ev.id,
		status: ev.status,
		htmlLink: htmlLink( ev.id, cal.id ),
		created: ev.created,
		updated: ev.updated,
		...structuredClone( ev.fields ),
		creator: owner,
		organizer: cal.primary
			? owner
			: { email: cal.id, displayName: cal.summary, self: true },
		iCalUID: `${ ev.id }@google.com`,
		sequence: ev.sequence,
		eventType: 'default',
	};
	resource.reminders ??= { useDefault: true };
	if ( ev.conference ) {
		const { conferenceData, hangoutLink } = conferenceView(
			ev.conference,
			now
		);
		if ( hangoutLink ) {
			resource.hangoutLink = hangoutLink;
		}
		resource.conferenceData = conferenceData;
	}
	return resource;
}

export function calendarResource( cal: Calendar ): calendar_v3.Schema$Calendar {
	return {
		kind: 'calendar#calendar',
		etag: `"${ cal.id.length }${ cal.events.size }"`,
		id: cal.id,
		summary: cal.summary,
		...( cal.description !== undefined
			? { description: cal.description }
			: {} ),
		timeZone: cal.timeZone,
		// Secondary calendars have one data owner (primary calendars belong to their account).
		...( cal.primary ? {} : { dataOwner: cal.owner } ),
		conferenceProperties: {
			allowedConferenceSolutionTypes: [
				...cal.allowedConferenceSolutionTypes,
			],
		},
	};
}

export function calendarListEntry(
	cal: Calendar,
	accessRole: string = 'owner'
): calendar_v3.Schema$CalendarListEntry {
	return {
		...calendarResource( cal ),
		kind: 'calendar#calendarListEntry',
		accessRole,
		primary: cal.primary || undefined,
		selected: true,
		defaultReminders: DEFAULT_REMINDERS,
	};
}
