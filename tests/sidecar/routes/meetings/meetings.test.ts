/**
 * Meetings end to end: the sidecar's app, the real Google client over HTTP, the emulator as
 * Google. Waits on Google's conference creation use the longest `waitMs` the API allows: the
 * answer comes as soon as the conference settles, so a long wait costs nothing unless the
 * machine is slow.
 */
import { eventIdFor } from '../../../../src/sidecar';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;
let doctor: { credential: string; email: string };
let nextAppointment = 100;

beforeAll( async () => {
	rig = await startRig();
	doctor = await rig.connect();
} );
afterAll( async () => rig.close() );
afterEach( async () => {
	await rig.control( 'PATCH', '/config', {
		conferenceDelayMs: 0,
		conferenceOutcome: 'success',
		calendarConferenceOutcomes: {},
	} );
	await rig.control( 'DELETE', '/faults' );
} );

type Over = Record< string, unknown >;
const body = ( appointmentId: number, over: Over = {} ) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential: doctor.credential,
	appointmentId,
	...times(
		`2031-0${ 1 + ( appointmentId % 9 ) }-1${ appointmentId % 10 }T09:00:00Z`
	),
	...over,
} );
const ensure = ( appointmentId: number, over: Over = {} ) =>
	rig.call( '/v1/meetings/ensure', body( appointmentId, over ) );
