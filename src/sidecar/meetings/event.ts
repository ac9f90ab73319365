/**
 * The Google Calendar event behind a meeting, as the clinic wants it (no clinical detail,
 * private, guests blind to each other), and the answer the sidecar gives about an event.
 */
import type { calendar_v3 } from '../google/api';
import { SidecarError } from '../errors';
import { requestIdFor, revisionOf } from './event-id';
import type { EventTime } from './time';

export type SendUpdates = 'all' | 'externalOnly' | 'none';
export type ConferenceStatus = 'success' | 'pending' | 'failure' | 'none';
export type MeetingStatus = 'ready' | 'pending' | 'failed' | 'cancelled';

export interface MeetingRef {
	siteId: string;
	appointmentId: number;
	calendarId: string;
}

/**
 * What WordPress knows of the event from its last success (the sidecar keeps no state): its id,
 * its etag then, and the conference revision and times it had. With it a change is one call.
 */
export interface KnownEvent {
	eventId: string;
	etag?: string;
	revision?: number;
	start?: EventTime;
	end?: EventTime;
}

export interface EnsureInput extends MeetingRef {
	known?: KnownEvent;
	revision: number;
	summary: string;
	description: string;
	start: EventTime;
	end: EventTime;
	attendees?: { email: string; displayName?: string }[];
	sendUpdates: SendUpdates;
	waitMs: number;
}

export interface RescheduleInput extends MeetingRef {
	known?: KnownEvent;
	start: EventTime;
	end: EventTime;
	summary?: string;
	sendUpdates: SendUpdates;
	waitMs: number;
}

export interface MeetingAnswer {
	eventId: string;
	calendarId: string;
	revision: number;
	status: MeetingStatus;
	conferenceStatus: ConferenceStatus;
	meetUrl: string | null;
	eventUrl: string | null;
	start: EventTime | null;
	end: EventTime | null;
	/** The event's version now: WordPress sends it back as `known.etag` with the next change. */
	etag: string | null;
	created?: boolean;
}

export type Event = calendar_v3.Schema$Event;

const MEET = 'hangoutsMeet';

export function conferenceStatus( event: Event ): ConferenceStatus {
	const code = event.conferenceData?.createRequest?.status?.statusCode;
	if ( code === 'pending' ) {
		return 'pending';
	}
	if ( code === 'failure' ) {
		return 'failure';
	}
	return meetUrl( event ) ? 'success' : 'none';
}

function meetUrl( event: Event ): string | null {
	if ( event.hangoutLink ) {
		return event.hangoutLink;
	}
	const video = event.conferenceData?.entryPoints?.find(
		( e ) => e.entryPointType === 'video'
	);
	return video?.uri ?? null;
}

function eventTime(
	t: calendar_v3.Schema$EventDateTime | undefined
): EventTime | null {
	return t?.dateTime
		? { dateTime: t.dateTime, timeZone: t.timeZone ?? 'UTC' }
		: null;
}

/**
 * What the sidecar reads of an event, asked as Google's partial response (`fields`) on every
 * events call it makes: the answer to WordPress, the checks before adopting an existing event,
 * the conference's state, and the etag. Google sends nothing else (reminders, creator, organizer,
 * iCalUID, conference solution icons…).
 */
export const EVENT_FIELDS =
	'etag,id,status,htmlLink,hangoutLink,summary,description,start,end,attendees(email),' +
	'conferenceData(createRequest(requestId,status),entryPoints(entryPointType,uri)),' +
	'extendedProperties(private)';

export function answerFor(
	ref: MeetingRef,
	eventId: string,
	event: Event,
	fallbackRevision: number,
	created?: boolean
): MeetingAnswer {
	const conference = conferenceStatus( event );
	let status: MeetingStatus;
	if ( event.status === 'cancelled' ) {
		status = 'cancelled';
	} else if ( conference === 'success' ) {
		status = 'ready';
	} else if ( conference === 'pending' ) {
		status = 'pending';
	} else {
		status = 'failed';
	}
	const answer: MeetingAnswer = {
		eventId,
		calendarId: ref.calendarId,
		revision:
			revisionOf(
				eventId,
				event.conferenceData?.createRequest?.requestId
			) ?? fallbackRevision,
		status,
		conferenceStatus: conference,
		meetUrl: conference === 'success' ? meetUrl( event ) : null,
		eventUrl: event.htmlLink ?? null,
		start: eventTime( event.start ),
		end: eventTime( event.end ),
		etag: event.etag ?? null,
	};
	if ( created !== undefined ) {
		answer.created = created;
	}
	return answer;
}

