/**
 * Meetings: one Google Calendar event with a Google Meet conference per appointment, kept in step
 * idempotently. Every operation can be repeated, run concurrently or on another replica, and
 * still leaves exactly one event (its id is derived from site and appointment).
 */
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import {
	answerFor,
	attendeeList,
	conferenceFailed,
	conferenceRequest,
	EVENT_FIELDS,
	eventBody,
	sameInstant,
	timeMark,
	timeSetHere,
	sameTime,
	type Event,
	type EnsureInput,
	type KnownEvent,
	type MeetingAnswer,
	type MeetingRef,
	type RescheduleInput,
	type SendUpdates,
} from './event';
import { eventIdFor, requestIdFor } from './event-id';
import {
	MeetingCalls,
	movedInGoogle,
	eventChanged,
	gone,
} from './meeting-calls';

export {
	MAX_SETTLE_POLLS,
	type FirstCall,
	type FirstCallHook,
} from './meeting-calls';

/** The operations the routes call: ensure, reschedule, cancel, status. */
export class Meetings extends MeetingCalls {
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
				extendedProperties: {
					private: timeMark( input.start, input.end ),
				},
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

	async reschedule( input: RescheduleInput ): Promise< MeetingAnswer > {
		const eventId = eventIdFor( input.siteId, input.appointmentId );
		const patch: Event = {
			start: { ...input.start },
			end: { ...input.end },
			extendedProperties: {
				private: timeMark( input.start, input.end ),
			},
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
					! sameInstant( current.end, known.end ) ) &&
				! timeSetHere( current )
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

	async status( ref: MeetingRef ): Promise< MeetingAnswer > {
		const eventId = eventIdFor( ref.siteId, ref.appointmentId );
		return answerFor( ref, eventId, await this.get( ref, eventId ), 0 );
	}
}
