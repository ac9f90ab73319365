import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { buildApp, loadConfig } from '../../../../src/sidecar';
import { fieldErrors } from '../../../../src/sidecar/errors';
import { restoreValidator } from '../../../../src/sidecar/plugins/validation';
import { AJV_OPTIONS } from '../../../../src/sidecar/schemas/ajv-options';
import {
	generateValidators,
	GENERATED_VALIDATORS,
} from '../../../../src/sidecar/schemas/generate-validators';
import { meetingBodies } from '../../../../src/sidecar/schemas/meetings';
import { pingBody } from '../../../../src/sidecar/schemas/ops';

const ROOT = resolve( __dirname, '../../../..' );
const ensure = restoreValidator( {
	method: 'POST',
	url: '/v1/meetings/ensure',
	httpPart: 'body',
	schema: meetingBodies.ensure,
} );
const valid = {
	siteId: '8a6e0f4c-1d2b-4c3a-9e8f-7a6b5c4d3e2f',
	client: { clientId: 'demo.apps.googleusercontent.com', clientSecret: 's' },
	credential: 'c',
	appointmentId: 42,
	start: { dateTime: '2031-05-01T09:00:00Z', timeZone: 'UTC' },
	end: { dateTime: '2031-05-01T09:30:00Z', timeZone: 'UTC' },
};

describe( 'request validators generated at build time', () => {
	test( 'the committed validators are those of the current schemas (npm run build:sidecar writes them)', async () => {
		expect(
			readFileSync( resolve( ROOT, GENERATED_VALIDATORS ), 'utf8' )
		).toBe( await generateValidators() );
	} );

	test( 'every route finds its validator; a changed or unknown schema refuses to start', async () => {
		const app = buildApp(
			loadConfig( {
				MFK_SHARED_SECRET: 'x'.repeat( 32 ),
				MFK_SEAL_KEYS: `k1:${ Buffer.alloc( 32 ).toString( 'base64' ) }`,
				MFK_LOG_LEVEL: 'silent',
			} )
		);
		await expect( app.ready() ).resolves.toBe( app );
		await app.close();
		const ping = { method: 'POST', url: '/v1/ping', httpPart: 'body' };
		expect( () =>
			restoreValidator( {
				...ping,
				schema: { ...pingBody, maxItems: 1 },
			} )
		).toThrow(
			/POST \/v1\/ping body is out of date: run npm run build:sidecar/
		);
		expect( () =>
			restoreValidator( { ...ping, url: '/v1/other', schema: pingBody } )
		).toThrow( /missing/ );
	} );

	test( 'a keyword ajv does not know, or that cannot apply, fails the build', () => {
		const ajv = new Ajv( { ...AJV_OPTIONS, code: {} } );
		expect( () => ajv.compile( { type: 'object', maxLenght: 3 } ) ).toThrow(
			/maxLenght/
		);
		expect( () => ajv.compile( { type: 'strnig' } ) ).toThrow( /type/ );
		expect( () => ajv.compile( { type: 'string', maxItems: 1 } ) ).toThrow(
			/maxItems/
		);
	} );

	test( 'accepts valid data, strictly typed (no coercion), unknown fields left alone', () => {
		const body = { ...valid, extra: 'ignored', waitMs: null };
		expect( ensure( body ) ).toBe( true );
		expect( ensure.errors ).toBeNull();
		expect( body ).toEqual( { ...valid, extra: 'ignored', waitMs: null } );
		expect( ensure( { ...valid, appointmentId: '42' } ) ).toBe( false );
		expect( ensure( { ...valid, appointmentId: 4.5 } ) ).toBe( false );
		expect( ensure( { ...valid, waitMs: '100' } ) ).toBe( false );
	} );

	test( 'reports every problem with its JSON pointer, ajv style', () => {
		const { credential, ...rest } = valid;
		expect( credential ).toBe( 'c' );
		expect(
			ensure( {
				...rest,
				siteId: 'short',
				sendUpdates: 'everyone',
				attendees: [ {}, { email: 5 } ],
			} )
		).toBe( false );
		expect(
			ensure.errors?.map(
				( { instancePath, keyword, params, message } ) => ( {
					instancePath,
					keyword,
					params,
					message,
				} )
			)
		).toEqual( [
			{
				instancePath: '',
				keyword: 'required',
				params: { missingProperty: 'credential' },
				message: "must have required property 'credential'",
			},
			{
				instancePath: '/siteId',
				keyword: 'minLength',
				params: { limit: 8 },
				message: 'must NOT have fewer than 8 characters',
			},
			{
				instancePath: '/attendees/0',
				keyword: 'required',
				params: { missingProperty: 'email' },
				message: "must have required property 'email'",
			},
			{
				instancePath: '/attendees/1/email',
				keyword: 'type',
				params: { type: 'string' },
				message: 'must be string',
			},
			{
				instancePath: '/sendUpdates',
				keyword: 'enum',
				params: {
					allowedValues: [ 'all', 'externalOnly', 'none', null ],
				},
				message: 'must be equal to one of the allowed values',
			},
		] );
		expect( fieldErrors( ensure.errors ?? [] ) ).toEqual( [
			{ path: '/credential', message: 'is required' },
			{
				path: '/siteId',
				message: 'must NOT have fewer than 8 characters',
			},
			{ path: '/attendees/0/email', message: 'is required' },
			{ path: '/attendees/1/email', message: 'must be string' },
			{
				path: '/sendUpdates',
				message: 'must be one of all, externalOnly, none',
			},
		] );
	} );

	test( 'string lengths count code points', () => {
		expect( ensure( { ...valid, summary: '😀'.repeat( 1024 ) } ) ).toBe(
			true
		);
		expect( ensure( { ...valid, summary: '😀'.repeat( 1025 ) } ) ).toBe(
			false
		);
		expect( ensure.errors?.map( ( e ) => e.keyword ) ).toEqual( [
			'maxLength',
		] );
	} );

	test( 'bounds the number of reported problems', () => {
		expect(
			ensure( {
				...valid,
				attendees: Array.from( { length: 50 }, () => ( {} ) ),
			} )
		).toBe( false );
		expect( ensure.errors ).toHaveLength( 50 );
		expect( fieldErrors( ensure.errors ?? [] ) ).toHaveLength( 20 );
	} );
} );
