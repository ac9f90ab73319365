/**
 * wp-admin notices after Google stops accepting a doctor's connection: one notice per cause
 * (the doctor to reconnect and the meetings waiting for it, not an error and a warning for the
 * same thing), linking to where it is fixed, dismissible per user through admin-ajax (another
 * administrator still sees it) until the cause changes; and the doctor's own notice naming the
 * Google account to reconnect with, dismissible too.
 */
import {
	clearDebugLog,
	createUser,
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
} from '../kivicare-stand-in/test-support/standin';
import {
	configureMeet,
	connectDoctor,
	freshDate,
	mapping,
	revokeGoogleAccount,
} from './support/meet';

interface Notice {
	html: string;
	text: string;
	key: string;
	signature: string;
}

/** The plugin's notices on a wp-admin screen, and the dismiss nonce printed with them. */
async function notices(
	session: Session,
	screen = '/wp-admin/index.php'
): Promise< { list: Notice[]; nonce: string | null } > {
	const html = await ( await session.fetch( screen ) ).text();
	const list = [
		...html.matchAll(
			/<div class="notice[^"]*mfk-notice"[^>]*>[\s\S]*?<\/div>/g
		),
	].map( ( [ block ] ) => ( {
		html: block,
		text: block
			.replace( /<[^>]+>/g, '' )
			.replace( /\s+/g, ' ' )
			.trim(),
		key: /data-mfk-notice="([^"]+)"/.exec( block )![ 1 ]!,
		signature: /data-mfk-signature="([^"]+)"/.exec( block )![ 1 ]!,
	} ) );
	const nonce = /_ajax_nonce:"([0-9a-f]+)"/.exec( html );
	return { list, nonce: nonce ? nonce[ 1 ]! : null };
}

/** What a click on the notice's "Dismiss" button sends. */
async function dismiss(
	session: Session,
	notice: Notice,
	nonce: string
): Promise< number > {
	const res = await session.fetch( '/wp-admin/admin-ajax.php', {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams( {
			action: 'mfk_dismiss_notice',
			notice: notice.key,
			signature: notice.signature,
			_ajax_nonce: nonce,
		} ).toString(),
	} );
	await res.text();
	return res.status;
}

let doctor: TestUser;
let doctorName = '';
let google: string;
let firstAdmin: Session;
let secondAdmin: Session;
let clinicId = 0;
let clinicAdmin: TestUser;

beforeAll( async () => {
	await configureMeet();
	( { clinicId, clinicAdmin } = await ensureClinic() );
	doctorName = `Noticed${ Date.now().toString( 36 ) }`;
	doctor = await createDoctor( clinicId, {
		firstName: doctorName,
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
	const service = await createService( {
		name: `Video ${ doctor.id }`,
		doctors: [ doctor.id ],
		telemed: true,
	} );
	google = await connectDoctor( doctor );
	const patient = await login( await createPatient() );
	// The doctor withdraws access in their Google account; two bookings cannot get a link.
	await revokeGoogleAccount( google );
	for ( const time of [ '09:00', '10:00' ] ) {
		const res = await book( patient, {
			appointmentStartDate: freshDate(),
			appointmentStartTime: time,
			doctorId: doctor.id,
			serviceId: [ service.mappingIds[ 0 ]! ],
			status: 1,
		} );
		const code =
			res.status === 201
				? ( await mapping( res.body.data.appointment_id ) )
						?.last_error_code
				: `HTTP ${ res.status }`;
		if ( code !== 'token_revoked' ) {
			throw new Error( `Booking without a link expected, got ${ code }` );
		}
	}
	firstAdmin = await login( await createUser( 'administrator' ) );
	secondAdmin = await login( await createUser( 'administrator' ) );
	clearDebugLog();
}, 120000 );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'says a revoked connection once, with the meetings waiting for it and where to fix it', async () => {
	const { list, nonce } = await notices( firstAdmin );
	const about = list.filter( ( n ) => n.text.includes( doctorName ) );
	expect( about ).toHaveLength( 1 );
	const [ notice ] = about;
	expect( notice!.key ).toBe( 'reconnect' );
	expect( notice!.html ).toContain( 'notice-warning is-dismissible' );
	expect( notice!.text ).toMatch(
		/these doctors must reconnect their Google account: .*\. \d+ appointments wait for their Google Meet link until then\./
	);
	expect( notice!.html ).toMatch(
		/href="[^"]*page=meet-for-kivicare#mfk-doctors"/
	);
	expect( notice!.text ).toContain( 'Send them a reconnect link' );
	// No second notice for the same cause (the meetings it keeps from getting a link).
	expect(
		list.filter( ( n ) => /must reconnect/.test( n.text ) )
	).toHaveLength( 1 );
	expect( list.some( ( n ) => n.key === 'failed_token_revoked' ) ).toBe(
		false
	);
	expect( nonce ).not.toBeNull();
} );

