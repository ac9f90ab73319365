/** Request schemas of the OAuth and connection routes. */
import { calendarId, client, nullable, sealed, siteId, str } from './common';

const redirectUri = str( 8, 2048, { pattern: '^https?://[^\\s]+$' } );

export const clientSealBody = {
	type: 'object',
	required: [ 'siteId', 'clientSecret' ],
	properties: { siteId, clientSecret: str( 1, 1024 ) },
};

export const authorizeUrlBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'redirectUri', 'state' ],
	properties: {
		siteId,
		client,
		redirectUri,
		state: str( 1, 1024 ),
		loginHint: nullable( str( 1, 254 ) ),
		// Incremental consent: also ask what choosing a calendar needs.
		access: {
			type: [ 'string', 'null' ],
			enum: [ 'calendars', 'busy', null ],
		},
	},
};

export const exchangeBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'redirectUri', 'code' ],
	properties: { siteId, client, redirectUri, code: str( 1, 4096 ) },
};

export const revokeBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential' ],
	properties: { siteId, client, credential: sealed },
};

export const connectionTestBody = {
	type: 'object',
	required: [ 'siteId', 'client' ],
	properties: {
		siteId,
		client,
		credential: nullable( sealed ),
		calendarId,
		probe: { type: [ 'boolean', 'null' ] },
	},
};

/** At most this many credentials are checked in one call (WordPress pages through more). */
export const SEALED_CHECK_MAX = 200;

export const sealedCheckBody = {
	type: 'object',
	required: [ 'siteId' ],
	properties: {
		siteId,
		clientSecret: nullable( sealed ),
		credentials: {
			type: [ 'array', 'null' ],
			maxItems: SEALED_CHECK_MAX,
			items: sealed,
		},
	},
};
