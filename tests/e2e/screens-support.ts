/**
 * Helpers for the browser tests of the plugin's screens: signed-in browser contexts, telemedicine
 * appointments at a chosen distance from now (in the clinic's zone, support/clinic-time.ts),
 * pages holding the block or the shortcode, keyboard navigation, and screenshots (tests/artifacts/, and docs/screens/ when MFK_DOCS_SCREENS=1).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
	expect,
	type BrowserContext,
	type Locator,
	type Page,
} from '@playwright/test';
import { REPO_ROOT } from '../harness/paths';
import {
	harness,
	login,
	phpProblems,
	wpJson,
	type Session,
	type TestUser,
} from '../harness/testkit';
import { book } from '../kivicare-stand-in/test-support/standin';
import {
	drainQueue,
	mapping,
	type MappingRow,
	type Scenario,
} from '../integration/support/meet';
import { screenshot } from './support';
import { CLINIC_ZONE, clinicSlot } from './support/clinic-time';

export const DOCS_SCREENS = path.join( REPO_ROOT, 'docs', 'screens' );

/**
 * Saves a screenshot under tests/artifacts/screens-<name>.png (the full page, the viewport, or
 * one element). Pictures marked `docs` are also copied to docs/screens/<name>.png (the README's
 * pictures) when MFK_DOCS_SCREENS=1.
 */
export async function shot(
	page: Page,
	name: string,
	{
		fullPage = true,
		element,
		docs = false,
	}: { fullPage?: boolean; element?: Locator; docs?: boolean } = {}
): Promise< string > {
	let file: string;
	if ( element ) {
		file = path.join(
			REPO_ROOT,
			'tests',
			'artifacts',
			`screens-${ name }.png`
		);
		mkdirSync( path.dirname( file ), { recursive: true } );
		// wp-admin's fixed toolbar would be painted over elements taller than the viewport.
		await element.screenshot( {
			path: file,
			style: '#wpadminbar { position: absolute !important; }',
		} );
	} else {
		file = fullPage
			? await screenshot( page, `screens-${ name }` )
			: await viewportShot( page, `screens-${ name }` );
	}
	if ( docs && process.env.MFK_DOCS_SCREENS === '1' ) {
		mkdirSync( DOCS_SCREENS, { recursive: true } );
		copyFileSync( file, path.join( DOCS_SCREENS, `${ name }.png` ) );
	}
	return file;
}

async function viewportShot( page: Page, name: string ): Promise< string > {
	const file = path.join( REPO_ROOT, 'tests', 'artifacts', `${ name }.png` );
	mkdirSync( path.dirname( file ), { recursive: true } );
	await page.screenshot( { path: file } );
	return file;
}

/** Signs a browser context in as `user` (cookies of a real wp-login.php session). */
export async function signIn(
	context: BrowserContext,
	user: { login: string; password: string }
): Promise< Session > {
	const session = await login( user );
	await context.clearCookies();
	await context.addCookies(
		session.cookies.map( ( c ) => ( { ...c, url: harness().url } ) )
	);
	return session;
}

/**
 * Books a telemedicine appointment for the scenario's patient with its doctor, starting
 * `minutes` from now (negative: in the past), in the clinic's zone (CLINIC_ZONE, which the
 * spec sets as the site's); resolves with its id.
 */
export async function bookIn(
	sc: Scenario,
	minutes: number,
	patient: TestUser = sc.patient
): Promise< number > {
	const session = await login( patient );
	const slot = clinicSlot( minutes );
	const res = await book( session, {
		appointmentStartDate: slot.date,
		appointmentStartTime: slot.time,
		doctorId: sc.doctor.id,
		serviceId: [ sc.mappingId ],
		status: 1,
		timezone: CLINIC_ZONE,
	} );
	if ( res.status !== 201 ) {
		throw new Error(
			`Booking ${ slot.date } ${ slot.time } (${ CLINIC_ZONE }) failed: HTTP ${ res.status } ${ JSON.stringify( res.body ) }`
		);
	}
	return res.body.data.appointment_id;
}

/** Runs the queue until the appointment's meeting has its link. */
export async function untilReady(
	appointmentId: number
): Promise< MappingRow > {
	for ( let pass = 0; pass < 5; pass++ ) {
		const row = await mapping( appointmentId );
		if ( row?.state === 'ready' ) {
			return row;
		}
		await drainQueue();
	}
	const row = await mapping( appointmentId );
	expect( row?.state ).toBe( 'ready' );
	return row!;
}

/** A published page with the given content; resolves with its address. */
export function publishPage(
	title: string,
	content: string
): Promise< string > {
	return wpJson< string >(
		`$id = wp_insert_post( array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_title'   => $args['title'],
			'post_content' => $args['content'],
		) );
		if ( is_wp_error( $id ) ) { throw new RuntimeException( $id->get_error_message() ); }
		return get_permalink( $id );`,
		{ title, content }
	);
}

/** Block markup of the Meet controls block. */
export function blockMarkup(
	attributes: Record< string, unknown > = {}
): string {
	const json = Object.keys( attributes ).length
		? ` ${ JSON.stringify( attributes ) }`
		: '';
	return `<!-- wp:meet-for-kivicare/meet-controls${ json } /-->`;
}

/**
 * Presses Tab (Shift+Tab when `backwards`) until the focused element matches `selector`;
 * fails after `max` presses. Only the keyboard moves focus.
 */
export async function tabTo(
	page: Page,
	selector: string,
	{ max = 150, backwards = false }: { max?: number; backwards?: boolean } = {}
): Promise< void > {
	for ( let i = 0; i < max; i++ ) {
		if (
			await page.evaluate(
				( s ) =>
					!! document.body.ownerDocument.activeElement?.matches( s ),
				selector
			)
		) {
			return;
		}
		await page.keyboard.press( backwards ? 'Shift+Tab' : 'Tab' );
	}
	throw new Error( `Tab never reached ${ selector }` );
}

/** The focused element's accessible text (label of a field, text of a button or link). */
export function focusedName( page: Page ): Promise< string > {
	return page.evaluate( () => {
		const el = document.body.ownerDocument
			.activeElement as HTMLElement | null;
		if ( ! el ) {
			return '';
		}
		const labelled =
			( el.id &&
				document.querySelector( `label[for="${ el.id }"]` )
					?.textContent ) ||
			el.getAttribute( 'aria-label' ) ||
			el.textContent ||
			'';
		return labelled.trim();
	} );
}

/**
 * PHP problems logged since the last clearDebugLog(), except WordPress core failing to reach
 * WordPress.org for the language list of profile screens (the test machine is offline).
 */
export function ourPhpProblems(): string[] {
	return phpProblems().filter(
		( line ) => ! /PHP Warning:\s+translations_api\(\)/.test( line )
	);
}
