/**
 * The Google calls a meeting operation is made of (src/sidecar/meetings/meetings.ts): the first
 * call through a batch request when there is one, reads, patches with If-Match, waiting for a
 * pending conference, adopting an event that already exists, deletion; and the errors a change
 * made in Google turns into.
 */
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import type { GoogleSession } from '../google/session';
import {
	attendeeList,
	conferenceFailed,
	conferenceRequest,
	conferenceStatus,
	EVENT_FIELDS,
	sameAttendees,
	sameInstant,
	timeMark,
	timeSetHere,
	sameTime,
	type Event,
	type EnsureInput,
	type KnownEvent,
	type MeetingRef,
	type SendUpdates,
} from './event';
import { revisionOf } from './event-id';

/** Reads of a pending conference per operation, at most (Google usually settles it in one). */
export const MAX_SETTLE_POLLS = 3;

/** Someone moved the event in Google: the clinic's time is not forced over theirs. */
export function movedInGoogle( event: Event ): SidecarError {
	const details: ConstructorParameters< typeof SidecarError >[ 2 ] = {};
	if ( event.start?.dateTime ) {
		details.googleStart = {
			dateTime: event.start.dateTime,
			timeZone: event.start.timeZone ?? 'UTC',
		};
	}
	if ( event.end?.dateTime ) {
		details.googleEnd = {
			dateTime: event.end.dateTime,
			timeZone: event.end.timeZone ?? 'UTC',
		};
	}
	if ( event.etag ) {
		details.etag = event.etag;
	}
	return new SidecarError(
		'moved_in_google',
		'The event was moved in Google Calendar since the last change; it was left at its time there.',
		details
	);
}

export function eventChanged(): SidecarError {
	return new SidecarError(
		'event_changed',
		'The event changed in Google Calendar while this change was being made; try again.',
		{ retryAfterMs: 2000 }
	);
}

/** 404: never created (or gone for good); 410: already deleted. */
export function gone( error: unknown ): boolean {
	return (
		error instanceof SidecarError &&
		( error.google?.status === 404 || error.google?.status === 410 )
	);
}

export const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

/**
 * The first Google call of an operation, described for whoever sends it in a batch request
 * (batch/ensure-batch.ts); the rest of the operation runs as usual.
 */
export interface FirstCall {
	method: 'events.insert' | 'events.patch' | 'events.get';
	calendarId: string;
	/** Absent on insert (the id is in the body). */
	eventId?: string;
	params: Record< string, string >;
	body?: Event;
	/** If-Match. */
	etag?: string;
}

/** Sends `call` and answers its event, or throws the SidecarError the single call would throw. */
export type FirstCallHook = ( call: FirstCall ) => Promise< Event >;

/** One operation's Google calls, with the doctor's session (one instance per operation). */
export class MeetingCalls {
	constructor(
		protected readonly session: GoogleSession,
		private firstCall?: FirstCallHook
	) {}

	/** The operation's first call through the hook when there is one (once), else `send()`. */
	protected first(
		call: FirstCall,
		send: () => Promise< Event >
	): Promise< Event > {
		const hook = this.firstCall;
		if ( ! hook ) {
			return send();
		}
		this.firstCall = undefined;
		return hook( call );
	}

	protected get( ref: MeetingRef, eventId: string ): Promise< Event > {
		return this.first(
			{
				method: 'events.get',
				calendarId: ref.calendarId,
				eventId,
				params: { fields: EVENT_FIELDS },
			},
			() => this.sendGet( ref, eventId )
		);
	}

	protected sendGet( ref: MeetingRef, eventId: string ): Promise< Event > {
		return this.session.calendar(
			'events.get',
			'event',
			async ( auth: OAuth2Client ) =>
				(
					await this.session.api.calendar.events.get( {
						calendarId: ref.calendarId,
						eventId,
						fields: EVENT_FIELDS,
						auth,
					} )
				).data
		);
	}

	protected patch(
		ref: MeetingRef,
		eventId: string,
		body: Event,
		sendUpdates: SendUpdates,
		withConference: boolean,
		etag?: string
	): Promise< Event > {
		return this.first(
			{
				method: 'events.patch',
				calendarId: ref.calendarId,
				eventId,
				params: {
					sendUpdates,
					...( withConference ? { conferenceDataVersion: '1' } : {} ),
					fields: EVENT_FIELDS,
				},
				body,
				...( etag ? { etag } : {} ),
			},
			() =>
				this.sendPatch(
					ref,
					eventId,
					body,
					sendUpdates,
					withConference,
					etag
				)
		);
	}

	protected sendPatch(
		ref: MeetingRef,
		eventId: string,
		body: Event,
		sendUpdates: SendUpdates,
		withConference: boolean,
		etag?: string
	): Promise< Event > {
		return this.session.calendar(
			'events.patch',
			'event',
			async ( auth: OAuth2Client ) =>
				(
					await this.session.api.calendar.events.patch(
						{
							calendarId: ref.calendarId,
							eventId,
							sendUpdates,
							// Without conferenceDataVersion=1 Google ignores conferenceData; with it, a patch that
							// leaves conferenceData out keeps the existing conference (and its link).
							...( withConference
								? { conferenceDataVersion: 1 }
								: {} ),
							requestBody: body,
							fields: EVENT_FIELDS,
							auth,
						},
						// A conditional write: Google answers 412 if the event changed since `etag`.
						etag ? { headers: { 'If-Match': etag } } : {}
					)
				).data
		);
	}