const events = async ( calendar = doctor.email ) =>
	(
		await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ encodeURIComponent( calendar ) }/events`
		)
	).items;
const eventsOf = async ( appointmentId: number ) =>
	( await events() ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId ===
			String( appointmentId )
	);
const counters = async () =>
	(
		await rig.control< { counters: Record< string, number > } >(
			'GET',
			'/counters'
		)
	).counters;

describe( 'ensure', () => {
	test( 'creates one private event with a Meet conference and answers with the link', async () => {
		const id = nextAppointment++;
		const answer = await ensure( id, {
			summary: 'Video consultation with Dr Who',
			description: 'Join with the link.',
			attendees: [ { email: 'patient@example.org', displayName: 'Pat' } ],
		} );
		expect( answer.status ).toBe( 200 );
		const eventId = eventIdFor( rig.siteId, id );
		expect( answer.body ).toEqual( {
			eventId,
			calendarId: 'primary',
			revision: 0,
			status: 'ready',
			conferenceStatus: 'success',
			meetUrl: expect.stringMatching(
				/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/
			),
			eventUrl: expect.stringMatching(
				/^https:\/\/www\.google\.com\/calendar\/event\?eid=/
			),
			start: body( id ).start,
			end: body( id ).end,
			etag: expect.stringMatching( /^".+"$/ ),
			created: true,
		} );
		const [ event, ...others ] = await eventsOf( id );
		expect( others ).toEqual( [] );
		expect( event ).toMatchObject( {
			id: eventId,
			status: 'confirmed',
			summary: 'Video consultation with Dr Who',
			description: 'Join with the link.',
			visibility: 'private',
			guestsCanSeeOtherGuests: false,
			guestsCanInviteOthers: false,
			attendees: [ { email: 'patient@example.org', displayName: 'Pat' } ],
			extendedProperties: {
				private: {
					mfkSiteId: rig.siteId,
					mfkAppointmentId: String( id ),
				},
			},
			hangoutLink: answer.body.meetUrl,
			conferenceData: {
				createRequest: {
					requestId: `${ eventId }-0`,
					conferenceSolutionKey: { type: 'hangoutsMeet' },
					status: { statusCode: 'success' },
				},
			},
		} );
	} );

	test( 'defaults: summary "Video consultation", no description, no attendees', async () => {
		const id = nextAppointment++;
		expect( ( await ensure( id ) ).status ).toBe( 200 );
		const [ event ] = await eventsOf( id );
		expect( event.summary ).toBe( 'Video consultation' );
		expect( event.description ).toBe( '' );
		expect( event.attendees ).toBeUndefined();
	} );

	test( 'the DST example of the contract (Europe/London, spring forward)', async () => {
		const id = nextAppointment++;
		const answer = await ensure( id, {
			start: {
				dateTime: '2026-03-29T01:30:00+00:00',
				timeZone: 'Europe/London',
			},
			end: {
				dateTime: '2026-03-29T03:00:00+01:00',
				timeZone: 'Europe/London',
			},
		} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body.start ).toEqual( {
			dateTime: '2026-03-29T01:30:00+00:00',
			timeZone: 'Europe/London',
		} );
	} );

	test( 'repeated ensure adopts the event: same id, same link, one event', async () => {
		const id = nextAppointment++;
		const first = await ensure( id );
		const second = await ensure( id );
		expect( second.status ).toBe( 200 );
		expect( second.body ).toMatchObject( {
			created: false,
			eventId: first.body.eventId,
			meetUrl: first.body.meetUrl,
			status: 'ready',
		} );
		expect( await eventsOf( id ) ).toHaveLength( 1 );
	} );

	test( 'concurrent ensures of one appointment leave exactly one event and one link', async () => {
		const id = nextAppointment++;
		const before = ( await counters() )[ 'events.insert' ] ?? 0;
		const answers = await Promise.all(
			Array.from( { length: 8 }, () => ensure( id ) )
		);
		expect( answers.map( ( a ) => a.status ) ).toEqual(
			new Array( 8 ).fill( 200 )
		);
		expect( new Set( answers.map( ( a ) => a.body.meetUrl ) ).size ).toBe(
			1
		);
		expect( answers.filter( ( a ) => a.body.created ) ).toHaveLength( 1 );
		expect( await eventsOf( id ) ).toHaveLength( 1 );
		expect( ( await counters() )[ 'events.insert' ] ).toBe( before + 8 ); // 7 answered 409 and were adopted
	} );

	test( 'brings start, end and summary of an existing event in line', async () => {
		const id = nextAppointment++;
		const first = await ensure( id );
		const moved = times( '2031-12-01T15:00:00Z', 45, 'America/New_York' );
		const second = await ensure( id, { ...moved, summary: 'Follow-up' } );
		expect( second.body ).toMatchObject( {
			created: false,
			meetUrl: first.body.meetUrl,
		} );
		const [ event ] = await eventsOf( id );
		expect( {
			start: event.start,
			end: event.end,
			summary: event.summary,
		} ).toEqual( { ...moved, summary: 'Follow-up' } );
	} );

	test( 'a calendar that does not exist is calendar_not_found', async () => {
		const answer = await ensure( nextAppointment++, {
			calendarId: 'no-such-calendar@group.calendar.google.com',
		} );
		expect( answer.status ).toBe( 404 );
		expect( answer.body.code ).toBe( 'calendar_not_found' );
	} );

	test( 'a secondary calendar of the doctor works like the primary', async () => {
		const calendarId = `clinic-${ Date.now() }@group.calendar.google.com`;
		await rig.control( 'POST', '/calendars', {
			id: calendarId,
			owner: doctor.email,
		} );
		const id = nextAppointment++;
		const answer = await ensure( id, { calendarId } );
		expect( answer.body ).toMatchObject( { status: 'ready', calendarId } );
		expect( await events( calendarId ) ).toHaveLength( 1 );
	} );

	test( 'a calendar without Google Meet is conference_not_allowed, and nothing is created', async () => {
		const calendarId = `no-meet-${ Date.now() }@group.calendar.google.com`;
		await rig.control( 'POST', '/calendars', {
			id: calendarId,
			owner: doctor.email,
			allowedConferenceSolutionTypes: [ 'eventHangout' ],
		} );
		const answer = await ensure( nextAppointment++, { calendarId } );
		expect( answer.status ).toBe( 422 );
		expect( answer.body ).toMatchObject( {
			code: 'conference_not_allowed',
			data: { status: 422, retryable: false },
		} );
		expect( await events( calendarId ) ).toEqual( [] );
	} );
} );

describe( 'asynchronous conference creation', () => {
	test( 'pending → success within waitMs: answered ready', async () => {
		await rig.control( 'PATCH', '/config', { conferenceDelayMs: 500 } );
		const answer = await ensure( nextAppointment++, { waitMs: 10000 } );
		expect( answer.body ).toMatchObject( {
			status: 'ready',
			conferenceStatus: 'success',
			meetUrl: expect.stringContaining( 'https://meet.google.com/' ),
		} );
	} );

	test( 'still pending after waitMs: answered pending, ready when asked again', async () => {
		// Pending for 4 s: the two calls that must see it pending have that long to be answered.
		await rig.control( 'PATCH', '/config', { conferenceDelayMs: 4000 } );
		const id = nextAppointment++;
		const first = await ensure( id, { waitMs: 0 } );
		expect( first.body ).toMatchObject( {
			status: 'pending',
			conferenceStatus: 'pending',
			meetUrl: null,
			created: true,
		} );
		const status = await rig.call( '/v1/meetings/get', body( id ) );
		expect( status.body ).toMatchObject( {
			status: 'pending',
			meetUrl: null,
		} );
		const again = await ensure( id, { waitMs: 10000 } );
		expect( again.body ).toMatchObject( {
			status: 'ready',
			created: false,
			meetUrl: expect.stringContaining( 'https://meet.google.com/' ),
		} );
		expect( await eventsOf( id ) ).toHaveLength( 1 );
	} );

	test( 'pending → failure: conference_failed; revision + 1 gets a new conference on the same event', async () => {
		await rig.control( 'PATCH', '/config', {
			conferenceDelayMs: 300,
			conferenceOutcome: 'failure',
		} );
		const id = nextAppointment++;
		const failed = await ensure( id, { waitMs: 10000 } );
		expect( failed.status ).toBe( 502 );
		expect( failed.body ).toMatchObject( {
			code: 'conference_failed',
			data: { status: 502, retryable: false, revision: 0 },
		} );

		// The same revision cannot help: Google ignores a repeated requestId.
		const same = await ensure( id, { waitMs: 10000 } );
		expect( same.body ).toMatchObject( {
			code: 'conference_failed',
			data: { revision: 0 },
		} );

		await rig.control( 'PATCH', '/config', {
			conferenceOutcome: 'success',
		} );
		const fixed = await ensure( id, { revision: 1, waitMs: 10000 } );
		expect( fixed.status ).toBe( 200 );
		expect( fixed.body ).toMatchObject( {
			status: 'ready',
			revision: 1,
			created: false,
		} );
		const [ event, ...others ] = await eventsOf( id );
		expect( others ).toEqual( [] );
		expect( event.conferenceData.createRequest.requestId ).toBe(
			`${ fixed.body.eventId }-1`
		);
	} );

	test( 'a higher revision than the working conference asks for a new one: new link, same event', async () => {
		const id = nextAppointment++;
		const first = await ensure( id, { waitMs: 10000 } );
		expect( first.body ).toMatchObject( { status: 'ready', revision: 0 } );
		const before = await counters();

		// Google creates the new conference asynchronously, as it did the first.
		await rig.control( 'PATCH', '/config', { conferenceDelayMs: 300 } );
		const regenerated = await ensure( id, { revision: 1, waitMs: 10000 } );
		expect( regenerated.status ).toBe( 200 );
		expect( regenerated.body ).toMatchObject( {
			eventId: first.body.eventId,
			status: 'ready',
			revision: 1,
			created: false,
			meetUrl: expect.stringMatching(
				/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/
			),
		} );
		expect( regenerated.body.meetUrl ).not.toBe( first.body.meetUrl );
		const [ event, ...others ] = await eventsOf( id );
		expect( others ).toEqual( [] );
		expect( event.hangoutLink ).toBe( regenerated.body.meetUrl );
		expect( event.conferenceData.createRequest.requestId ).toBe(
			`${ first.body.eventId }-1`
		);
		const after = await counters();
		expect(
			( after[ 'events.insert' ] ?? 0 ) -
				( before[ 'events.insert' ] ?? 0 )
		).toBe( 1 ); // the 409 probe
		expect(
			( after[ 'events.patch' ] ?? 0 ) - ( before[ 'events.patch' ] ?? 0 )
		).toBe( 1 );

		// Asked again with the same revision (a retry, another replica): no third link.
		const same = await ensure( id, { revision: 1, waitMs: 10000 } );
		expect( same.body.meetUrl ).toBe( regenerated.body.meetUrl );
		// A lower revision never takes the link back.
		const lower = await ensure( id, { revision: 0, waitMs: 10000 } );
		expect( lower.body ).toMatchObject( {
			revision: 1,
			meetUrl: regenerated.body.meetUrl,
		} );
		expect( await eventsOf( id ) ).toHaveLength( 1 );
	} );

	test( 'a conference still pending under a lower revision is replaced too', async () => {
		await rig.control( 'PATCH', '/config', { conferenceDelayMs: 4000 } );
		const id = nextAppointment++;
		const first = await ensure( id, { waitMs: 0 } );
		expect( first.body ).toMatchObject( {
			status: 'pending',
			revision: 0,
		} );
		await rig.control( 'PATCH', '/config', { conferenceDelayMs: 0 } );
		const next = await ensure( id, { revision: 1, waitMs: 10000 } );
		expect( next.body ).toMatchObject( { status: 'ready', revision: 1 } );
		const [ event ] = await eventsOf( id );
		expect( event.conferenceData.createRequest.requestId ).toBe(
			`${ first.body.eventId }-1`
		);
	} );

	test( 'a failure outcome for one calendar only', async () => {
		await rig.control( 'PATCH', '/config', {
			calendarConferenceOutcomes: { [ doctor.email ]: 'failure' },
		} );
		const answer = await ensure( nextAppointment++ );
		expect( answer.body.code ).toBe( 'conference_failed' );
	} );
} );

describe( 'reschedule', () => {
	test( 'moves start and end; the Meet link stays the same', async () => {
		const id = nextAppointment++;
		const created = await ensure( id );
		const moved = times( '2031-11-11T11:00:00Z', 60, 'Asia/Kolkata' );
		const answer = await rig.call( '/v1/meetings/reschedule', {
			...body( id ),
			...moved,
			summary: 'Video consultation (moved)',
		} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toMatchObject( {
			status: 'ready',
			meetUrl: created.body.meetUrl,
			eventId: created.body.eventId,
			...moved,
		} );
		const [ event ] = await eventsOf( id );
		expect( event ).toMatchObject( {
			...moved,
			summary: 'Video consultation (moved)',
			hangoutLink: created.body.meetUrl,
			sequence: 1,
		} );
		expect( event.conferenceData.createRequest.requestId ).toBe(
			`${ created.body.eventId }-0`
		);
	} );

	test( 'without summary leaves the summary alone', async () => {
		const id = nextAppointment++;
		await ensure( id, { summary: 'Original' } );
		await rig.call( '/v1/meetings/reschedule', {
			...body( id ),
			...times( '2031-10-10T10:00:00Z' ),
		} );
		expect( ( await eventsOf( id ) )[ 0 ].summary ).toBe( 'Original' );
	} );

	test( 'a missing event is not_found (the caller then ensures)', async () => {
		const answer = await rig.call(
			'/v1/meetings/reschedule',
			body( nextAppointment++ )
		);
		expect( answer.status ).toBe( 404 );
		expect( answer.body.code ).toBe( 'not_found' );
	} );

	test( 'validates times like ensure', async () => {
		const answer = await rig.call( '/v1/meetings/reschedule', {
			...body( nextAppointment++ ),
			end: { dateTime: '2000-01-01T00:00:00Z', timeZone: 'UTC' },
		} );
		expect( answer.status ).toBe( 400 );
		expect( answer.body.data.errors ).toEqual( [
			{ path: '/end/dateTime', message: 'end must be after start' },
		] );
	} );
} );

describe( 'cancel, status and restore', () => {
	test( 'cancel deletes; cancel again is still done; get reports cancelled', async () => {
		const id = nextAppointment++;
		await ensure( id );
		expect(
			( await rig.call( '/v1/meetings/cancel', body( id ) ) ).body
		).toEqual( { cancelled: true, existed: true } );
		expect(
			( await rig.call( '/v1/meetings/cancel', body( id ) ) ).body
		).toEqual( { cancelled: true, existed: false } );
		const status = await rig.call( '/v1/meetings/get', body( id ) );
		expect( status.body ).toMatchObject( {
			status: 'cancelled',
			eventId: eventIdFor( rig.siteId, id ),
		} );
		const [ event ] = await eventsOf( id );
		expect( event.status ).toBe( 'cancelled' );
	} );

	test( 'cancel of a meeting that never existed is done', async () => {
		expect(
			(
				await rig.call(
					'/v1/meetings/cancel',
					body( nextAppointment++ )
				)
			).body
		).toEqual( { cancelled: true, existed: false } );
	} );

	test( 'get of an unknown meeting is not_found', async () => {
		const answer = await rig.call(
			'/v1/meetings/get',
			body( nextAppointment++ )
		);
		expect( answer.status ).toBe( 404 );
		expect( answer.body.code ).toBe( 'not_found' );
	} );

	test( 'get reports the live state', async () => {
		const id = nextAppointment++;
		const created = await ensure( id );
		const status = await rig.call( '/v1/meetings/get', body( id ) );
		expect( status.body ).toEqual( {
			...created.body,
			created: undefined,
		} );
	} );

	test( 're-ensuring a cancelled appointment restores the same event and link', async () => {
		const id = nextAppointment++;
		const created = await ensure( id );
		await rig.call( '/v1/meetings/cancel', body( id ) );
		const moved = times( '2031-09-09T09:30:00Z' );
		const restored = await ensure( id, moved );
		expect( restored.status ).toBe( 200 );
		expect( restored.body ).toMatchObject( {
			status: 'ready',
			created: false,
			eventId: created.body.eventId,
			meetUrl: created.body.meetUrl,
			...moved,
		} );
		const all = await eventsOf( id );
		expect( all ).toHaveLength( 1 );
		expect( all[ 0 ].status ).toBe( 'confirmed' );
	} );

	test( 'an event the doctor deleted by hand in Google is restored by ensure', async () => {
		const id = nextAppointment++;
		const created = await ensure( id );
		await rig.control(
			'DELETE',
			`/calendars/${ encodeURIComponent( doctor.email ) }/events/${ created.body.eventId }`
		);
		const restored = await ensure( id );
		expect( restored.body ).toMatchObject( {
			status: 'ready',
			eventId: created.body.eventId,
			meetUrl: created.body.meetUrl,
		} );
		expect( ( await eventsOf( id ) )[ 0 ].status ).toBe( 'confirmed' );
	} );

	test( 'an event purged from Google is created again by ensure', async () => {
		const id = nextAppointment++;
		const created = await ensure( id );
		await rig.control(
			'DELETE',
			`/calendars/${ encodeURIComponent( doctor.email ) }/events/${ created.body.eventId }?purge=true`
		);
		expect(
			( await rig.call( '/v1/meetings/get', body( id ) ) ).body.code
		).toBe( 'not_found' );
		const again = await ensure( id );
		expect( again.body ).toMatchObject( {
			status: 'ready',
			created: true,
			eventId: created.body.eventId,
		} );
	} );
} );
