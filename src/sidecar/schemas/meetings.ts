/** Request schemas of the meeting routes; `/v1/batch` checks each operation against the same. */
import { calendarId, client, nullable, sealed, siteId, str } from './common';

export const MEETING_OPS = [ 'ensure', 'reschedule', 'cancel', 'get' ] as const;
export type MeetingOp = ( typeof MEETING_OPS )[ number ];

const eventTime = {
	type: 'object',
	required: [ 'dateTime', 'timeZone' ],
	properties: {
		dateTime: str( 1, 64 ),
		timeZone: str( 1, 64 ),
	},
};
const appointmentId = {
	type: 'integer',
	minimum: 1,
	maximum: Number.MAX_SAFE_INTEGER,
};
const sendUpdates = {
	type: [ 'string', 'null' ],
	enum: [ 'all', 'externalOnly', 'none', null ],
};
const waitMs = { type: [ 'integer', 'null' ], minimum: 0, maximum: 10000 };
const email = str( 3, 254, { pattern: '^[^\\s@]+@[^\\s@]+$' } );

/** What WordPress knows of the event from its last success (docs/sidecar-api.md, "known"). */
const known = {
	type: [ 'object', 'null' ],
	required: [ 'eventId' ],
	properties: {
		eventId: str( 5, 1024 ),
		etag: nullable( str( 1, 255 ) ),
		revision: {
			type: [ 'integer', 'null' ],
			minimum: 0,
			maximum: 1000000,
		},
		start: { ...eventTime, type: [ 'object', 'null' ] },
		end: { ...eventTime, type: [ 'object', 'null' ] },
	},
};

const meeting = {
	siteId,
	client,
	credential: sealed,
	appointmentId,
	calendarId,
};
const identifying = [ 'siteId', 'client', 'credential', 'appointmentId' ];

export const meetingBodies: Record< MeetingOp, object > = {
	ensure: {
		type: 'object',
		required: [ ...identifying, 'start', 'end' ],
		properties: {
			...meeting,
			revision: {
				type: [ 'integer', 'null' ],
				minimum: 0,
				maximum: 1000000,
			},
			summary: nullable( str( 1, 1024 ) ),
			description: nullable( str( 0, 8192 ) ),
			start: eventTime,
			end: eventTime,
			attendees: {
				type: [ 'array', 'null' ],
				maxItems: 50,
				items: {
					type: 'object',
					required: [ 'email' ],
					properties: {
						email,
						displayName: nullable( str( 0, 256 ) ),
					},
				},
			},
			sendUpdates,
			waitMs,
			known,
		},
	},
	reschedule: {
		type: 'object',
		required: [ ...identifying, 'start', 'end' ],
		properties: {
			...meeting,
			start: eventTime,
			end: eventTime,
			summary: nullable( str( 1, 1024 ) ),
			sendUpdates,
			waitMs,
			known,
		},
	},
	cancel: {
		type: 'object',
		required: identifying,
		properties: { ...meeting, sendUpdates, known },
	},
	get: {
		type: 'object',
		required: identifying,
		properties: meeting,
	},
};
