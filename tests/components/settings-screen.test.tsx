/**
 * The settings page against a stand-in of the REST API: one request with the changed fields,
 * the server's field errors shown inline and in a summary that takes focus, wp-config.php
 * values read-only, the health figures, the connection test's plain words, the doctors' table.
 */
import SettingsScreen from '../../blocks/admin/components/settings-screen';
import { summarize } from '../../blocks/admin/components/test-connection';
import { sortDoctors } from '../../blocks/admin/components/doctors-table';
import type { DoctorConnection } from '../../blocks/admin/types';
import { DOCTORS, HEALTH, SETTINGS } from './fixtures';
import {
	byLabel,
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type,
	type Call,
	type Mounted,
	type Reply,
} from './support';

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

async function open( extra: Record< string, Reply > = {} ): Promise< Call[] > {
	const calls = fakeRest( {
		'GET /settings': { body: SETTINGS },
		'GET /health': { body: HEALTH },
		'GET /connections': { body: DOCTORS },
		...extra,
	} );
	mounted = await mount( <SettingsScreen /> );
	await settle();
	return calls;
}

function screen(): HTMLElement {
	return mounted!.container;
}

function state(): string {
	return screen().querySelector( '.mfk-settings__state' )!.textContent ?? '';
}

describe( 'SettingsScreen', () => {
	it( 'saves only what changed, in one request', async () => {
		const calls = await open( {
			'POST /settings': ( call ) => ( {
				body: { ...SETTINGS, ...( call.data as object ) },
			} ),
		} );
		expect( byLabel( screen(), 'Client ID' )!.value ).toBe(
			SETTINGS.google_client_id
		);
		await type(
			byLabel( screen(), 'Join window (minutes before the start)' ),
			'20'
		);
		await type( byLabel( screen(), 'Client secret' ), 'new-secret' );
		expect( state() ).toBe( 'Unsaved changes' );

		await click( byText( screen(), 'Save settings' ) );
		const saves = calls.filter( ( c ) => c.method === 'POST' );
		expect( saves ).toHaveLength( 1 );
		expect( saves[ 0 ]!.path ).toBe( '/settings' );
		expect( saves[ 0 ]!.data ).toEqual( {
			google_client_secret: 'new-secret',
			join_window_minutes: 20,
		} );
		expect( state() ).toBe( 'Settings saved.' );
		// The secret input is emptied: the secret is never shown again.
		expect( byLabel( screen(), 'Client secret' )!.value ).toBe( '' );
	} );

	it( 'loads the status again after a save, so it never contradicts the saved settings', async () => {
		let configured = false;
		const calls = await open( {
			'GET /health': () => ( { body: { ...HEALTH, configured } } ),
			'POST /settings': ( call ) => {
				configured = true;
				return { body: { ...SETTINGS, ...( call.data as object ) } };
			},
		} );
		const health = () =>
			screen().querySelector( '.mfk-health' )!.textContent ?? '';
		expect( health() ).toContain( 'Incomplete' );

		await type( byLabel( screen(), 'Client secret' ), 'new-secret' );
		await click( byText( screen(), 'Save settings' ) );
		await settle();
		expect( state() ).toBe( 'Settings saved.' );
		expect(
			calls.filter( ( c ) => c.method === 'GET' && c.path === '/health' )
		).toHaveLength( 2 );
		expect( health() ).not.toContain( 'Incomplete' );
		expect( health() ).toContain( 'Complete' );
	} );

	it( 'sends nothing when nothing changed', async () => {
		const calls = await open();
		await click( byText( screen(), 'Save settings' ) );
		expect( calls.filter( ( c ) => c.method === 'POST' ) ).toHaveLength(
			0
		);
		expect( state() ).toBe( 'There are no changes to save.' );
	} );

	it( 'shows the server’s field errors at the fields and in a focused summary', async () => {
		const calls = await open( {
			'POST /settings': {
				status: 400,
				body: {
					code: 'invalid_param',
					message:
						'Invalid setting(s): join_window_minutes, event_title_template',
					data: {
						status: 400,
						params: {
							join_window_minutes:
								'The join window must be between 0 and 120 minutes.',
							event_title_template:
								'Unknown placeholder(s) {diagnosis}.',
						},
					},
				},
			},
		} );
		await type(
			byLabel( screen(), 'Join window (minutes before the start)' ),
			'500'
		);
		await click( byText( screen(), 'Save settings' ) );
		expect( calls.filter( ( c ) => c.method === 'POST' ) ).toHaveLength(
			1
		);

		const summary =
			screen().querySelector< HTMLElement >( '.mfk-error-summary' )!;
		expect( document.body.ownerDocument.activeElement ).toBe( summary );
		expect( summary.textContent ).toContain(
			'Nothing was saved: 2 fields need your attention.'
		);
		const links = Array.from( summary.querySelectorAll( 'a' ) ).map(
			( a ) => a.textContent
		);
		// In the order of the form.
		expect( links ).toEqual( [
			'Event title: Unknown placeholder(s) {diagnosis}.',
			'Join window: The join window must be between 0 and 120 minutes.',
		] );

		const field = byLabel(
			screen(),
			'Join window (minutes before the start)'
		)!;
		expect( field.getAttribute( 'aria-invalid' ) ).toBe( 'true' );
		const help = document.getElementById(
			field.getAttribute( 'aria-describedby' )!
		)!;
		expect( help.textContent ).toContain(
			'Error: The join window must be between 0 and 120 minutes.'
		);

		// The summary's link moves focus to the field; fixing it clears its error.
		await click( summary.querySelectorAll( 'a' )[ 1 ] );
		expect( document.body.ownerDocument.activeElement ).toBe( field );
		await type( field, '30' );
		expect(
			byLabel(
				screen(),
				'Join window (minutes before the start)'
			)!.getAttribute( 'aria-invalid' )
		).toBeNull();
		expect( state() ).toBe( 'Unsaved changes' );
	} );

	it( 'explains a refusal without field errors', async () => {
		await open( {
			'POST /settings': {
				status: 503,
				body: {
					code: 'sidecar_unavailable',
					message: 'The sidecar does not answer.',
					data: { status: 503 },
				},
			},
		} );
		await type( byLabel( screen(), 'Client secret' ), 'abc' );
		await click( byText( screen(), 'Save settings' ) );
		expect(
			screen().querySelector( '.mfk-error-summary' )!.textContent
		).toContain( 'Nothing was saved: The sidecar does not answer.' );
	} );

	it( 'shows wp-config.php values as read-only and never a secret', async () => {
		await open( {
			'GET /settings': {
				body: { ...SETTINGS, sidecar_url_locked: true },
			},
		} );
		const url = byLabel( screen(), 'Sidecar address' ) as HTMLInputElement;
		expect( url.readOnly ).toBe( true );
		expect( screen().textContent ).toContain(
			'Shared secret: set in wp-config.php (MFK_SIDECAR_SECRET).'
		);
		const secret = byLabel( screen(), 'Client secret' ) as HTMLInputElement;
		expect( secret.type ).toBe( 'password' );
		expect( secret.value ).toBe( '' );
		expect( secret.placeholder ).toMatch( /^•+$/ );
		const redirect = byLabel(
			screen(),
			'Redirect URI'
		) as HTMLInputElement;
		expect( redirect.value ).toBe( SETTINGS.redirect_uri );
		expect( redirect.readOnly ).toBe( true );
	} );

	it( 'shows the health figures and the doctors needing attention first', async () => {
		await open();
		const health = screen().querySelector( '.mfk-health' )!.textContent;
		expect( health ).toContain( 'Reachable' );
		expect( health ).toContain( '3 ms' );
		expect( health ).toContain( '(oldest: 5 minutes)' );
		expect( health ).toContain(
			'Appointment #12: Google no longer accepts the doctor’s connection; the doctor must reconnect (Google answered invalid_grant.)'
		);
		const rows = Array.from(
			screen().querySelectorAll( '.mfk-doctors tbody tr' )
		).map( ( row ) => row.querySelector( 'th' )!.textContent );
		expect( rows ).toEqual( [
			'Mark Revoked',
			'Anna Never',
			'Zoe Active',
		] );
	} );

	it( 'runs the connection test and gives the next step of each failed check', async () => {
		const calls = await open( {
			'POST /settings/test': {
				body: {
					ok: false,
					checks: [
						{
							id: 'sidecar',
							ok: true,
							message: 'The sidecar answers.',
							hint: '',
						},
						{
							id: 'client',
							ok: false,
							message: 'Google refused the OAuth client.',
							hint: 'Copy the client ID and secret again.',
						},
					],
				},
			},
		} );
		await type( byLabel( screen(), 'Calendar' ), 'other' );
		expect( screen().querySelector( '.mfk-test__dirty' ) ).not.toBeNull();
		await click( byText( screen(), 'Test connection' ) );
		const test = calls.find( ( c ) => c.path === '/settings/test' )!;
		expect( test.data ).toEqual( { probe: true } );
		const result = screen().querySelector( '.mfk-test__result' )!;
		expect( result.textContent ).toContain(
			'1 check failed. The next step is given below it.'
		);
		const client = result.querySelector( '[data-check="client"]' )!;
		expect( client.textContent ).toContain(
			'OAuth client accepted by Google: failed'
		);
		expect( client.textContent ).toContain(
			'Next step: Copy the client ID and secret again.'
		);
		expect(
			result.querySelector( '[data-check="sidecar"]' )!.textContent
		).not.toContain( 'Next step' );
	} );
} );

