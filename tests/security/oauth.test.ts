/**
 * The OAuth callback under attack, beyond what tests/integration/oauth.test.ts covers: a wider
 * set of open-redirect targets (schemes, protocol-relative and backslash forms, userinfo and
 * look-alike hosts, encodings) given as `return_to` or as the Referer KiviCare's flow uses;
 * hostile `state` and `code` values (malformed, arrays, overlong, SQL, markup, unicode);
 * another user's state in a patient's and an administrator's session; an authorization code
 * used a second time under a fresh state; a logged-out browser. Every refusal changes nothing
 * stored for the doctor, and no answer points off the site.
 */
import {
	harness,
	wpJson,
	type Session,
	type TestUser,
} from '../harness/testkit';
import {
	createDoctor,
	createPatient,
	ensureClinic,
} from '../kivicare-stand-in/test-support/standin';
import { configureMeet } from '../integration/support/meet';
import {
	answerConsent,
	openCallback,
	startConnect,
} from '../integration/support/oauth-browser';
import { collect } from './support/collect';
import { recordSecurity } from './support/figures';
import { session as trackedSession } from '../reliability/support/world';
import { logMark, problemsSince } from '../reliability/support/log';

let doctor: TestUser;
let doctorSession: Session;
let patientSession: Session;
let adminSession: Session;
let mark = 0;
let attempts = 0;

function stored(): Promise< Record< string, unknown > > {
	return wpJson(
		`$out = array();
		foreach ( array( 'mfk_google_credential', 'mfk_google_email', 'mfk_connection_status', 'mfk_connected_at' ) as $key ) {
			$out[ $key ] = get_user_meta( $args, $key, true );
		}
		return $out;`,
		doctor.id
	);
}

function email( tag: string ): string {
	return `${ tag }-${ Date.now().toString( 36 ) }${ Math.random().toString( 36 ).slice( 2, 6 ) }@gmail.test`;
}

/**
 * Whether a Location leaves the site: another host, or not http(s). (WordPress's own rule,
 * wp_validate_redirect(), is the host; `https://other@site/` is the site, signed in as "other".)
 */
function offSite( location: string | null ): boolean {
	if ( ! location ) {
		return false;
	}
	try {
		const target = new URL( location, harness().url );
		return (
			target.hostname !== new URL( harness().url ).hostname ||
			! /^https?:$/.test( target.protocol )
		);
	} catch {
		return true;
	}
}

beforeAll( async () => {
	mark = logMark();
	await configureMeet();
	const { clinicId } = await ensureClinic();
	doctor = await createDoctor( clinicId );
	doctorSession = await trackedSession( doctor );
	patientSession = await trackedSession( await createPatient() );
	adminSession = await trackedSession( {
		login: harness().admin.login,
		password: harness().admin.password,
	} as TestUser );
}, 120000 );

const REDIRECTS = [
	'https://evil.example/phish',
	'//evil.example/phish',
	'///evil.example/phish',
	'\\\\evil.example\\phish',
	'/\\evil.example/phish',
	'\\/evil.example/phish',
	'javascript:alert(document.domain)',
	'JaVaScRiPt:alert(1)',
	'data:text/html,<script>alert(1)</script>',
	'vbscript:msgbox(1)',
	'http:evil.example',
	'https:/evil.example',
	' //evil.example',
	'\t//evil.example',
	'%2F%2Fevil.example',
	'https://evil.example%2F@127.0.0.1/',
	'https://127.0.0.1@evil.example/',
	'PLACEHOLDER_LOOKALIKE',
	'https://evil.example/?next=PLACEHOLDER_SITE',
	'/wp-admin/../..//evil.example',
	'https://xn--80ak6aa92e.com/',
];

it( 'never sends the doctor off the site, whatever return_to or Referer says', async () => {
	const problems: string[] = [];
	const site = new URL( harness().url );
	const targets = REDIRECTS.map( ( t ) =>
		t
			.replace(
				'PLACEHOLDER_LOOKALIKE',
				`${ site.protocol }//${ site.hostname }.evil.example:${ site.port }/`
			)
			.replace( 'PLACEHOLDER_SITE', encodeURIComponent( harness().url ) )
	);
	let held = 0;
	for ( const target of targets ) {
		// As return_to of the plugin's connect route…
		const consent = await startConnect( doctorSession, target );
		const back = await openCallback(
			doctorSession,
			await answerConsent( consent, { email: email( 'redir' ) } )
		);
		attempts++;
		collect( 'page', `oauth callback (return_to ${ target })`, back.body );
		if ( back.status !== 302 || offSite( back.location ) ) {
			problems.push(
				`return_to ${ JSON.stringify( target ) }: HTTP ${ back.status } → ${ back.location }`
			);
		} else {
			held++;
		}
		// …and as the Referer of KiviCare's authorize route.
		const kc = await doctorSession.rest(
			'kivicare/v1/settings/googlemeet/authorize',
			{ headers: { Referer: target } }
		);
		if ( kc.status === 200 ) {
			const res = await openCallback(
				doctorSession,
				await answerConsent( kc.body.data.redirect_url, {
					email: email( 'ref' ),
				} )
			);
			attempts++;
			if ( res.status !== 302 || offSite( res.location ) ) {
				problems.push(
					`Referer ${ JSON.stringify( target ) }: HTTP ${ res.status } → ${ res.location }`
				);
			} else {
				held++;
			}
		} else {
			problems.push(
				`KiviCare authorize with Referer ${ JSON.stringify( target ) }: HTTP ${ kc.status }`
			);
		}
	}
	recordSecurity( {
		id: 'oauth-redirects',
		title: 'OAuth return address: no open redirect',
		attempts: targets.length * 2,
		held,
		failures: targets.length * 2 - held,
		details: { targets: targets.length, 'routes (return_to, Referer)': 2 },
		problems,
	} );
	expect( problems ).toEqual( [] );
}, 240000 );

