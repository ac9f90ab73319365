/**
 * Shape checks shared by every area that reads JSON or form input it does not trust.
 */

export type Json = Record< string, unknown >;

export const isObject = ( v: unknown ): v is Json =>
	!! v && typeof v === 'object' && ! Array.isArray( v );

/** The loose "something@somewhere" test Google's forms apply before looking an address up. */
export const isEmail = ( v: unknown ): v is string =>
	typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test( v );
