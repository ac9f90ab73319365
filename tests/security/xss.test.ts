/**
 * Stored XSS and clinical privacy.
 *
 * Markup that would run script is put everywhere a clinic's data can carry it: the doctor's
 * and the patient's names, the clinic's and the service's names, the appointment description,
 * the settings (event title, e-mail subjects), and an error message coming back from Google.
 * Then every screen that shows them is opened in Chromium as the people who see it (the block
 * and the shortcode on a page, the dashboard widget and admin notices, the settings page with
 * its doctors table, the doctor's connection page and profile, Site Health), and the e-mails
 * the plugin sends are read. A payload that runs calls `mfkXss()`; none may, no injected
 * element may exist, and the payloads must be visible as text (proving the screen showed them).
 *
 * Privacy: by default a Google event carries no clinical text (no description, no patient
 * name, no service).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import {
	clearMail,
	deleteOption,
	harness,
	query,
	readMail,
	setOption,
	startSidecar,
	stopSidecar,
	waitForMail,
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
	preserveOptions,
} from '../kivicare-stand-in/test-support/standin';
import {
	addFault,
	calendarEvents,
	clearFaults,
	configureMeet,
	connectDoctor,
	mapping,
	runQueue,
} from '../integration/support/meet';
import { collect, track } from './support/collect';
import { recordSecurity } from './support/figures';
import { login } from '../harness/testkit';
import { makeDue } from '../reliability/support/queue';
import { logMark, problemsSince } from '../reliability/support/log';

/** Each payload calls mfkXss(n) if it ever runs; `shows` is what must appear as text. */
const P = {
	doctorFirst: '<img src=x onerror=mfkXss(1)>',
	doctorLast: '"><svg onload=mfkXss(2)>',
	patientFirst: '</script><script>mfkXss(3)</script>',
	patientLast: "'-mfkXss(4)-'",
	clinic: 'Clinic <svg/onload=mfkXss(5)>',
	service: '<iframe src="javascript:mfkXss(6)"></iframe>',
	description:
		'<script>mfkXss(7)</script> Patient reports chest pain since Monday',
	google: '<img src=x onerror=mfkXss(8)> &lt;svg onload=mfkXss(9)&gt; {{constructor.constructor("mfkXss(10)")()}}',
	subject: 'Your link <b onmouseover=mfkXss(11)>ready</b>',
	storedError: '<img src=x onerror=mfkXss(12)> stored as it came',
};
const CLINICAL = 'chest pain';

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];

let browser: Browser;
let doctor: TestUser;
let patient: TestUser;
let clinicId = 0;
let clinicName = '';
let page = 0;
let restore: () => Promise< void >;
let mark = 0;
const sessions: Record< string, Session > = {};
const ids: Record< string, number > = {};

/** Names with markup, written to the database as they are (bypassing WordPress's filters). */
async function rawNames(
	userId: number,
	first: string,
	last: string
): Promise< void > {
	await query( 'UPDATE wp_users SET display_name = ? WHERE ID = ?', [
		`${ first } ${ last }`,
		userId,
	] );
	for ( const [ key, value ] of [
		[ 'first_name', first ],
		[ 'last_name', last ],
	] ) {
		await query(
			'UPDATE wp_usermeta SET meta_value = ? WHERE user_id = ? AND meta_key = ?',
			[ value, userId, key ]
		);
	}
	await wpJson( 'clean_user_cache( $args ); return true;', userId );
}

async function bookAt(
	days: number,
	hour: number,
	extra: Record< string, unknown > = {}
): Promise< number > {
	const date = new Date( Date.now() + days * 86400000 )
		.toISOString()
		.slice( 0, 10 );
	const res = await book( sessions.admin!, {
		appointmentStartDate: date,
		appointmentStartTime: `${ String( hour ).padStart( 2, '0' ) }:00`,
		doctorId: doctor.id,
		patientId: patient.id,
		serviceId: [ ids.service! ],
		status: 1,
		...extra,
	} );
	expect( res.status ).toBe( 201 );
	return res.body.data.appointment_id;
}

