/**
 * Building blocks of the request schemas (docs/sidecar-api.md). Types are strict (no coercion);
 * optional fields accept null as "absent" because PHP's json_encode writes nulls. Unknown fields
 * are ignored. Semantic checks (dates, zones, end after start) happen in the handlers.
 */

export const str = (
	min: number,
	max: number,
	extra: Record< string, unknown > = {}
) => ( { type: 'string', minLength: min, maxLength: max, ...extra } );

export const nullable = ( schema: Record< string, unknown > ) => ( {
	...schema,
	type: [ schema.type as string, 'null' ],
} );

export const siteId = str( 8, 64, {
	pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$',
} );

/** A blob sealed by the sidecar (docs/sidecar-api.md, "Sealed blobs"). */
export const sealed = str( 1, 16384 );

/** The site's OAuth client, its secret sealed. */
export const client = {
	type: 'object',
	required: [ 'clientId', 'clientSecret' ],
	properties: {
		clientId: str( 1, 256, { pattern: '^[\\x21-\\x7e]+$' } ),
		clientSecret: sealed,
	},
};

export const calendarId = nullable( str( 1, 1024 ) );