	/**
	 * Polls a pending conference until Google settles it, `waitMs` runs out, or MAX_SETTLE_POLLS
	 * reads were spent on it (backing off): a conference still pending after that is left to
	 * WordPress's queue, whose next `ensure` reads it once.
	 */
	protected async settle(
		ref: MeetingRef,
		eventId: string,
		event: Event,
		waitMs: number
	): Promise< Event > {
		const until = Date.now() + waitMs;
		// 0.4, 1.2 then 3.6 s: most conferences are settled at the first read.
		let delay = 400;
		let polls = 0;
		while (
			conferenceStatus( event ) === 'pending' &&
			event.status !== 'cancelled' &&
			polls < MAX_SETTLE_POLLS &&
			Date.now() + delay <= until
		) {
			polls++;
			await sleep( delay );
			event = await this.get( ref, eventId );
			delay *= 3;
		}
		return event;
	}

	/**
	 * The conflict rules, on the event as Google has it now (docs/queue.md, "Changes made in
	 * Google"): deleted → restored (same id, same link); moved by someone in Google → left as it
	 * is, `moved_in_google` with Google's time; conference removed → a new one; conference
	 * replaced → its link is adopted; anything else → our change applied again over the fresh etag.
	 */
	protected async resolve(
		input: EnsureInput,
		eventId: string,
		requestId: string,
		known: KnownEvent,
		current: Event
	): Promise< Event > {
		if (
			current.status !== 'cancelled' &&
			known.start &&
			known.end &&
			( ! sameInstant( current.start, known.start ) ||
				! sameInstant( current.end, known.end ) ) &&
			! (
				sameInstant( current.start, input.start ) &&
				sameInstant( current.end, input.end )
			) &&
			! timeSetHere( current )
		) {
			throw movedInGoogle( current );
		}
		return this.adopt(
			input,
			eventId,
			requestId,
			current,
			current.etag ?? undefined
		);
	}

	/** Brings an existing event in line with the appointment: restored, same time/summary, a working conference. */
	protected async adopt(
		input: EnsureInput,
		eventId: string,
		requestId: string,
		event: Event,
		etag?: string
	): Promise< Event > {
		const patch: Event = {};
		const cancelled = event.status === 'cancelled';
		if ( cancelled ) {
			patch.status = 'confirmed';
		}
		if (
			cancelled ||
			! sameTime( event.start, input.start ) ||
			! sameTime( event.end, input.end )
		) {
			patch.start = { ...input.start };
			patch.end = { ...input.end };
			patch.extendedProperties = {
				private: timeMark( input.start, input.end ),
			};
		}
		if ( cancelled || event.summary !== input.summary ) {
			patch.summary = input.summary;
		}
		if ( cancelled || ( event.description ?? '' ) !== input.description ) {
			patch.description = input.description;
		}
		if (
			input.attendees &&
			! sameAttendees( event.attendees, input.attendees )
		) {
			patch.attendees = attendeeList( input.attendees );
		}
		const conference = conferenceStatus( event );
		const current = revisionOf(
			eventId,
			event.conferenceData?.createRequest?.requestId
		);
		let withConference = false;
		if ( conference === 'failure' || conference === 'none' ) {
			if (
				conference === 'failure' &&
				current !== null &&
				current >= input.revision
			) {
				// Google ignores a repeated requestId: only a higher revision can bring a new conference.
				throw conferenceFailed( current );
			}
			patch.conferenceData = conferenceRequest( requestId );
			withConference = true;
		} else if ( current !== null && current < input.revision ) {
			// A higher revision than the conference in effect asks for a new one (the clinic
			// regenerated the link): a new createRequest on the same event, as Google advises, gives
			// a new Meet code; the old one is no longer the event's.
			patch.conferenceData = conferenceRequest( requestId );
			withConference = true;
		}
		if ( Object.keys( patch ).length === 0 ) {
			return event;
		}
		try {
			return await this.patch(
				input,
				eventId,
				patch,
				input.sendUpdates,
				withConference,
				etag
			);
		} catch ( error ) {
			if (
				error instanceof SidecarError &&
				error.google?.status === 412
			) {
				// Changed again between our read and our write: the queue tries again shortly.
				throw eventChanged();
			}
			throw error;
		}
	}

	protected remove(
		ref: MeetingRef,
		eventId: string,
		sendUpdates: SendUpdates,
		etag?: string
	): Promise< void > {
		return this.session.calendar(
			'events.delete',
			'event',
			async ( auth: OAuth2Client ) => {
				await this.session.api.calendar.events.delete(
					{
						calendarId: ref.calendarId,
						eventId,
						sendUpdates,
						auth,
					},
					etag ? { headers: { 'If-Match': etag } } : {}
				);
			}
		);
	}
}
