/** Request schemas of the calendar sync routes (docs/sidecar-api.md, "Calendar sync"). */
import { calendarId, client, nullable, sealed, siteId, str } from './common';

const doctor = { siteId, client, credential: sealed, calendarId };
/** Google's channel ids: up to 64 characters of [A-Za-z0-9-_+/=]. */
const channelId = str( 1, 64, { pattern: '^[A-Za-z0-9_+/=-]+$' } );

export const watchBody = {
	type: 'object',
	required: [
		'siteId',
		'client',
		'credential',
		'channelId',
		'token',
		'address',
	],
	properties: {
		...doctor,
		channelId,
		/** The per-channel secret Google sends back in X-Goog-Channel-Token (≤ 256 characters). */
		token: str( 16, 256, { pattern: '^[\\x21-\\x7e]+$' } ),
		address: str( 8, 2048, { pattern: '^https?://[^\\s]+$' } ),
		ttlSeconds: {
			type: [ 'integer', 'null' ],
			minimum: 60,
			maximum: 2592000,
		},
	},
};

export const stopBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential', 'channelId', 'resourceId' ],
	properties: {
		siteId,
		client,
		credential: sealed,
		channelId,
		resourceId: str( 1, 256 ),
	},
};

export const syncBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential' ],
	properties: {
		...doctor,
		syncToken: nullable( str( 1, 2048 ) ),
		pageToken: nullable( str( 1, 2048 ) ),
	},
};
