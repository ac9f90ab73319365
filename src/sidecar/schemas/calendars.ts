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
