/**
 * Connection links e-mailed to doctors from the doctors' table: an administrator (or the clinic
 * admin of the doctor's clinic) sends one through `POST /connections/{id}/invite`; the doctor
 * gets it by e-mail (the SMTP sink), and opening it signs nobody in: logged out it leads to
 * WordPress's login and back, signed in as the doctor it leads straight to Google's consent page
 * pre-filled with the account connected before. Another doctor's account is refused (and the
 * link stays usable by its doctor), a used, replaced or expired link is refused, and a whole
 * round trip from the link connects the doctor.
 */
import {
	clearDebugLog,
	clearMail,
	createUser,
	harness,
	login,
	phpProblems,
	query,
	waitForMail,
	wpJson,
	type Session,
	type StoredMail,
	type TestUser,
} from '../harness/testkit';
import {
	admin,
	createDoctor,
	ensureClinic,
} from '../kivicare-stand-in/test-support/standin';
import { configureMeet, connectDoctor } from './support/meet';
import { answerConsent, openCallback } from './support/oauth-browser';

const API = 'meet-for-kivicare/v1';

interface Sent {
	doctor: TestUser;
	link: string;
	/** The doctor's e-mail (other mail, left by earlier work, may arrive meanwhile). */
	message: StoredMail;
}

async function newDoctor( clinicId: number ): Promise< TestUser > {
	return createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
}

/** Sends `doctor` a link as `sender`; resolves with the link found in the doctor's e-mail. */
async function sendLink( sender: Session, doctor: TestUser ): Promise< Sent > {
	clearMail();
	const res = await sender.rest(
		`${ API }/connections/${ doctor.id }/invite`,
		{
			method: 'POST',
			body: {},
		}
	);
	expect( res.status ).toBe( 200 );
	expect( res.body.doctor_id ).toBe( doctor.id );
	const mail = await waitForMail( ( m ) =>
		m.some( ( x ) => x.to.includes( doctor.email ) )
	);
	const message = mail.find( ( x ) => x.to.includes( doctor.email ) )!;
	const link = /https?:\/\/\S+action=mfk_connect_invite\S+/.exec(
		message.text
	);
	expect( link ).not.toBeNull();
	return { doctor, link: link![ 0 ], message };
}

/** Opens a URL without following redirects. */
async function open(
	session: Session | null,
	url: string
): Promise< { status: number; location: string | null; body: string } > {
	const res = session
		? await session.fetch( url, {
				redirect: 'manual',
				headers: { 'X-WP-Nonce': '' },
			} )
		: await fetch( url, { redirect: 'manual' } );
	return {
		status: res.status,
		location: res.headers.get( 'location' ),
		body: await res.text(),
	};
}

let clinicId = 0;
let clinicAdmin: TestUser;

