/**
 * The doctor's Google connection through the real OAuth round trip: the plugin's REST route
 * hands out the consent URL, the emulator's consent page is answered like a browser, and
 * Google's redirect is followed to `admin-post.php?action=mfk_oauth_callback` with the doctor's
 * cookies. Forged, reused, expired and other users' `state` values are refused without any
 * change; the return address is never an open redirect; a reconnect after `token_revoked`
 * replays the doctor's failed meetings.
 */
import {
	clearDebugLog,
	harness,
	login,
	phpProblems,
	wpJson,
	type Session,
	type TestUser,
} from '../harness/testkit';
import {
	book,
	createDoctor,
	createPatient,
	createService,
	ensureClinic,
	KC,
} from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	drainQueue,
	freshDate,
	mapping,
	revokeGoogleAccount,
} from './support/meet';
import {
	answerConsent,
	connectThroughBrowser,
	openCallback,
	startConnect,
} from './support/oauth-browser';

const API = 'meet-for-kivicare/v1';

interface Connection {
	doctor_id: number;
	status: string;
	email: string | null;
	reason_code: string | null;
	connected_at: string | null;
}

async function newDoctor(): Promise< { user: TestUser; session: Session } > {
	const { clinicId } = await ensureClinic();
	const user = await createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
	return { user, session: await login( user ) };
}

/** What is stored for a doctor, secrets included (compared before/after refused callbacks). */
function storedConnection(
	doctorId: number
): Promise< Record< string, unknown > > {
	return wpJson(
		`$out = array();
		foreach ( array( 'mfk_google_credential', 'mfk_google_email', 'mfk_connection_status', 'mfk_connected_at', 'kiviCare_google_meet_connect', 'telemed_type' ) as $key ) {
			$out[ $key ] = get_user_meta( $args['id'], $key, true );
		}
		return $out;`,
		{ id: doctorId }
	);
}

function uniqueEmail( tag: string ): string {
	return `${ tag }-${ Date.now().toString( 36 ) }${ Math.random()
		.toString( 36 )
		.slice( 2, 6 ) }@gmail.test`;
}

