/**
 * Events with Google Calendar v3 semantics for the paths the product uses: client-chosen ids
 * (base32hex, 5-1024 characters, 409 when taken, also by a cancelled event), deletion that keeps
 * the id with status "cancelled" (410 on a second delete), patch that merges objects and replaces
 * arrays, update that replaces the event; `sequence` counts time changes, `etag` every change.
 */
import { randomBytes } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import { GoogleApiError } from '../pipeline/google-errors';
import type { Calendar } from './calendar-store';
import {
	conferenceAfterWrite,
	type Conference,
	type ConferenceSettings,
} from './conferences';
import {
	patchFields,
	validateFields,
	writable,
	type EventFields,
} from './event-fields';

export interface StoredEvent {
	id: string;
	status: string;
	/** Writable fields as last set by the client (summary, start, attendees…), without status. */
	fields: EventFields;
	startMs: number;
	endMs: number;
	created: string;
	updated: string;
	updatedMs: number;
	sequence: number;
	etagSeq: number;
	conference?: Conference;
}

/** How a write treats `conferenceData`: ignored unless conferenceDataVersion=1, as Google does. */
export interface ConferenceWrite {
	enabled: boolean;
	settings: ConferenceSettings;
}

const EVENT_ID = /^[a-v0-9]{5,1024}$/;

function newId( cal: Calendar, requested: unknown ): string {
	if ( requested === undefined ) {
		let id: string;
		do {
			id = randomBytes( 13 ).toString( 'hex' );
		} while ( cal.events.has( id ) );
		return id;
	}
	if ( typeof requested !== 'string' || ! EVENT_ID.test( requested ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			'Invalid resource id value.'
		);
	}
	if ( cal.events.has( requested ) ) {
		throw new GoogleApiError(
			409,
			'duplicate',
			'The requested identifier already exists.'
		);
	}
	return requested;
}

function applyConference(
	cal: Calendar,
	ev: StoredEvent,
	body: calendar_v3.Schema$Event,
	conference: ConferenceWrite
): void {
	if ( ! conference.enabled || body.conferenceData === undefined ) {
		return;
	}
	const next = conferenceAfterWrite(
		cal,
		ev.conference,
		body.conferenceData,
		conference.settings
	);
	if ( next ) {
		ev.conference = next;
	} else {
		delete ev.conference;
	}
}

/** Splits `status` from the other fields (it is kept apart to answer "cancelled" cheaply). */
function withoutStatus( fields: EventFields ): {
	status: string;
	rest: EventFields;
} {
	const { status, ...rest } = fields;
	return { status: typeof status === 'string' ? status : 'confirmed', rest };
}

/** Told of every change to an event (insert, patch, delete), e.g. to notify watch channels. */
export type EventListener = ( cal: Calendar, ev: StoredEvent ) => void;

export class EventStore {
	private etagSeq = Date.now() * 10;
	private readonly listeners: EventListener[] = [];

	/** Registers a listener for every later change. */
	onChange( listener: EventListener ): void {
		this.listeners.push( listener );
	}

	/** The sequence number the next change will exceed: what a sync token remembers. */
	get lastChange(): number {
		return this.etagSeq;
	}

	insert(
		cal: Calendar,
		body: calendar_v3.Schema$Event,
		conference: ConferenceWrite
	): StoredEvent {
		const id = newId( cal, body.id );
		const fields = writable( body );
		const { startMs, endMs } = validateFields( fields );
		const { status, rest } = withoutStatus( fields );
		const now = new Date();
		const ev: StoredEvent = {
			id,
			status,
			fields: rest,
			startMs,
			endMs,
			created: now.toISOString(),
			updated: now.toISOString(),
			updatedMs: now.getTime(),
			sequence: 0,
			etagSeq: ++this.etagSeq,
		};
		applyConference( cal, ev, body, conference );
		cal.events.set( id, ev );
		this.changed( cal, ev );
		return ev;
	}

	get( cal: Calendar, eventId: string ): StoredEvent {
		const ev = cal.events.get( eventId );
		if ( ! ev ) {
			throw new GoogleApiError( 404, 'notFound', 'Not Found' );
		}
		return ev;
	}

	/** patch (merge) or update (replace) of an event, cancelled ones included. */
	modify(
		cal: Calendar,
		eventId: string,
		body: calendar_v3.Schema$Event,
		mode: 'patch' | 'update',
		conference: ConferenceWrite
	): StoredEvent {
		const ev = this.get( cal, eventId );
		const incoming = writable( body );
		const next =
			mode === 'patch'
				? patchFields( { ...ev.fields, status: ev.status }, incoming )
				: { ...incoming, status: incoming.status ?? 'confirmed' };
		const { startMs, endMs } = validateFields( next );
		applyConference( cal, ev, body, conference );
		if ( startMs !== ev.startMs || endMs !== ev.endMs ) {
			ev.sequence++;
		}
		const { status, rest } = withoutStatus( next );
		ev.status = status;
		ev.fields = rest;
		ev.startMs = startMs;
		ev.endMs = endMs;
		this.touch( cal, ev );
		return ev;
	}

	/** Deletes (cancels) an event: 404 if unknown, 410 if already deleted. */
	delete( cal: Calendar, eventId: string ): void {
		const ev = this.get( cal, eventId );
		if ( ev.status === 'cancelled' ) {
			throw new GoogleApiError(
				410,
				'deleted',
				'Resource has been deleted'
			);
		}
		ev.status = 'cancelled';
		this.touch( cal, ev );
	}

	/** Removes every trace of an event (as if it never existed). */
	purge( cal: Calendar, eventId: string ): boolean {
		return cal.events.delete( eventId );
	}

	/** Records a change made outside the API (the doctor editing the event in Google Calendar). */
	touch( cal: Calendar, ev: StoredEvent ): void {
		const now = new Date();
		ev.updated = now.toISOString();
		ev.updatedMs = now.getTime();
		ev.etagSeq = ++this.etagSeq;
		this.changed( cal, ev );
	}

	private changed( cal: Calendar, ev: StoredEvent ): void {
		for ( const listener of this.listeners ) {
			listener( cal, ev );
		}
	}
}
