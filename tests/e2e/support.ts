/**
 * Helpers for browser tests.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { REPO_ROOT } from '../harness/paths';

export const ARTIFACTS = path.join( REPO_ROOT, 'tests', 'artifacts' );

/** Saves a full-page screenshot as tests/artifacts/<name>.png and returns its path. */
export async function screenshot(
	page: Page,
	name: string
): Promise< string > {
	mkdirSync( ARTIFACTS, { recursive: true } );
	const file = path.join( ARTIFACTS, `${ name }.png` );
	await page.screenshot( { path: file, fullPage: true } );
	return file;
}

/** Logs in through the wp-login.php form of the site at `baseUrl` (default: the test site). */
export async function logIn(
	page: Page,
	user: { login: string; password: string },
	baseUrl = ''
): Promise< void > {
	await page.goto( `${ baseUrl }/wp-login.php` );
	await page.locator( '#user_login' ).fill( user.login );
	await page.locator( '#user_pass' ).fill( user.password );
	await page.locator( '#wp-submit' ).click();
	await page.waitForURL( /\/wp-admin\/?/ );
}