/**
 * Waits until the screen shows its data. The plugin's admin screens are React apps that fetch
 * it after the page has loaded, and Site Health runs its checks from REST: on a busy machine
 * the network can fall quiet before those requests have even started.
 */
async function rendered( tab: Page ): Promise< void > {
	await tab.waitForFunction( () => {
		const apps = [
			...document.querySelectorAll< HTMLElement >( '.mfk-admin-root' ),
		].every(
			( root ) =>
				root.dataset.mfkMounted &&
				root.childElementCount > 0 &&
				! root.querySelector(
					'.mfk-admin__loading, .components-spinner'
				)
		);
		const siteHealth =
			! document.querySelector( '.health-check-status-tab' ) ||
			! document.querySelector( '.site-health-progress-wrapper.loading' );
		return apps && siteHealth;
	} );
}

beforeAll( async () => {
	mark = logMark();
	restore = await preserveOptions( [
		'mfk_settings',
		'kiviCare_google_meet_setting',
	] );
	await configureMeet( { sync_budget_ms: 5000 } );
	// The clinic is renamed to a payload below and its name put back afterwards.
	clinicId = ( await ensureClinic() ).clinicId;
	const clinic = await query< { name: string } >(
		'SELECT name FROM wp_kc_clinics WHERE id = ?',
		[ clinicId ]
	);
	clinicName = clinic[ 0 ]!.name;
	doctor = await createDoctor( clinicId, {
		meta: { kc_standin_session_hours: '00:00-24:00' },
	} );
	patient = await createPatient();
	const service = await createService( {
		name: 'Video consultation',
		doctors: [ doctor.id ],
		telemed: true,
	} );
	ids.service = service.mappingIds[ 0 ]!;
	// WordPress strips tags from names saved through its APIs; KiviCare's own screens, other
	// plugins or an import may not. Store the markup raw, so the plugin's output escaping is
	// what gets tested.
	await rawNames( doctor.id, P.doctorFirst, P.doctorLast );
	await rawNames( patient.id, P.patientFirst, P.patientLast );
	await query(
		'UPDATE wp_kc_services SET name = ? WHERE id = (SELECT service_id FROM wp_kc_service_doctor_mapping WHERE id = ?)',
		[ P.service, ids.service ]
	);
	await connectDoctor( doctor );
	sessions.admin = track( await login() );
	sessions.doctor = track( await login( doctor ) );
	sessions.patient = track( await login( patient ) );
	browser = await chromium.launch( {
		executablePath:
			process.env.MFK_CHROMIUM_PATH || '/usr/lib/chromium/chromium',
		args: CHROMIUM_ARGS,
	} );
}, 180000 );

afterAll( async () => {
	await browser?.close();
	await clearFaults();
	await query( 'UPDATE wp_kc_clinics SET name = ? WHERE id = ?', [
		clinicName,
		clinicId,
	] );
	if ( page ) {
		await wpJson( 'wp_delete_post( $args, true ); return true;', page );
	}
	// The hostile people go, with their appointments (their events are cancelled at Google).
	for ( const id of Object.entries( ids )
		.filter( ( [ k ] ) => k !== 'service' )
		.map( ( [ , v ] ) => v ) ) {
		await sessions.admin?.rest( `${ KC }/appointments/${ id }`, {
			method: 'DELETE',
		} );
	}
	await wpJson(
		'require_once ABSPATH . "wp-admin/includes/user.php"; foreach ( $args as $id ) { wp_delete_user( $id ); } return true;',
		[ doctor?.id, patient?.id ].filter( Boolean )
	);
	await restore();
} );

