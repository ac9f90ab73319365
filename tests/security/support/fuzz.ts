/**
 * Hostile values for fuzzing: wrong types, huge values, unicode oddities, SQL and script
 * payloads, negative and huge ids, impossible dates, unknown time zones.
 */

/** Values of the wrong type for any field (a field of the right type refuses them). */
export const WRONG_TYPES: Array< [ string, unknown ] > = [
	[ 'array', [ 1, 'two', { three: 3 } ] ],
	[ 'object', { nested: { deeper: [ 1 ] } } ],
	[ 'boolean', true ],
	[ 'null', null ],
];

/** Numbers no id or count accepts. */
export const BAD_NUMBERS: Array< [ string, unknown ] > = [
	[ 'negative', -1 ],
	[ 'zero', 0 ],
	[ 'fraction', 3.75 ],
	[ 'huge', 1e308 ],
	[ 'beyond 64 bits', '92233720368547758070' ],
	[ 'numeric string with SQL', '1 OR 1=1' ],
];

/** Strings that are well-formed JSON strings but hostile content. */
export const HOSTILE_STRINGS: Array< [ string, string ] > = [
	[ 'SQL', "' OR '1'='1'; DROP TABLE wp_users; -- " ],
	[ 'script', '"><script>alert(document.cookie)</script>' ],
	[ 'unicode', '\u202eevil\u0000\ufeff\ud83d\ude00𝕏 \u0301' ],
	[ 'lone surrogate', 'a\ud800b' ],
	[ 'impossible date', '2026-02-30T25:61:00+99:00' ],
	[ 'unknown time zone', 'Mars/Olympus_Mons' ],
	[ 'path traversal', '../../../../etc/passwd' ],
	[ 'huge string', 'x'.repeat( 300 * 1024 ) ],
];

/** Path segments where an id is expected. */
export const BAD_IDS = [
	'-1',
	'0',
	'99999999999999999999999',
	'1e3',
	'0x1F',
	'%00',
	'١٢٣',
	'1%20OR%201=1',
];

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function pool< T, R >(
	items: T[],
	limit: number,
	fn: ( item: T ) => Promise< R >
): Promise< R[] > {
	const results = new Array< R >( items.length );
	let next = 0;
	await Promise.all(
		Array.from( { length: Math.min( limit, items.length ) }, async () => {
			while ( next < items.length ) {
				const i = next++;
				results[ i ] = await fn( items[ i ]! );
			}
		} )
	);
	return results;
}
