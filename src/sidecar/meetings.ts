/**
 * Meetings: one Google Calendar event with a Google Meet conference per appointment, kept in step
 * idempotently. Every operation can be repeated, run concurrently or on another replica, and
 * still leaves exactly one event (its id is derived from site and appointment).
 */
import type { OAuth2Client } from 'google-auth-library';
import type { calendar_v3 } from './google/api';
import { SidecarError } from './errors';
import { eventIdFor, requestIdFor, revisionOf } from './event-id';
import type { GoogleSession } from './google/session';
import type { EventTime } from './time';

export type SendUpdates = 'all' | 'externalOnly' | 'none';
export type ConferenceStatus = 'success' | 'pending' | 'failure' | 'none';
export type MeetingStatus = 'ready' | 'pending' | 'failed' | 'cancelled';

export interface MeetingRef {
	siteId: string;
	appointmentId: number;
	calendarId: string;
}

export interface EnsureInput extends MeetingRef {
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
	created?: boolean;
}

type Event = calendar_v3.Schema$Event;

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
	};
	if ( created !== undefined ) {
		answer.created = created;
	}
	return answer;
}

function conferenceRequest(
	requestId: string
): calendar_v3.Schema$ConferenceData {
	return {
		createRequest: { requestId, conferenceSolutionKey: { type: MEET } },
	};
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
			},
		},
		conferenceData: conferenceRequest(
			requestIdFor( eventId, input.revision )
		),
	};
	if ( input.attendees && input.attendees.length > 0 ) {
		body.attendees = input.attendees.map( ( a ) =>
			a.displayName
				? { email: a.email, displayName: a.displayName }
				: { email: a.email }
		);
	}
	return body;
}

function sameTime(
	a: calendar_v3.Schema$EventDateTime | undefined,
	b: EventTime
): boolean {
	return (
		!! a?.dateTime &&
		Date.parse( a.dateTime ) === Date.parse( b.dateTime ) &&
		a.timeZone === b.timeZone
	);
}

function sameAttendees(
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
						auth,
					} )
				).data
		);
	}

	/** Polls a pending conference until Google settles it or `waitMs` runs out. */
	private async settle(
		ref: MeetingRef,
		eventId: string,
		event: Event,
		waitMs: number
	): Promise< Event > {
		const until = Date.now() + waitMs;
		let delay = 200;
		while (
			conferenceStatus( event ) === 'pending' &&
			event.status !== 'cancelled' &&
			Date.now() + delay <= until
		) {
			await sleep( delay );
			event = await this.get( ref, eventId );
			delay = Math.min( Math.round( delay * 1.5 ), 1000 );
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
			throw new SidecarError(
				'conference_failed',
				'Google could not create the Meet conference; ask again with revision + 1 for a new one.',
				{ revision: answer.revision }
			);
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
			patch.attendees = input.attendees.map( ( a ) =>
				a.displayName
					? { email: a.email, displayName: a.displayName }
					: { email: a.email }
			);
		}
		const conference = conferenceStatus( event );
		let withConference = false;
		if ( conference === 'failure' || conference === 'none' ) {
			const current = revisionOf(
				eventId,
				event.conferenceData?.createRequest?.requestId
			);
			if (
				conference === 'failure' &&
				current !== null &&
				current >= input.revision
			) {
				// Google ignores a repeated requestId: only a higher revision can bring a new conference.
				throw new SidecarError(
					'conference_failed',
					'Google could not create the Meet conference; ask again with revision + 1 for a new one.',
					{ revision: current }
				);
			}
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
