/**
 * JSON Schema validation for the request bodies, plugged into fastify as its validator compiler.
 *
 * The sidecar's schemas use a small subset of JSON Schema (type, properties, required, string
 * length and pattern, enum, numeric bounds, items); this compiler implements exactly that subset
 * and refuses any other keyword when a schema is compiled, so a schema can never be silently
 * half-checked. Compared with ajv it compiles in microseconds instead of tens of milliseconds per
 * schema, which is most of the sidecar's cold start. Types are strict: no coercion. Errors have
 * the shape fastify and ajv use (`instancePath`, `keyword`, `params`, `message`).
 */

export interface Schema {
	type?: string | readonly string[];
	properties?: Readonly< Record< string, Schema > >;
	required?: readonly string[];
	minLength?: number;
	maxLength?: number;
	pattern?: string;
	enum?: readonly unknown[];
	minimum?: number;
	maximum?: number;
	items?: Schema;
	minItems?: number;
	maxItems?: number;
	description?: string;
}

export interface ValidationIssue {
	instancePath: string;
	keyword: string;
	params: Record< string, unknown >;
	message: string;
}

export type ValidateFunction = ( ( data: unknown ) => boolean ) & {
	errors?: ValidationIssue[] | null;
};

const KEYWORDS = new Set( [
	'type',
	'properties',
	'required',
	'minLength',
	'maxLength',
	'pattern',
	'enum',
	'minimum',
	'maximum',
	'items',
	'minItems',
	'maxItems',
	'description',
] );
const TYPES = new Set( [
	'string',
	'integer',
	'number',
	'boolean',
	'object',
	'array',
	'null',
] );
const MAX_ISSUES = 20;

type Check = (
	value: unknown,
	path: string,
	issues: ValidationIssue[]
) => void;

function typeOf( value: unknown ): string {
	if ( value === null ) {
		return 'null';
	}
	if ( Array.isArray( value ) ) {
		return 'array';
	}
	return typeof value;
}

function hasType( value: unknown, type: string ): boolean {
	switch ( type ) {
		case 'integer':
			return typeof value === 'number' && Number.isInteger( value );
		case 'number':
			return typeof value === 'number' && Number.isFinite( value );
		case 'object':
			return (
				typeof value === 'object' &&
				value !== null &&
				! Array.isArray( value )
			);
		default:
			return typeOf( value ) === type;
	}
}

/** Length in code points, as JSON Schema counts it. */
function length( s: string ): number {
	let n = 0;
	for ( let i = 0; i < s.length; i++ ) {
		const c = s.charCodeAt( i );
		if ( c < 0xd800 || c > 0xdbff || i + 1 >= s.length ) {
			n++;
		} else {
			n++;
			i++;
		}
	}
	return n;
}

const escapePointer = ( key: string ) =>
	key.replace( /~/g, '~0' ).replace( /\//g, '~1' );

function compileNode( schema: Schema, where: string ): Check {
	for ( const key of Object.keys( schema ) ) {
		if ( ! KEYWORDS.has( key ) ) {
			throw new Error(
				`schema keyword "${ key }" at ${ where || '/' } is not supported by the sidecar's validator`
			);
		}
	}
	let types: readonly string[] = [];
	if ( Array.isArray( schema.type ) ) {
		types = schema.type;
	} else if ( typeof schema.type === 'string' ) {
		types = [ schema.type ];
	}
	for ( const t of types ) {
		if ( ! TYPES.has( t ) ) {
			throw new Error( `unknown type "${ t }" at ${ where || '/' }` );
		}
	}
	const pattern =
		schema.pattern === undefined
			? undefined
			: new RegExp( schema.pattern, 'u' );
	const properties = Object.entries( schema.properties ?? {} ).map(
		( [ name, sub ] ) =>
			[ name, compileNode( sub, `${ where }/${ name }` ) ] as const
	);
	const items = schema.items
		? compileNode( schema.items, `${ where }/items` )
		: undefined;
	const required = schema.required ?? [];
	const allowed = schema.enum;

	return ( value, path, issues ) => {
		const add = (
			keyword: string,
			message: string,
			params: Record< string, unknown > = {}
		) => {
			if ( issues.length < MAX_ISSUES ) {
				issues.push( { instancePath: path, keyword, params, message } );
			}
		};
		if (
			types.length > 0 &&
			! types.some( ( t ) => hasType( value, t ) )
		) {
			add( 'type', `must be ${ types.join( ',' ) }`, {
				type: types.join( ',' ),
			} );
			return;
		}
		if ( allowed && ! allowed.some( ( a ) => a === value ) ) {
			add( 'enum', 'must be equal to one of the allowed values', {
				allowedValues: allowed,
			} );
		}
		if ( typeof value === 'string' ) {
			if (
				schema.minLength !== undefined &&
				length( value ) < schema.minLength
			) {
				add(
					'minLength',
					`must NOT have fewer than ${ schema.minLength } characters`,
					{ limit: schema.minLength }
				);
			}
			if (
				schema.maxLength !== undefined &&
				( value.length > schema.maxLength * 2 ||
					length( value ) > schema.maxLength )
			) {
				add(
					'maxLength',
					`must NOT have more than ${ schema.maxLength } characters`,
					{ limit: schema.maxLength }
				);
			}
			if ( pattern && ! pattern.test( value ) ) {
				add( 'pattern', `must match pattern "${ schema.pattern }"`, {
					pattern: schema.pattern,
				} );
			}
		} else if ( typeof value === 'number' ) {
			if ( schema.minimum !== undefined && value < schema.minimum ) {
				add( 'minimum', `must be >= ${ schema.minimum }`, {
					comparison: '>=',
					limit: schema.minimum,
				} );
			}
			if ( schema.maximum !== undefined && value > schema.maximum ) {
				add( 'maximum', `must be <= ${ schema.maximum }`, {
					comparison: '<=',
					limit: schema.maximum,
				} );
			}
		} else if ( Array.isArray( value ) ) {
			if (
				schema.minItems !== undefined &&
				value.length < schema.minItems
			) {
				add(
					'minItems',
					`must NOT have fewer than ${ schema.minItems } items`,
					{ limit: schema.minItems }
				);
			}
			if (
				schema.maxItems !== undefined &&
				value.length > schema.maxItems
			) {
				add(
					'maxItems',
					`must NOT have more than ${ schema.maxItems } items`,
					{ limit: schema.maxItems }
				);
				return;
			}
			if ( items ) {
				value.forEach( ( item, i ) =>
					items( item, `${ path }/${ i }`, issues )
				);
			}
		} else if ( value !== null && typeof value === 'object' ) {
			const obj = value as Record< string, unknown >;
			for ( const name of required ) {
				if (
					! Object.prototype.hasOwnProperty.call( obj, name ) ||
					obj[ name ] === undefined
				) {
					add(
						'required',
						`must have required property '${ name }'`,
						{ missingProperty: name }
					);
				}
			}
			for ( const [ name, check ] of properties ) {
				if (
					Object.prototype.hasOwnProperty.call( obj, name ) &&
					obj[ name ] !== undefined
				) {
					check(
						obj[ name ],
						`${ path }/${ escapePointer( name ) }`,
						issues
					);
				}
			}
		}
	};
}

export function compileSchema( schema: Schema ): ValidateFunction {
	const check = compileNode( schema, '' );
	const validate: ValidateFunction = ( data: unknown ) => {
		const issues: ValidationIssue[] = [];
		check( data, '', issues );
		validate.errors = issues.length > 0 ? issues : null;
		return issues.length === 0;
	};
	return validate;
}