describe( 'doctor connection through Google OAuth', () => {
	beforeAll( async () => {
		await configureMeet();
		clearDebugLog();
	} );

	afterEach( () => {
		expect( phpProblems() ).toEqual( [] );
	} );

	it( 'connects a doctor through the consent page and sends them back to where they started', async () => {
		const { user, session } = await newDoctor();
		const before = await session.rest< Connection >(
			`${ API }/connection`
		);
		expect( before.status ).toBe( 200 );
		expect( before.body ).toMatchObject( {
			doctor_id: user.id,
			status: 'disconnected',
			email: null,
		} );

		const returnTo = `${ harness().url }/wp-admin/profile.php?tab=meet`;
		const email = uniqueEmail( 'ada' );
		const consentUrl = await startConnect( session, returnTo );
		const consent = new URL( consentUrl );
		expect( consent.origin ).toBe( harness().emulatorUrl );
		expect( consent.searchParams.get( 'redirect_uri' ) ).toBe(
			`${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`
		);
		expect( consent.searchParams.get( 'access_type' ) ).toBe( 'offline' );
		expect( consent.searchParams.get( 'login_hint' ) ).toBe( user.email );
		const state = consent.searchParams.get( 'state' )!;
		expect( state ).toMatch( /^[A-Za-z0-9]{32}\.[0-9a-f]{10}$/ );
		// Only a hash of the state is kept on the server.
		const stored = JSON.stringify(
			await wpJson(
				'return get_user_meta( $args, "mfk_oauth_state" );',
				user.id
			)
		);
		expect( stored ).not.toContain( state.split( '.' )[ 0 ] );

		const callback = await answerConsent( consentUrl, { email } );
		expect( new URL( callback ).searchParams.get( 'state' ) ).toBe( state );
		const done = await openCallback( session, callback );
		expect( done.status ).toBe( 302 );
		const back = new URL( done.location! );
		expect( `${ back.origin }${ back.pathname }` ).toBe(
			`${ harness().url }/wp-admin/profile.php`
		);
		expect( back.searchParams.get( 'tab' ) ).toBe( 'meet' );
		expect( back.searchParams.get( 'mfk_connected' ) ).toBe( '1' );

		const after = await session.rest< Connection >( `${ API }/connection` );
		expect( after.body ).toMatchObject( {
			doctor_id: user.id,
			status: 'active',
			email,
			reason_code: null,
		} );
		expect( after.body.connected_at ).toMatch( /^\d{4}-\d{2}-\d{2}T/ );
		// KiviCare's own view of the doctor: connected to Google Meet.
		expect( await storedConnection( user.id ) ).toMatchObject( {
			kiviCare_google_meet_connect: 'on',
			telemed_type: 'googlemeet',
		} );
		// The pending sign-in is gone (single use).
		expect(
			await wpJson(
				'return get_user_meta( $args, "mfk_oauth_state" );',
				user.id
			)
		).toEqual( [] );
	} );

	it( 'refuses a reused state and changes nothing', async () => {
		const { user, session } = await newDoctor();
		const consentUrl = await startConnect( session );
		const callback = await answerConsent( consentUrl, {
			email: uniqueEmail( 'reuse' ),
		} );
		expect( ( await openCallback( session, callback ) ).status ).toBe(
			302
		);
		const connected = await storedConnection( user.id );

		const replay = await openCallback( session, callback );
		expect( replay.status ).toBe( 403 );
		expect( replay.location ).toBeNull();
		expect( replay.body ).toMatch( /already used/ );
		expect( await storedConnection( user.id ) ).toEqual( connected );
	} );

	it( 'refuses a forged state without calling Google and changes nothing', async () => {
		const { user, session } = await newDoctor();
		await startConnect( session ); // A real pending sign-in exists…
		const before = await storedConnection( user.id );
		const forged = new URL(
			`${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`
		);
		forged.searchParams.set( 'state', `${ 'A'.repeat( 32 ) }.0123456789` );
		forged.searchParams.set( 'code', 'stolen-code' );
		const res = await openCallback( session, forged.toString() );
		expect( res.status ).toBe( 403 );
		expect( res.body ).toMatch( /not valid for your account/ );
		// …and a malformed one.
		forged.searchParams.set( 'state', '<script>' );
		expect(
			( await openCallback( session, forged.toString() ) ).status
		).toBe( 403 );
		expect( await storedConnection( user.id ) ).toEqual( before );
	} );

	it( "refuses another user's state, which stays usable by its owner", async () => {
		const owner = await newDoctor();
		const intruder = await newDoctor();
		const email = uniqueEmail( 'owner' );
		const consentUrl = await startConnect( owner.session );
		const callback = await answerConsent( consentUrl, { email } );

		const stolen = await openCallback( intruder.session, callback );
		expect( stolen.status ).toBe( 403 );
		expect( stolen.body ).toMatch( /not valid for your account/ );
		expect(
			( await storedConnection( intruder.user.id ) ).mfk_google_credential
		).toBe( '' );
		expect(
			( await storedConnection( owner.user.id ) ).mfk_google_credential
		).toBe( '' );

		// A logged-out browser cannot complete it either.
		const anonymous = await openCallback( null, callback );
		expect( anonymous.status ).toBe( 401 );

		const mine = await openCallback( owner.session, callback );
		expect( mine.status ).toBe( 302 );
		const status = await owner.session.rest< Connection >(
			`${ API }/connection`
		);
		expect( status.body ).toMatchObject( { status: 'active', email } );
	} );

	it( 'refuses an expired state (15 minutes) and changes nothing', async () => {
		const { user, session } = await newDoctor();
		const consentUrl = await startConnect( session );
		const callback = await answerConsent( consentUrl, {
			email: uniqueEmail( 'late' ),
		} );
		// Sixteen minutes pass.
		await wpJson(
			`foreach ( get_user_meta( $args, 'mfk_oauth_state' ) as $record ) {
				$old = $record;
				$record['expires'] = time() - 60;
				update_user_meta( $args, 'mfk_oauth_state', $record, $old );
			}
			return true;`,
			user.id
		);
		const before = await storedConnection( user.id );
		const res = await openCallback( session, callback );
		expect( res.status ).toBe( 403 );
		expect( res.body ).toMatch( /expired/ );
		expect( await storedConnection( user.id ) ).toEqual( before );
	} );

	it( 'never redirects off the site', async () => {
		const { session } = await newDoctor();
		for ( const target of [
			'https://evil.example/phish',
			'//evil.example/phish',
			'javascript:alert(1)',
		] ) {
			const done = await connectThroughBrowser( session, {
				email: uniqueEmail( 'redir' ),
				returnTo: target,
			} );
			expect( done.status ).toBe( 302 );
			const back = new URL( done.location! );
			expect( back.origin ).toBe( harness().url );
			expect( back.searchParams.get( 'mfk_connected' ) ).toBe( '1' );
		}
		// Without return_to, the page that called the route (Referer) is where the doctor returns.
		const consentUrl = await session
			.rest( `${ API }/connection/connect`, {
				method: 'POST',
				body: {},
				headers: {
					Referer: `${ harness().url }/wp-admin/index.php?x=1`,
				},
			} )
			.then( ( r ) => r.body.url as string );
		const back = await openCallback(
			session,
			await answerConsent( consentUrl, { email: uniqueEmail( 'ref' ) } )
		);
		expect( back.location ).toBe(
			`${ harness().url }/wp-admin/index.php?x=1&mfk_connected=1`
		);
	} );

	it( 'reports a denied consent and a grant without the calendar scope back to the page', async () => {
		const { user, session } = await newDoctor();
		const denied = await connectThroughBrowser( session, {
			email: uniqueEmail( 'deny' ),
			decision: 'deny',
			returnTo: `${ harness().url }/wp-admin/profile.php`,
		} );
		expect( denied.status ).toBe( 302 );
		expect(
			new URL( denied.location! ).searchParams.get( 'mfk_error' )
		).toBe( 'access_denied' );

		const narrow = await connectThroughBrowser( session, {
			email: uniqueEmail( 'narrow' ),
			withoutCalendar: true,
			returnTo: `${ harness().url }/wp-admin/profile.php`,
		} );
		expect(
			new URL( narrow.location! ).searchParams.get( 'mfk_error' )
		).toBe( 'insufficient_scope' );
		expect(
			( await storedConnection( user.id ) ).mfk_google_credential
		).toBe( '' );
	} );

	it( 'lets only doctors start a connection, for themselves', async () => {
		const patient = await login( await createPatient() );
		const res = await patient.rest( `${ API }/connection/connect`, {
			method: 'POST',
			body: {},
		} );
		expect( res.status ).toBe( 403 );
		expect( res.body.code ).toBe( 'rest_forbidden' );
		const adminSession = await login();
		expect(
			(
				await adminSession.rest( `${ API }/connection/connect`, {
					method: 'POST',
					body: {},
				} )
			).status
		).toBe( 403 );
	} );

	it( "KiviCare's authorize route runs the same flow and returns with google_meet_connected=1", async () => {
		const { user, session } = await newDoctor();
		const dashboard = `${ harness().url }/wp-admin/admin.php?page=dashboard`;
		const res = await session.rest(
			`${ KC }/settings/googlemeet/authorize`,
			{
				headers: { Referer: dashboard },
			}
		);
		expect( res.status ).toBe( 200 );
		expect( res.body.status ).toBe( true );
		const consentUrl = res.body.data.redirect_url as string;
		expect( new URL( consentUrl ).origin ).toBe( harness().emulatorUrl );
		const done = await openCallback(
			session,
			await answerConsent( consentUrl, { email: uniqueEmail( 'kc' ) } )
		);
		const back = new URL( done.location! );
		expect( back.searchParams.get( 'page' ) ).toBe( 'dashboard' );
		expect( back.searchParams.get( 'google_meet_connected' ) ).toBe( '1' );
		const config = await session.rest(
			`${ KC }/settings/googlemeet/doctor-config`
		);
		expect( config.body.data ).toMatchObject( {
			is_connected: true,
			is_zoom_connected: false,
		} );
		expect(
			( await storedConnection( user.id ) ).mfk_connection_status
		).toBe( 'active' );
	} );

	it( 'replays the failed meetings when a doctor reconnects after Google revoked the grant', async () => {
		const { clinicId } = await ensureClinic();
		const doctor = await createDoctor( clinicId, {
			meta: { kc_standin_session_hours: '00:00-24:00' },
		} );
		const doctorSession = await login( doctor );
		const patient = await createPatient();
		const patientSession = await login( patient );
		const service = await createService( {
			name: `Video ${ doctor.id }`,
			doctors: [ doctor.id ],
			telemed: true,
		} );
		const email = uniqueEmail( 'revoked' );
		await connectThroughBrowser( doctorSession, { email } );

		const bookOne = async ( time: string ) => {
			const res = await book( patientSession, {
				appointmentStartDate: freshDate(),
				appointmentStartTime: time,
				doctorId: doctor.id,
				patientId: patient.id,
				serviceId: [ service.mappingIds[ 0 ]! ],
				status: 1,
			} );
			expect( res.status ).toBe( 201 );
			return res.body.data.appointment_id as number;
		};

		// The doctor removes the app's access in their Google account.
		await revokeGoogleAccount( email );
		const first = await bookOne( '09:00' );
		const second = await bookOne( '10:00' );
		expect( await mapping( first ) ).toMatchObject( {
			state: 'failed',
			last_error_code: 'token_revoked',
		} );
		expect( ( await mapping( second ) )!.state ).toBe( 'failed' );
		const needed = await doctorSession.rest< Connection >(
			`${ API }/connection`
		);
		expect( needed.body ).toMatchObject( {
			status: 'reconnect_needed',
			reason_code: 'token_revoked',
		} );

		// Google's consent page is pre-filled with the account connected before, not the
		// doctor's WordPress address.
		const again = new URL( await startConnect( doctorSession ) );
		expect( again.searchParams.get( 'login_hint' ) ).toBe( email );
		expect( email ).not.toBe( doctor.email );

		// Reconnecting (same account, new grant) makes both due again; the queue creates them.
		const done = await connectThroughBrowser( doctorSession, { email } );
		expect(
			new URL( done.location! ).searchParams.get( 'mfk_connected' )
		).toBe( '1' );
		expect( ( await mapping( first ) )!.state ).toBe( 'pending' );
		await drainQueue();
		for ( const id of [ first, second ] ) {
			const row = await mapping( id );
			expect( row ).toMatchObject( {
				state: 'ready',
				last_error_code: '',
			} );
			expect( row!.url ).toMatch( /^https:\/\/meet\.google\.com\// );
		}
		expect(
			( await doctorSession.rest< Connection >( `${ API }/connection` ) )
				.body.status
		).toBe( 'active' );
	} );
} );
