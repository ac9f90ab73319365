/**
 * Calendars and events with Google Calendar v3 semantics for the paths the product uses:
 * client-chosen ids (base32hex, 5-1024 chars, 409 when taken, also by a cancelled event),
 * deletion that keeps the id with status "cancelled" (410 on a second delete), patch that merges
 * objects and replaces arrays, Meet conferences created asynchronously (pending → success or
 * failure), requestIds that are ignored when repeated.
 *
 * Conference state is computed from timestamps when read, so thousands of pending events cost no
 * timers.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { GoogleApiError } from './pipeline/google-errors';
import type { ConferenceOutcome } from './behaviour';

export interface Calendar {
	id: string;
	owner: string;
	summary: string;
	timeZone: string;
	primary: boolean;
	allowedConferenceSolutionTypes: string[];
	events: Map< string, StoredEvent >;
	/** requestId → conference, for "a repeated requestId is ignored". */
	requests: Map< string, Conference >;
}

export interface Conference {
	requestId: string;
	type: string;
	conferenceId: string;
	readyAt: number;
	outcome: ConferenceOutcome;
}

type Json = Record< string, unknown >;

export interface StoredEvent {
	id: string;
	status: string;
	/** Writable fields as last set by the client (summary, start, attendees, …). */
	fields: Json;
	startMs: number;
	endMs: number;
	created: string;
	updated: string;
	updatedMs: number;
	sequence: number;
	etagSeq: number;
	conference?: Conference;
}

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const WRITABLE = new Set( [
	'summary',
	'description',
	'location',
	'start',
	'end',
	'attendees',
	'extendedProperties',
	'visibility',
	'transparency',
	'guestsCanSeeOtherGuests',
	'guestsCanInviteOthers',
	'guestsCanModify',
	'anyoneCanAddSelf',
	'reminders',
	'colorId',
	'source',
	'status',
	'recurrence',
	'attachments',
] );
const STATUSES = new Set( [ 'confirmed', 'tentative', 'cancelled' ] );
const MEET_ICON =
	'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png';

const isObject = ( v: unknown ): v is Json =>
	!! v && typeof v === 'object' && ! Array.isArray( v );

function meetCode(): string {
	const letters = 'abcdefghijklmnopqrstuvwxyz';
	const pick = ( n: number ) =>
		Array.from( { length: n }, () => letters[ randomInt( 26 ) ] ).join(
			''
		);
	return `${ pick( 3 ) }-${ pick( 4 ) }-${ pick( 3 ) }`;
}

