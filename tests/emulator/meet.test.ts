/**
 * Meet REST API v2 in the emulator (src/emulator/meet/), driven by Google's generated client
 * (`@googleapis/meet`): a space behind every Calendar conference (found by its meeting code),
 * config for the owner only, spaces.patch with updateMask (owner only, scopes, an edition that
 * refuses artifact settings), conference records filtered by space, participants of every kind,
 * participant sessions, paging.
 */
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import { meet_v2 } from '@googleapis/meet/build/v2';
import type { OAuth2Client } from 'google-auth-library';
import {
	EVENTS,
	connect,
	control,
	failure,
	meet,
	slot,
	startTestEmulator,
	stopTestEmulator,
} from './support';

const AUTH = 'https://www.googleapis.com/auth/';
const SETTINGS = `${ AUTH }meetings.space.settings`;
const READONLY = `${ AUTH }meetings.space.readonly`;

let calendar: calendar_v3.Calendar;
let meetApi: meet_v2.Meet;
let doctor: OAuth2Client;
let stranger: OAuth2Client;
let eventsOnly: OAuth2Client;
let code: string;
const DOCTOR = 'meet-doctor@example.test';

/** Any object as the generated client's auth option (its googleapis-common is another major). */
const as = ( c: OAuth2Client ) => c as never;

async function newConference( id: string, hour: number ): Promise< string > {
	const { data } = await calendar.events.insert( {
		calendarId: 'primary',
		conferenceDataVersion: 1,
		requestBody: {
			id,
			summary: 'Consultation',
			...slot( hour ),
			conferenceData: meet( `${ id }-0` ),
		},
		auth: doctor,
	} );
	return ( data.hangoutLink as string ).split( '/' ).pop() as string;
}

beforeAll( async () => {
	const started = await startTestEmulator();
	calendar = started.calendar;
	meetApi = new meet_v2.Meet( {
		rootUrl: `${ started.google.url }/`,
		retry: false,
	} );
	doctor = (
		await connect( DOCTOR, [
			'openid',
			'email',
			EVENTS,
			SETTINGS,
			READONLY,
		] )
	).client;
	stranger = (
		await connect( 'someone-else@example.test', [
			'openid',
			'email',
			SETTINGS,
			READONLY,
		] )
	).client;
	eventsOnly = (
		await connect( 'events-only@example.test', [
			'openid',
			'email',
			EVENTS,
		] )
	).client;
	code = await newConference( 'meetspace0001', 9 );
} );
afterAll( stopTestEmulator );

describe( 'spaces.get', () => {
	test( 'by meeting code: the space of the conference, config for its owner', async () => {
		const { data } = await meetApi.spaces.get( {
			name: `spaces/${ code }`,
			auth: as( doctor ),
		} );
		expect( data.name ).toMatch( /^spaces\/[A-Za-z0-9_-]+$/ );
		expect( data.name ).not.toBe( `spaces/${ code }` );
		expect( data ).toMatchObject( {
			meetingCode: code,
			meetingUri: `https://meet.google.com/${ code }`,
			config: {
				accessType: 'OPEN',
				entryPointAccess: 'ALL',
				artifactConfig: {
					recordingConfig: { autoRecordingGeneration: 'OFF' },
				},
			},
		} );
		// The server name works as well, and names the same space.
		const again = await meetApi.spaces.get( {
			name: data.name as string,
			auth: as( doctor ),
		} );
		expect( again.data.meetingCode ).toBe( code );
	} );

	test( 'another account sees the space without its config', async () => {
		const { data } = await meetApi.spaces.get( {
			name: `spaces/${ code }`,
			auth: as( stranger ),
		} );
		expect( data.meetingCode ).toBe( code );
		expect( data.config ).toBeUndefined();
	} );

	test( 'an unknown code is 404, a token without a Meet scope 403', async () => {
		const missing = await failure(
			meetApi.spaces.get( {
				name: 'spaces/aaa-bbbb-ccc',
				auth: as( doctor ),
			} )
		);
		expect( missing.status ).toBe( 404 );
		expect( missing.body.error.status ).toBe( 'NOT_FOUND' );
		const scope = await failure(
			meetApi.spaces.get( {
				name: `spaces/${ code }`,
				auth: as( eventsOnly ),
			} )
		);
		expect( scope.status ).toBe( 403 );
		expect( scope.body.error ).toMatchObject( {
			status: 'PERMISSION_DENIED',
			message: 'Request had insufficient authentication scopes.',
		} );
	} );
} );

