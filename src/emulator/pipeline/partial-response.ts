/**
 * Google's partial responses: the standard `fields` parameter selects the parts of a JSON answer
 * the client wants (`id,etag,conferenceData(createRequest/status/statusCode,entryPoints)`,
 * `items(id,status),nextPageToken`, `*`). Arrays are selected element by element. A selection
 * that does not parse is refused as Google refuses it: 400 `invalidParameter` on `fields`.
 */
import { GoogleApiError } from './google-errors';

/** What to keep of an object: a name maps to everything (`true`) or to a sub-selection. */
export type Selection = Map< string, Selection | true >;

function invalid( spec: string ): GoogleApiError {
	return new GoogleApiError(
		400,
		'invalidParameter',
		`Invalid field selection ${ spec }`,
		{ location: 'fields', locationType: 'parameter' }
	);
}

const NAME = /^(\*|[A-Za-z_][A-Za-z0-9_]*)$/;

function merge( into: Selection, name: string, what: Selection | true ): void {
	const had = into.get( name );
	if ( had === true || what === true ) {
		into.set( name, true );
		return;
	}
	if ( ! had ) {
		into.set( name, what );
		return;
	}
	for ( const [ k, v ] of what ) {
		merge( had, k, v );
	}
}

/** Parses a `fields` value; throws Google's 400 when it does not parse. */
export function parseFields( spec: string ): Selection {
	let at = 0;
	const fail = () => invalid( spec );

	// list := item (',' item)* ; item := path ('(' list ')')? ; path := name ('/' name)*
	function list( closing: boolean ): Selection {
		const out: Selection = new Map();
		for (;;) {
			const names: string[] = [];
			for (;;) {
				const m = /^[A-Za-z0-9_*]+/.exec( spec.slice( at ) );
				if ( ! m || ! NAME.test( m[ 0 ] ) ) {
					throw fail();
				}
				names.push( m[ 0 ] );
				at += m[ 0 ].length;
				if ( spec[ at ] !== '/' ) {
					break;
				}
				at++;
			}
			let leaf: Selection | true = true;
			if ( spec[ at ] === '(' ) {
				at++;
				leaf = list( true );
				if ( spec[ at ] !== ')' ) {
					throw fail();
				}
				at++;
			}
			for ( let i = names.length - 1; i > 0; i-- ) {
				leaf = new Map( [ [ names[ i ] as string, leaf ] ] );
			}
			merge( out, names[ 0 ] as string, leaf );
			if ( spec[ at ] === ',' ) {
				at++;
				continue;
			}
			if ( at === spec.length || ( closing && spec[ at ] === ')' ) ) {
				return out;
			}
			throw fail();
		}
	}

	const trimmed = spec.replace( /\s+/g, '' );
	if ( trimmed === '' ) {
		throw fail();
	}
	spec = trimmed;
	return list( false );
}

/** The parts of `value` that `selection` keeps (arrays element by element). */
export function select( value: unknown, selection: Selection ): unknown {
	if ( Array.isArray( value ) ) {
		return value.map( ( v ) => select( v, selection ) );
	}
	if ( value === null || typeof value !== 'object' ) {
		return value;
	}
	const all = selection.get( '*' );
	const out: Record< string, unknown > = {};
	for ( const [ key, v ] of Object.entries( value ) ) {
		const chosen = selection.get( key ) ?? all;
		if ( chosen === undefined ) {
			continue;
		}
		out[ key ] = chosen === true ? v : select( v, chosen );
	}
	return out;
}
