/**
 * Setting up Google, checked the way the settings page checks it: the client ID's shape on
 * save, and Test connection saying what it checked and what it could not (no connected doctor,
 * a chosen doctor, a real test meeting created and removed), with Google's setup errors (the
 * Calendar API turned off, an app in Testing ending connections after 7 days) in plain words,
 * each with the Cloud console page that fixes it.
 */
import { login, wpJson, type Session, type TestUser } from '../harness/testkit';
import { createDoctor } from '../kivicare-stand-in/test-support/standin';
import {
	calendarEvents,
	configureMeet,
	connectDoctor,
	moveEmulatorClock,
	registerEmulatorClient,
	setEmulatorProject,
	telemedScenario,
	type Scenario,
} from './support/meet';

const API = 'meet-for-kivicare/v1';
let sc: Scenario;
let admin: Session;

beforeAll( async () => {
	await configureMeet();
	sc = await telemedScenario();
	admin = await login();
} );

afterAll( async () => {
	await moveEmulatorClock( { reset: true } );
	await registerEmulatorClient();
} );

const runTest = ( body: Record< string, unknown > = {} ) =>
	admin.rest( `${ API }/settings/test`, { method: 'POST', body } );

type Check = {
	id: string;
	ok: boolean;
	code?: string;
	message: string;
	hint?: string;
	link?: { url: string; label: string };
};
const byId = ( checks: Check[] ) =>
	Object.fromEntries( checks.map( ( c ) => [ c.id, c ] ) );

describe( 'the client ID is checked on save', () => {
	it.each( [
		[ 'my-clinic-project-4711', 'ends in .apps.googleusercontent.com' ],
		[ '123456789012', 'ends in .apps.googleusercontent.com' ],
		[ 'GOCSPX-abcdefghijklmnop', 'This is a client secret' ],
		[
			'1234-abc.apps.googleusercontent.com/extra',
			'ends in .apps.googleusercontent.com',
		],
	] )( '%s is refused at its field', async ( value, words ) => {
		const res = await admin.rest( `${ API }/settings`, {
			method: 'POST',
			body: { google_client_id: value },
		} );
		expect( res.status ).toBe( 400 );
		expect( res.body.data.params.google_client_id ).toContain( words );
	} );

	it( 'a client ID of Google’s shape is saved', async () => {
		const id = '123456789012-abcdef123.apps.googleusercontent.com';
		const before = ( await admin.rest( `${ API }/settings` ) ).body
			.google_client_id;
		try {
			const res = await admin.rest( `${ API }/settings`, {
				method: 'POST',
				body: { google_client_id: id },
			} );
			expect( res.status ).toBe( 200 );
			expect( res.body.google_client_id ).toBe( id );
		} finally {
			await admin.rest( `${ API }/settings`, {
				method: 'POST',
				body: { google_client_id: before },
			} );
		}
	} );
} );

