/**
 * Meetings: one Google Calendar event with a Google Meet conference per appointment, kept in step
 * idempotently. Every operation can be repeated, run concurrently or on another replica, and
 * still leaves exactly one event (its id is derived from site and appointment).
 */
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import type { GoogleSession } from '../google/session';
import {
	answerFor,
	attendeeList,
	conferenceFailed,
	conferenceRequest,
	conferenceStatus,
	EVENT_FIELDS,
	eventBody,
	sameAttendees,
	sameInstant,
	sameTime,
	type Event,
	type EnsureInput,
	type KnownEvent,
	type MeetingAnswer,
	type MeetingRef,
	type RescheduleInput,
	type SendUpdates,
} from './event';
import { eventIdFor, requestIdFor, revisionOf } from './event-id';

/** Reads of a pending conference per operation, at most (Google usually settles it in one). */
export const MAX_SETTLE_POLLS = 3;

/** Someone moved the event in Google: the clinic's time is not forced over theirs. */
function movedInGoogle( event: Event ): SidecarError {
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

function eventChanged(): SidecarError {
	return new SidecarError(
		'event_changed',
		'The event changed in Google Calendar while this change was being made; try again.',
		{ retryAfterMs: 2000 }
	);
}

/** 404: never created (or gone for good); 410: already deleted. */
function gone( error: unknown ): boolean {
	return (
		error instanceof SidecarError &&
		( error.google?.status === 404 || error.google?.status === 410 )
	);
}

const sleep = ( ms: number ) =>
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

export class Meetings {
	constructor(
		private readonly session: GoogleSession,
		private firstCall?: FirstCallHook
	) {}

	/** The operation's first call through the hook when there is one (once), else `send()`. */
	private first(
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

	private get( ref: MeetingRef, eventId: string ): Promise< Event > {
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

	private sendGet( ref: MeetingRef, eventId: string ): Promise< Event > {
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

	private patch(
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

	private sendPatch(
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
	private async settle(
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

	async ensure( input: EnsureInput ): Promise< MeetingAnswer > {
		const eventId = eventIdFor( input.siteId, input.appointmentId );
		const requestId = requestIdFor( eventId, input.revision );
		let event: Event | null = null;
		let created = false;
		if ( input.known && input.known.eventId === eventId ) {
			// WordPress knows the event: one call (a patch, or a read when nothing changed); null
			// when it is gone from Google (404/410), and the creation path below makes it again.
			event = await this.changeKnown(
				input,
				eventId,
				requestId,
				input.known
			);
		}
		if ( ! event ) {
			( { event, created } = await this.create(
				input,
				eventId,
				requestId
			) );
		}
		event = await this.settle( input, eventId, event, input.waitMs );
		const answer = answerFor(
			input,
			eventId,
			event,
			input.revision,
			created
		);
		if ( answer.conferenceStatus === 'failure' ) {
			throw conferenceFailed( answer.revision );
		}
		return answer;
	}

	/** Insert-first with the deterministic id; a 409 (the id exists) adopts the event instead. */
	private async create(
		input: EnsureInput,
		eventId: string,
		requestId: string
	): Promise< { event: Event; created: boolean } > {
		try {
			const requestBody = eventBody( input, eventId );
			const event = await this.first(
				{
					method: 'events.insert',
					calendarId: input.calendarId,
					params: {
						conferenceDataVersion: '1',
						sendUpdates: input.sendUpdates,
						fields: EVENT_FIELDS,
					},
					body: requestBody,
				},
				() =>
					this.session.calendar(
						'events.insert',
						'calendar',
						async ( auth: OAuth2Client ) =>
							(
								await this.session.api.calendar.events.insert( {
									calendarId: input.calendarId,
									conferenceDataVersion: 1,
									sendUpdates: input.sendUpdates,
									requestBody,
									fields: EVENT_FIELDS,
									auth,
								} )
							).data
					)
			);
			return { event, created: true };
		} catch ( error ) {
			// 409: the id exists (an earlier attempt, another replica, or a cancelled event): adopt it.
			if ( ! (
				error instanceof SidecarError && error.google?.status === 409
			) ) {
				throw error;
			}
			return {
				event: await this.adopt(
					input,
					eventId,
					requestId,
					await this.get( input, eventId )
				),
				created: false,
			};
		}
	}

	/**
	 * The change of an event WordPress knows, in one call: a conditional patch (If-Match with the
	 * etag WordPress kept) of what the appointment says, or a read when neither the times nor the
	 * conference revision changed (a pending conference, a retry), followed by a write only when
	 * the read shows something to put right. Null when the event is gone from Google (404/410):
	 * the caller creates it again with the same id.
	 */
	private async changeKnown(
		input: EnsureInput,
		eventId: string,
		requestId: string,
		known: KnownEvent
	): Promise< Event | null > {
		const newConference =
			known.revision !== undefined && input.revision > known.revision;
		const unchanged =
			! newConference &&
			known.revision !== undefined &&
			!! known.start &&
			!! known.end &&
			sameTime( known.start, input.start ) &&
			sameTime( known.end, input.end );
		let event: Event;
		try {
			if ( unchanged ) {
				// Nothing WordPress changed: one read, and a write only for what the read shows
				// differs (deleted or moved in Google, conference removed, summary or guests).
				return await this.resolve(
					input,
					eventId,
					requestId,
					known,
					await this.get( input, eventId )
				);
			}
			const patch: Event = {
				start: { ...input.start },
				end: { ...input.end },
				summary: input.summary,
				description: input.description,
			};
			if ( input.attendees ) {
				patch.attendees = attendeeList( input.attendees );
			}
			if ( newConference ) {
				// Regenerate: a new createRequest on the same event gives it a new Meet code.
				patch.conferenceData = conferenceRequest( requestId );
			}
			event = await this.patch(
				input,
				eventId,
				patch,
				input.sendUpdates,
				newConference,
				known.etag
			);
		} catch ( error ) {
			if ( ! ( error instanceof SidecarError ) ) {
				throw error;
			}
			if ( gone( error ) ) {
				return null;
			}
			if ( error.google?.status !== 412 ) {
				throw error;
			}
			// Someone changed the event in Google since WordPress saw it: read it, then decide.
			let current: Event;
			try {
				current = await this.get( input, eventId );
			} catch ( again ) {
				if ( gone( again ) ) {
					return null;
				}
				throw again;
			}
			return this.resolve( input, eventId, requestId, known, current );
		}
		if ( event.status === 'cancelled' ) {
			// Patched without an etag and found deleted in Google: restore it (same id, same link).
			return this.adopt(
				input,
				eventId,
				requestId,
				event,
				event.etag ?? undefined
			);
		}
		return event;
	}

	/**
	 * The conflict rules, on the event as Google has it now (docs/queue.md, "Changes made in
	 * Google"): deleted → restored (same id, same link); moved by someone in Google → left as it
	 * is, `moved_in_google` with Google's time; conference removed → a new one; conference
	 * replaced → its link is adopted; anything else → our change applied again over the fresh etag.
	 */
	private async resolve(
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
			)
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
	private async adopt(
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

	async reschedule( input: RescheduleInput ): Promise< MeetingAnswer > {
		const eventId = eventIdFor( input.siteId, input.appointmentId );
		const patch: Event = {
			start: { ...input.start },
			end: { ...input.end },
		};
		if ( input.summary !== undefined ) {
			patch.summary = input.summary;
		}
		const known =
			input.known?.eventId === eventId ? input.known : undefined;
		let event: Event;
		try {
			event = await this.patch(
				input,
				eventId,
				patch,
				input.sendUpdates,
				false,
				known?.etag
			);
		} catch ( error ) {
			if (
				! ( error instanceof SidecarError ) ||
				error.google?.status !== 412 ||
				! known
			) {
				throw error;
			}
			// Changed in Google since WordPress saw it: a move made there is not overwritten.
			const current = await this.get( input, eventId );
			if (
				current.status !== 'cancelled' &&
				known.start &&
				known.end &&
				( ! sameInstant( current.start, known.start ) ||
					! sameInstant( current.end, known.end ) )
			) {
				throw movedInGoogle( current );
			}
			event =
				current.status === 'cancelled'
					? current
					: await this.patch(
							input,
							eventId,
							patch,
							input.sendUpdates,
							false,
							current.etag ?? undefined
						);
		}
		if ( event.status === 'cancelled' ) {
			throw new SidecarError(
				'not_found',
				'The event is cancelled; ensure the meeting to restore it.'
			);
		}
		event = await this.settle( input, eventId, event, input.waitMs );
		return answerFor( input, eventId, event, 0 );
	}

	async cancel(
		ref: MeetingRef,
		sendUpdates: SendUpdates,
		known?: KnownEvent
	): Promise< { cancelled: true; existed: boolean } > {
		const eventId = eventIdFor( ref.siteId, ref.appointmentId );
		const etag = known?.eventId === eventId ? known.etag : undefined;
		try {
			await this.remove( ref, eventId, sendUpdates, etag );
			return { cancelled: true, existed: true };
		} catch ( error ) {
			if ( gone( error ) ) {
				return { cancelled: true, existed: false };
			}
			if (
				! ( error instanceof SidecarError ) ||
				error.google?.status !== 412
			) {
				throw error;
			}
		}
		// 412: changed in Google since WordPress saw it. Already deleted there: done. Otherwise the
		// appointment's cancellation still wins (the clinic cancelled it): delete this version.
		try {
			const current = await this.get( ref, eventId );
			if ( current.status === 'cancelled' ) {
				return { cancelled: true, existed: false };
			}
			await this.remove(
				ref,
				eventId,
				sendUpdates,
				current.etag ?? undefined
			);
			return { cancelled: true, existed: true };
		} catch ( error ) {
			if ( gone( error ) ) {
				return { cancelled: true, existed: false };
			}
			if (
				error instanceof SidecarError &&
				error.google?.status === 412
			) {
				throw eventChanged();
			}
			throw error;
		}
	}

	private remove(
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

	async status( ref: MeetingRef ): Promise< MeetingAnswer > {
		const eventId = eventIdFor( ref.siteId, ref.appointmentId );
		return answerFor( ref, eventId, await this.get( ref, eventId ), 0 );
	}
}