describe( 'spaces.patch', () => {
	test( 'the owner sets the access type and switches artifacts off', async () => {
		const space = (
			await meetApi.spaces.get( {
				name: `spaces/${ code }`,
				auth: as( doctor ),
			} )
		).data;
		const { data } = await meetApi.spaces.patch( {
			name: space.name as string,
			updateMask:
				'config.accessType,config.artifactConfig.recordingConfig.autoRecordingGeneration',
			requestBody: {
				config: {
					accessType: 'RESTRICTED',
					artifactConfig: {
						recordingConfig: { autoRecordingGeneration: 'OFF' },
					},
				},
			},
			auth: as( doctor ),
		} );
		expect( data.config?.accessType ).toBe( 'RESTRICTED' );
		const stored = await control( 'GET', `/meet/spaces/${ code }` );
		expect( stored.body.config.accessType ).toBe( 'RESTRICTED' );
	} );

	test( 'only fields named in updateMask change; the mask is required', async () => {
		await meetApi.spaces.patch( {
			name: `spaces/${ code }`,
			updateMask: 'config.entryPointAccess',
			requestBody: {
				config: { accessType: 'OPEN', entryPointAccess: 'ALL' },
			},
			auth: as( doctor ),
		} );
		expect(
			( await control( 'GET', `/meet/spaces/${ code }` ) ).body.config
				.accessType
		).toBe( 'RESTRICTED' );
		const noMask = await failure(
			meetApi.spaces.patch( {
				name: `spaces/${ code }`,
				requestBody: { config: { accessType: 'OPEN' } },
				auth: as( doctor ),
			} )
		);
		expect( noMask.status ).toBe( 400 );
		const bad = await failure(
			meetApi.spaces.patch( {
				name: `spaces/${ code }`,
				updateMask: 'config.accessType',
				requestBody: { config: { accessType: 'EVERYONE' } },
				auth: as( doctor ),
			} )
		);
		expect( bad.status ).toBe( 400 );
	} );

	test( 'another account is refused (403), and so is a token without the settings scope', async () => {
		const other = await failure(
			meetApi.spaces.patch( {
				name: `spaces/${ code }`,
				updateMask: 'config.accessType',
				requestBody: { config: { accessType: 'OPEN' } },
				auth: as( stranger ),
			} )
		);
		expect( other.status ).toBe( 403 );
		const readOnly = (
			await connect( DOCTOR, [ 'openid', 'email', READONLY ] )
		).client;
		const scope = await failure(
			meetApi.spaces.patch( {
				name: `spaces/${ code }`,
				updateMask: 'config.accessType',
				requestBody: { config: { accessType: 'OPEN' } },
				auth: as( readOnly ),
			} )
		);
		expect( scope.status ).toBe( 403 );
		expect( scope.body.error.message ).toMatch( /scopes/ );
		expect(
			( await control( 'GET', `/meet/spaces/${ code }` ) ).body.config
				.accessType
		).toBe( 'RESTRICTED' );
	} );

	test( 'an edition that refuses artifact settings: 403, nothing applied; access type still works', async () => {
		await control( 'POST', `/meet/accounts/${ DOCTOR }`, {
			artifactSettings: false,
		} );
		const refused = await failure(
			meetApi.spaces.patch( {
				name: `spaces/${ code }`,
				updateMask:
					'config.accessType,config.artifactConfig.transcriptionConfig.autoTranscriptionGeneration',
				requestBody: {
					config: {
						accessType: 'TRUSTED',
						artifactConfig: {
							transcriptionConfig: {
								autoTranscriptionGeneration: 'OFF',
							},
						},
					},
				},
				auth: as( doctor ),
			} )
		);
		expect( refused.status ).toBe( 403 );
		expect(
			( await control( 'GET', `/meet/spaces/${ code }` ) ).body.config
				.accessType
		).toBe( 'RESTRICTED' );
		const { data } = await meetApi.spaces.patch( {
			name: `spaces/${ code }`,
			updateMask: 'config.accessType',
			requestBody: { config: { accessType: 'TRUSTED' } },
			auth: as( doctor ),
		} );
		expect( data.config?.accessType ).toBe( 'TRUSTED' );
		await control( 'POST', `/meet/accounts/${ DOCTOR }`, {
			artifactSettings: true,
		} );
	} );

	test( "a new space starts with the organisation's default", async () => {
		await control( 'POST', `/meet/accounts/${ DOCTOR }`, {
			defaultAccessType: 'TRUSTED',
			autoArtifacts: true,
		} );
		const other = await newConference( 'meetspace0002', 10 );
		const stored = await control( 'GET', `/meet/spaces/${ other }` );
		expect( stored.body.config ).toMatchObject( {
			accessType: 'TRUSTED',
			autoRecordingGeneration: 'ON',
		} );
	} );
} );

