/**
 * JSON schemas of the request bodies (docs/sidecar-api.md). Types are strict (no coercion);
 * optional fields accept null as "absent" because PHP's json_encode writes nulls. Unknown fields
 * are ignored. Semantic checks (dates, zones, end after start) happen in the handlers.
 */

const str = (
	min: number,
	max: number,
	extra: Record< string, unknown > = {}
) => ( { type: 'string', minLength: min, maxLength: max, ...extra } );
const nullable = ( schema: Record< string, unknown > ) => ( {
	...schema,
	type: [ schema.type as string, 'null' ],
} );

export const siteId = str( 8, 64, { pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' } );
const sealed = str( 1, 16384 );
const client = {
	type: 'object',
	required: [ 'clientId', 'clientSecret' ],
	properties: {
		clientId: str( 1, 256, { pattern: '^[\\x21-\\x7e]+$' } ),
		clientSecret: sealed,
	},
};
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
const calendarId = nullable( str( 1, 1024 ) );
const sendUpdates = {
	type: [ 'string', 'null' ],
	enum: [ 'all', 'externalOnly', 'none', null ],
};
const waitMs = { type: [ 'integer', 'null' ], minimum: 0, maximum: 10000 };
const email = str( 3, 254, { pattern: '^[^\\s@]+@[^\\s@]+$' } );
const redirectUri = str( 8, 2048, { pattern: '^https?://[^\\s]+$' } );

const withCredential = {
	siteId,
	client,
	credential: sealed,
	appointmentId,
	calendarId,
};

export const schemas = {
	clientSeal: {
		type: 'object',
		required: [ 'siteId', 'clientSecret' ],
		properties: { siteId, clientSecret: str( 1, 1024 ) },
	},
	authorizeUrl: {
		type: 'object',
		required: [ 'siteId', 'client', 'redirectUri', 'state' ],
		properties: {
			siteId,
			client,
			redirectUri,
			state: str( 1, 1024 ),
			loginHint: nullable( str( 1, 254 ) ),
		},
	},
	exchange: {
		type: 'object',
		required: [ 'siteId', 'client', 'redirectUri', 'code' ],
		properties: { siteId, client, redirectUri, code: str( 1, 4096 ) },
	},
	revoke: {
		type: 'object',
		required: [ 'siteId', 'client', 'credential' ],
		properties: { siteId, client, credential: sealed },
	},
	connectionTest: {
		type: 'object',
		required: [ 'siteId', 'client' ],
		properties: {
			siteId,
			client,
			credential: nullable( sealed ),
			calendarId,
			probe: { type: [ 'boolean', 'null' ] },
		},
	},
	ensure: {
		type: 'object',
		required: [
			'siteId',
			'client',
			'credential',
			'appointmentId',
			'start',
			'end',
		],
		properties: {
			...withCredential,
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
		},
	},
	reschedule: {
		type: 'object',
		required: [
			'siteId',
			'client',
			'credential',
			'appointmentId',
			'start',
			'end',
		],
		properties: {
			...withCredential,
			start: eventTime,
			end: eventTime,
			summary: nullable( str( 1, 1024 ) ),
			sendUpdates,
			waitMs,
		},
	},
	cancel: {
		type: 'object',
		required: [ 'siteId', 'client', 'credential', 'appointmentId' ],
		properties: { ...withCredential, sendUpdates },
	},
	get: {
		type: 'object',
		required: [ 'siteId', 'client', 'credential', 'appointmentId' ],
		properties: withCredential,
	},
	batch: {
		type: 'object',
		required: [ 'operations' ],
		properties: {
			operations: {
				type: 'array',
				minItems: 1,
				maxItems: 100,
				items: {
					type: 'object',
					required: [ 'op', 'id' ],
					properties: {
						op: {
							type: 'string',
							enum: [ 'ensure', 'reschedule', 'cancel', 'get' ],
						},
						id: str( 1, 128 ),
					},
				},
			},
			budgetMs: {
				type: [ 'integer', 'null' ],
				minimum: 1000,
				maximum: 120000,
			},
		},
	},
	// `{}`, anything ignored, or `[]` (how PHP's json_encode writes an empty array).
	empty: { type: [ 'object', 'array', 'null' ], maxItems: 0 },
} as const;

export type BatchOp = 'ensure' | 'reschedule' | 'cancel' | 'get';