it( 'refuses hostile, foreign and reused states and codes without changing anything', async () => {
	const problems: string[] = [];
	const callback = `${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`;
	// One real pending flow of the doctor, and the answer Google gives for it.
	const consent = await startConnect( doctorSession );
	const genuine = new URL(
		await answerConsent( consent, { email: email( 'victim' ) } )
	);
	const state = genuine.searchParams.get( 'state' )!;
	const code = genuine.searchParams.get( 'code' )!;
	const before = await stored();

	const hostile: Array< [ string, string ] > = [
		[
			'forged state',
			`state=${ 'A'.repeat( 32 ) }.0123456789&code=${ code }`,
		],
		[
			'state with markup',
			`state=${ encodeURIComponent( '"><script>alert(1)</script>' ) }&code=x`,
		],
		[
			'state with SQL',
			`state=${ encodeURIComponent( "' OR '1'='1" ) }&code=x`,
		],
		[
			'state as an array',
			`state[]=${ encodeURIComponent( state ) }&code=${ code }`,
		],
		[
			'code as an array',
			`state=${ encodeURIComponent( state.replace( /.$/, ( c ) => ( c === '0' ? '1' : '0' ) ) ) }&code[]=x`,
		],
		[ 'overlong state', `state=${ 'a'.repeat( 5000 ) }&code=x` ],
		[
			'unicode state',
			`state=${ encodeURIComponent( '\u202e\u0000𝕏' ) }&code=x`,
		],
		[ 'no state', `code=${ code }` ],
		[
			'error with markup',
			`state=${ 'B'.repeat( 32 ) }.0123456789&error=${ encodeURIComponent( '<img src=x onerror=alert(1)>' ) }`,
		],
	];
	let held = 0;
	const tried: Array< [ string, Session | null, string ] > = [
		...hostile.map(
			( [ name, query ] ) =>
				[ name, doctorSession, `${ callback }&${ query }` ] as [
					string,
					Session | null,
					string,
				]
		),
		[
			'the doctor’s state in a patient’s session',
			patientSession,
			genuine.toString(),
		],
		[
			'the doctor’s state in an administrator’s session',
			adminSession,
			genuine.toString(),
		],
		[
			'the doctor’s state in a logged-out browser',
			null,
			genuine.toString(),
		],
	];
	for ( const [ name, who, url ] of tried ) {
		const res = await openCallback( who, url );
		attempts++;
		collect( 'page', `oauth callback (${ name })`, res.body );
		const refused = res.status === 403 || res.status === 401;
		if (
			! refused ||
			offSite( res.location ) ||
			res.body.includes( '<script>alert(1)' ) ||
			res.body.includes( '<img src=x onerror' )
		) {
			problems.push(
				`${ name }: HTTP ${ res.status } → ${ res.location }`
			);
		} else {
			held++;
		}
	}
	expect( await stored() ).toEqual( before );

	// The genuine answer still works for its owner, once.
	const ok = await openCallback( doctorSession, genuine.toString() );
	expect( ok.status ).toBe( 302 );
	expect( new URL( ok.location! ).searchParams.get( 'mfk_connected' ) ).toBe(
		'1'
	);
	const connected = await stored();
	const replay = await openCallback( doctorSession, genuine.toString() );
	attempts++;
	if ( replay.status === 403 ) {
		held++;
	} else {
		problems.push( `reused state: HTTP ${ replay.status }` );
	}
	// The same code under a fresh, valid state: Google refuses a used code; nothing changes.
	const fresh = new URL(
		await answerConsent( await startConnect( doctorSession ), {
			email: email( 'other' ),
		} )
	);
	fresh.searchParams.set( 'code', code );
	const reused = await openCallback( doctorSession, fresh.toString() );
	attempts++;
	if (
		reused.status === 302 &&
		! offSite( reused.location ) &&
		new URL( reused.location! ).searchParams.get( 'mfk_error' )
	) {
		held++;
	} else {
		problems.push(
			`reused code: HTTP ${ reused.status } → ${ reused.location }`
		);
	}
	expect( await stored() ).toEqual( connected );

	recordSecurity( {
		id: 'oauth-state',
		title: 'OAuth callback: forged, foreign and reused states and codes',
		attempts: tried.length + 2,
		held,
		failures: tried.length + 2 - held,
		details: {
			'hostile states/codes': hostile.length,
			'other sessions': 3,
			'reuse (state, code)': 2,
		},
		problems,
	} );
	expect( problems ).toEqual( [] );
}, 120000 );

it( 'left no PHP warning in the debug log', () => {
	expect( attempts ).toBeGreaterThan( 40 );
	expect( problemsSince( mark ) ).toEqual( [] );
} );