describe( 'conference records and participants', () => {
	let recordName: string;

	beforeAll( async () => {
		const call = await control( 'POST', '/meet/calls', {
			meetingCode: code,
			participants: [
				{
					kind: 'signedin',
					email: DOCTOR,
					displayName: 'Dr Who',
					sessions: [
						{
							startTime: '2031-02-03T08:00:00Z',
							endTime: '2031-02-03T08:10:00Z',
						},
						{
							startTime: '2031-02-03T08:12:00Z',
							endTime: '2031-02-03T08:30:00Z',
						},
					],
				},
				{
					kind: 'anonymous',
					displayName: 'Patient',
					sessions: [
						{
							startTime: '2031-02-03T08:02:00Z',
							endTime: '2031-02-03T08:29:00Z',
						},
					],
				},
				{
					kind: 'phone',
					displayName: '+33 *** ** 12',
					sessions: [ { startTime: '2031-02-03T08:05:00Z' } ],
				},
			],
		} );
		if ( call.status !== 201 ) {
			throw new Error( `the call was not recorded: ${ call.status }` );
		}
		recordName = call.body.name;
	} );

	test( 'list filtered by meeting code or space name; nothing for another space', async () => {
		const space = (
			await meetApi.spaces.get( {
				name: `spaces/${ code }`,
				auth: as( doctor ),
			} )
		).data;
		const byCode = await meetApi.conferenceRecords.list( {
			filter: `space.meeting_code = "${ code }"`,
			auth: as( doctor ),
		} );
		expect( byCode.data.conferenceRecords ).toEqual( [
			{
				name: recordName,
				space: space.name,
				startTime: '2031-02-03T08:00:00.000Z',
				expireTime: expect.any( String ),
			},
		] );
		const byName = await meetApi.conferenceRecords.list( {
			filter: `space.name = "${ space.name }" AND start_time >= "2031-02-03T07:00:00Z"`,
			auth: as( doctor ),
		} );
		expect( byName.data.conferenceRecords ).toHaveLength( 1 );
		const later = await meetApi.conferenceRecords.list( {
			filter: `space.name = "${ space.name }" AND start_time >= "2031-02-04T00:00:00Z"`,
			auth: as( doctor ),
		} );
		expect( later.data.conferenceRecords ?? [] ).toHaveLength( 0 );
		const otherSpace = await meetApi.conferenceRecords.list( {
			filter: 'space.meeting_code = "zzz-zzzz-zzz"',
			auth: as( doctor ),
		} );
		expect( otherSpace.data.conferenceRecords ?? [] ).toHaveLength( 0 );
		// A stranger who did not take part sees none of it.
		const strangers = await meetApi.conferenceRecords.list( {
			filter: `space.meeting_code = "${ code }"`,
			auth: as( stranger ),
		} );
		expect( strangers.data.conferenceRecords ?? [] ).toHaveLength( 0 );
		const bad = await failure(
			meetApi.conferenceRecords.list( {
				filter: 'space.title = "x"',
				auth: as( doctor ),
			} )
		);
		expect( bad.status ).toBe( 400 );
	} );

	test( 'participants of every kind, with first join and last leave; sessions', async () => {
		const { data } = await meetApi.conferenceRecords.participants.list( {
			parent: recordName,
			auth: as( doctor ),
		} );
		expect( data.totalSize ).toBe( 3 );
		const [ doc, anon, phone ] = data.participants ?? [];
		expect( doc ).toMatchObject( {
			signedinUser: {
				user: expect.stringMatching( /^users\/\d+$/ ),
				displayName: 'Dr Who',
			},
			earliestStartTime: '2031-02-03T08:00:00.000Z',
			latestEndTime: '2031-02-03T08:30:00.000Z',
		} );
		expect( anon ).toMatchObject( {
			anonymousUser: { displayName: 'Patient' },
			latestEndTime: '2031-02-03T08:29:00.000Z',
		} );
		expect( phone?.phoneUser?.displayName ).toBe( '+33 *** ** 12' );
		// Still in the call: no latestEndTime.
		expect( phone?.latestEndTime ).toBeUndefined();
		expect( anon?.signedinUser ).toBeUndefined();

		const paged = await meetApi.conferenceRecords.participants.list( {
			parent: recordName,
			pageSize: 2,
			auth: as( doctor ),
		} );
		expect( paged.data.participants ).toHaveLength( 2 );
		const rest = await meetApi.conferenceRecords.participants.list( {
			parent: recordName,
			pageSize: 2,
			pageToken: paged.data.nextPageToken as string,
			auth: as( doctor ),
		} );
		expect( rest.data.participants ).toHaveLength( 1 );
		expect( rest.data.nextPageToken ).toBeUndefined();

		const sessions =
			await meetApi.conferenceRecords.participants.participantSessions.list(
				{ parent: doc?.name as string, auth: as( doctor ) }
			);
		expect(
			sessions.data.participantSessions?.map( ( s ) => [
				s.startTime,
				s.endTime,
			] )
		).toEqual( [
			[ '2031-02-03T08:00:00.000Z', '2031-02-03T08:10:00.000Z' ],
			[ '2031-02-03T08:12:00.000Z', '2031-02-03T08:30:00.000Z' ],
		] );
	} );

	test( 'a running call is the space active conference; a stranger gets 404 on its participants', async () => {
		const space = (
			await meetApi.spaces.get( {
				name: `spaces/${ code }`,
				auth: as( doctor ),
			} )
		).data;
		expect( space.activeConference?.conferenceRecord ).toBe( recordName );
		const denied = await failure(
			meetApi.conferenceRecords.participants.list( {
				parent: recordName,
				auth: as( stranger ),
			} )
		);
		expect( denied.status ).toBe( 404 );
	} );
} );