beforeAll( async () => {
	await configureMeet();
	( { clinicId, clinicAdmin } = await ensureClinic() );
	clearDebugLog();
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'e-mails the doctor a link that leads, after their usual sign-in, to Google’s consent page', async () => {
	const doctor = await newDoctor( clinicId );
	const { link, message } = await sendLink( await admin(), doctor );
	expect( message!.subject ).toMatch(
		/^Connect your Google account for video consultations at /
	);
	expect( message!.text ).toContain(
		'The link works once, for your account only, until'
	);
	expect( message!.text ).toContain( 'It does not sign you in.' );
	// Only a hash of the token is stored.
	const token = new URL( link ).searchParams.get( 'invite' )!;
	expect(
		JSON.stringify(
			await wpJson(
				'return get_user_meta( $args, "mfk_connect_invite", true );',
				doctor.id
			)
		)
	).not.toContain( token );

	// Logged out: WordPress's login comes first and brings the doctor back to the link.
	const anonymous = await open( null, link );
	expect( anonymous.status ).toBe( 302 );
	const loginUrl = new URL( anonymous.location! );
	expect( loginUrl.pathname ).toMatch( /wp-login\.php$/ );
	expect( loginUrl.searchParams.get( 'redirect_to' ) ).toBe( link );

	// Signed in as the doctor: straight to Google's consent page.
	const session = await login( doctor );
	const opened = await open( session, link );
	expect( opened.status ).toBe( 302 );
	const consent = new URL( opened.location! );
	expect( consent.origin ).toBe( harness().emulatorUrl );
	expect( consent.searchParams.get( 'login_hint' ) ).toBe( doctor.email );

	// The consent answer comes back to the ordinary callback and connects the doctor.
	const email = `invited-${ doctor.id }@gmail.test`;
	const callback = await answerConsent( opened.location!, { email } );
	const done = await openCallback( session, callback );
	expect( done.status ).toBe( 302 );
	expect(
		new URL( done.location! ).searchParams.get( 'mfk_connected' )
	).toBe( '1' );
	expect(
		await wpJson(
			'return MFK_Doctor_Connection::get( $args )["email"];',
			doctor.id
		)
	).toBe( email );

	// Used once: opening it again is refused.
	const again = await open( session, link );
	expect( again.status ).toBe( 410 );
	expect( again.body ).toContain( 'This link was already used' );
} );

it( 'refuses another doctor, and the link stays usable by the doctor it was sent to', async () => {
	const doctor = await newDoctor( clinicId );
	const other = await newDoctor( clinicId );
	const { link } = await sendLink( await admin(), doctor );

	const intruder = await open( await login( other ), link );
	expect( intruder.status ).toBe( 403 );
	expect( intruder.body ).toContain( 'This link was sent to another doctor' );
	expect( intruder.location ).toBeNull();
	// An administrator is refused alike: the link is no way into anyone's connection.
	expect( ( await open( await admin(), link ) ).status ).toBe( 403 );

	const owner = await open( await login( doctor ), link );
	expect( owner.status ).toBe( 302 );
	expect( new URL( owner.location! ).origin ).toBe( harness().emulatorUrl );
} );

it( 'refuses an expired link and one replaced by a newer link', async () => {
	const doctor = await newDoctor( clinicId );
	const session = await login( doctor );

	const first = await sendLink( await admin(), doctor );
	const second = await sendLink( await admin(), doctor );
	const replaced = await open( session, first.link );
	expect( replaced.status ).toBe( 410 );
	expect( replaced.body ).toContain( 'a newer one was sent' );

	// The newer one, past its expiry.
	await wpJson(
		`$r = get_user_meta( $args, 'mfk_connect_invite', true );
		$r['expires'] = time() - 1;
		update_user_meta( $args, 'mfk_connect_invite', $r );
		return true;`,
		doctor.id
	);
	const expired = await open( session, second.link );
	expect( expired.status ).toBe( 410 );
	expect( expired.body ).toContain( 'This link has expired' );
	expect(
		await wpJson(
			'return MFK_Doctor_Connection::get( $args )["status"];',
			doctor.id
		)
	).toBe( 'disconnected' );
} );

it( 'asks a doctor who must reconnect to use the same Google account, pre-filled', async () => {
	const doctor = await newDoctor( clinicId );
	const google = await connectDoctor( doctor );
	await wpJson(
		'MFK_Doctor_Connection::mark_reconnect_needed( $args, "token_revoked", "invalid_grant" ); return true;',
		doctor.id
	);
	// The clinic's own admin sends it, from their clinic's table.
	const staff = await login( clinicAdmin );
	const listed = await staff.rest( `${ API }/connections` );
	expect( listed.status ).toBe( 200 );
	const row = listed.body.doctors.find(
		( d: { doctor_id: number } ) => d.doctor_id === doctor.id
	);
	expect( row ).toMatchObject( {
		status: 'reconnect_needed',
		can_invite: true,
		can_disconnect: false,
		invite_until: null,
	} );
	const { link, message } = await sendLink( staff, doctor );
	expect( message!.subject ).toMatch( /^Reconnect your Google account/ );
	expect( message!.text ).toContain(
		`Use the same Google account as before: ${ google }.`
	);
	expect(
		( await staff.rest( `${ API }/connections` ) ).body.doctors.find(
			( d: { doctor_id: number } ) => d.doctor_id === doctor.id
		).invite_until
	).toMatch( /^\d{4}-\d{2}-\d{2}T/ );

	const opened = await open( await login( doctor ), link );
	expect( new URL( opened.location! ).searchParams.get( 'login_hint' ) ).toBe(
		google
	);
} );

it( 'lets a clinic admin send links to their own clinic’s doctors only', async () => {
	// A second clinic with its own admin.
	const otherAdmin = await createUser( 'kiviCare_clinic_admin' );
	await query(
		"INSERT INTO wp_kc_clinics (name, email, status, clinic_admin_id, created_at) VALUES ('Other Clinic', 'other@clinic.test', 1, ?, NOW())",
		[ otherAdmin.id ]
	);
	const otherClinic = (
		await query< { id: number } >(
			'SELECT id FROM wp_kc_clinics WHERE clinic_admin_id = ?',
			[ otherAdmin.id ]
		)
	)[ 0 ]!.id;
	const foreignDoctor = await newDoctor( Number( otherClinic ) );
	const staff = await login( otherAdmin );
	const own = await newDoctor( Number( otherClinic ) );
	expect(
		(
			await staff.rest( `${ API }/connections/${ own.id }/invite`, {
				method: 'POST',
				body: {},
			} )
		).status
	).toBe( 200 );
	const doctorElsewhere = await newDoctor( clinicId );
	const refused = await staff.rest(
		`${ API }/connections/${ doctorElsewhere.id }/invite`,
		{ method: 'POST', body: {} }
	);
	expect( refused.status ).toBe( 403 );
	expect(
		await wpJson(
			'return get_user_meta( $args, "mfk_connect_invite", true );',
			doctorElsewhere.id
		)
	).toBe( '' );
	// Their list holds their clinic's doctors, nobody else.
	const ids = ( await staff.rest( `${ API }/connections` ) ).body.doctors.map(
		( d: { doctor_id: number } ) => d.doctor_id
	);
	expect( ids ).toEqual(
		expect.arrayContaining( [ own.id, foreignDoctor.id ] )
	);
	expect( ids ).not.toContain( doctorElsewhere.id );
} );
