/** Request schemas of a doctor's calendar routes. */
import { client, nullable, sealed, siteId, str } from './common';

const doctor = { siteId, client, credential: sealed };

export const calendarListBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential' ],
	properties: doctor,
};

export const consultationCalendarBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential' ],
	properties: {
		...doctor,
		summary: nullable( str( 1, 120 ) ),
		timeZone: nullable( str( 1, 64, { pattern: '^[A-Za-z0-9_+/-]+$' } ) ),
	},
};

export const busyTimesBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential', 'timeMin', 'timeMax' ],
	properties: {
		...doctor,
		calendarIds: nullable( {
			type: 'array',
			minItems: 1,
			maxItems: 50,
			items: str( 1, 1024 ),
		} ),
		timeMin: str( 20, 40 ),
		timeMax: str( 20, 40 ),
	},
};

/** Busy times of several doctors in one request: each with their own credential. */
export const busyTimesManyBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'doctors', 'timeMin', 'timeMax' ],
	properties: {
		siteId,
		client,
		timeMin: str( 20, 40 ),
		timeMax: str( 20, 40 ),
		doctors: {
			type: 'array',
			minItems: 1,
			maxItems: 50,
			items: {
				type: 'object',
				required: [ 'ref', 'credential' ],
				properties: {
					ref: str( 1, 64 ),
					credential: sealed,
					calendarIds: nullable( {
						type: 'array',
						minItems: 1,
						maxItems: 50,
						items: str( 1, 1024 ),
					} ),
				},
			},
		},
	},
};
