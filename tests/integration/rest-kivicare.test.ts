/**
 * KiviCare's own Google Meet endpoints (`kivicare/v1/settings/googlemeet*`), which KiviCare's
 * dashboard calls when a Google Meet add-on is active: answered in KiviCare's envelope and in
 * the shapes its dashboard reads (contract §5), backed by the plugin's settings and connection
 * code, with the same permissions as KiviCare's screens and no secret in any answer.
 */
import {
	clearDebugLog,
	getOption,
	harness,
	login,
	phpProblems,
	type Session,
} from '../harness/testkit';
import {
	createDoctor,
	createPatient,
	ensureClinic,
	KC,
} from '../kivicare-stand-in/test-support/standin';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	configureMeet,
	connectDoctor,
	setSettings,
} from './support/meet';

let admin: Session;
let doctor: Session;
let doctorId: number;
let patient: Session;
const seen: string[] = [];

async function kc(
	session: Session,
	route: string,
	init: { method?: string; body?: unknown } = {}
) {
	const res = await session.rest( `${ KC }/${ route }`, init );
	seen.push( JSON.stringify( res.body ) );
	return res;
}

beforeAll( async () => {
	await configureMeet();
	const { clinicId } = await ensureClinic();
	const doctorUser = await createDoctor( clinicId );
	doctorId = doctorUser.id;
	admin = await login();
	doctor = await login( doctorUser );
	patient = await login( await createPatient() );
	clearDebugLog();
} );

afterAll( async () => {
	await setSettings( { event_title_template: 'Video consultation' } );
} );

afterEach( () => {
	expect( phpProblems() ).toEqual( [] );
} );

it( 'GET settings/googlemeet answers what the settings screen reads, without the secret', async () => {
	const res = await kc( admin, 'settings/googlemeet' );
	expect( res.status ).toBe( 200 );
	expect( res.body ).toEqual( {
		status: true,
		message: expect.any( String ),
		data: {
			data: { post_title: 'Video consultation', post_content: '' },
			config: {
				data: {
					enableCal: 'Yes',
					client_id: CLIENT_ID,
					client_secret: '',
					app_name: expect.any( String ),
				},
			},
			redirection_url: `${ harness().url }/wp-admin/admin-post.php?action=mfk_oauth_callback`,
		},
	} );
	for ( const session of [ doctor, patient ] ) {
		const refused = await kc( session, 'settings/googlemeet' );
		expect( refused.status ).toBe( 403 );
	}
} );

it( 'PUT settings/googlemeet saves through the plugin settings (same validation, secret sealed)', async () => {
	const res = await kc( admin, 'settings/googlemeet', {
		method: 'PUT',
		body: {
			google_meet_config: {
				enableCal: 'Yes',
				client_id: CLIENT_ID,
				client_secret: CLIENT_SECRET,
				app_name: 'Clinic video',
			},
			google_meet_event_template: {
				post_title: '{{clinic_name}} consultation',
				post_content:
					'Appointment for {{patient_name}}: {{service_name}}',
			},
		},
	} );
	expect( res.status ).toBe( 200 );
	expect( res.body.status ).toBe( true );
	expect( res.body.data.data ).toEqual( {
		post_title: '{{clinic_name}} consultation',
		post_content: '', // Calendar events carry no description (no clinical data).
	} );
	expect( res.body.data.config.data ).toMatchObject( {
		app_name: 'Clinic video',
		client_secret: '',
	} );
	const settings =
		await getOption< Record< string, string > >( 'mfk_settings' );
	expect( settings.event_title_template ).toBe(
		'{clinic_name} consultation'
	);
	expect( settings.google_client_secret ).not.toContain( CLIENT_SECRET );
	const kivicare = await getOption< Record< string, unknown > >(
		'kiviCare_google_meet_setting'
	);
	expect( kivicare ).toMatchObject( {
		enableCal: 'Yes',
		client_id: CLIENT_ID,
		app_name: 'Clinic video',
	} );
	expect( JSON.stringify( kivicare ) ).not.toContain( CLIENT_SECRET );

	// A title with clinical data is refused in KiviCare's terms, and nothing is stored.
	const bad = await kc( admin, 'settings/googlemeet', {
		method: 'PUT',
		body: {
			google_meet_event_template: {
				post_title: '{{service_name}} with {{patient_name}}',
			},
		},
	} );
	expect( bad.status ).toBe( 400 );
	expect( bad.body.status ).toBe( false );
	expect( bad.body.data.params ).toHaveProperty( 'post_title' );
	expect(
		( await getOption< Record< string, string > >( 'mfk_settings' ) )
			.event_title_template
	).toBe( '{clinic_name} consultation' );

	// Switching Google Meet off there is explained, not silently ignored.
	const off = await kc( admin, 'settings/googlemeet', {
		method: 'PUT',
		body: { google_meet_config: { enableCal: 'No' } },
	} );
	expect( off.status ).toBe( 400 );
	expect( off.body.message ).toMatch( /Deactivate/ );
	expect(
		(
			await kc( doctor, 'settings/googlemeet', {
				method: 'PUT',
				body: {},
			} )
		).status
	).toBe( 403 );
} );

it( 'doctor-config, authorize and disconnect answer for the doctor', async () => {
	const before = await kc( doctor, 'settings/googlemeet/doctor-config' );
	expect( before.status ).toBe( 200 );
	expect( before.body ).toMatchObject( {
		status: true,
		data: { is_connected: false, is_zoom_connected: false },
	} );

	await connectDoctor( {
		id: doctorId,
		login: '',
		password: '',
		email: '',
		role: 'kiviCare_doctor',
	} );
	const after = await kc( doctor, 'settings/googlemeet/doctor-config' );
	expect( after.body.data.is_connected ).toBe( true );

	const authorize = await kc( doctor, 'settings/googlemeet/authorize' );
	expect( authorize.body.status ).toBe( true );
	expect( new URL( authorize.body.data.redirect_url ).origin ).toBe(
		harness().emulatorUrl
	);

	const disconnect = await kc( doctor, 'settings/googlemeet/disconnect' );
	expect( disconnect.status ).toBe( 200 );
	expect( disconnect.body.status ).toBe( true );
	expect(
		( await kc( doctor, 'settings/googlemeet/doctor-config' ) ).body.data
			.is_connected
	).toBe( false );

	for ( const route of [ 'doctor-config', 'authorize', 'disconnect' ] ) {
		expect(
			( await kc( patient, `settings/googlemeet/${ route }` ) ).status
		).toBe( 403 );
		expect(
			( await kc( admin, `settings/googlemeet/${ route }` ) ).status
		).toBe( 403 );
	}
} );

it( 'KiviCare sees the add-on as configured, and no answer carried a secret', async () => {
	const config = await kc( doctor, 'config' );
	expect( config.body.data.addOns.googlemeet.active ).toBe( true );
	const all = seen.join( '\n' );
	const settings =
		await getOption< Record< string, string > >( 'mfk_settings' );
	for ( const secret of [
		CLIENT_SECRET,
		harness().sidecarSecret,
		settings.google_client_secret!,
	] ) {
		expect( all.includes( secret ) ).toBe( false );
	}
} );
