/**
 * The settings health panel's figures on changes made in the doctors' Google calendars
 * (`calendar_sync` of `GET /health`), in plain words: push on or off, doctors checked and
 * failing, the least recent check, and meetings moved in Google waiting for the clinic.
 */
import HealthFigures from '../../blocks/admin/components/health-panel/health-figures';
import type { CalendarSyncHealth } from '../../blocks/admin/types';
import { mount, type Mounted } from './support';
import { HEALTH } from './fixtures';

let mounted: Mounted | undefined;

afterEach( () => {
	mounted?.unmount();
	mounted = undefined;
	document.body.innerHTML = '';
} );

const SYNC: CalendarSyncHealth = {
	push: true,
	doctors: 3,
	synced: 2,
	failing: 1,
	channels: 2,
	oldest_sync_at: '2030-01-01T10:00:00+00:00',
	moved_in_google: 2,
};

async function figures( sync?: CalendarSyncHealth ) {
	mounted = await mount(
		<HealthFigures health={ { ...HEALTH, calendar_sync: sync } } />
	);
	const out: Record< string, { text: string; bad: boolean } > = {};
	mounted.container
		.querySelectorAll( '.mfk-health__grid > div' )
		.forEach( ( figure ) => {
			const dd = figure.querySelector( 'dd' )!;
			out[ figure.querySelector( 'dt' )!.textContent ?? '' ] = {
				text: dd.textContent ?? '',
				bad: dd.classList.contains( 'is-bad' ),
			};
		} );
	return out;
}

it( 'says how changes made in Google come back, and flags what needs the clinic', async () => {
	const shown = await figures( SYNC );
	expect( shown[ 'Changes made in Google' ]!.text ).toMatch(
		/^2 of 3 connected doctors’ calendars checked \(least recent: .*2030.*\)$/
	);
	expect( shown[ 'Calendar checks failing' ] ).toEqual( {
		text: '1 doctor: the last check of their calendar failed',
		bad: true,
	} );
	expect( shown[ 'Google push notifications' ] ).toEqual( {
		text: 'On: Google tells the site about changes in 2 calendars',
		bad: false,
	} );
	expect( shown[ 'Moved in Google' ] ).toEqual( {
		text: '2 appointments wait for “Apply to appointment” or “Put back”',
		bad: true,
	} );
} );

it( 'all quiet without push: nothing flagged, the regular check named', async () => {
	const shown = await figures( {
		push: false,
		doctors: 1,
		synced: 0,
		failing: 0,
		channels: 0,
		oldest_sync_at: null,
		moved_in_google: 0,
	} );
	expect( shown[ 'Changes made in Google' ]!.text ).toBe(
		'0 of 1 connected doctor’s calendar checked'
	);
	expect( shown[ 'Calendar checks failing' ] ).toEqual( {
		text: 'None',
		bad: false,
	} );
	expect( shown[ 'Google push notifications' ]!.text ).toBe(
		'Off: changes are found by the regular check of each calendar'
	);
	expect( shown[ 'Moved in Google' ] ).toEqual( {
		text: 'None',
		bad: false,
	} );
} );

it( 'shows nothing of it without connected doctors or an older site answer', async () => {
	expect( await figures() ).not.toHaveProperty( 'Changes made in Google' );
	mounted!.unmount();
	expect(
		await figures( { ...SYNC, doctors: 0, synced: 0, failing: 0 } )
	).not.toHaveProperty( 'Moved in Google' );
} );
