/**
 * The doctor's Google Calendar on the settings page: what happens to a consultation deleted in
 * Google (Meetings tab, restore by default), whether Google busy times block slots (Meetings tab,
 * on by default), and how busy times are reused and waited for (Advanced tab); a save sends
 * only what changed, numbers as numbers.
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
	type,
	type Mounted,
} from './support';

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

async function open( settings: object = SETTINGS ) {
	const calls = fakeRest( {
		'GET /settings': { body: settings },
		'GET /health': { body: HEALTH },
		'GET /connections': { body: DOCTORS },
		'POST /settings': ( call ) => ( {
			body: { ...settings, ...( call.data as object ) },
		} ),
	} );
	mounted = await mount( <SettingsScreen /> );
	await settle();
	return calls;
}

const screen = () => mounted!.container;

describe( 'Google Calendar settings', () => {
	it( 'shows the stored choices, restore and busy blocks on by default', async () => {
		await open( {
			...SETTINGS,
			google_deleted_event: undefined,
			busy_blocks_default: undefined,
		} );
		const deleted = byLabel(
			screen(),
			'A consultation deleted in Google Calendar'
		) as HTMLSelectElement;
		expect( deleted.value ).toBe( 'restore' );
		expect(
			Array.from( deleted.options ).map( ( o ) => o.textContent )
		).toEqual( [
			'Restore it (same link)',
			'Leave it deleted and tell staff',
		] );
		const busy = byLabel(
			screen(),
			'Google busy times block slots'
		) as HTMLInputElement;
		expect( busy.checked ).toBe( true );
	} );

	it( 'saves the choice for deleted events, busy blocks off and the busy-time limits as numbers', async () => {
		const calls = await open( {
			...SETTINGS,
			google_deleted_event: 'restore',
			busy_blocks_default: true,
			busy_cache_seconds: 60,
			busy_budget_ms: 1500,
		} );
		const deleted = byLabel(
			screen(),
			'A consultation deleted in Google Calendar'
		) as HTMLSelectElement;
		await act( async () => {
			deleted.value = 'flag';
			deleted.dispatchEvent( new Event( 'change', { bubbles: true } ) );
		} );
		await click(
			byLabel( screen(), 'Google busy times block slots' ) as Element
		);
		await type( byLabel( screen(), 'Reuse busy times (seconds)' ), '120' );
		await type(
			byLabel( screen(), 'Wait for busy times (milliseconds)' ),
			'800'
		);
		await click( byText( screen(), 'Save settings' ) );
		const saves = calls.filter( ( c ) => c.method === 'POST' );
		expect( saves ).toHaveLength( 1 );
		expect( saves[ 0 ]!.data ).toEqual( {
			google_deleted_event: 'flag',
			busy_blocks_default: false,
			busy_cache_seconds: 120,
			busy_budget_ms: 800,
		} );
	} );
} );
