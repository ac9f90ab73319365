/**
 * The translation template generator: gettext calls of our text domain in PHP and TypeScript,
 * with plurals, contexts, translator comments and merged references; block.json strings; other
 * domains and non-literal strings left out.
 */
import { execFileSync } from 'node:child_process';
import {
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

const SCRIPT = path.join( REPO_ROOT, 'scripts', 'make-pot.mjs' );

const FILES: Record< string, string > = {
	'plugin.php': `<?php
/**
 * Plugin Name: Probe
 * Version: 1.2.3
 */
__( 'Meet link ready', 'meet-for-kivicare' );
`,
	'php/class-probe.php': `<?php
echo esc_html__( 'It\\'s a "quoted" \\\\ text', 'meet-for-kivicare' );
/* translators: %s: doctor name. */
printf( esc_html__( 'Reconnect %s', 'meet-for-kivicare' ), $name );
_n( 'One meeting', '%d meetings', $count, 'meet-for-kivicare' );
_x( 'Start', 'verb: start a meeting', 'meet-for-kivicare' );
__( 'Other plugin', 'other-domain' );
__( $dynamic, 'meet-for-kivicare' );
__( 'Line one' . "\\n" . 'line two', 'meet-for-kivicare' );
`,
	'blocks/probe/edit.tsx': `import { __, sprintf } from '@wordpress/i18n';
export const a = __( 'Meet link ready', 'meet-for-kivicare' );
export const b = sprintf(
	/* translators: %d: appointment ID. */
	__( 'Appointment #%d', 'meet-for-kivicare' ),
	4
);
export const c = __( \`Template \${ a }\`, 'meet-for-kivicare' );
`,
	'blocks/probe/edit.test.tsx': `__( 'Only in a test', 'meet-for-kivicare' );`,
	'blocks/probe/block.json': JSON.stringify( {
		name: 'x/probe',
		title: 'Probe block',
		description: 'Shows a probe.',
		keywords: [ 'probe' ],
		textdomain: 'meet-for-kivicare',
	} ),
};

describe( 'make-pot', () => {
	let dir: string;
	let pot: string;

	beforeAll( () => {
		dir = mkdtempSync( path.join( tmpdir(), 'mfk-pot-' ) );
		for ( const [ file, content ] of Object.entries( FILES ) ) {
			mkdirSync( path.dirname( path.join( dir, file ) ), {
				recursive: true,
			} );
			writeFileSync( path.join( dir, file ), content );
		}
		const out = path.join( dir, 'out.pot' );
		execFileSync( process.execPath, [
			SCRIPT,
			'--root',
			dir,
			'--out',
			out,
		] );
		pot = readFileSync( out, 'utf8' );
	} );
	afterAll( () => rmSync( dir, { recursive: true, force: true } ) );

	it( 'writes a header with the plugin version and text domain', () => {
		expect( pot ).toContain(
			'"Project-Id-Version: Meet for KiviCare – Google Meet telemedicine 1.2.3\\n"'
		);
		expect( pot ).toContain( '"X-Domain: meet-for-kivicare\\n"' );
	} );

	it( 'merges the same string from PHP and TypeScript into one entry', () => {
		expect( pot ).toContain(
			'#: plugin.php:6 blocks/probe/edit.tsx:2\nmsgid "Meet link ready"\nmsgstr ""'
		);
	} );

	it( 'keeps escapes, plurals, contexts and translator comments', () => {
		expect( pot ).toContain( 'msgid "It\'s a \\"quoted\\" \\\\ text"' );
		expect( pot ).toContain(
			'#. translators: %s: doctor name.\n#: php/class-probe.php:4\nmsgid "Reconnect %s"'
		);
		expect( pot ).toContain(
			'msgid "One meeting"\nmsgid_plural "%d meetings"\nmsgstr[0] ""\nmsgstr[1] ""'
		);
		expect( pot ).toContain(
			'msgctxt "verb: start a meeting"\nmsgid "Start"'
		);
		expect( pot ).toContain(
			'#. translators: %d: appointment ID.\n#: blocks/probe/edit.tsx:5\nmsgid "Appointment #%d"'
		);
		expect( pot ).toContain( 'msgid ""\n"Line one\\n"\n"line two"' );
	} );

	it( 'extracts block.json strings with their contexts', () => {
		expect( pot ).toContain( 'msgctxt "block title"\nmsgid "Probe block"' );
		expect( pot ).toContain(
			'msgctxt "block description"\nmsgid "Shows a probe."'
		);
		expect( pot ).toContain( 'msgctxt "block keyword"\nmsgid "probe"' );
	} );

	it( 'leaves out other domains, non-literal strings and tests', () => {
		expect( pot ).not.toContain( 'Other plugin' );
		expect( pot ).not.toContain( 'Template' );
		expect( pot ).not.toContain( 'Only in a test' );
		expect( pot.match( /^msgid /gm ) ).toHaveLength( 1 + 10 );
	} );
} );
