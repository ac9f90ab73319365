import { compileSchema } from '../../../src/sidecar/validator';
import { batchBody } from '../../../src/sidecar/schemas/batch';
import { meetingBodies } from '../../../src/sidecar/schemas/meetings';
import * as oauth from '../../../src/sidecar/schemas/oauth';
import { pingBody } from '../../../src/sidecar/schemas/ops';

const schemas = { ...oauth, ...meetingBodies, batchBody, pingBody };

describe( 'schema validator', () => {
	test( 'refuses schemas with keywords it does not implement', () => {
		expect( () =>
			compileSchema( {
				type: 'object',
				additionalProperties: false,
			} as never )
		).toThrow( /additionalProperties/ );
		expect( () =>
			compileSchema( {
				type: 'object',
				properties: { a: { format: 'email' } },
			} as never )
		).toThrow( /format.*\/a/ );
		expect( () => compileSchema( { type: 'strnig' } as never ) ).toThrow(
			/unknown type/
		);
	} );

	test( 'compiles every schema the sidecar uses', () => {
		for ( const schema of Object.values( schemas ) ) {
			expect( () => compileSchema( schema as never ) ).not.toThrow();
		}
	} );

	const validate = compileSchema( {
		type: 'object',
		required: [ 'name', 'count' ],
		properties: {
			name: {
				type: 'string',
				minLength: 2,
				maxLength: 4,
				pattern: '^[a-z]+$',
			},
			count: { type: 'integer', minimum: 1, maximum: 10 },
			kind: { type: [ 'string', 'null' ], enum: [ 'a', 'b', null ] },
			list: {
				type: 'array',
				maxItems: 2,
				items: {
					type: 'object',
					required: [ 'x' ],
					properties: { x: { type: 'number' } },
				},
			},
		},
	} );

	test( 'accepts valid data, strictly typed (no coercion)', () => {
		expect(
			validate( {
				name: 'abc',
				count: 3,
				kind: null,
				list: [ { x: 1.5 } ],
				extra: 'ignored',
			} )
		).toBe( true );
		expect( validate.errors ).toBeNull();
		expect( validate( { name: 'abc', count: '3' } ) ).toBe( false );
		expect( validate( { name: 'abc', count: 3.5 } ) ).toBe( false );
	} );

	test( 'reports every problem with its JSON pointer, ajv style', () => {
		expect(
			validate( { name: 'ABCDE', kind: 'c', list: [ {}, { x: 'no' } ] } )
		).toBe( false );
		expect( validate.errors ).toEqual( [
			{
				instancePath: '',
				keyword: 'required',
				params: { missingProperty: 'count' },
				message: "must have required property 'count'",
			},
			{
				instancePath: '/name',
				keyword: 'maxLength',
				params: { limit: 4 },
				message: 'must NOT have more than 4 characters',
			},
			{
				instancePath: '/name',
				keyword: 'pattern',
				params: { pattern: '^[a-z]+$' },
				message: 'must match pattern "^[a-z]+$"',
			},
			{
				instancePath: '/kind',
				keyword: 'enum',
				params: { allowedValues: [ 'a', 'b', null ] },
				message: 'must be equal to one of the allowed values',
			},
			{
				instancePath: '/list/0',
				keyword: 'required',
				params: { missingProperty: 'x' },
				message: "must have required property 'x'",
			},
			{
				instancePath: '/list/1/x',
				keyword: 'type',
				params: { type: 'number' },
				message: 'must be number',
			},
		] );
	} );

	test( 'string lengths count code points; numbers must be finite', () => {
		expect( validate( { name: '😀😀', count: 1 } ) ).toBe( false ); // pattern fails, but not the length
		expect( validate.errors?.map( ( e ) => e.keyword ) ).toEqual( [
			'pattern',
		] );
		const n = compileSchema( { type: 'number' } );
		expect( n( Number.NaN ) ).toBe( false );
		expect( n( Infinity ) ).toBe( false );
		expect( compileSchema( { type: 'object' } )( [] ) ).toBe( false );
		expect( compileSchema( { type: 'object' } )( null ) ).toBe( false );
	} );

	test( 'bounds the number of reported problems', () => {
		const v = compileSchema( { type: 'array', items: { type: 'string' } } );
		expect( v( Array.from( { length: 100 }, () => 1 ) ) ).toBe( false );
		expect( v.errors ).toHaveLength( 20 );
	} );
} );
