/**
 * Browser tests: Playwright driving Debian's Chromium (Playwright's own browser downloads are
 * not used) against the `test` harness instance, which the global setup starts or reuses.
 * Screenshots, traces and the report go to tests/artifacts/ (ignored by git).
 */
import { defineConfig } from '@playwright/test';
import { getInstance } from './tests/harness/instances';

const instance = getInstance( process.env.MFK_TEST_INSTANCE || 'test' );

export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-quic',
	'--no-first-run',
];

export default defineConfig( {
	testDir: 'tests/e2e',
	outputDir: 'tests/artifacts/playwright',
	globalSetup: './tests/e2e/global-setup.ts',
	// One WordPress for all tests: run them one at a time, in file order.
	fullyParallel: false,
	workers: 1,
	timeout: 90_000,
	expect: { timeout: 15_000 },
	forbidOnly: !! process.env.CI,
	reporter: [
		[ 'list' ],
		[
			'html',
			{
				open: 'never',
				outputFolder: 'tests/artifacts/playwright-report',
			},
		],
	],
	use: {
		baseURL: instance.urls.wordpress,
		browserName: 'chromium',
		launchOptions: {
			executablePath:
				process.env.MFK_CHROMIUM_PATH || '/usr/lib/chromium/chromium',
			args: CHROMIUM_ARGS,
		},
		screenshot: 'only-on-failure',
		trace: 'retain-on-failure',
		viewport: { width: 1280, height: 900 },
	},
} );
