/**
 * The emulator's application (src/emulator/app.ts) through `inject()`: each area answers under
 * its own prefix, and what no endpoint handles is answered in the format of the path it was
 * sent to (Google's JSON error under the Calendar API, a short `{ error }` elsewhere).
 */
import type { FastifyInstance } from 'fastify';
import { buildEmulatorApp } from '../../src/emulator/app';
import { EmulatorState } from '../../src/emulator';
import { CLIENT_ID, SECRET } from './support';

let app: FastifyInstance;

beforeAll( async () => {
	app = buildEmulatorApp(
		new EmulatorState( [
			{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [] },
		] ),
		false
	);
	await app.ready();
} );
afterAll( () => app.close() );

test( 'each area answers under its prefix', async () => {
	expect(
		(
			await app.inject( { method: 'GET', url: '/__emulator/health' } )
		).json()
	).toEqual( { ok: true } );
	const events = await app.inject( {
		method: 'GET',
		url: '/calendar/v3/calendars/primary/events',
	} );
	expect( events.statusCode ).toBe( 401 );
	expect( events.json().error.errors[ 0 ].reason ).toBe( 'required' );
	const discovery = await app.inject( {
		method: 'GET',
		url: '/.well-known/openid-configuration',
	} );
	expect( discovery.json().issuer ).toBe( 'https://accounts.google.com' );
} );

test( 'unknown paths: a Google 404 under the Calendar API, a short error elsewhere', async () => {
	const calendar = await app.inject( {
		method: 'GET',
		url: '/calendar/v3/nothing/here',
	} );
	expect( calendar.statusCode ).toBe( 404 );
	expect( calendar.headers[ 'content-type' ] ).toBe(
		'application/json; charset=UTF-8'
	);
	expect( calendar.json() ).toEqual( {
		error: {
			code: 404,
			message: 'Not Found',
			errors: [
				{ domain: 'global', reason: 'notFound', message: 'Not Found' },
			],
			status: 'NOT_FOUND',
		},
	} );
	const other = await app.inject( { method: 'GET', url: '/nope?x=1' } );
	expect( other.statusCode ).toBe( 404 );
	expect( other.json() ).toEqual( { error: 'no route GET /nope' } );
} );

test( 'malformed JSON: Google parseError on the API, a short 400 on the control API', async () => {
	const api = await app.inject( {
		method: 'POST',
		url: '/calendar/v3/calendars/primary/events',
		headers: { 'content-type': 'application/json' },
		payload: '{"summary": ',
	} );
	expect( api.statusCode ).toBe( 400 );
	expect( api.json().error.errors[ 0 ].reason ).toBe( 'parseError' );
	const control = await app.inject( {
		method: 'PATCH',
		url: '/__emulator/config',
		headers: { 'content-type': 'application/json' },
		payload: '{',
	} );
	expect( control.statusCode ).toBe( 400 );
	expect( control.json() ).toEqual( { error: 'Parse Error' } );
} );
