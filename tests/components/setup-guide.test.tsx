/**
 * The settings page's tabs and the Google setup guide against a stand-in of the REST API: a
 * site without its Google client opens on the guide, a step opens once the one before is done,
 * steps 4–6 are checked through the site (the client at Google, a connected doctor, a test
 * meeting created and removed), the scopes listed are the ones the sidecar asks for, and the
 * connection test says what it did not check and offers to run as a connected doctor.
 */
import { act } from 'react';
import SettingsScreen from '../../blocks/admin/components/settings-screen';
import { REQUESTED_SCOPES } from '../../blocks/admin/components/setup-guide/scopes';
import { SCOPES } from '../../src/sidecar/oauth/flow';
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

beforeEach( () => {
	window.localStorage.clear();
	window.history.replaceState( null, '', '/wp-admin/admin.php?page=mfk' );
} );
afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

const NOT_SET_UP = {
	...SETTINGS,
	google_client_id: '',
	google_client_secret_set: false,
};

async function open( routes: Record< string, Reply > = {} ): Promise< Call[] > {
	const calls = fakeRest( {
		'GET /settings': { body: SETTINGS },
		'GET /health': { body: HEALTH },
		'GET /connections': { body: DOCTORS },
		...routes,
	} );
	mounted = await mount( <SettingsScreen /> );
	await settle();
	return calls;
}

const page = () => mounted!.container;
const tabShown = ( name: string ) =>
	! ( page().querySelector( `#mfk-tab-${ name }` ) as HTMLElement ).hidden;
const step = ( n: number ) =>
	page().querySelector( `.mfk-guide__step[data-step="${ n }"]` )!;
const testRun = ( body: object ) => ( { body } );

describe( 'tabs', () => {
	it( 'a configured site opens on Status; a tab is one click away and named in the address', async () => {
		await open();
		expect(
			Array.from( page().querySelectorAll( '.nav-tab' ) ).map(
				( a ) => a.textContent
			)
		).toEqual( [
			'Status',
			'Google',
			'Meetings',
			'E-mails',
			'Doctors',
			'Advanced',
		] );
		expect( tabShown( 'status' ) ).toBe( true );
		expect( tabShown( 'google' ) ).toBe( false );
		await click( byText( page(), 'Google' ) );
		expect( tabShown( 'google' ) ).toBe( true );
		expect( tabShown( 'status' ) ).toBe( false );
		expect( window.location.hash ).toBe( '#google' );
		expect(
			page()
				.querySelector( '.nav-tab-active' )!
				.getAttribute( 'aria-current' )
		).toBe( 'page' );
	} );

	it( 'a site without its Google client opens on the setup guide; its Status tab points there', async () => {
		await open( { 'GET /settings': { body: NOT_SET_UP } } );
		expect( tabShown( 'google' ) ).toBe( true );
		expect( step( 1 ).className ).toContain( 'is-current' );
		await click( byText( page(), 'Status' ) );
		const notice = page().querySelector(
			'#mfk-tab-status .components-notice'
		)!;
		expect( notice.textContent ).toContain( 'Google is not set up yet' );
		expect( notice.querySelector( 'a' )!.getAttribute( 'href' ) ).toBe(
			'#google'
		);
	} );

	it( 'the sidecar and data settings are under Advanced, away from the clinic’s choices', async () => {
		await open();
		const advanced = page().querySelector( '#mfk-tab-advanced' )!;
		expect( advanced.textContent ).toContain( 'Sidecar' );
		expect(
			page().querySelector( '#mfk-tab-meetings' )!.textContent
		).not.toContain( 'Shared secret' );
	} );

	it( 'a field error on another tab: the summary’s link opens that tab and focuses the field', async () => {
		await open( {
			'POST /settings': {
				status: 400,
				body: {
					code: 'invalid_param',
					message: 'Invalid setting(s): google_client_id',
					data: {
						status: 400,
						params: {
							google_client_id:
								'A Google OAuth client ID ends in .apps.googleusercontent.com.',
						},
					},
				},
			},
		} );
		await click( byText( page(), 'Meetings' ) );
		await type(
			byLabel( page(), 'Join window (minutes before the start)' ),
			'15'
		);
		await click( byText( page(), 'Save settings' ) );
		const link = page().querySelector< HTMLAnchorElement >(
			'.mfk-error-summary a'
		)!;
		expect( link.textContent ).toContain( 'Client ID' );
		await click( link );
		await settle();
		expect( tabShown( 'google' ) ).toBe( true );
		expect( page().ownerDocument.activeElement ).toBe(
			byLabel( page(), 'Client ID' )
		);
	} );
} );