it( 'puts no clinical text in Google events by default', async () => {
	ids.clinical = await bookAt( 60, 9, { description: P.description } );
	const row = await mapping( ids.clinical );
	expect( row?.state ).toBe( 'ready' );
	const event = (
		await calendarEvents(
			await wpJson(
				'return MFK_Doctor_Connection::get( $args )["email"];',
				doctor.id
			)
		)
	).find( ( e ) => e.id === row!.event_id )!;
	const text = JSON.stringify( {
		summary: event.summary,
		description: event.description,
		attendees: event.attendees ?? [],
	} );
	// The default Meet access type (only invited people) makes the patient the one guest
	// ("invited" means a guest of the event); their address and nothing else.
	const guests = ( event.attendees ?? [] ).map( ( a ) =>
		a.email.toLowerCase()
	);
	const leaks = [ CLINICAL, 'mfkXss(7)', 'mfkXss(3)', 'mfkXss(6)' ].filter(
		( s ) => text.includes( s )
	);
	if ( guests.some( ( g ) => g !== patient.email.toLowerCase() ) ) {
		leaks.push( 'a guest other than the patient' );
	}
	recordSecurity( {
		id: 'privacy-event',
		title: 'No clinical text in Google events by default',
		attempts: 1,
		held: leaks.length ? 0 : 1,
		failures: leaks.length,
		details: {
			summary: event.summary ?? '',
			description: event.description ? 'present' : 'empty',
			attendees: ( event.attendees ?? [] ).length,
			visibility: event.visibility ?? '',
		},
		problems: leaks.map( ( l ) => `the event contains ${ l }` ),
	} );
	expect( leaks ).toEqual( [] );
	expect( event.summary ).toBe( 'Video consultation' );
	expect( event.visibility ).toBe( 'private' );
} );

