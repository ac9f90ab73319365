/**
 * A doctor's calendars through the sidecar (src/sidecar/calendars/, routes/calendars/): the
 * scopes asked by incremental consent, the calendars that can receive consultations, the
 * "Video consultations" calendar made once, and meetings landing in the calendar chosen.
 */
import { randomBytes } from 'node:crypto';
import {
	APP_CREATED_SCOPE,
	CALENDAR_LIST_SCOPE,
	CONSULTATION_DESCRIPTION,
} from '../../../../src/sidecar/calendars/calendars';
import {
	consent,
	REDIRECT_URI,
	startRig,
	times,
	type Rig,
} from '../../support';

let rig: Rig;

beforeAll( async () => {
	rig = await startRig();
} );
afterAll( async () => rig.close() );

/** Connects with the calendar choice allowed (the consent a doctor gives when opening it). */
async function connectWithCalendars(
	email: string,
	untick: string[] = []
): Promise< { credential: string; scopes: string[]; url: URL } > {
	const urlAnswer = await rig.call< { url: string } >(
		'/v1/oauth/authorize-url',
		{
			siteId: rig.siteId,
			client: rig.client,
			redirectUri: REDIRECT_URI,
			state: randomBytes( 8 ).toString( 'hex' ),
			loginHint: email,
			access: 'calendars',
		}
	);
	expect( urlAnswer.status ).toBe( 200 );
	const code = await consent( urlAnswer.body.url, email, untick );
	const exchanged = await rig.call( '/v1/oauth/exchange', {
		siteId: rig.siteId,
		client: rig.client,
		redirectUri: REDIRECT_URI,
		code,
	} );
	expect( exchanged.status ).toBe( 200 );
	return {
		credential: exchanged.body.credential,
		scopes: exchanged.body.scopes,
		url: new URL( urlAnswer.body.url ),
	};
}

const doctorFields = ( credential: string ) => ( {
	siteId: rig.siteId,
	client: rig.client,
	credential,
} );

