/**
 * `/v1/connection/test`: each link of a doctor's connection checked on its own.
 */
import { startRig, type Rig } from '../../support';

let rig: Rig;
let alice: { credential: string; email: string };
let bob: { credential: string; email: string };

beforeAll( async () => {
	rig = await startRig();
	alice = await rig.connect( 'alice@example.test' );
	bob = await rig.connect( 'bob@example.test' );
} );
afterAll( async () => rig.close() );

const eventsOf = async ( email: string ) =>
	(
		await rig.control< { items: any[] } >(
			'GET',
			`/calendars/${ encodeURIComponent( email ) }/events`
		)
	).items;

describe( 'connection test', () => {
	const test_ = ( over: Record< string, unknown > ) =>
		rig.call( '/v1/connection/test', {
			siteId: rig.siteId,
			client: rig.client,
			...over,
		} );

	test( 'client only', async () => {
		const answer = await test_( {} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toEqual( {
			ok: true,
			checks: [
				{ id: 'client', ok: true, message: expect.any( String ) },
			],
		} );
	} );

	test( 'a wrong client secret fails the client check (still a 200 answer)', async () => {
		const wrong = (
			await rig.call( '/v1/oauth/client/seal', {
				siteId: rig.siteId,
				clientSecret: 'wrong',
			} )
		).body.clientSecret;
		const answer = await test_( {
			client: { clientId: rig.client.clientId, clientSecret: wrong },
		} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toEqual( {
			ok: false,
			checks: [
				{
					id: 'client',
					ok: false,
					code: 'client_invalid',
					message: expect.any( String ),
				},
			],
		} );
	} );

	test( 'with a credential: token, calendar and Meet; Meet cannot be read with calendar.events alone', async () => {
		const answer = await test_( { credential: alice.credential } );
		expect( answer.body.ok ).toBe( true );
		expect( answer.body.account ).toEqual( { email: alice.email } );
		expect(
			answer.body.checks.map( ( c: { id: string; ok: boolean } ) => [
				c.id,
				c.ok,
			] )
		).toEqual( [
			[ 'client', true ],
			[ 'token', true ],
			[ 'calendar', true ],
			[ 'meet', true ],
		] );
		expect( answer.body.checks[ 3 ] ).toMatchObject( { verified: false } );
		expect( answer.body.credential ).toEqual( expect.any( String ) ); // the token was refreshed on purpose
	} );

	test( 'the probe creates and deletes a real Meet event, and settles the Meet check', async () => {
		const answer = await test_( {
			credential: alice.credential,
			probe: true,
		} );
		expect( answer.body.ok ).toBe( true );
		expect(
			answer.body.checks.map( ( c: { id: string } ) => c.id )
		).toEqual( [ 'client', 'token', 'calendar', 'meet', 'probe' ] );
		expect( answer.body.checks[ 3 ] ).toMatchObject( {
			ok: true,
			verified: true,
		} );
		const probes = ( await eventsOf( alice.email ) ).filter( ( e ) =>
			e.id.startsWith( 'mfkprobe' )
		);
		expect( probes.length ).toBeGreaterThan( 0 );
		expect(
			probes.every( ( e ) => e.status === 'cancelled' && e.hangoutLink )
		).toBe( true );
	} );

	test( 'a calendar without Meet fails the probe and the Meet check', async () => {
		await rig.control(
			'PUT',
			`/calendars/${ encodeURIComponent( bob.email ) }/conference-types`,
			{ allowedConferenceSolutionTypes: [] }
		);
		try {
			const answer = await test_( {
				credential: bob.credential,
				probe: true,
			} );
			expect( answer.body.ok ).toBe( false );
			const byId = Object.fromEntries(
				answer.body.checks.map( ( c: { id: string } ) => [ c.id, c ] )
			);
			expect( byId.meet ).toMatchObject( {
				ok: false,
				code: 'conference_not_allowed',
			} );
			expect( byId.probe ).toMatchObject( {
				ok: false,
				code: 'conference_not_allowed',
			} );
		} finally {
			await rig.control(
				'PUT',
				`/calendars/${ encodeURIComponent( bob.email ) }/conference-types`,
				{ allowedConferenceSolutionTypes: [ 'hangoutsMeet' ] }
			);
		}
	} );

	test( 'an unknown calendar fails the calendar check', async () => {
		const answer = await test_( {
			credential: alice.credential,
			calendarId: 'missing@group.calendar.google.com',
		} );
		expect( answer.body.ok ).toBe( false );
		expect( answer.body.checks.at( -1 ) ).toMatchObject( {
			id: 'calendar',
			ok: false,
			code: 'calendar_not_found',
		} );
	} );

	test( 'a revoked grant fails the token check', async () => {
		const carol = await rig.connect( 'carol@example.test' );
		await rig.control(
			'POST',
			`/accounts/${ encodeURIComponent( carol.email ) }/revoke`
		);
		const answer = await test_( { credential: carol.credential } );
		expect( answer.body.ok ).toBe( false );
		expect( answer.body.checks.at( -1 ) ).toMatchObject( {
			id: 'token',
			ok: false,
			code: 'token_revoked',
		} );
		expect( answer.body.account ).toEqual( { email: carol.email } );
	} );

	test( 'the Calendar API turned off in the project fails the calendar check with api_disabled and the page that enables it', async () => {
		await rig.control( 'PATCH', `/clients/${ rig.client.clientId }`, {
			calendarApiEnabled: false,
			projectNumber: '31415926',
		} );
		try {
			const answer = await test_( { credential: alice.credential } );
			expect( answer.body.ok ).toBe( false );
			expect( answer.body.checks.at( -1 ) ).toMatchObject( {
				id: 'calendar',
				ok: false,
				code: 'api_disabled',
				message: expect.stringContaining( 'project 31415926' ),
				activationUrl: expect.stringContaining( 'project=31415926' ),
			} );
		} finally {
			await rig.control( 'PATCH', `/clients/${ rig.client.clientId }`, {
				calendarApiEnabled: true,
			} );
		}
	} );

	test( 'a test meeting that cannot be removed again fails the probe', async () => {
		await rig.control( 'POST', '/faults', {
			match: { operation: 'events.delete' },
			action: { type: 'error', status: 403, reason: 'forbidden' },
			times: 0,
		} );
		try {
			const answer = await test_( {
				credential: alice.credential,
				probe: true,
			} );
			expect( answer.body.ok ).toBe( false );
			expect( answer.body.checks.at( -1 ) ).toMatchObject( {
				id: 'probe',
				ok: false,
				message: expect.stringContaining( 'could not be deleted' ),
			} );
		} finally {
			await rig.control( 'DELETE', '/faults' );
		}
	} );
} );
