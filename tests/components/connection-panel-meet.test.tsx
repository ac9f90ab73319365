/**
 * The doctor's connection panel when their Google grant lacks the Meet settings permission:
 * "access control is off" with a button that asks Google again (the consent URL), and no such
 * notice once the grant is there; an administrator reads the notice without the button.
 */
import ConnectionPanel from '../../blocks/admin/components/connection-panel';
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
} );

const notice = () =>
	mounted!.container.querySelector( '.mfk-connection__meet-grant' );

describe( 'ConnectionPanel: Meet access control', () => {
	it( 'asks the doctor once to allow it, and the button goes to Google', async () => {
		const calls = fakeRest( {
			'GET /connection': {
				body: { ...ACTIVE, meet_access: 'needs_grant' },
			},
			'POST /connection/connect': {
				body: {
					url: 'https://accounts.google.test/o/oauth2/v2/auth?y=2',
				},
			},
		} );
		const navigate = jest.fn();
		mounted = await mount(
			<ConnectionPanel canConnect navigate={ navigate } />
		);
		await settle();
		expect( notice()?.textContent ).toContain(
			'Access control is off for your video consultations'
		);
		await click( byText( notice()!, 'Allow Meet access control' ) );
		expect( navigate ).toHaveBeenCalledWith(
			'https://accounts.google.test/o/oauth2/v2/auth?y=2'
		);
		expect(
			calls.filter( ( c ) => c.path === '/connection/connect' )
		).toHaveLength( 1 );
	} );

	it( 'says nothing once the grant is there', async () => {
		fakeRest( {
			'GET /connection': { body: { ...ACTIVE, meet_access: 'ok' } },
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		expect( notice() ).toBeNull();
	} );

	it( "an administrator reads it about the doctor, without the doctor's button", async () => {
		fakeRest( {
			'GET /connection': {
				body: { ...ACTIVE, meet_access: 'needs_grant' },
			},
		} );
		mounted = await mount(
			<ConnectionPanel doctorId={ 7 } canConnect={ false } />
		);
		await settle();
		expect( notice()?.textContent ).toContain(
			'Access control is off for this doctor’s video consultations'
		);
		expect(
			byText( notice()!, 'Allow Meet access control' )
		).toBeUndefined();
	} );
} );
