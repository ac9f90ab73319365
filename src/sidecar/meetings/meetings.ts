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
	sameTime,
	type Event,
	type EnsureInput,
	type MeetingAnswer,
	type MeetingRef,
	type RescheduleInput,
	type SendUpdates,
} from './event';
import { eventIdFor, requestIdFor, revisionOf } from './event-id';

/** Reads of a pending conference per operation, at most (Google usually settles it in one). */
export const MAX_SETTLE_POLLS = 3;

const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

export class Meetings {
	constructor( private readonly session: GoogleSession ) {}

	private get( ref: MeetingRef, eventId: string ): Promise< Event > {
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
		withConference: boolean
	): Promise< Event > {
		return this.session.calendar(
			'events.patch',
			'event',
			async ( auth: OAuth2Client ) =>
				(
					await this.session.api.calendar.events.patch( {
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
					} )
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
		let event: Event;
		let created = false;
		try {
			event = await this.session.calendar(
				'events.insert',
				'calendar',
				async ( auth: OAuth2Client ) =>
					(
						await this.session.api.calendar.events.insert( {
							calendarId: input.calendarId,
							conferenceDataVersion: 1,
							sendUpdates: input.sendUpdates,
							requestBody: eventBody( input, eventId ),
							fields: EVENT_FIELDS,
							auth,
						} )
					).data
			);
			created = true;
		} catch ( error ) {
			// 409: the id exists (an earlier attempt, another replica, or a cancelled event): adopt it.
			if ( ! (
				error instanceof SidecarError && error.google?.status === 409
			) ) {
				throw error;
			}
			event = await this.adopt(
				input,
				eventId,
				requestId,
				await this.get( input, eventId )
			);
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

	/** Brings an existing event in line with the appointment: restored, same time/summary, a working conference. */
	private async adopt(
		input: EnsureInput,
		eventId: string,
		requestId: string,
		event: Event
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
		return this.patch(
			input,
			eventId,
			patch,
			input.sendUpdates,
			withConference
		);
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
		let event = await this.patch(
			input,
			eventId,
			patch,
			input.sendUpdates,
			false
		);
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
		sendUpdates: SendUpdates
	): Promise< { cancelled: true; existed: boolean } > {
		const eventId = eventIdFor( ref.siteId, ref.appointmentId );
		try {
			await this.session.calendar(
				'events.delete',
				'event',
				async ( auth: OAuth2Client ) => {
					await this.session.api.calendar.events.delete( {
						calendarId: ref.calendarId,
						eventId,
						sendUpdates,
						auth,
					} );
				}
			);
			return { cancelled: true, existed: true };
		} catch ( error ) {
			// 404: never created (or gone for good); 410: already deleted. Either way it is cancelled.
			if (
				error instanceof SidecarError &&
				( error.google?.status === 404 || error.google?.status === 410 )
			) {
				return { cancelled: true, existed: false };
			}
			throw error;
		}
	}

	async status( ref: MeetingRef ): Promise< MeetingAnswer > {
		const eventId = eventIdFor( ref.siteId, ref.appointmentId );
		return answerFor( ref, eventId, await this.get( ref, eventId ), 0 );
	}
}
