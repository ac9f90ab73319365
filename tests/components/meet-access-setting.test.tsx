/**
 * The clinic's Meet access type on the Meetings tab: Only invited people by default; with any
 * type but Anyone with the link the patient is always a guest and the screen says why (the
 * "patient as guest" toggle is replaced by that note); choosing Anyone with the link brings the
 * toggle back; a save sends the new type. The doctors table says whose access control is off.
 */
import { act } from 'react';
import SettingsScreen from '../../blocks/admin/components/settings-screen';
import { DOCTORS, HEALTH, SETTINGS } from './fixtures';
import {
	byLabel,
	byText,
	click,
	fakeRest,
	mount,
	settle,
	type Mounted,
} from './support';

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

const LABEL = 'Who may join without asking';
const GUEST_TOGGLE = 'Add the patient to the calendar event as a guest';

async function open( settings = SETTINGS, doctors: unknown = DOCTORS ) {
	const calls = fakeRest( {
		'GET /settings': { body: settings },
		'GET /health': { body: HEALTH },
		'GET /connections': { body: doctors },
		'POST /settings': ( call ) => ( {
			body: { ...settings, ...( call.data as object ) },
		} ),
	} );
	mounted = await mount( <SettingsScreen /> );
	await settle();
	return calls;
}

const screen = () => mounted!.container;
const note = () =>
	screen().querySelector( '[data-testid="mfk-patient-guest-note"]' );

async function choose( select: HTMLSelectElement, value: string ) {
	await act( async () => {
		select.value = value;
		select.dispatchEvent( new Event( 'change', { bubbles: true } ) );
	} );
	await settle();
}

describe( 'Meet access type setting', () => {
	it( 'defaults to Only invited people, with the patient always a guest and the reason given', async () => {
		await open();
		const select = byLabel( screen(), LABEL ) as HTMLSelectElement;
		expect( select ).toBeDefined();
		expect( select.value ).toBe( 'RESTRICTED' );
		expect(
			Array.from( select.options ).map( ( o ) => o.textContent )
		).toEqual( [
			'Only invited people',
			'Invited people and the doctor’s organisation',
			'Anyone with the link',
		] );
		expect( note()?.textContent ).toContain(
			'The patient is always a guest of the calendar event'
		);
		expect( byLabel( screen(), GUEST_TOGGLE ) ).toBeUndefined();
		expect( screen().textContent ).toContain( 'asks to join' );
	} );

	it( 'Anyone with the link brings back the guest toggle; the save sends the type', async () => {
		const calls = await open( {
			...SETTINGS,
			meet_access_type: 'TRUSTED',
		} );
		const select = byLabel( screen(), LABEL ) as HTMLSelectElement;
		expect( select.value ).toBe( 'TRUSTED' );
		await choose( select, 'OPEN' );
		expect( note() ).toBeNull();
		expect( byLabel( screen(), GUEST_TOGGLE ) ).toBeDefined();
		await click( byText( screen(), 'Save settings' ) );
		const saves = calls.filter( ( c ) => c.method === 'POST' );
		expect( saves ).toHaveLength( 1 );
		expect( saves[ 0 ]!.data ).toEqual( { meet_access_type: 'OPEN' } );
	} );

	it( "the doctors table says when a doctor's access control is off", async () => {
		const doctors = {
			doctors: DOCTORS.doctors.map( ( d, i ) =>
				i === 0 ? { ...d, meet_access: 'needs_grant' } : d
			),
		};
		await open( SETTINGS, doctors );
		const row = screen().querySelector( '[data-doctor-id="3"]' );
		expect(
			row?.querySelector( '.mfk-doctors__meet-grant' )?.textContent
		).toContain( 'Access control off' );
		expect(
			screen().querySelectorAll( '.mfk-doctors__meet-grant' )
		).toHaveLength( 1 );
	} );
} );
