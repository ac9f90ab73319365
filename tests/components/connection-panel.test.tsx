/**
 * The doctor's Google connection panel against a stand-in of the REST API (through api-fetch's
 * own fetch-handler hook): status wording, Connect (consent URL, return address), Disconnect
 * with confirmation and focus kept in the panel, the OAuth result in the address bar, and the
 * administrator's view of another doctor.
 */
import ConnectionPanel, {
	readReturn,
	withoutReturnArgs,
} from '../../blocks/admin/components/connection-panel';
import type { Connection } from '../../blocks/admin/types';
import {
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type Mounted,
} from './support';

const ACTIVE: Connection = {
	doctor_id: 7,
	status: 'active',
	email: 'dr.ada@gmail.test',
	reason_code: null,
	reason_message: null,
	connected_at: '2030-01-01T10:00:00+00:00',
};

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
	window.history.replaceState(
		null,
		'',
		'/wp-admin/admin.php?page=mfk-google-connection'
	);
} );

function panel(): HTMLElement {
	return mounted!.container.querySelector< HTMLElement >(
		'.mfk-connection'
	)!;
}

describe( 'ConnectionPanel', () => {
	it( 'offers to connect when no account is connected, and sends the doctor to Google', async () => {
		const calls = fakeRest( {
			'GET /connection': {
				body: { doctor_id: 7, status: 'disconnected' },
			},
			'POST /connection/connect': {
				body: {
					url: 'https://accounts.google.test/o/oauth2/v2/auth?x=1',
				},
			},
		} );
		const navigate = jest.fn();
		window.history.replaceState(
			null,
			'',
			'/wp-admin/admin.php?page=mfk-google-connection&mfk_error=access_denied'
		);
		mounted = await mount(
			<ConnectionPanel canConnect navigate={ navigate } />
		);
		await settle();

		expect( panel().dataset.status ).toBe( 'disconnected' );
		expect( panel().textContent ).toContain(
			'Connect your Google account so your video consultations get Google Meet links.'
		);
		// The badge says "Not connected" once; the sentence does not repeat it.
		expect( panel().textContent!.match( /Not connected/g ) ).toHaveLength(
			1
		);
		// The result of the last round trip is shown once, then removed from the address.
		expect( panel().textContent ).toContain(
			'You declined on Google’s consent page'
		);
		expect( window.location.search ).toBe( '?page=mfk-google-connection' );

		await click( byText( panel(), 'Connect Google' ) );
		expect( navigate ).toHaveBeenCalledWith(
			'https://accounts.google.test/o/oauth2/v2/auth?x=1'
		);
		const connect = calls.find(
			( c ) => c.path === '/connection/connect'
		)!;
		expect( connect.method ).toBe( 'POST' );
		expect( connect.data ).toEqual( {
			return_to:
				'http://localhost/wp-admin/admin.php?page=mfk-google-connection',
		} );
		expect(
			calls
				.find( ( c ) => c.path === '/connection' )!
				.query.get( 'doctor_id' )
		).toBeNull();
	} );

	it( 'says why Google could not be opened', async () => {
		fakeRest( {
			'GET /connection': {
				body: { doctor_id: 7, status: 'disconnected' },
			},
			'POST /connection/connect': {
				status: 503,
				body: {
					code: 'sidecar_unavailable',
					message: 'The sidecar does not answer.',
					data: { status: 503 },
				},
			},
		} );
		const navigate = jest.fn();
		mounted = await mount(
			<ConnectionPanel canConnect navigate={ navigate } />
		);
		await settle();
		await click( byText( panel(), 'Connect Google' ) );
		expect( navigate ).not.toHaveBeenCalled();
		expect( panel().textContent ).toContain(
			'Google could not be opened: The sidecar does not answer.'
		);
		// The button can be used again.
		expect(
			byText( panel(), 'Connect Google' )!.getAttribute( 'aria-disabled' )
		).toBe( 'false' );
	} );

	it( 'shows the connected account and disconnects after confirmation', async () => {
		let current: Connection = ACTIVE;
		const calls = fakeRest( {
			'GET /connection': () => ( { body: current } ),
			'POST /connection/disconnect': () => {
				current = { doctor_id: 7, status: 'disconnected' };
				return {
					body: {
						doctor_id: 7,
						status: 'disconnected',
						revoked: true,
					},
				};
			},
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		expect( panel().textContent ).toContain(
			'Connected to the Google account dr.ada@gmail.test.'
		);
		expect(
			byText( panel(), 'Connect a different Google account' )
		).toBeDefined();

		await click( byText( panel(), 'Disconnect' ) );
		const dialog = document.querySelector( '[role="dialog"]' )!;
		expect( dialog.textContent ).toContain(
			'The Google account dr.ada@gmail.test will be disconnected.'
		);
		// Nothing happens before the confirmation.
		expect(
			calls.some( ( c ) => c.path === '/connection/disconnect' )
		).toBe( false );

		await click( byText( dialog, 'Disconnect' ) );
		await settle();
		expect(
			calls.filter( ( c ) => c.path === '/connection/disconnect' )
		).toHaveLength( 1 );
		expect(
			calls.find( ( c ) => c.path === '/connection/disconnect' )!.data
		).toEqual( {} );
		expect( document.querySelector( '[role="dialog"]' ) ).toBeNull();
		expect( panel().dataset.status ).toBe( 'disconnected' );
		expect( panel().textContent ).toContain( 'Google is disconnected.' );
		expect( document.body.ownerDocument.activeElement ).toBe(
			panel().querySelector( '.mfk-connection__status' )
		);
	} );

	it( 'explains a connection Google stopped accepting and offers to reconnect', async () => {
		fakeRest( {
			'GET /connection': {
				body: {
					...ACTIVE,
					status: 'reconnect_needed',
					reason_code: 'token_revoked',
					reason_message: 'invalid_grant',
				},
			},
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		// In the first person, once, naming the account to reconnect with; no "Connected
		// since" beside it.
		expect( panel().textContent ).toContain(
			'Google no longer accepts your connection to dr.ada@gmail.test: access was withdrawn in your Google account, or the connection expired. Reconnect with dr.ada@gmail.test:'
		);
		expect( panel().textContent ).not.toMatch(
			/the doctor|Connected since/
		);
		expect(
			panel().textContent!.match( /no longer accepts/g )
		).toHaveLength( 1 );
		expect( byText( panel(), 'Reconnect Google' ) ).toBeDefined();
	} );

	it( 'lets an administrator see and disconnect a doctor, but not connect for them', async () => {
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'POST /connection/disconnect': {
				body: { doctor_id: 7, status: 'disconnected' },
			},
		} );
		mounted = await mount(
			<ConnectionPanel doctorId={ 7 } canConnect={ false } />
		);
		await settle();
		expect( calls[ 0 ]!.query.get( 'doctor_id' ) ).toBe( '7' );
		expect(
			byText( panel(), 'Connect a different Google account' )
		).toBeUndefined();
		await click( byText( panel(), 'Disconnect' ) );
		await click(
			byText( document.querySelector( '[role="dialog"]' )!, 'Disconnect' )
		);
		expect(
			calls.find( ( c ) => c.path === '/connection/disconnect' )!.data
		).toEqual( {
			doctor_id: 7,
		} );
	} );

	it( 'reports a status that cannot be loaded', async () => {
		fakeRest( {
			'GET /connection': {
				status: 403,
				body: {
					code: 'rest_forbidden',
					message: 'Sorry, you are not allowed to do that.',
					data: { status: 403 },
				},
			},
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		expect( mounted.container.textContent ).toContain(
			'The connection status could not be loaded: Sorry, you are not allowed to do that.'
		);
	} );
} );

describe( 'OAuth return arguments', () => {
	it( 'reads success and errors', () => {
		expect( readReturn( '?mfk_connected=1' )?.status ).toBe( 'success' );
		expect( readReturn( '?google_meet_connected=1' )?.status ).toBe(
			'success'
		);
		expect( readReturn( '?mfk_error=insufficient_scope' ) ).toEqual( {
			status: 'error',
			text: expect.stringContaining( 'keep every box ticked' ),
		} );
		expect( readReturn( '?mfk_error=weird_code' )?.text ).toContain(
			'(weird_code)'
		);
		expect( readReturn( '?page=x' ) ).toBeNull();
	} );

	it( 'removes only its own arguments', () => {
		expect(
			withoutReturnArgs(
				'https://clinic.example/wp-admin/admin.php?page=x&mfk_connected=1&mfk_error=a&google_meet_connected=1&tab=2'
			)
		).toBe( 'https://clinic.example/wp-admin/admin.php?page=x&tab=2' );
	} );
} );