describe( 'calendar choice', () => {
	test( 'the consent URL asks the two narrow scopes on top of the usual ones, keeping those granted', async () => {
		const email = 'scopes@example.test';
		const { url, scopes } = await connectWithCalendars( email );
		expect( url.searchParams.get( 'scope' )?.split( ' ' ) ).toEqual( [
			'openid',
			'email',
			'https://www.googleapis.com/auth/calendar.events',
			'https://www.googleapis.com/auth/meetings.space.settings',
			'https://www.googleapis.com/auth/meetings.space.readonly',
			CALENDAR_LIST_SCOPE,
			APP_CREATED_SCOPE,
		] );
		expect( url.searchParams.get( 'include_granted_scopes' ) ).toBe(
			'true'
		);
		expect( url.searchParams.get( 'login_hint' ) ).toBe( email );
		expect( scopes ).toEqual(
			expect.arrayContaining( [ CALENDAR_LIST_SCOPE, APP_CREATED_SCOPE ] )
		);
		const plain = await rig.call< { url: string } >(
			'/v1/oauth/authorize-url',
			{
				siteId: rig.siteId,
				client: rig.client,
				redirectUri: REDIRECT_URI,
				state: 'plain-state',
			}
		);
		expect(
			new URL( plain.body.url ).searchParams.get( 'scope' )
		).not.toContain( 'calendarlist' );
		expect(
			(
				await rig.call( '/v1/oauth/authorize-url', {
					siteId: rig.siteId,
					client: rig.client,
					redirectUri: REDIRECT_URI,
					state: 'x',
					access: 'everything',
				} )
			).status
		).toBe( 400 );
	} );

	test( 'without the extra scopes: no listing, no creating, and nothing asked of Google', async () => {
		const { credential } = await rig.connect( 'plain@example.test' );
		const before = (
			await rig.control< { counters: Record< string, number > } >(
				'GET',
				'/counters'
			)
		).counters[ 'calendarList.list' ];
		const listed = await rig.call(
			'/v1/calendars/list',
			doctorFields( credential )
		);
		expect( listed.status ).toBe( 200 );
		expect( listed.body ).toMatchObject( {
			access: { list: false, create: false },
			calendars: [],
		} );
		const made = await rig.call(
			'/v1/calendars/consultations',
			doctorFields( credential )
		);
		expect( made.status ).toBe( 403 );
		expect( made.body.code ).toBe( 'insufficient_scope' );
		const after = (
			await rig.control< { counters: Record< string, number > } >(
				'GET',
				'/counters'
			)
		).counters[ 'calendarList.list' ];
		expect( after ?? 0 ).toBe( before ?? 0 );
	} );

	test( 'lists writable calendars where Meet is allowed, across pages', async () => {
		const email = 'chooser@example.test';
		const owner = 'clinic-owner@example.test';
		await rig.control( 'POST', '/accounts', { email: owner } );
		const shared = ( id: string, role: string, meet = true ) =>
			rig.control( 'POST', '/calendars', {
				id,
				owner,
				summary: id.split( '@' )[ 0 ],
				sharedWith: { [ email ]: role },
				allowedConferenceSolutionTypes: meet ? [ 'hangoutsMeet' ] : [],
			} );
		await shared( 'team@group.calendar.google.com', 'writer' );
		await shared( 'holidays@group.calendar.google.com', 'reader' );
		await shared( 'nomeet@group.calendar.google.com', 'writer', false );
		// More than one page of Google's calendar list (250 a page).
		for ( let i = 0; i < 251; i++ ) {
			await shared(
				`bulk${ String( i ).padStart( 3, '0' ) }@group.calendar.google.com`,
				'writer'
			);
		}
		const { credential } = await connectWithCalendars( email );
		const listed = await rig.call(
			'/v1/calendars/list',
			doctorFields( credential )
		);
		expect( listed.status ).toBe( 200 );
		expect( listed.body.access ).toEqual( { list: true, create: true } );
		const ids = listed.body.calendars.map( ( c: { id: string } ) => c.id );
		expect( ids[ 0 ] ).toBe( email );
		expect( listed.body.calendars[ 0 ] ).toMatchObject( {
			primary: true,
			accessRole: 'owner',
			consultations: false,
		} );
		expect( ids ).toContain( 'team@group.calendar.google.com' );
		expect( ids ).toContain( 'bulk250@group.calendar.google.com' );
		expect( ids ).not.toContain( 'holidays@group.calendar.google.com' );
		expect( ids ).not.toContain( 'nomeet@group.calendar.google.com' );
		expect( ids ).toHaveLength( 1 + 1 + 251 );
	} );

	test( 'the "Video consultations" calendar is made once, owned by the doctor, and receives the meetings', async () => {
		const email = 'consults@example.test';
		const { credential } = await connectWithCalendars( email );
		const first = await rig.call( '/v1/calendars/consultations', {
			...doctorFields( credential ),
			timeZone: 'Europe/Paris',
		} );
		expect( first.status ).toBe( 200 );
		expect( first.body ).toMatchObject( {
			created: true,
			calendar: {
				summary: 'Video consultations',
				primary: false,
				accessRole: 'owner',
				consultations: true,
			},
		} );
		const again = await rig.call(
			'/v1/calendars/consultations',
			doctorFields( credential )
		);
		expect( again.body ).toMatchObject( {
			created: false,
			calendar: { id: first.body.calendar.id },
		} );
		const owned = await rig.control< { items: any[] } >(
			'GET',
			`/accounts/${ email }/calendars`
		);
		const made = owned.items.filter(
			( c ) => c.description === CONSULTATION_DESCRIPTION
		);
		expect( made ).toHaveLength( 1 );
		expect( made[ 0 ] ).toMatchObject( {
			dataOwner: email,
			timeZone: 'Europe/Paris',
			accessRole: 'owner',
		} );

		const calendarId = first.body.calendar.id as string;
		const meeting = await rig.call( '/v1/meetings/ensure', {
			...doctorFields( credential ),
			appointmentId: 4242,
			calendarId,
			waitMs: 10000,
			...times( '2031-05-06T09:00:00Z' ),
		} );
		expect( meeting.status ).toBe( 200 );
		expect( meeting.body ).toMatchObject( { calendarId, status: 'ready' } );
		const inChosen = await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ calendarId }/events`
		);
		expect( inChosen.items ).toHaveLength( 1 );
		const inPrimary = await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ email }/events`
		);
		expect( inPrimary.items ).toHaveLength( 0 );
	} );

	test( 'a chosen calendar that disappears: calendar_not_found (WordPress says what to do)', async () => {
		const email = 'vanishing@example.test';
		const { credential } = await connectWithCalendars( email );
		const made = await rig.call(
			'/v1/calendars/consultations',
			doctorFields( credential )
		);
		const calendarId = made.body.calendar.id as string;
		await rig.control( 'DELETE', `/calendars/${ calendarId }` );
		const meeting = await rig.call( '/v1/meetings/ensure', {
			...doctorFields( credential ),
			appointmentId: 4343,
			calendarId,
			...times( '2031-05-07T09:00:00Z' ),
		} );
		expect( meeting.status ).toBe( 404 );
		expect( meeting.body.code ).toBe( 'calendar_not_found' );
	} );

	test( 'a calendar shared for reading only is refused as a calendar the account cannot write to', async () => {
		const email = 'reader-only@example.test';
		const owner = 'another-owner@example.test';
		await rig.control( 'POST', '/accounts', { email: owner } );
		await rig.control( 'POST', '/calendars', {
			id: 'readonly@group.calendar.google.com',
			owner,
			sharedWith: { [ email ]: 'reader' },
		} );
		const { credential } = await rig.connect( email );
		const meeting = await rig.call( '/v1/meetings/ensure', {
			...doctorFields( credential ),
			appointmentId: 4444,
			calendarId: 'readonly@group.calendar.google.com',
			...times( '2031-05-08T09:00:00Z' ),
		} );
		expect( meeting.body.code ).toBe( 'calendar_not_found' );
	} );
} );
