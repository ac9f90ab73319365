/**
 * A doctor's busy times through the sidecar (src/sidecar/calendars/busy.ts): the scope asked by
 * incremental consent, one freebusy.query with the doctor's token, merged intervals without
 * titles, and `insufficient_scope` naming the scope when the grant lacks it.
 */
import { randomBytes } from 'node:crypto';
import { FREEBUSY_SCOPE } from '../../../../src/sidecar/calendars/busy';
import { consent, REDIRECT_URI, startRig, type Rig } from '../../support';

let rig: Rig;

beforeAll( async () => {
	rig = await startRig();
} );
afterAll( async () => rig.close() );

async function connect( email: string, access: string | null ) {
	const urlAnswer = await rig.call< { url: string } >(
		'/v1/oauth/authorize-url',
		{
			siteId: rig.siteId,
			client: rig.client,
			redirectUri: REDIRECT_URI,
			state: randomBytes( 8 ).toString( 'hex' ),
			loginHint: email,
			access,
		}
	);
	expect( urlAnswer.status ).toBe( 200 );
	const code = await consent( urlAnswer.body.url, email );
	const exchanged = await rig.call( '/v1/oauth/exchange', {
		siteId: rig.siteId,
		client: rig.client,
		redirectUri: REDIRECT_URI,
		code,
	} );
	expect( exchanged.status ).toBe( 200 );
	return {
		credential: exchanged.body.credential as string,
		url: new URL( urlAnswer.body.url ),
	};
}

const at = ( h: string ) => `2031-05-06T${ h }:00Z`;

describe( 'busy times', () => {
	test( 'the consent URL for busy times asks calendar.events.freebusy and keeps the scopes granted', async () => {
		const { url } = await connect( 'busy-url@example.test', 'busy' );
		expect( url.searchParams.get( 'scope' )?.split( ' ' ) ).toContain(
			FREEBUSY_SCOPE
		);
		expect( url.searchParams.get( 'include_granted_scopes' ) ).toBe(
			'true'
		);
	} );

	test( 'merged busy intervals of the doctor, no titles', async () => {
		const email = 'busy-doctor@example.test';
		const { credential } = await connect( email, 'busy' );
		for ( const [ start, end, summary ] of [
			[ '09:00', '10:00', 'Private dentist' ],
			[ '09:30', '11:00', 'Lunch' ],
			[ '14:00', '15:00', 'School run' ],
		] ) {
			await rig.control( 'POST', `/calendars/${ email }/busy`, {
				start: { dateTime: at( start as string ) },
				end: { dateTime: at( end as string ) },
				summary,
			} );
		}
		const answer = await rig.call( '/v1/calendars/busy', {
			siteId: rig.siteId,
			client: rig.client,
			credential,
			timeMin: at( '00:00' ),
			timeMax: at( '23:59' ),
		} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body.calendars ).toEqual( [
			{
				id: 'primary',
				busy: [
					{ start: at( '09:00' ), end: at( '11:00' ) },
					{ start: at( '14:00' ), end: at( '15:00' ) },
				],
			},
		] );
		expect( JSON.stringify( answer.body ) ).not.toContain( 'dentist' );
	} );

	test( 'a grant without the scope answers insufficient_scope naming it', async () => {
		const { credential } = await connect(
			'busy-noscope@example.test',
			null
		);
		const answer = await rig.call( '/v1/calendars/busy', {
			siteId: rig.siteId,
			client: rig.client,
			credential,
			timeMin: at( '00:00' ),
			timeMax: at( '23:59' ),
		} );
		expect( answer.status ).toBe( 403 );
		expect( answer.body.code ).toBe( 'insufficient_scope' );
		expect( answer.body.data.scope ).toBe( FREEBUSY_SCOPE );
	} );

	test( 'more than 50 calendars is refused before any call', async () => {
		const { credential } = await connect(
			'busy-many@example.test',
			'busy'
		);
		const answer = await rig.call( '/v1/calendars/busy', {
			siteId: rig.siteId,
			client: rig.client,
			credential,
			calendarIds: Array.from( { length: 51 }, ( _, i ) => `c${ i }` ),
			timeMin: at( '00:00' ),
			timeMax: at( '23:59' ),
		} );
		expect( answer.status ).toBe( 400 );
		expect( answer.body.code ).toBe( 'invalid_request' );
	} );

	test( 'several doctors in one request: each with their own token, a failure answered for that doctor only', async () => {
		const a = 'busy-many-a@example.test';
		const b = 'busy-many-b@example.test';
		const withScope = await connect( a, 'busy' );
		const withoutScope = await connect( b, null );
		await rig.control( 'POST', `/calendars/${ a }/busy`, {
			start: { dateTime: at( '08:00' ) },
			end: { dateTime: at( '08:30' ) },
		} );
		const answer = await rig.call( '/v1/calendars/busy/many', {
			siteId: rig.siteId,
			client: rig.client,
			timeMin: at( '00:00' ),
			timeMax: at( '23:59' ),
			doctors: [
				{ ref: '11', credential: withScope.credential },
				{ ref: '12', credential: withoutScope.credential },
			],
		} );
		expect( answer.status ).toBe( 200 );
		expect( answer.body.doctors ).toEqual( [
			expect.objectContaining( {
				ref: '11',
				calendars: [
					{
						id: 'primary',
						busy: [ { start: at( '08:00' ), end: at( '08:30' ) } ],
					},
				],
			} ),
			expect.objectContaining( {
				ref: '12',
				error: expect.objectContaining( {
					code: 'insufficient_scope',
					data: expect.objectContaining( { scope: FREEBUSY_SCOPE } ),
				} ),
			} ),
		] );
	} );
} );