it( 'renders hostile names, descriptions, settings and Google messages escaped on every screen and in e-mails', async () => {
	// Hostile settings and clinic name.
	const saved = await sessions.admin!.rest( 'meet-for-kivicare/v1/settings', {
		method: 'POST',
		body: {
			event_title_template: `Consultation {doctor_name} ${ P.doctorFirst }`,
			link_ready_email_subject: P.subject,
			link_ready_email_body:
				'<p>Hello {patient_name}, your consultation with {doctor_name} at {clinic_name}:</p><p><a href="{meet_link}">{meet_link}</a></p>',
			link_ready_doctor_email_body:
				'<p>Hello {doctor_name}: {patient_name} at {clinic_name}.</p><p>{meet_link}</p>',
			reschedule_email_body:
				'<p>{patient_name} with {doctor_name} at {clinic_name} moved to {appointment_time}.</p><p>{meet_link}</p>',
		},
	} );
	expect( saved.status ).toBe( 200 );
	await query( 'UPDATE wp_kc_clinics SET name = ? WHERE id = ?', [
		P.clinic,
		clinicId,
	] );

	// A ready meeting, one that Google refused with a hostile message, one made by the queue
	// after an outage (the "link ready" e-mails), and a reschedule (the "new time" e-mails).
	ids.ready = await bookAt( 61, 10, { description: P.description } );
	await addFault( {
		match: { operation: 'events.insert' },
		action: {
			type: 'error',
			status: 400,
			reason: 'invalid',
			message: P.google,
		},
		times: 1,
	} );
	ids.refused = await bookAt( 62, 11, { description: P.description } );
	expect( await mapping( ids.refused ) ).toMatchObject( {
		state: 'failed',
		last_error_code: 'google_error',
	} );
	// The plugin strips tags from Google's messages before storing them; a row written by
	// something else must still be shown escaped.
	ids.rawError = await bookAt( 65, 14 );
	await query(
		"UPDATE wp_kc_appointment_google_meet_mappings SET state = 'failed', last_error_code = 'google_error', last_error_message = ? WHERE appointment_id = ?",
		[ P.storedError, ids.rawError ]
	);
	await query(
		'UPDATE wp_kc_appointments SET description = ? WHERE id IN (?, ?)',
		[ P.description, ids.ready, ids.refused ]
	);
	clearMail();
	// The plugin's own "link ready" template is what is checked here: on a site whose KiviCare
	// has no Action Scheduler (KiviCare's Meet template cannot be sent), it is the one used.
	await setOption( 'kc_standin_action_scheduler', 'off' );
	await stopSidecar();
	try {
		ids.late = await bookAt( 63, 12 );
	} finally {
		await startSidecar();
	}
	await makeDue( [ ids.late ] );
	await runQueue();
	expect( ( await mapping( ids.late ) )!.state ).toBe( 'ready' );
	const moved = await sessions.admin!.rest(
		`${ KC }/appointments/${ ids.ready }`,
		{
			method: 'PUT',
			body: {
				appointmentStartDate: new Date( Date.now() + 64 * 86400000 )
					.toISOString()
					.slice( 0, 10 ),
				appointmentStartTime: '13:00',
			},
		}
	);
	expect( moved.status ).toBe( 200 );
	const mails = await waitForMail(
		( m ) =>
			m.filter( ( x ) => /new time|link/i.test( x.subject ) ).length >= 3
	);
	await deleteOption( 'kc_standin_action_scheduler' );

	page = await wpJson< number >(
		`return wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Consultations', 'post_content' => '<!-- wp:meet-for-kivicare/meet-controls {"limit":10} /-->' . "\\n" . '[mfk_meet_controls limit="10"]' ) );`
	);
	const front = `${ harness().url }/?page_id=${ page }`;
	const admin = harness().adminUrl;
	const screens: Array< [ string, string, string ] > = [
		[ 'patient', 'block and shortcode', front ],
		[ 'doctor', 'block and shortcode', front ],
		[ 'admin', 'block and shortcode', front ],
		[ 'doctor', 'dashboard (widget, notices)', `${ admin }index.php` ],
		[ 'admin', 'dashboard (notices)', `${ admin }index.php` ],
		[
			'admin',
			'settings page and doctors table',
			`${ admin }admin.php?page=meet-for-kivicare`,
		],
		[
			'doctor',
			'connection page',
			`${ admin }admin.php?page=mfk-google-connection`,
		],
		[ 'doctor', 'own profile', `${ admin }profile.php` ],
		[
			'admin',
			'doctor’s profile',
			`${ admin }user-edit.php?user_id=${ doctor.id }`,
		],
		// Site Health's status screen renders the plugin's checks (with the last errors) from REST.
		[ 'admin', 'Site Health status', `${ admin }site-health.php` ],
	];
	const VISIBLE = [
		P.doctorFirst,
		P.doctorLast,
		P.patientFirst,
		P.patientLast,
		P.clinic,
		P.service,
		P.storedError,
		'{{constructor.constructor("mfkXss(10)")()}}',
	];
	const results: Array< {
		who: string;
		what: string;
		ran: number[];
		injected: number;
		shown: number;
	} > = [];
	for ( const [ who, what, url ] of screens ) {
		const context = await browser.newContext();
		await context.addCookies(
			sessions[ who ]!.cookies.map( ( c ) => ( {
				name: c.name,
				value: c.value,
				url: harness().url,
			} ) )
		);
		await context.addInitScript( () => {
			const w = window as unknown as {
				__mfkXss: number[];
				mfkXss: ( n: number ) => void;
				mfkxss: ( n: number ) => void;
			};
			w.__mfkXss = [];
			w.mfkXss = ( n ) => w.__mfkXss.push( n );
			w.mfkxss = w.mfkXss;
		} );
		const tab = await context.newPage();
		const dialogs: string[] = [];
		tab.on( 'dialog', ( d ) => {
			dialogs.push( d.message() );
			void d.dismiss();
		} );
		tab.on( 'response', ( r ) => {
			r.text().then(
				( body ) => collect( 'browser', `${ who } ${ r.url() }`, body ),
				() => undefined
			);
		} );
		await tab.goto( url, { waitUntil: 'networkidle' } );
		await rendered( tab );
		const found = await tab.evaluate( () => {
			const w = window as unknown as { __mfkXss: number[] };
			const selector =
				'img[src="x"], svg[onload], iframe[src^="javascript" i], [onerror*="mfkxss" i], [onload*="mfkxss" i], [onmouseover*="mfkxss" i]';
			return {
				ran: w.__mfkXss,
				injected: document.querySelectorAll( selector ).length,
				text: document.body.innerText,
				html: document.documentElement.outerHTML,
				storage: JSON.stringify( {
					cookie: document.cookie,
					local: { ...localStorage },
					session: { ...sessionStorage },
				} ),
			};
		} );
		collect( 'browser', `${ who } ${ url } (DOM)`, found.html );
		collect(
			'browser',
			`${ who } ${ url } (cookies and storage)`,
			found.storage
		);
		results.push( {
			who,
			what,
			ran: [ ...found.ran, ...dialogs.map( () => -1 ) ],
			injected: found.injected,
			shown: VISIBLE.filter( ( v ) => found.text.includes( v ) ).length,
		} );
		await context.close();
	}

	// E-mails: in HTML parts every dynamic value is escaped; the subject is plain text.
	const mailProblems: string[] = [];
	for ( const m of mails ) {
		collect( 'mail', m.subject, JSON.stringify( m ) );
		const html = m.html || '';
		for ( const raw of [
			'<img src=x',
			'<svg onload',
			'<svg/onload',
			'<script>mfkXss',
			'<iframe src="javascript',
		] ) {
			if ( html.includes( raw ) ) {
				mailProblems.push(
					`"${ m.subject }" to ${ m.to }: ${ raw } unescaped`
				);
			}
		}
	}
	const escapedNames = mails.filter( ( m ) =>
		( m.html || '' ).includes( '&lt;img src=x onerror=mfkXss(1)&gt;' )
	).length;

	const problems = [
		...results
			.filter( ( r ) => r.ran.length || r.injected )
			.map(
				( r ) =>
					`${ r.what } (${ r.who }): ran ${ JSON.stringify( r.ran ) }, injected elements ${ r.injected }`
			),
		...mailProblems,
	];
	recordSecurity( {
		id: 'stored-xss',
		title: 'Stored XSS: hostile data rendered on every screen and in e-mails',
		attempts: results.length + mails.length,
		held:
			results.filter( ( r ) => ! r.ran.length && ! r.injected ).length +
			mails.length -
			new Set( mailProblems.map( ( p ) => p.split( ':' )[ 0 ] ) ).size,
		failures: problems.length,
		details: {
			payloads: Object.keys( P ).length,
			screens: results.length,
			'e-mails': mails.length,
			'scripts run': results.reduce( ( n, r ) => n + r.ran.length, 0 ),
			'injected elements': results.reduce(
				( n, r ) => n + r.injected,
				0
			),
			'payloads shown as text (sum over screens)': results.reduce(
				( n, r ) => n + r.shown,
				0
			),
			'HTML e-mails with the names escaped': escapedNames,
		},
		notes: results
			.map(
				( r ) =>
					`${ r.what } (${ r.who }): ${ r.shown } payload(s) shown as text`
			)
			.join( '; ' ),
		problems,
	} );
	expect( problems ).toEqual( [] );
	// The screens really showed the hostile values (as text): the test cannot pass by omission.
	for ( const r of results.filter(
		( x ) =>
			( /block/.test( x.what ) && x.who !== 'admin' ) ||
			/settings page|dashboard \(widget/.test( x.what )
	) ) {
		expect( [ r.what, r.who, r.shown > 0 ] ).toEqual( [
			r.what,
			r.who,
			true,
		] );
	}
	expect( escapedNames ).toBeGreaterThan( 0 );
	expect( readMail().length ).toBeGreaterThan( 0 );
}, 240000 );

it( 'left no PHP warning in the debug log', () => {
	// Site Health's own checks try to reach WordPress.org, which the test machine blocks.
	const offline =
		/(translations_api|get_core_checksums|wp_update_plugins|wp_update_themes)\(\): An unexpected error occurred/;
	expect(
		problemsSince( mark ).filter( ( p ) => ! offline.test( p ) )
	).toEqual( [] );
} );