describe( 'Test connection tells what it checked', () => {
	it( 'an administrator who is not a doctor: the checks that ran pass, and the doctor checks and the test meeting are reported as not run', async () => {
		const res = await runTest( { probe: true } );
		expect( res.status ).toBe( 200 );
		expect( res.body.ok ).toBe( true );
		expect( res.body.complete ).toBe( false );
		expect( res.body.doctor ).toBeNull();
		expect( res.body.checks.map( ( c: Check ) => c.id ) ).toEqual( [
			'sidecar',
			'signature',
			'client',
		] );
		expect( res.body.not_checked ).toEqual( [
			{
				id: 'doctor',
				message: expect.stringContaining(
					'no connected doctor was chosen'
				),
			},
		] );
	} );

	it( 'as a chosen connected doctor with the meeting test: a real meeting is created and removed, and only then is the run complete', async () => {
		const res = await runTest( { probe: true, doctor_id: sc.doctor.id } );
		expect( res.status ).toBe( 200 );
		expect( res.body ).toMatchObject( {
			ok: true,
			complete: true,
			not_checked: [],
			doctor: { id: sc.doctor.id, email: sc.doctorEmail },
		} );
		expect( res.body.checks.map( ( c: Check ) => c.id ) ).toEqual( [
			'sidecar',
			'signature',
			'client',
			'token',
			'calendar',
			'meet',
			'probe',
		] );
		const probes = ( await calendarEvents( sc.doctorEmail ) ).filter(
			( e ) => e.id.startsWith( 'mfkprobe' )
		);
		expect( probes.length ).toBeGreaterThan( 0 );
		expect( probes.every( ( e ) => e.status === 'cancelled' ) ).toBe(
			true
		);
	} );

	it( 'as a chosen doctor without the meeting test: not complete, and it says the meeting test did not run', async () => {
		const res = await runTest( { doctor_id: sc.doctor.id } );
		expect( res.body.ok ).toBe( true );
		expect( res.body.complete ).toBe( false );
		expect( res.body.not_checked ).toEqual( [
			{
				id: 'probe',
				message: expect.stringContaining(
					'No test meeting was created'
				),
			},
		] );
	} );

	it( 'a user who is not a connected doctor cannot be chosen', async () => {
		const res = await runTest( { probe: true, doctor_id: sc.patient.id } );
		expect( res.status ).toBe( 400 );
		expect( res.body.code ).toBe( 'invalid_param' );
		expect( res.body.data.params.doctor_id ).toBeDefined();
	} );

	it( 'the Calendar API turned off: the calendar check names the cause and links to the page that enables it; nothing after it ran', async () => {
		await setEmulatorProject( {
			calendarApiEnabled: false,
			projectNumber: '987654321098',
		} );
		try {
			const res = await runTest( {
				probe: true,
				doctor_id: sc.doctor.id,
			} );
			expect( res.body.ok ).toBe( false );
			expect( res.body.complete ).toBe( false );
			const calendar = byId( res.body.checks ).calendar as Check;
			expect( calendar ).toMatchObject( {
				ok: false,
				code: 'api_disabled',
				message: expect.stringContaining( 'project 987654321098' ),
				hint: expect.stringContaining( 'press Enable' ),
				link: {
					url: expect.stringMatching(
						/^https:\/\/console\.developers\.google\.com\/.*project=987654321098/
					),
					label: expect.any( String ),
				},
			} );
			expect(
				res.body.not_checked.map( ( c: { id: string } ) => c.id )
			).toEqual( [ 'doctor', 'probe' ] );
		} finally {
			await setEmulatorProject( { calendarApiEnabled: true } );
		}
	} );
} );

describe( 'an app left in Testing', () => {
	let tester: TestUser;
	let email: string;

	beforeAll( async () => {
		tester = await createDoctor( sc.clinicId );
		email = `tester-${ tester.id }@gmail.test`;
		await setEmulatorProject( {
			publishingStatus: 'testing',
			testUsers: [ email ],
		} );
		await connectDoctor( tester, email );
	} );

	it( 'a connection Google ends 7 days after consent is told apart from a revoked one, with "publish the app" as the fix', async () => {
		await moveEmulatorClock( { advanceSeconds: 7 * 86400 + 60 } );
		await wpJson(
			`update_user_meta( $args['id'], MFK_Doctor_Connection::META_SINCE, gmdate( 'c', time() - 7 * DAY_IN_SECONDS - 60 ) ); return true;`,
			{ id: tester.id }
		);
		const res = await runTest( { doctor_id: tester.id } );
		const token = byId( res.body.checks ).token as Check;
		expect( token ).toMatchObject( {
			ok: false,
			code: 'testing_app_expired',
			message: expect.stringContaining( '7 days after consent' ),
			hint: expect.stringContaining( 'Publish app' ),
			link: { url: 'https://console.cloud.google.com/auth/audience' },
		} );
		expect( res.body.complete ).toBe( false );

		// The doctors' table says the same once the queue meets the refusal.
		const recorded = await wpJson< {
			status: string;
			code: string;
			message: string;
		} >(
			`MFK_Doctor_Connection::mark_reconnect_needed( $args['id'], 'token_revoked', 'Google refused the refresh token.' );
			return MFK_Doctor_Connection::get( $args['id'] );`,
			{ id: tester.id }
		);
		expect( recorded ).toMatchObject( {
			status: 'reconnect_needed',
			code: 'token_revoked',
			message: expect.stringContaining( 'Publish app' ),
		} );
	} );

	it( 'a refusal days before or long after the seventh day stays a revoked connection', async () => {
		const cause = ( ageDays: number ) =>
			wpJson< string >(
				`update_user_meta( $args['id'], MFK_Doctor_Connection::META_SINCE, gmdate( 'c', time() - (int) ( $args['age'] * DAY_IN_SECONDS ) ) );
				return MFK_Grant_Age::cause( $args['id'], 'token_revoked' );`,
				{ id: tester.id, age: ageDays }
			);
		expect( await cause( 2 ) ).toBe( 'token_revoked' );
		expect( await cause( 7.5 ) ).toBe( 'testing_app_expired' );
		expect( await cause( 30 ) ).toBe( 'token_revoked' );
		expect(
			await wpJson< string >(
				`return MFK_Grant_Age::cause( $args['id'], 'insufficient_scope' );`,
				{ id: tester.id }
			)
		).toBe( 'insufficient_scope' );
	} );
} );