function zoneOffsetMs( zone: string, utcMs: number ): number {
	const parts = new Intl.DateTimeFormat( 'en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	} ).formatToParts( new Date( utcMs ) );
	const get = ( t: string ) =>
		Number( parts.find( ( p ) => p.type === t )?.value );
	return (
		Date.UTC(
			get( 'year' ),
			get( 'month' ) - 1,
			get( 'day' ),
			get( 'hour' ),
			get( 'minute' ),
			get( 'second' )
		) -
		Math.floor( utcMs / 1000 ) * 1000
	);
}

export function validZone( zone: unknown ): boolean {
	if (
		typeof zone !== 'string' ||
		! /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test( zone )
	) {
		return false;
	}
	try {
		new Intl.DateTimeFormat( 'en-US', { timeZone: zone } );
		return true;
	} catch {
		return false;
	}
}

/** The instant of an EventDateTime (`dateTime` with offset, `dateTime` local + `timeZone`, or all-day `date`). */
function instant( t: unknown, which: 'start' | 'end' ): number {
	if ( ! isObject( t ) ) {
		throw new GoogleApiError( 400, 'required', `Missing ${ which } time.` );
	}
	if ( t.timeZone !== undefined && ! validZone( t.timeZone ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid time zone definition for ${ which } time.`
		);
	}
	if ( typeof t.dateTime === 'string' ) {
		const m =
			/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(
				t.dateTime
			);
		if ( ! m ) {
			throw new GoogleApiError(
				400,
				'invalid',
				`Invalid ${ which } time.`
			);
		}
		if ( m[ 8 ] ) {
			const ms = Date.parse( t.dateTime );
			if ( Number.isNaN( ms ) ) {
				throw new GoogleApiError(
					400,
					'invalid',
					`Invalid ${ which } time.`
				);
			}
			return ms;
		}
		if ( typeof t.timeZone !== 'string' ) {
			throw new GoogleApiError(
				400,
				'required',
				`Missing time zone definition for ${ which } time.`
			);
		}
		const local = Date.UTC(
			+m[ 1 ]!,
			+m[ 2 ]! - 1,
			+m[ 3 ]!,
			+m[ 4 ]!,
			+m[ 5 ]!,
			+m[ 6 ]!
		);
		// Two rounds settle the offset across a DST change.
		let guess = local - zoneOffsetMs( t.timeZone, local );
		guess = local - zoneOffsetMs( t.timeZone, guess );
		return guess;
	}
	if ( typeof t.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test( t.date ) ) {
		const ms = Date.parse( `${ t.date }T00:00:00Z` );
		if ( ! Number.isNaN( ms ) ) {
			return ms;
		}
	}
	throw new GoogleApiError( 400, 'required', `Missing ${ which } time.` );
}

function deepMerge( base: Json, patch: Json ): Json {
	const out: Json = { ...base };
	for ( const [ k, v ] of Object.entries( patch ) ) {
		if ( v === null ) {
			delete out[ k ];
		} else if (
			isObject( v ) &&
			isObject( out[ k ] ) &&
			k !== 'start' &&
			k !== 'end'
		) {
			out[ k ] = deepMerge( out[ k ] as Json, v );
		} else {
			out[ k ] = structuredClone( v );
		}
	}
	return out;
}

function writable( body: Json ): Json {
	const out: Json = {};
	for ( const [ k, v ] of Object.entries( body ) ) {
		if ( WRITABLE.has( k ) ) {
			out[ k ] = v;
		}
	}
	return out;
}

function htmlLink( eventId: string, calendarId: string ): string {
	const eid = Buffer.from( `${ eventId } ${ calendarId }` )
		.toString( 'base64' )
		.replace( /=+$/, '' );
	return `https://www.google.com/calendar/event?eid=${ eid }`;
}

export interface ConferenceSettings {
	delayMs: number;
	outcome: ConferenceOutcome;
}

export class CalendarStore {
	readonly calendars = new Map< string, Calendar >();
	private etagSeq = Date.now() * 10;

	reset(): void {
		this.calendars.clear();
	}

	/** The primary calendar of an account (created with it). */
	primary( email: string ): Calendar {
		return this.ensureCalendar(
			email.toLowerCase(),
			email.toLowerCase(),
			true
		);
	}

	ensureCalendar(
		id: string,
		owner: string,
		primary = false,
		summary?: string
	): Calendar {
		let c = this.calendars.get( id );
		if ( ! c ) {
			c = {
				id,
				owner: owner.toLowerCase(),
				summary: summary ?? id,
				timeZone: 'UTC',
				primary,
				allowedConferenceSolutionTypes: [ 'hangoutsMeet' ],
				events: new Map(),
				requests: new Map(),
			};
			this.calendars.set( id, c );
		}
		return c;
	}

	/** The calendar `calendarId` names for this account, or 404 (Google does not tell "exists but not yours"). */
	resolve( calendarId: string, email: string ): Calendar {
		const id = calendarId === 'primary' ? email.toLowerCase() : calendarId;
		if ( calendarId === 'primary' || id === email.toLowerCase() ) {
			return this.primary( email );
		}
		const c = this.calendars.get( id );
		if ( ! c || c.owner !== email.toLowerCase() ) {
			throw new GoogleApiError( 404, 'notFound', 'Not Found' );
		}
		return c;
	}

	private nextEtag(): number {
		return ++this.etagSeq;
	}

	private newConference(
		cal: Calendar,
		request: Json,
		settings: ConferenceSettings
	): Conference {
		const key = isObject( request.conferenceSolutionKey )
			? request.conferenceSolutionKey
			: {};
		const type = typeof key.type === 'string' ? key.type : '';
		if ( ! cal.allowedConferenceSolutionTypes.includes( type ) ) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid conference type value.'
			);
		}
		const conf: Conference = {
			requestId: String( request.requestId ),
			type,
			conferenceId: meetCode(),
			readyAt: Date.now() + settings.delayMs,
			outcome: settings.outcome,
		};
		cal.requests.set( conf.requestId, conf );
		return conf;
	}

	/**
	 * Applies `conferenceData` of a request body (only with conferenceDataVersion=1). A createRequest
	 * whose requestId was seen before on this calendar is ignored: the event keeps (or shares) the
	 * conference that requestId produced.
	 */
	private applyConference(
		cal: Calendar,
		ev: StoredEvent,
		data: unknown,
		settings: ConferenceSettings
	): void {
		if ( data === null ) {
			delete ev.conference;
			return;
		}
		if ( ! isObject( data ) || ! isObject( data.createRequest ) ) {
			return;
		}
		const request = data.createRequest;
		if (
			typeof request.requestId !== 'string' ||
			request.requestId === ''
		) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid conference create request.'
			);
		}
		const seen = cal.requests.get( request.requestId );
		if ( seen ) {
			ev.conference ??= seen;
			return;
		}
		ev.conference = this.newConference( cal, request, settings );
	}

	private validateFields( fields: Json ): { startMs: number; endMs: number } {
		const startMs = instant( fields.start, 'start' );
		const endMs = instant( fields.end, 'end' );
		if ( endMs < startMs ) {
			throw new GoogleApiError(
				400,
				'timeRangeEmpty',
				'The specified time range is empty.',
				{ location: 'timeMax', locationType: 'parameter' }
			);
		}
		if (
			fields.status !== undefined &&
			! STATUSES.has( String( fields.status ) )
		) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid value for: status'
			);
		}
		if (
			fields.attendees !== undefined &&
			! Array.isArray( fields.attendees )
		) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid value for: attendees'
			);
		}
		if ( Array.isArray( fields.attendees ) ) {
			for ( const a of fields.attendees ) {
				if (
					! isObject( a ) ||
					typeof a.email !== 'string' ||
					! /^[^\s@]+@[^\s@]+$/.test( a.email )
				) {
					throw new GoogleApiError(
						400,
						'invalid',
						'Invalid attendee email.'
					);
				}
			}
		}
		return { startMs, endMs };
	}

	insert(
		cal: Calendar,
		body: Json,
		withConference: boolean,
		settings: ConferenceSettings
	): StoredEvent {
		let id: string;
		if ( body.id !== undefined ) {
			if ( typeof body.id !== 'string' || ! EVENT_ID.test( body.id ) ) {
				throw new GoogleApiError(
					400,
					'invalid',
					'Invalid resource id value.'
				);
			}
			id = body.id;
			if ( cal.events.has( id ) ) {
				throw new GoogleApiError(
					409,
					'duplicate',
					'The requested identifier already exists.'
				);
			}
		} else {
			do {
				id = randomBytes( 13 ).toString( 'hex' );
			} while ( cal.events.has( id ) );
		}
		const fields = writable( body );
		const { startMs, endMs } = this.validateFields( fields );
		const now = new Date();
		const ev: StoredEvent = {
			id,
			status:
				typeof fields.status === 'string' ? fields.status : 'confirmed',
			fields,
			startMs,
			endMs,
			created: now.toISOString(),
			updated: now.toISOString(),
			updatedMs: now.getTime(),
			sequence: 0,
			etagSeq: this.nextEtag(),
		};
		delete ev.fields.status;
		if ( withConference && body.conferenceData !== undefined ) {
			this.applyConference( cal, ev, body.conferenceData, settings );
		}
		cal.events.set( id, ev );
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
		body: Json,
		mode: 'patch' | 'update',
		withConference: boolean,
		settings: ConferenceSettings
	): StoredEvent {
		const ev = this.get( cal, eventId );
		const incoming = writable( body );
		const current: Json = { ...ev.fields, status: ev.status };
		const next =
			mode === 'patch'
				? deepMerge( current, incoming )
				: { ...incoming, status: incoming.status ?? 'confirmed' };
		const { startMs, endMs } = this.validateFields( next );
		if ( withConference && body.conferenceData !== undefined ) {
			this.applyConference( cal, ev, body.conferenceData, settings );
		}
		if ( startMs !== ev.startMs || endMs !== ev.endMs ) {
			ev.sequence++;
		}
		ev.status = typeof next.status === 'string' ? next.status : 'confirmed';
		delete next.status;
		ev.fields = next;
		ev.startMs = startMs;
		ev.endMs = endMs;
		this.touch( ev );
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
		this.touch( ev );
	}

	/** Removes every trace of an event (as if it never existed). */
	purge( cal: Calendar, eventId: string ): boolean {
		return cal.events.delete( eventId );
	}

	private touch( ev: StoredEvent ): void {
		const now = new Date();
		ev.updated = now.toISOString();
		ev.updatedMs = now.getTime();
		ev.etagSeq = this.nextEtag();
	}

	conferenceStatus(
		conf: Conference,
		now = Date.now()
	): 'pending' | ConferenceOutcome {
		return now < conf.readyAt ? 'pending' : conf.outcome;
	}

	/** The event resource as Google returns it. */
	toResource( cal: Calendar, ev: StoredEvent, now = Date.now() ): Json {
		const owner = { email: cal.owner, self: true };
		const resource: Json = {
			kind: 'calendar#event',
			etag: `"${ ev.etagSeq }"`,
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
		const conf = ev.conference;
		if ( conf ) {
			const status = this.conferenceStatus( conf, now );
			const data: Json = {
				createRequest: {
					requestId: conf.requestId,
					conferenceSolutionKey: { type: conf.type },
					status: { statusCode: status },
				},
			};
			if ( status === 'success' ) {
				const uri = `https://meet.google.com/${ conf.conferenceId }`;
				data.entryPoints = [
					{
						entryPointType: 'video',
						uri,
						label: `meet.google.com/${ conf.conferenceId }`,
					},
				];
				data.conferenceSolution = {
					key: { type: conf.type },
					name: 'Google Meet',
					iconUri: MEET_ICON,
				};
				data.conferenceId = conf.conferenceId;
				resource.hangoutLink = uri;
			}
			resource.conferenceData = data;
		}
		return resource;
	}

	calendarResource( cal: Calendar ): Json {
		return {
			kind: 'calendar#calendar',
			etag: `"${ cal.id.length }${ cal.events.size }"`,
			id: cal.id,
			summary: cal.summary,
			timeZone: cal.timeZone,
			conferenceProperties: {
				allowedConferenceSolutionTypes: [
					...cal.allowedConferenceSolutionTypes,
				],
			},
		};
	}

	calendarListEntry( cal: Calendar ): Json {
		return {
			...this.calendarResource( cal ),
			kind: 'calendar#calendarListEntry',
			accessRole: 'owner',
			primary: cal.primary || undefined,
			selected: true,
			defaultReminders: [ { method: 'popup', minutes: 10 } ],
		};
	}
}
