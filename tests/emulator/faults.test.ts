/**
 * What the emulator refuses on purpose (src/emulator/faults/, pipeline/quota.ts,
 * pipeline/rate-limit.ts): faults managed through the control API, and Google's per-user and
 * per-project rate limits with the quota floor they imply.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { OAuth2Client } from 'google-auth-library';
import { quotaFloorSeconds } from '../../src/emulator';
import {
	connect,
	control,
	failure,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'faults', () => {
	test( 'faults: listed with their remaining uses, consumed, removable; bad specs refused', async () => {
		const created = await control( 'POST', '/faults', {
			match: {
				operation: 'events.get',
				path: '/calendars/[^/]+/events/',
			},
			action: { type: 'error', status: 503 },
			times: 2,
		} );
		expect( created ).toMatchObject( {
			status: 201,
			body: {
				id: expect.any( String ),
				remaining: 2,
				hits: 0,
				when: 'before',
				probability: 1,
			},
		} );
		expect(
			( await control( 'GET', '/faults' ) ).body.faults
		).toHaveLength( 1 );
		expect(
			( await control( 'DELETE', `/faults/${ created.body.id }` ) ).body
		).toEqual( { removed: true } );
		expect( ( await control( 'GET', '/faults' ) ).body.faults ).toEqual(
			[]
		);
		const bad = await control( 'POST', '/faults', {
			action: { type: 'error', status: 200 },
			times: -1,
			when: 'later',
		} );
		expect( bad.status ).toBe( 400 );
		expect( bad.body.error ).toMatch( /action.status.*times.*when/ );
	} );
} );

describe( 'rate limits', () => {
	test( 'per user: 403 userRateLimitExceeded; per project: 429 rateLimitExceeded; refused calls cost nothing', async () => {
		const a = ( await connect( 'limit-a@example.test' ) ).client;
		const b = ( await connect( 'limit-b@example.test' ) ).client;
		await control( 'PATCH', '/config', {
			rateLimits: { perUserPerMinute: 120, perProjectPerMinute: 180 },
		} ); // user: 2/s burst 2; project: 3/s burst 3
		try {
			const list = ( auth: OAuth2Client ) =>
				calendar.events.list( { calendarId: 'primary', auth } );
			await list( a );
			await list( a );
			expect( await failure( list( a ) ) ).toMatchObject( {
				status: 403,
				reason: 'userRateLimitExceeded',
				message: 'Rate Limit Exceeded',
			} );
			await list( b ); // third request of the project
			const project = await failure( list( b ) );
			expect( project ).toMatchObject( {
				status: 429,
				reason: 'rateLimitExceeded',
			} );
			expect( project.body.error.status ).toBe( 'RESOURCE_EXHAUSTED' );
		} finally {
			await control( 'PATCH', '/config', {
				rateLimits: {
					perUserPerMinute: null,
					perProjectPerMinute: null,
				},
			} );
		}
	} );

	test( 'the quota floor of a workload', () => {
		// 2,000 requests over 40 users, 600/min per user, 10,000/min per project.
		const floor = quotaFloorSeconds(
			new Array( 40 ).fill( 50 ),
			600,
			10000
		);
		expect( floor ).toBeCloseTo(
			( 2000 - 10000 / 60 ) / ( 10000 / 60 ),
			6
		);
		expect( quotaFloorSeconds( [ 100 ], 60, null ) ).toBe( 99 );
		expect( quotaFloorSeconds( [ 5 ], null, null ) ).toBe( 0 );
	} );
} );