describe( 'helpers', () => {
	it( 'sums a test run up in one sentence', () => {
		expect(
			summarize( {
				ok: true,
				complete: true,
				checks: [ { id: 'a', ok: true, message: '' } ],
				doctor: { id: 3, name: 'Zoe Active', email: 'zoe@gmail.test' },
			} )
		).toBe(
			'Everything works: a test meeting with a Google Meet link was created and removed in the Google Calendar of Zoe Active.'
		);
		// Every check passed, but no test meeting ran: never "Everything works".
		expect(
			summarize( {
				ok: true,
				complete: false,
				checks: [ { id: 'a', ok: true, message: '' } ],
			} )
		).toBe(
			'The checks that ran passed, but not everything was checked: see what is missing below.'
		);
		expect(
			summarize( {
				ok: false,
				checks: [
					{ id: 'a', ok: false, message: '' },
					{ id: 'b', ok: false, message: '' },
				],
			} )
		).toBe( '2 checks failed. The next step is given below each.' );
	} );

	it( 'sorts doctors needing attention first, then by name', () => {
		const sorted = sortDoctors( DOCTORS.doctors as DoctorConnection[] );
		expect( sorted.map( ( d ) => d.doctor_id ) ).toEqual( [ 5, 4, 3 ] );
	} );
} );
