/** Request schemas of the operations routes. */

/** `{}`, anything ignored, or `[]` (how PHP's json_encode writes an empty array). */
export const pingBody = {
	type: [ 'object', 'array', 'null' ],
	maxItems: 0,
};
