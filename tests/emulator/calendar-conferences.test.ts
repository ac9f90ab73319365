/**
 * Meet conferences on Calendar events (src/emulator/calendar/conferences.ts): created only with
 * conferenceDataVersion=1, pending then settled, repeated requestIds ignored, a new requestId a
 * new conference (also on an event whose conference works: regenerating the link).
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { OAuth2Client } from 'google-auth-library';
import {
	connect,
	control,
	meet,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

let calendar: calendar_v3.Calendar;

beforeAll( async () => {
	( { calendar } = await startTestEmulator() );
} );
afterAll( stopTestEmulator );

describe( 'Calendar API: conferences', () => {
	let auth: OAuth2Client;
	let email: string;

	beforeAll( async () => {
		email = 'calendar-owner@example.test';
		auth = ( await connect( email ) ).client;
	} );

	test( 'insert with a client id, conferenceDataVersion=1: a Meet conference', async () => {
		const { data } = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			sendUpdates: 'none',
			requestBody: {
				id: 'abcdefv012345',
				summary: 'S',
				...slot( 9 ),
				conferenceData: meet( 'r-1' ),
			},
			auth,
		} );
		expect( data ).toMatchObject( {
			kind: 'calendar#event',
			id: 'abcdefv012345',
			status: 'confirmed',
			organizer: { email, self: true },
			iCalUID: 'abcdefv012345@google.com',
			hangoutLink: expect.stringMatching(
				/^https:\/\/meet\.google\.com\//
			),
			conferenceData: {
				createRequest: {
					requestId: 'r-1',
					status: { statusCode: 'success' },
				},
				conferenceSolution: {
					key: { type: 'hangoutsMeet' },
					name: 'Google Meet',
				},
				entryPoints: [
					{
						entryPointType: 'video',
						uri: expect.stringMatching(
							/^https:\/\/meet\.google\.com\//
						),
					},
				],
			},
		} );
	} );

	test( 'without conferenceDataVersion=1 the conference request is silently dropped', async () => {
		const { data } = await calendar.events.insert( {
			calendarId: 'primary',
			requestBody: {
				summary: 'No Meet',
				...slot( 10 ),
				conferenceData: meet( 'r-dropped' ),
			},
			auth,
		} );
		expect( data.id ).toMatch( /^[a-v0-9]{5,}$/ );
		expect( data.conferenceData ).toBeUndefined();
		expect( data.hangoutLink ).toBeUndefined();
	} );

	test( 'a repeated requestId is ignored; a new one replaces a failed conference', async () => {
		await control( 'PATCH', '/config', { conferenceOutcome: 'failure' } );
		const { data: failed } = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			requestBody: {
				id: 'conf0001',
				...slot( 16 ),
				conferenceData: meet( 'r-f' ),
			},
			auth,
		} );
		expect( failed.conferenceData?.createRequest?.status?.statusCode ).toBe(
			'failure'
		);
		expect( failed.hangoutLink ).toBeUndefined();
		await control( 'PATCH', '/config', { conferenceOutcome: 'success' } );
		const same = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'conf0001',
			conferenceDataVersion: 1,
			requestBody: { conferenceData: meet( 'r-f' ) },
			auth,
		} );
		expect(
			same.data.conferenceData?.createRequest?.status?.statusCode
		).toBe( 'failure' );
		const fresh = await calendar.events.patch( {
			calendarId: 'primary',
			eventId: 'conf0001',
			conferenceDataVersion: 1,
			requestBody: { conferenceData: meet( 'r-f2' ) },
			auth,
		} );
		expect( fresh.data ).toMatchObject( {
			hangoutLink: expect.any( String ),
			conferenceData: {
				createRequest: {
					requestId: 'r-f2',
					status: { statusCode: 'success' },
				},
			},
		} );
	} );

	test( 'a new requestId on an event whose conference works makes a new one (regenerate): new code, same event', async () => {
		const { data: first } = await calendar.events.insert( {
			calendarId: 'primary',
			conferenceDataVersion: 1,
			requestBody: {
				id: 'regen0001',
				...slot( 18 ),
				conferenceData: meet( 'r-regen-0' ),
			},
			auth,
		} );
		expect( first.hangoutLink ).toMatch( /^https:\/\/meet\.google\.com\// );
		await control( 'PATCH', '/config', { conferenceDelayMs: 200 } );
		try {
			const { data: pending } = await calendar.events.patch( {
				calendarId: 'primary',
				eventId: 'regen0001',
				conferenceDataVersion: 1,
				requestBody: { conferenceData: meet( 'r-regen-1' ) },
				auth,
			} );
			// Created asynchronously like any conference: no link while pending.
			expect(
				pending.conferenceData?.createRequest?.status?.statusCode
			).toBe( 'pending' );
			expect( pending.hangoutLink ).toBeUndefined();
			await new Promise( ( r ) => setTimeout( r, 250 ) );
			const { data: later } = await calendar.events.get( {
				calendarId: 'primary',
				eventId: 'regen0001',
				auth,
			} );
			expect( later ).toMatchObject( {
				id: 'regen0001',
				hangoutLink: expect.stringMatching(
					/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/
				),
				conferenceData: {
					createRequest: {
						requestId: 'r-regen-1',
						status: { statusCode: 'success' },
					},
				},
			} );
			expect( later.hangoutLink ).not.toBe( first.hangoutLink );
			expect( later.conferenceData?.conferenceId ).not.toBe(
				first.conferenceData?.conferenceId
			);
		} finally {
			await control( 'PATCH', '/config', { conferenceDelayMs: 0 } );
		}
	} );

	test( 'conferences are pending for the configured delay, then settle', async () => {
		await control( 'PATCH', '/config', { conferenceDelayMs: 300 } );
		try {
			const { data } = await calendar.events.insert( {
				calendarId: 'primary',
				conferenceDataVersion: 1,
				requestBody: {
					id: 'pend0001',
					...slot( 17 ),
					conferenceData: meet( 'r-pend' ),
				},
				auth,
			} );
			expect( data.conferenceData ).toEqual( {
				createRequest: {
					requestId: 'r-pend',
					conferenceSolutionKey: { type: 'hangoutsMeet' },
					status: { statusCode: 'pending' },
				},
			} );
			expect( data.hangoutLink ).toBeUndefined();
			await new Promise( ( r ) => setTimeout( r, 350 ) );
			const later = await calendar.events.get( {
				calendarId: 'primary',
				eventId: 'pend0001',
				auth,
			} );
			expect(
				later.data.conferenceData?.createRequest?.status?.statusCode
			).toBe( 'success' );
		} finally {
			await control( 'PATCH', '/config', { conferenceDelayMs: 0 } );
		}
	} );
} );
