/**
 * Query strings and form bodies as fastify parses them: a key given once is a string, a repeated
 * key an array. `QueryOf` types the keys with a Google client's request parameters, so reading a
 * parameter Google does not define fails to compile.
 */

export type Params = Record< string, string | string[] | undefined >;

export type QueryOf< P > = { [ K in keyof P ]?: string | string[] };

/** The first value of a parameter. */
export function first< Q extends object >(
	q: Q,
	key: keyof Q & string
): string | undefined {
	const v = ( q as Params )[ key ];
	return Array.isArray( v ) ? v[ 0 ] : v;
}

/** Every value of a repeatable parameter. */
export function all< Q extends object >(
	q: Q,
	key: keyof Q & string
): string[] {
	const v = ( q as Params )[ key ];
	if ( v === undefined ) {
		return [];
	}
	return Array.isArray( v ) ? v : [ v ];
}
