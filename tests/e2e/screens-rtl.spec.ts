/**
 * The screens in a right-to-left language. WordPress switches direction with the locale; the
 * harness has no language packs, so a must-use plugin sets the locale's text direction to RTL
 * (what an Arabic or Hebrew site gets from its translation files). Checked: WordPress serves
 * the admin bundle's RTL stylesheet, the settings page and the Meet controls are mirrored
 * (start edge on the right), and nothing overflows sideways.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { clearDebugLog, harness, setTimezone } from '../harness/testkit';
import {
	configureMeet,
	registerEmulatorClient,
	telemedScenario,
	type Scenario,
} from '../integration/support/meet';
import {
	blockMarkup,
	bookIn,
	ourPhpProblems,
	publishPage,
	shot,
	signIn,
	untilReady,
} from './screens-support';
import { CLINIC_ZONE } from './support/clinic-time';

const SETTINGS = '/wp-admin/admin.php?page=meet-for-kivicare';

function rtlPlugin(): string {
	return path.join(
		harness().docroot,
		'wp-content',
		'mu-plugins',
		'mfk-test-rtl.php'
	);
}

/** Left and right edges of an element in the page. */
async function edges( locator: Locator ) {
	const box = await locator.boundingBox();
	expect( box ).not.toBeNull();
	return { left: box!.x, right: box!.x + box!.width };
}

async function noSidewaysOverflow( page: Page ) {
	const overflow = await page.evaluate(
		() =>
			document.documentElement.scrollWidth -
			document.documentElement.clientWidth
	);
	expect( overflow ).toBeLessThanOrEqual( 0 );
}

let sc: Scenario;
let appointmentId = 0;

test.beforeAll( async () => {
	test.setTimeout( 120_000 );
	mkdirSync( path.dirname( rtlPlugin() ), { recursive: true } );
	writeFileSync(
		rtlPlugin(),
		`<?php
// Test only: the text direction a right-to-left translation would set.
add_action( 'init', function () {
	$GLOBALS['wp_locale']->text_direction = 'rtl';
}, 0 );
`
	);
	await setTimezone( CLINIC_ZONE );
	await registerEmulatorClient();
	await configureMeet( { join_window_minutes: 10, sync_budget_ms: 5000 } );
	sc = await telemedScenario();
	appointmentId = await bookIn( sc, 90 );
	await untilReady( appointmentId );
} );

test.beforeEach( () => clearDebugLog() );

test.afterEach( () => {
	expect( ourPhpProblems() ).toEqual( [] );
} );

test.afterAll( async () => {
	rmSync( rtlPlugin(), { force: true } );
	// The other browser tests expect the site in UTC.
	await setTimezone( 'UTC' );
} );

test( 'the settings page is mirrored in a right-to-left language', async ( {
	page,
	context,
} ) => {
	await signIn( context, harness().admin );
	await page.goto( `${ SETTINGS }#google` );
	const heading = page.getByRole( 'heading', {
		name: 'Set up Google',
	} );
	await expect( heading ).toBeVisible();
	// The tabs run from the right: Status is the rightmost.
	const tabs = page.locator( '.mfk-tabs .nav-tab' );
	expect( ( await edges( tabs.first() ) ).left ).toBeGreaterThan(
		( await edges( tabs.last() ) ).left
	);
	await expect(
		page.locator( '.mfk-admin-root .components-spinner' )
	).toHaveCount( 0 );
	await expect( page.locator( 'html' ) ).toHaveAttribute( 'dir', 'rtl' );
	// WordPress swaps in the RTL build of the admin stylesheet.
	await expect(
		page.locator(
			'link[rel="stylesheet"][href*="build/admin/index-rtl.css"]'
		)
	).toHaveCount( 1 );

	// wp-admin's menu is on the right, the plugin's content on its left; headings start
	// at the right edge of their panel.
	const menu = await edges( page.locator( '#adminmenuwrap' ) );
	const content = await edges( page.locator( '#wpbody-content' ) );
	expect( menu.left ).toBeGreaterThan( content.left );
	const panel = heading.locator(
		'xpath=ancestor::*[contains(@class, "components-panel__body") or contains(@class, "components-card")][1]'
	);
	const headingEdges = await edges( heading );
	const panelEdges = await edges( panel );
	expect( panelEdges.right - headingEdges.right ).toBeLessThan(
		headingEdges.left - panelEdges.left
	);
	await noSidewaysOverflow( page );
	await shot( page, 'rtl-settings' );
} );

test( 'the Meet controls are mirrored in a right-to-left language', async ( {
	page,
	context,
} ) => {
	const address = await publishPage(
		`Consultation ${ appointmentId } (RTL)`,
		blockMarkup( { appointmentId } )
	);
	await signIn( context, sc.patient );
	await page.goto( address );
	await expect( page.locator( 'html' ) ).toHaveAttribute( 'dir', 'rtl' );
	const item = page.locator(
		`.mfk-meet__item[data-mfk-appointment="${ appointmentId }"]`
	);
	const button = item.getByRole( 'link', { name: /Join Google Meet/ } );
	await expect( button ).toBeVisible();
	await expect( item ).toContainText( 'Opens in 1 hour.' );

	// The button sits at the start edge, which is the right one: its distance to the item's
	// right edge is the item's inline padding, the rest of the line is on its left.
	const itemEdges = await edges( item );
	const buttonEdges = await edges( button );
	const toRight = itemEdges.right - buttonEdges.right;
	const toLeft = buttonEdges.left - itemEdges.left;
	expect( toRight ).toBeLessThan( 40 );
	expect( toLeft ).toBeGreaterThan( toRight );
	const direction = await button.evaluate(
		( el ) => getComputedStyle( el ).direction
	);
	expect( direction ).toBe( 'rtl' );
	await noSidewaysOverflow( page );
	await shot( page, 'rtl-meet-controls', { element: item } );
} );
