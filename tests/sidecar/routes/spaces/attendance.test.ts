/**
 * Who came, through the sidecar (src/sidecar/meetings/attendance.ts): the conference records of
 * a meeting's space within the window, participants of every kind folded into one line per
 * person with first join, last leave and minutes present, the doctor recognised by their
 * account; no call, a running call, a doctor without the readonly scope.
 */
import { MEET_READONLY_SCOPE } from '../../../../src/sidecar/meetings/space-access';
import { startRig, times, type Rig } from '../../support';

let rig: Rig;
let appointment = 8100;

beforeAll( async () => {
	rig = await startRig();
} );
afterAll( async () => rig.close() );

async function meeting( email: string, untick: string[] = [] ) {
	const { credential } = await rig.connect( email, { untick } );
	const ensured = await rig.call( '/v1/meetings/ensure', {
		siteId: rig.siteId,
		client: rig.client,
		credential,
		appointmentId: ++appointment,
		waitMs: 10000,
		...times( '2031-09-01T09:00:00Z' ),
	} );
	expect( ensured.status ).toBe( 200 );
	return {
		credential,
		code: String( ensured.body.meetUrl ).split( '/' ).pop() as string,
	};
}

const attendance = ( credential: string, meetingCode: string ) =>
	rig.call( '/v1/meetings/attendance', {
		siteId: rig.siteId,
		client: rig.client,
		credential,
		meetingCode,
		from: '2031-09-01T08:00:00Z',
		to: '2031-09-01T10:00:00+00:00',
	} );

describe( 'POST /v1/meetings/attendance', () => {
	test( 'a call with the doctor, a signed-in patient who rejoined, and a phone guest', async () => {
		const doctor = 'attend-doc@example.test';
		const { credential, code } = await meeting( doctor );
		await rig.control( 'POST', '/meet/calls', {
			meetingCode: code,
			participants: [
				{
					kind: 'signedin',
					email: doctor,
					displayName: 'Dr House',
					sessions: [
						{
							startTime: '2031-09-01T09:01:00Z',
							endTime: '2031-09-01T09:31:00Z',
						},
					],
				},
				{
					kind: 'signedin',
					email: 'patient@example.test',
					displayName: 'Pat',
					sessions: [
						{
							startTime: '2031-09-01T09:03:00Z',
							endTime: '2031-09-01T09:10:00Z',
						},
						{
							startTime: '2031-09-01T09:12:00Z',
							endTime: '2031-09-01T09:30:00Z',
						},
					],
				},
				{
					kind: 'phone',
					displayName: '+44 *** *** 789',
					sessions: [
						{
							startTime: '2031-09-01T09:05:00Z',
							endTime: '2031-09-01T09:06:00Z',
						},
					],
				},
			],
		} );
		// A call outside the window is not this appointment's.
		await rig.control( 'POST', '/meet/calls', {
			meetingCode: code,
			participants: [
				{
					kind: 'anonymous',
					displayName: 'Someone',
					sessions: [
						{
							startTime: '2031-09-02T09:00:00Z',
							endTime: '2031-09-02T09:05:00Z',
						},
					],
				},
			],
		} );
		const answer = await attendance( credential, code );
		expect( answer.status ).toBe( 200 );
		expect( answer.body ).toEqual( {
			calls: 1,
			running: false,
			start: '2031-09-01T09:01:00.000Z',
			end: '2031-09-01T09:31:00.000Z',
			participants: [
				{
					kind: 'signedin',
					displayName: 'Dr House',
					doctor: true,
					firstJoin: '2031-09-01T09:01:00.000Z',
					lastLeave: '2031-09-01T09:31:00.000Z',
					minutes: 30,
				},
				{
					kind: 'signedin',
					displayName: 'Pat',
					doctor: false,
					firstJoin: '2031-09-01T09:03:00.000Z',
					lastLeave: '2031-09-01T09:30:00.000Z',
					minutes: 25,
				},
				{
					kind: 'phone',
					displayName: '+44 *** *** 789',
					doctor: false,
					firstJoin: '2031-09-01T09:05:00.000Z',
					lastLeave: '2031-09-01T09:06:00.000Z',
					minutes: 1,
				},
			],
		} );
	} );

	test( 'nobody joined: no call; a call still running says so', async () => {
		const { credential, code } = await meeting(
			'attend-none@example.test'
		);
		const none = await attendance( credential, code );
		expect( none.body ).toEqual( {
			calls: 0,
			running: false,
			start: null,
			end: null,
			participants: [],
		} );
		await rig.control( 'POST', '/meet/calls', {
			meetingCode: code,
			participants: [
				{
					kind: 'anonymous',
					displayName: 'Guest',
					sessions: [ { startTime: '2031-09-01T09:02:00Z' } ],
				},
			],
		} );
		const running = await attendance( credential, code );
		expect( running.body ).toMatchObject( {
			calls: 1,
			running: true,
			end: null,
		} );
		expect( running.body.participants[ 0 ] ).toMatchObject( {
			kind: 'anonymous',
			doctor: false,
			lastLeave: null,
		} );
	} );

	test( 'without the readonly scope: insufficient_scope naming it', async () => {
		const { credential, code } = await meeting(
			'attend-noscope@example.test',
			[ MEET_READONLY_SCOPE ]
		);
		const answer = await attendance( credential, code );
		expect( answer.status ).toBe( 403 );
		expect( answer.body ).toMatchObject( {
			code: 'insufficient_scope',
			data: { scope: MEET_READONLY_SCOPE },
		} );
	} );
} );
