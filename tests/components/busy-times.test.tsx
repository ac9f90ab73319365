/**
 * "Google busy times" on the doctor's connection panel
 * (blocks/admin/components/connection-panel/busy-times.tsx) against a stand-in of the REST API:
 * nothing read until opened, the state and the next days' blocks, the doctor's switch, and the
 * permission asked from Google when it is missing.
 */
import ConnectionPanel from '../../blocks/admin/components/connection-panel';
import HealthFigures from '../../blocks/admin/components/health-panel/health-figures';
import type { BusyTimes, Connection } from '../../blocks/admin/types';
import {
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type Mounted,
} from './support';
import { HEALTH } from './fixtures';

const ACTIVE: Connection = {
	doctor_id: 7,
	status: 'active',
	email: 'dr.ada@gmail.test',
	reason_code: null,
	reason_message: null,
	connected_at: '2030-01-01T10:00:00+00:00',
	calendar_name: 'Your primary calendar',
};

const ON: BusyTimes = {
	state: 'on',
	switched_on: true,
	scope: 'granted',
	days: 7,
	blocks: [
		{
			start: '2030-01-02 15:00:00',
			end: '2030-01-02 16:30:00',
			name: 'Busy on Google Calendar',
		},
	],
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

const section = () =>
	mounted!.container.querySelector< HTMLElement >( '.mfk-busy-times' )!;

describe( 'BusyTimes', () => {
	it( 'reads nothing until opened, then shows the state and the next days’ blocks', async () => {
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/busy-times': { body: ON },
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		expect( calls.map( ( c ) => c.path ) ).toEqual( [ '/connection' ] );
		await click( byText( section(), 'Show busy times' ) );
		expect( section().textContent ).toContain(
			'Times when you are busy in Google Calendar are not offered to patients.'
		);
		expect(
			section().querySelector( '.mfk-busy-times__blocks' )?.textContent
		).toBe( '2030-01-02 15:00 – 16:30: Busy on Google Calendar' );
		const toggle = section().querySelector< HTMLInputElement >(
			'input[type=checkbox]'
		);
		expect( toggle?.checked ).toBe( true );
	} );

	it( 'the switch sends the doctor’s choice and shows the new state', async () => {
		let switched = true;
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/busy-times': () => ( {
				body: switched
					? ON
					: {
							state: 'off',
							switched_on: false,
							scope: 'granted',
							blocks: [],
						},
			} ),
			'POST /connection/busy-times': ( call ) => {
				switched = ( call.data as { enabled: boolean } ).enabled;
				return { body: {} };
			},
		} );
		mounted = await mount( <ConnectionPanel canConnect /> );
		await settle();
		await click( byText( section(), 'Show busy times' ) );
		await click(
			section().querySelector< HTMLInputElement >(
				'input[type=checkbox]'
			)
		);
		await settle();
		expect(
			calls.find(
				( c ) =>
					c.method === 'POST' && c.path === '/connection/busy-times'
			)?.data
		).toEqual( { enabled: false } );
		expect( section().textContent ).toContain(
			'Your Google busy times do not block your slots.'
		);
		expect( section().querySelector( '.mfk-busy-times__blocks' ) ).toBe(
			null
		);
	} );

	it( 'without the permission: explains it and sends the doctor to Google, coming back to the section', async () => {
		const calls = fakeRest( {
			'GET /connection': { body: ACTIVE },
			'GET /connection/busy-times': {
				body: {
					state: 'needs_grant',
					switched_on: true,
					scope: 'missing',
					blocks: [],
				},
			},
			'POST /connection/busy-times/access': {
				body: { url: 'https://accounts.google.test/auth?scope=busy' },
			},
		} );
		const navigate = jest.fn();
		mounted = await mount(
			<ConnectionPanel canConnect navigate={ navigate } />
		);
		await settle();
		await click( byText( section(), 'Show busy times' ) );
		expect( section().textContent ).toContain(
			'Google has not allowed this site to see when you are busy.'
		);
		expect( section().querySelector( 'input[type=checkbox]' ) ).toBe(
			null
		);
		await click( byText( section(), 'Allow in Google' ) );
		expect( navigate ).toHaveBeenCalledWith(
			'https://accounts.google.test/auth?scope=busy'
		);
		expect(
			calls.find( ( c ) => c.path === '/connection/busy-times/access' )
				?.data
		).toEqual( {
			return_to: `${ window.location.origin }/wp-admin/admin.php?page=mfk-google-connection#mfk-busy-times`,
		} );
	} );

	it( 'is not shown on an administrator’s view of a doctor', async () => {
		fakeRest( {
			'GET /connection': { body: ACTIVE },
		} );
		mounted = await mount(
			<ConnectionPanel doctorId={ 7 } canConnect={ false } />
		);
		await settle();
		expect( section() ).toBe( null );
	} );
} );

describe( 'health figures', () => {
	it( 'say when Google busy times could not be read, and nothing otherwise', async () => {
		mounted = await mount( <HealthFigures health={ HEALTH } /> );
		expect( mounted.container.textContent ).not.toContain(
			'Google busy times'
		);
		mounted.unmount();
		mounted = await mount(
			<HealthFigures
				health={ {
					...HEALTH,
					busy_times_failure: {
						code: 'sidecar_unavailable',
						at: '2030-01-01T10:00:00+00:00',
					},
				} }
			/>
		);
		expect( mounted.container.textContent ).toContain(
			'Google busy times'
		);
		expect( mounted.container.textContent ).toContain(
			'(sidecar_unavailable): slots used the last known busy times.'
		);
	} );
} );
