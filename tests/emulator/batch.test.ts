/**
 * Google's batch endpoint (src/emulator/batch/): `multipart/mixed` in and out, each inner call
 * answered with its own status as if sent alone (and counted, limited and faulted alone), in
 * the order of the request, with Content-IDs echoed as `response-…`.
 */
import type { RunningEmulator } from '../../src/emulator';
import { MAX_BATCH_CALLS } from '../../src/emulator/batch';
import {
	connect,
	control,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let google: RunningEmulator;
let token: string;
const email = 'batched-doctor@example.test';

beforeAll( async () => {
	( { google } = await startTestEmulator() );
	token = ( await connect( email ) ).tokens.access_token as string;
} );
afterAll( stopTestEmulator );
afterEach( () =>
	control( 'PATCH', '/config', {
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
	} )
);

interface Call {
	id?: string;
	method: string;
	path: string;
	headers?: Record< string, string >;
	body?: unknown;
}

function batchBody( calls: Call[], boundary = 'batch_test_boundary' ): string {
	const parts = calls.map( ( c ) =>
		[
			`--${ boundary }`,
			'Content-Type: application/http',
			...( c.id ? [ `Content-ID: <${ c.id }>` ] : [] ),
			'',
			`${ c.method } /calendar/v3/${ c.path } HTTP/1.1`,
			...Object.entries( {
				...( c.body !== undefined
					? { 'Content-Type': 'application/json' }
					: {} ),
				...c.headers,
			} ).map( ( [ k, v ] ) => `${ k }: ${ v }` ),
			'',
			c.body !== undefined ? JSON.stringify( c.body ) : '',
		].join( '\r\n' )
	);
	return `${ parts.join( '\r\n' ) }\r\n--${ boundary }--\r\n`;
}

/** A block split at its first empty line. */
function splitAtBlankLine( text: string ): [ string, string ] {
	const at = text.indexOf( '\r\n\r\n' );
	return at < 0
		? [ text, '' ]
		: [ text.slice( 0, at ), text.slice( at + 4 ) ];
}

interface Answer {
	contentId?: string;
	status: number;
	headers: Record< string, string >;
	body: any;
}

/** Sends a batch; its answer split into parts (the way a client reads them). */
async function batch(
	calls: Call[],
	auth = token
): Promise< { status: number; parts: Answer[]; raw: string } > {
	const res = await fetch( `${ google.url }/batch/calendar/v3`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${ auth }`,
			'content-type': 'multipart/mixed; boundary=batch_test_boundary',
		},
		body: batchBody( calls ),
	} );
	const raw = await res.text();
	const boundary = /boundary=([^;\s]+)/.exec(
		res.headers.get( 'content-type' ) ?? ''
	)?.[ 1 ];
	if ( ! boundary ) {
		return { status: res.status, parts: [], raw };
	}
	const parts = raw
		.split( `--${ boundary }--` )[ 0 ]!
		.split( `--${ boundary }` )
		.slice( 1 )
		.map( ( part ) => {
			const [ outer, http ] = splitAtBlankLine(
				part.replace( /^\r\n/, '' )
			);
			const [ head, text ] = splitAtBlankLine( http );
			const [ statusLine = '', ...headerLines ] = head.split( '\r\n' );
			const headers = Object.fromEntries(
				headerLines.map( ( l ) => {
					const at = l.indexOf( ':' );
					return [
						l.slice( 0, at ).toLowerCase(),
						l.slice( at + 1 ).trim(),
					];
				} )
			);
			const body = text.replace( /\r\n$/, '' );
			return {
				contentId: /Content-ID: <([^>]+)>/i.exec( outer )?.[ 1 ],
				status: Number( statusLine.split( ' ' )[ 1 ] ),
				headers,
				body: body ? JSON.parse( body ) : undefined,
			};
		} );
	return { status: res.status, parts, raw };
}

const EVENTS = 'calendars/primary/events';

test( 'each call is answered in its own part, in order, with its own status and Content-ID', async () => {
	const made = await batch( [
		{
			id: 'a',
			method: 'POST',
			path: EVENTS,
			body: { id: 'batch00001', ...slot( 9 ) },
		},
		{
			id: 'b',
			method: 'POST',
			path: EVENTS,
			body: { id: 'batch00002', ...slot( 10 ) },
		},
	] );
	expect( made.status ).toBe( 200 );
	expect(
		made.parts.map( ( p ) => [ p.contentId, p.status, p.body?.id ] )
	).toEqual( [
		[ 'response-a', 200, 'batch00001' ],
		[ 'response-b', 200, 'batch00002' ],
	] );
	const etag = made.parts[ 0 ]!.body.etag as string;
	expect( made.parts[ 0 ]!.headers.etag ).toBe( etag );

	const mixed = await batch( [
		{ id: 'get', method: 'GET', path: `${ EVENTS }/batch00001` },
		{
			id: 'dup',
			method: 'POST',
			path: EVENTS,
			body: { id: 'batch00002', ...slot( 10 ) },
		},
		{ id: 'gone', method: 'GET', path: `${ EVENTS }/nosuchevent1` },
		{
			id: 'patch',
			method: 'PATCH',
			path: `${ EVENTS }/batch00001`,
			headers: { 'If-Match': etag },
			body: { summary: 'Video consultation' },
		},
		{
			id: 'stale',
			method: 'PATCH',
			path: `${ EVENTS }/batch00001`,
			headers: { 'If-Match': etag },
			body: { summary: 'Overwritten?' },
		},
		{ id: 'del', method: 'DELETE', path: `${ EVENTS }/batch00002` },
	] );
	expect( mixed.parts.map( ( p ) => [ p.contentId, p.status ] ) ).toEqual( [
		[ 'response-get', 200 ],
		[ 'response-dup', 409 ],
		[ 'response-gone', 404 ],
		[ 'response-patch', 200 ],
		[ 'response-stale', 412 ],
		[ 'response-del', 204 ],
	] );
	expect( mixed.parts[ 1 ]!.body.error.errors[ 0 ].reason ).toBe(
		'duplicate'
	);
	expect( mixed.parts[ 4 ]!.body.error.errors[ 0 ].reason ).toBe(
		'conditionNotMet'
	);
	expect( mixed.parts[ 5 ]!.body ).toBeUndefined();
	const after = await batch( [
		{ method: 'GET', path: `${ EVENTS }/batch00001` },
	] );
	expect( after.parts[ 0 ]!.body.summary ).toBe( 'Video consultation' );
} );

test( 'every inner call counts alone: counters, quota and rate limits, part by part', async () => {
	const own = 'batched-limited@example.test';
	const ownToken = ( await connect( own ) ).tokens.access_token as string;
	await control( 'DELETE', '/counters' );
	await control( 'PATCH', '/config', {
		rateLimits: { perUserPerMinute: 120, perProjectPerMinute: null },
	} );
	// 120 a minute holds two calls at once: the first two parts pass, the rest are refused.
	const res = await batch(
		[ 1, 2, 3, 4, 5 ].map( ( n ) => ( {
			method: 'GET',
			path: `${ EVENTS }?maxResults=${ n }`,
		} ) ),
		ownToken
	);
	const statuses = res.parts.map( ( p ) => p.status );
	expect( statuses.filter( ( s ) => s === 200 ) ).toHaveLength( 2 );
	const refused = res.parts.filter( ( p ) => p.status !== 200 );
	expect( refused ).toHaveLength( 3 );
	for ( const p of refused ) {
		expect( [ 403, 429 ] ).toContain( p.status );
		expect( p.body.error.errors[ 0 ].reason ).toMatch(
			/RateLimitExceeded|rateLimitExceeded/
		);
	}
	const counters = ( await control( 'GET', '/counters' ) ).body;
	expect( counters.counters[ 'events.list' ] ).toBe( 5 );
	expect( counters.accounts[ own ] ).toEqual( { calls: 5, refused: 3 } );
} );

test( 'a part with its own Authorization acts for that account; a bad one is 401', async () => {
	const other = await connect( 'batched-other@example.test' );
	const theirs = { Authorization: `Bearer ${ other.tokens.access_token }` };
	const made = await batch( [
		{
			method: 'POST',
			path: EVENTS,
			headers: theirs,
			body: { id: 'batchother1', ...slot( 11 ) },
		},
		{
			method: 'GET',
			path: EVENTS,
			headers: { Authorization: 'Bearer nope' },
		},
	] );
	expect( made.parts.map( ( p ) => p.status ) ).toEqual( [ 200, 401 ] );
	expect( made.parts[ 0 ]!.body.organizer.email ).toBe(
		'batched-other@example.test'
	);
	// In the other account's calendar, not in the one of the batch's own token.
	const read = await batch( [
		{ method: 'GET', path: `${ EVENTS }/batchother1`, headers: theirs },
		{ method: 'GET', path: `${ EVENTS }/batchother1` },
	] );
	expect( read.parts.map( ( p ) => p.status ) ).toEqual( [ 200, 404 ] );
} );

test( 'malformed batches are refused whole', async () => {
	const post = ( body: string, type: string ) =>
		fetch( `${ google.url }/batch/calendar/v3`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${ token }`,
				'content-type': type,
			},
			body,
		} );
	const noBoundary = await post( batchBody( [] ), 'multipart/mixed' );
	expect( noBoundary.status ).toBe( 400 );
	expect( ( await noBoundary.json() ).error.code ).toBe( 400 );
	const notHttp = await post(
		'--b\r\nContent-Type: text/plain\r\n\r\nGET /calendar/v3/x\r\n--b--\r\n',
		'multipart/mixed; boundary=b'
	);
	expect( notHttp.status ).toBe( 400 );
	const tooMany = await post(
		batchBody(
			Array.from( { length: MAX_BATCH_CALLS + 1 }, () => ( {
				method: 'GET',
				path: 'calendars/primary',
			} ) )
		),
		'multipart/mixed; boundary=batch_test_boundary'
	);
	expect( tooMany.status ).toBe( 400 );
	expect( ( await tooMany.json() ).error.message ).toContain(
		String( MAX_BATCH_CALLS )
	);
	const counters = ( await control( 'GET', '/counters' ) ).body;
	expect( counters.counters[ 'calendars.get' ] ?? 0 ).toBeLessThan(
		MAX_BATCH_CALLS
	);
} );