it( 'hides a dismissed notice for that administrator only, until the cause changes', async () => {
	const before = await notices( firstAdmin );
	const notice = before.list.find( ( n ) => n.key === 'reconnect' )!;

	// A forged request changes nothing.
	expect( await dismiss( firstAdmin, notice, '0123456789' ) ).toBe( 403 );
	expect(
		( await notices( firstAdmin ) ).list.some(
			( n ) => n.key === 'reconnect'
		)
	).toBe( true );

	expect( await dismiss( firstAdmin, notice, before.nonce! ) ).toBe( 200 );
	expect(
		( await notices( firstAdmin ) ).list.some(
			( n ) => n.key === 'reconnect'
		)
	).toBe( false );
	expect(
		( await notices( secondAdmin ) ).list.some(
			( n ) => n.key === 'reconnect'
		)
	).toBe( true );

	// Another doctor must reconnect: the notice says something new and is back.
	const other = await createDoctor( clinicId );
	await connectDoctor( other );
	await wpJson(
		'MFK_Doctor_Connection::mark_reconnect_needed( $args, "token_revoked", "invalid_grant" ); return true;',
		other.id
	);
	expect(
		( await notices( firstAdmin ) ).list.some(
			( n ) => n.key === 'reconnect'
		)
	).toBe( true );
} );

it( 'tells the doctor once, naming the account to reconnect with, until they dismiss it', async () => {
	const session = await login( doctor );
	const { list, nonce } = await notices( session );
	const own = list.filter( ( n ) => /no longer accepts/.test( n.text ) );
	expect( own ).toHaveLength( 1 );
	expect( own[ 0 ]!.text ).toContain(
		`Google no longer accepts your Meet connection to ${ google }. Reconnect with that account`
	);
	expect( own[ 0 ]!.text ).toContain( 'Reconnect Google' );
	// Administrators' notices are not the doctor's.
	expect( list.some( ( n ) => n.key === 'reconnect' ) ).toBe( false );

	expect( await dismiss( session, own[ 0 ]!, nonce! ) ).toBe( 200 );
	expect(
		( await notices( session ) ).list.some( ( n ) =>
			/no longer accepts/.test( n.text )
		)
	).toBe( false );
} );

it( 'tells the clinic’s own staff which of their doctors must reconnect, and nobody else’s', async () => {
	const { list } = await notices( await login( clinicAdmin ) );
	const notice = list.find( ( n ) => n.key === 'clinic_reconnect' );
	expect( notice?.text ).toContain( doctorName );
	expect( notice!.html ).toMatch( /href="[^"]*page=mfk-clinic-doctors"/ );
	// Site-wide causes are the administrators'.
	expect( list.some( ( n ) => n.key === 'reconnect' ) ).toBe( false );

	const elsewhere = await login(
		await createUser( 'kiviCare_clinic_admin' )
	);
	expect(
		( await notices( elsewhere ) ).list.filter( ( n ) =>
			n.text.includes( doctorName )
		)
	).toEqual( [] );
} );