export function conferenceRequest(
	requestId: string
): calendar_v3.Schema$ConferenceData {
	return {
		createRequest: { requestId, conferenceSolutionKey: { type: MEET } },
	};
}

/** Attendees as Google takes them: the display name only when there is one. */
export function attendeeList(
	attendees: readonly { email: string; displayName?: string | null }[]
): { email: string; displayName?: string }[] {
	return attendees.map( ( a ) =>
		a.displayName
			? { email: a.email, displayName: a.displayName }
			: { email: a.email }
	);
}

/** Google gave up on the conference of `revision`; only a higher revision can bring a new one. */
export function conferenceFailed( revision: number ): SidecarError {
	return new SidecarError(
		'conference_failed',
		'Google could not create the Meet conference; ask again with revision + 1 for a new one.',
		{ revision }
	);
}

/** The event as the clinic wants it: no clinical detail, private, guests blind to each other. */
export function eventBody( input: EnsureInput, eventId: string ): Event {
	const body: Event = {
		id: eventId,
		summary: input.summary,
		description: input.description,
		start: { ...input.start },
		end: { ...input.end },
		visibility: 'private',
		transparency: 'opaque',
		guestsCanSeeOtherGuests: false,
		guestsCanInviteOthers: false,
		guestsCanModify: false,
		anyoneCanAddSelf: false,
		reminders: { useDefault: true },
		extendedProperties: {
			private: {
				mfkSiteId: input.siteId,
				mfkAppointmentId: String( input.appointmentId ),
				...timeMark( input.start, input.end ),
			},
		},
		conferenceData: conferenceRequest(
			requestIdFor( eventId, input.revision )
		),
	};
	if ( input.attendees && input.attendees.length > 0 ) {
		body.attendees = attendeeList( input.attendees );
	}
	return body;
}

export function sameTime(
	a: calendar_v3.Schema$EventDateTime | undefined,
	b: EventTime
): boolean {
	return (
		!! a?.dateTime &&
		Date.parse( a.dateTime ) === Date.parse( b.dateTime ) &&
		a.timeZone === b.timeZone
	);
}

export function sameAttendees(
	current: calendar_v3.Schema$EventAttendee[] | undefined,
	wanted: { email: string }[]
): boolean {
	const have = new Set(
		( current ?? [] ).map( ( a ) => ( a.email ?? '' ).toLowerCase() )
	);
	return (
		have.size === wanted.length &&
		wanted.every( ( a ) => have.has( a.email.toLowerCase() ) )
	);
}

/**
 * What the event records, in its private properties, of the time this product last gave it. A
 * move made in Google changes the time and not the mark, so a time that matches its mark is ours
 * even when WordPress never heard the answer that set it (a lost answer, a crashed request).
 */
export function timeMark(
	start: Pick< EventTime, 'dateTime' >,
	end: Pick< EventTime, 'dateTime' >
): { mfkTime: string } {
	return {
		mfkTime: `${ Date.parse( start.dateTime ) }/${ Date.parse( end.dateTime ) }`,
	};
}

/** Whether the event's time is the one this product last set (timeMark()). */
export function timeSetHere( event: Event ): boolean {
	const mark = event.extendedProperties?.private?.mfkTime;
	return (
		!! mark &&
		!! event.start?.dateTime &&
		!! event.end?.dateTime &&
		mark ===
			timeMark(
				{ dateTime: event.start.dateTime },
				{ dateTime: event.end.dateTime }
			).mfkTime
	);
}

/** The same instant (time zones aside): how a move made in Google is told from our own times. */
export function sameInstant(
	a: calendar_v3.Schema$EventDateTime | undefined,
	b: EventTime
): boolean {
	return (
		!! a?.dateTime && Date.parse( a.dateTime ) === Date.parse( b.dateTime )
	);
}
