/**
 * Helpers for the clinic journey: wall-clock times in a time zone and its daylight-saving
 * changes (computed with the browser engine's own zone data, independently of PHP's), the
 * Google emulator's stored events, browser contexts signed in through the login form, mail in
 * the SMTP sink, and the walkthrough's pictures.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
	expect,
	type Browser,
	type BrowserContext,
	type Locator,
	type Page,
} from '@playwright/test';
import { REPO_ROOT } from '../../harness/paths';
import {
	harness,
	readMail,
	type StoredMail,
	type TestUser,
} from '../../harness/testkit';
import {
	calendarEvents,
	type GoogleEvent,
} from '../../integration/support/meet';
import { ARTIFACTS, logIn } from '../support';

// ---------------------------------------------------------------------------------------------
// Time zones

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Offset of `zone` from UTC at `instant` (ms), in minutes (east positive). */
export function zoneOffsetMinutes( zone: string, instant: number ): number {
	const parts = new Intl.DateTimeFormat( 'en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	} ).formatToParts( new Date( instant ) );
	const get = ( type: string ) =>
		Number( parts.find( ( p ) => p.type === type )?.value );
	const wall = Date.UTC(
		get( 'year' ),
		get( 'month' ) - 1,
		get( 'day' ),
		get( 'hour' ),
		get( 'minute' ),
		get( 'second' )
	);
	return Math.round( ( wall - instant ) / MINUTE_MS );
}

/** The instant (ms) of the wall-clock time `date` `time` (`YYYY-MM-DD`, `HH:MM`) in `zone`. */
export function zonedInstant(
	date: string,
	time: string,
	zone: string
): number {
	const naive = Date.parse( `${ date }T${ time }:00Z` );
	const guess = naive - zoneOffsetMinutes( zone, naive ) * MINUTE_MS;
	return naive - zoneOffsetMinutes( zone, guess ) * MINUTE_MS;
}

/** `YYYY-MM-DD` of `instant` as a calendar date in `zone`. */
export function localDate( instant: number, zone: string ): string {
	return new Intl.DateTimeFormat( 'en-CA', {
		timeZone: zone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
	} ).format( new Date( instant ) );
}

function addDays( date: string, days: number ): string {
	return new Date( Date.parse( `${ date }T12:00:00Z` ) + days * DAY_MS )
		.toISOString()
		.slice( 0, 10 );
}

/**
 * The next daylight-saving change of `zone` at least `minDays` from now: the local day it
 * happens on, and the days just before and after it (both free of the change itself).
 */
export function nextDstChange(
	zone: string,
	minDays = 3
): { day: string; before: string; after: string } {
	let day = localDate( Date.now() + minDays * DAY_MS, zone );
	for ( let i = 0; i < 400; i++ ) {
		const next = addDays( day, 1 );
		if (
			zoneOffsetMinutes( zone, zonedInstant( day, '12:00', zone ) ) !==
			zoneOffsetMinutes( zone, zonedInstant( next, '12:00', zone ) )
		) {
			// The change happens in the night before `next` (local noon to local noon).
			return { day: next, before: day, after: addDays( next, 1 ) };
		}
		day = next;
	}
	throw new Error( `${ zone } has no daylight-saving change within a year` );
}

// ---------------------------------------------------------------------------------------------
// Google emulator

/** POST to the emulator's control API (what an administrator does in Google Cloud). */
export async function emulatorControl< T = unknown >(
	route: string,
	body: unknown
): Promise< T > {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/${ route }`,
		{
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify( body ),
		}
	);
	const text = await res.text();
	if ( res.status >= 300 ) {
		throw new Error(
			`emulator ${ route }: HTTP ${ res.status } ${ text }`
		);
	}
	return JSON.parse( text ) as T;
}

/** The events of `appointmentId` on a calendar, as Google stores them (cancelled ones too). */
export async function eventsOf(
	calendarId: string,
	appointmentId: number
): Promise< GoogleEvent[] > {
	return ( await calendarEvents( calendarId ) ).filter(
		( e ) =>
			e.extendedProperties?.private?.mfkAppointmentId ===
			String( appointmentId )
	);
}

/** The Meet link of an event (its video entry point). */
export function meetLinkOf( event: GoogleEvent ): string {
	return (
		event.conferenceData?.entryPoints?.find(
			( p ) => p.entryPointType === 'video'
		)?.uri ?? ''
	);
}

// ---------------------------------------------------------------------------------------------
// People in browsers

/** A fresh browser context signed in as `user` through wp-login.php, and its first page. */
export async function browserAs(
	browser: Browser,
	user: { login: string; password: string }
): Promise< { context: BrowserContext; page: Page } > {
	const context = await browser.newContext( {
		baseURL: harness().url,
		viewport: { width: 1280, height: 900 },
	} );
	const page = await context.newPage();
	await logIn( page, user );
	return { context, page };
}

// ---------------------------------------------------------------------------------------------
// Mail

/** Waits until the SMTP sink holds a message to `to` that satisfies `test`; resolves with it. */
export async function mailTo(
	to: string,
	test: ( mail: StoredMail ) => boolean = () => true
): Promise< StoredMail > {
	let found: StoredMail | undefined;
	await expect
		.poll(
			() => {
				found = readMail().find(
					( m ) => JSON.stringify( m.to ).includes( to ) && test( m )
				);
				return !! found;
			},
			{ message: `a message to ${ to }`, timeout: 15_000 }
		)
		.toBe( true );
	return found!;
}

/** The text of a message (the plain part, else the HTML). */
export function mailText( mail: StoredMail ): string {
	return `${ mail.text ?? '' }\n${ typeof mail.html === 'string' ? mail.html : '' }`;
}

// ---------------------------------------------------------------------------------------------
// Pictures for docs/walkthrough.md

export const WALKTHROUGH = path.join( REPO_ROOT, 'docs', 'walkthrough' );

/**
 * Saves a picture of `target` (a page's viewport or one element) as
 * tests/artifacts/journey-<name>.png, and as docs/walkthrough/<name>.png when
 * MFK_DOCS_SCREENS=1.
 */
export async function walkthroughShot(
	target: Page | Locator,
	name: string
): Promise< void > {
	const file = path.join( ARTIFACTS, `journey-${ name }.png` );
	mkdirSync( ARTIFACTS, { recursive: true } );
	if ( 'goto' in target ) {
		await target.screenshot( { path: file } );
	} else {
		// wp-admin's fixed toolbar and the screen tabs would be painted over the element.
		await target.screenshot( {
			path: file,
			style: '#wpadminbar, #screen-meta-links { display: none !important; }',
		} );
	}
	if ( process.env.MFK_DOCS_SCREENS === '1' ) {
		mkdirSync( WALKTHROUGH, { recursive: true } );
		copyFileSync( file, path.join( WALKTHROUGH, `${ name }.png` ) );
	}
}

export type { TestUser };