describe( 'the setup guide', () => {
	it( 'lists exactly the scopes the sidecar asks Google for', async () => {
		expect( [ ...REQUESTED_SCOPES ] ).toEqual( SCOPES );
		await open( { 'GET /settings': { body: NOT_SET_UP } } );
		const listed = Array.from(
			step( 2 ).querySelectorAll( '.mfk-guide__scopes code' )
		).map( ( c ) => c.textContent );
		expect( listed ).toEqual( SCOPES );
		expect( step( 2 ).textContent ).toContain( 'Testing' );
		expect( step( 2 ).textContent ).toContain( '7 days' );
		expect( step( 2 ).textContent ).toContain( 'Test users' );
		expect( step( 2 ).textContent ).toContain( 'verif' );
	} );

	it( 'a step opens once the one before is done; the redirect URI is in step 3 with Copy', async () => {
		await open( { 'GET /settings': { body: NOT_SET_UP } } );
		const next = ( n: number ) =>
			Array.from(
				step( n ).querySelectorAll< HTMLButtonElement >( 'button' )
			).find( ( b ) => b.textContent === 'Done, next step' )!;
		expect( next( 2 ).getAttribute( 'aria-disabled' ) ).toBe( 'true' );
		expect( step( 2 ).textContent ).toContain( 'Finish step 1 first.' );
		await click( next( 1 ) );
		expect( step( 1 ).className ).toContain( 'is-done' );
		expect( step( 2 ).className ).toContain( 'is-current' );
		expect(
			( step( 3 ).querySelector( 'input' ) as HTMLInputElement ).value
		).toBe( SETTINGS.redirect_uri );
		expect( byText( step( 3 ), 'Copy' ) ).toBeDefined();
		expect(
			step( 3 ).querySelector(
				'[data-google-error="redirect_uri_mismatch"]'
			)!.textContent
		).toContain( SETTINGS.redirect_uri );
	} );

	it( 'step 4 saves the client and asks Google; a refused client gives the fix, an accepted one completes the step', async () => {
		window.localStorage.setItem(
			'mfk-setup-guide',
			JSON.stringify( { confirmed: [ 1, 2, 3 ] } )
		);
		let accepted = false;
		const calls = await open( {
			'GET /settings': { body: NOT_SET_UP },
			'POST /settings': ( call ) => ( {
				body: {
					...NOT_SET_UP,
					google_client_id: ( call.data as any ).google_client_id,
					google_client_secret_set: true,
				},
			} ),
			'POST /settings/test': () =>
				testRun( {
					ok: accepted,
					complete: false,
					checks: [
						{ id: 'sidecar', ok: true, message: 'ok' },
						{
							id: 'client',
							ok: accepted,
							message: accepted
								? 'Google accepted the OAuth client.'
								: 'Google refused the OAuth client id or secret (invalid_client).',
							hint: accepted ? '' : 'Copy both again.',
						},
					],
				} ),
		} );
		expect( step( 4 ).className ).toContain( 'is-current' );
		await type(
			byLabel( page(), 'Client ID' ),
			'1234-abc.apps.googleusercontent.com'
		);
		await type( byLabel( page(), 'Client secret' ), 'GOCSPX-secret' );
		await click( byText( step( 4 ), 'Save and check' ) );
		await settle();
		expect(
			calls.filter( ( c ) => c.path === '/settings/test' )
		).toHaveLength( 1 );
		expect( step( 4 ).textContent ).toContain( 'invalid_client' );
		expect( step( 4 ).textContent ).toContain( 'Copy both again.' );
		expect( step( 4 ).className ).toContain( 'is-current' );

		accepted = true;
		await click( byText( step( 4 ), 'Check with Google' ) );
		expect( step( 4 ).className ).toContain( 'is-done' );
		// Zoe Active is connected (fixture): step 5 is done too, the test meeting is next.
		expect( step( 5 ).className ).toContain( 'is-done' );
		expect( step( 6 ).className ).toContain( 'is-current' );
	} );

	it( 'step 6: a run without a doctor says what it did not check; a run as a chosen doctor that creates and removes a meeting finishes the setup', async () => {
		window.localStorage.setItem(
			'mfk-setup-guide',
			JSON.stringify( {
				confirmed: [ 1, 2, 3 ],
				clientCheckedFor: SETTINGS.google_client_id,
			} )
		);
		const calls = await open( {
			'POST /settings/test': ( call ) =>
				( call.data as any ).doctor_id
					? testRun( {
							ok: true,
							complete: true,
							checks: [
								{ id: 'client', ok: true, message: 'ok' },
								{ id: 'probe', ok: true, message: 'ok' },
							],
							not_checked: [],
							doctor: {
								id: 3,
								name: 'Zoe Active',
								email: 'zoe@gmail.test',
							},
						} )
					: testRun( {
							ok: true,
							complete: false,
							checks: [
								{ id: 'client', ok: true, message: 'ok' },
							],
							not_checked: [
								{
									id: 'doctor',
									message:
										'No doctor’s Google connection was checked: no connected doctor was chosen.',
								},
							],
							doctor: null,
						} ),
		} );
		const six = step( 6 );
		await click( byText( six, 'Test connection' ) );
		expect( six.textContent ).not.toContain( 'Everything works' );
		expect( six.textContent ).toContain( 'Not checked' );
		expect(
			six.querySelector( '[data-not-checked="doctor"]' )!.textContent
		).toContain( 'no connected doctor was chosen' );
		expect(
			six.querySelector( '.components-notice' )!.className
		).toContain( 'is-warning' );

		const select = six.querySelector( 'select' ) as HTMLSelectElement;
		expect(
			Array.from( select.options ).map( ( o ) => o.textContent )
		).toEqual( [
			'Myself (only when I am a connected doctor)',
			'Zoe Active (zoe@gmail.test)',
			'Mark Revoked (mark@gmail.test)',
		] );
		await choose( select, '3' );
		await click( byText( six, 'Test connection' ) );
		expect( calls.at( -1 )!.data ).toEqual( { probe: true, doctor_id: 3 } );
		expect( six.textContent ).toContain(
			'Everything works: a test meeting with a Google Meet link was created and removed in the Google Calendar of Zoe Active.'
		);
		expect( page().querySelector( '.mfk-guide' )!.textContent ).toContain(
			'Google is set up'
		);
		expect( step( 6 ).className ).toContain( 'is-done' );
	} );
} );

/** Chooses an option of a select as a user does. */
async function choose( select: HTMLSelectElement, value: string ) {
	await act( async () => {
		select.value = value;
		select.dispatchEvent( new Event( 'change', { bubbles: true } ) );
	} );
	await settle();
}
