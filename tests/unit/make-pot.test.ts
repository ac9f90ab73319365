/**
 * The translation template (scripts/make-pot.mjs: wp-pot for PHP, WordPress's
 * babel-plugin-makepot for TypeScript, block.json by hand), read back entry by entry:
 * - on a small checkout: escapes, plurals, contexts, translator comments, references merged
 *   across PHP and TypeScript, PHP at any depth below php/ and blocks/, block.json strings;
 *   other domains, non-literal strings and tests left out;
 * - on the plugin itself: known strings of each kind of source, as the previous
 *   (hand-written) extractor gave them.
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
import { po, type PoData, type PoEntry } from 'gettext-parser';
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
	'php/meetings/queue/class-probe.php': `<?php
echo esc_html__( 'It\\'s a "quoted" \\\\ text', 'meet-for-kivicare' );
/* translators: %s: doctor name. */
printf( esc_html__( 'Reconnect %s', 'meet-for-kivicare' ), $name );
_n( 'One meeting', '%d meetings', $count, 'meet-for-kivicare' );
_x( 'Start', 'verb: start a meeting', 'meet-for-kivicare' );
__( 'Other plugin', 'other-domain' );
__( $dynamic, 'meet-for-kivicare' );
__( "Line one\\nline two", 'meet-for-kivicare' );
`,
	'blocks/probe/render.php': `<?php
esc_html_e( 'Rendered by the server', 'meet-for-kivicare' );
`,
	'blocks/probe/edit.tsx': `import { __, _n, sprintf } from '@wordpress/i18n';
export const a = __( 'Meet link ready', 'meet-for-kivicare' );
export const b = sprintf(
	/* translators: %d: appointment ID. */
	__( 'Appointment #%d', 'meet-for-kivicare' ),
	4
);
export const c = __( \`Template \${ a }\`, 'meet-for-kivicare' );
export const d = __( 'Another plugin', 'other-domain' );
export const e = ( n: number ) => <p>{ _n( 'One link', '%d links', n, 'meet-for-kivicare' ) }</p>;
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

/** Writes the template of a checkout and reads it back. */
function makePot( root: string, dir: string ): PoData {
	const out = path.join( dir, 'out.pot' );
	execFileSync( process.execPath, [ SCRIPT, '--root', root, '--out', out ] );
	return po.parse( readFileSync( out ) );
}

function entry( pot: PoData, msgid: string, context = '' ): PoEntry {
	const found = pot.translations[ context ]?.[ msgid ];
	if ( ! found ) {
		throw new Error( `No entry for ${ JSON.stringify( msgid ) }` );
	}
	return found;
}

function references( found: PoEntry ): string[] {
	return ( found.comments?.reference ?? '' ).split( /\s+/ ).filter( Boolean );
}

function msgids( pot: PoData ): string[] {
	return Object.values( pot.translations ).flatMap( ( entries ) =>
		Object.keys( entries ).filter( ( id ) => id !== '' )
	);
}

describe( 'make-pot on a small checkout', () => {
	let dir: string;
	let pot: PoData;
	let raw: string;

	beforeAll( () => {
		dir = mkdtempSync( path.join( tmpdir(), 'mfk-pot-' ) );
		const root = path.join( dir, 'checkout' );
		for ( const [ file, content ] of Object.entries( FILES ) ) {
			mkdirSync( path.dirname( path.join( root, file ) ), {
				recursive: true,
			} );
			writeFileSync( path.join( root, file ), content );
		}
		pot = makePot( root, dir );
		raw = readFileSync( path.join( dir, 'out.pot' ), 'utf8' );
	} );
	afterAll( () => rmSync( dir, { recursive: true, force: true } ) );

	it( 'writes a header with the plugin version and text domain', () => {
		expect( raw ).toContain(
			'"Project-Id-Version: Meet for KiviCare – Google Meet telemedicine 1.2.3\\n"'
		);
		expect( raw ).toContain( '"X-Domain: meet-for-kivicare\\n"' );
		expect( raw ).toContain(
			'"Content-Type: text/plain; charset=utf-8\\n"'
		);
		expect( raw ).toContain(
			'"Plural-Forms: nplurals=2; plural=(n != 1);\\n"'
		);
	} );

	it( 'merges the same string from PHP and TypeScript into one entry', () => {
		expect( references( entry( pot, 'Meet link ready' ) ) ).toEqual( [
			'plugin.php:6',
			'blocks/probe/edit.tsx:2',
		] );
	} );

	it( 'reads PHP at any depth below php/ and blocks/', () => {
		expect( references( entry( pot, 'Reconnect %s' ) ) ).toEqual( [
			'php/meetings/queue/class-probe.php:4',
		] );
		expect( references( entry( pot, 'Rendered by the server' ) ) ).toEqual(
			[ 'blocks/probe/render.php:2' ]
		);
	} );

	it( 'keeps escapes, plurals, contexts and translator comments', () => {
		expect( entry( pot, 'It\'s a "quoted" \\ text' ) ).toBeDefined();
		expect( raw ).toContain( 'msgid "It\'s a \\"quoted\\" \\\\ text"' );
		expect( entry( pot, 'Line one\nline two' ) ).toBeDefined();
		expect( entry( pot, 'Reconnect %s' ).comments?.extracted ).toBe(
			'translators: %s: doctor name.'
		);
		expect( entry( pot, 'One meeting' ) ).toMatchObject( {
			msgid_plural: '%d meetings',
			msgstr: [ '', '' ],
		} );
		expect( entry( pot, 'One link' ) ).toMatchObject( {
			msgid_plural: '%d links',
		} );
		expect( entry( pot, 'Start', 'verb: start a meeting' ).msgctxt ).toBe(
			'verb: start a meeting'
		);
		const appointment = entry( pot, 'Appointment #%d' );
		expect( appointment.comments?.extracted ).toBe(
			'translators: %d: appointment ID.'
		);
		expect( references( appointment ) ).toEqual( [
			'blocks/probe/edit.tsx:5',
		] );
	} );

	it( 'extracts block.json strings with their contexts', () => {
		expect(
			references( entry( pot, 'Probe block', 'block title' ) )
		).toEqual( [ 'blocks/probe/block.json' ] );
		expect(
			entry( pot, 'Shows a probe.', 'block description' )
		).toBeDefined();
		expect( entry( pot, 'probe', 'block keyword' ) ).toBeDefined();
	} );

	it( 'leaves out other domains, non-literal strings and tests', () => {
		expect( msgids( pot ).sort() ).toEqual(
			[
				'Appointment #%d',
				'It\'s a "quoted" \\ text',
				'Line one\nline two',
				'Meet link ready',
				'One link',
				'One meeting',
				'Probe block',
				'Reconnect %s',
				'Rendered by the server',
				'Shows a probe.',
				'Start',
				'probe',
			].sort()
		);
	} );
} );

describe( 'make-pot on the plugin', () => {
	let dir: string;
	let pot: PoData;

	beforeAll( () => {
		dir = mkdtempSync( path.join( tmpdir(), 'mfk-pot-' ) );
		pot = makePot( REPO_ROOT, dir );
	} );
	afterAll( () => rmSync( dir, { recursive: true, force: true } ) );

	it( 'has the PHP strings, with plurals and translator comments', () => {
		const reconnect = entry( pot, '%d doctor must reconnect Google' );
		expect( reconnect.msgid_plural ).toBe(
			'%d doctors must reconnect Google'
		);
		expect( references( reconnect ) ).toEqual( [
			expect.stringMatching( /^php\/.+\.php:\d+$/ ),
		] );
		expect(
			entry(
				pot,
				'Meet for KiviCare: these doctors must reconnect their Google account: %s.'
			).comments?.extracted
		).toBe( 'translators: %s: doctor names.' );
	} );

	it( 'has the TypeScript strings of the admin screens and the block', () => {
		const summary = entry(
			pot,
			'Nothing was saved: %d field needs your attention.'
		);
		expect( summary.msgid_plural ).toBe(
			'Nothing was saved: %d fields need your attention.'
		);
		expect( summary.comments?.extracted ).toBe(
			'translators: %d: number of fields with errors.'
		);
		expect( references( summary ) ).toEqual( [
			expect.stringMatching( /^blocks\/admin\/.+\.tsx:\d+$/ ),
		] );
		expect(
			references( entry( pot, 'Redirect URI' ) ).every( ( ref ) =>
				ref.startsWith( 'blocks/admin/' )
			)
		).toBe( true );
	} );

	it( 'merges a string used by PHP and TypeScript', () => {
		const shared = references( entry( pot, 'Reconnect Google' ) );
		expect( shared ).toEqual(
			expect.arrayContaining( [
				expect.stringMatching( /^php\/.+\.php:\d+$/ ),
				expect.stringMatching( /^blocks\/admin\/.+\.ts:\d+$/ ),
			] )
		);
	} );

	it( 'has the block.json strings', () => {
		expect(
			references( entry( pot, 'Meet controls', 'block title' ) )
		).toEqual( [ 'blocks/meet-controls/block.json' ] );
	} );

	it( 'keeps translator comments off strings without placeholders', () => {
		const misplaced = Object.values( pot.translations )
			.flatMap( ( entries ) => Object.values( entries ) )
			.filter(
				( found ) =>
					found.comments?.extracted &&
					! ( found.msgid + ( found.msgid_plural ?? '' ) ).includes(
						'%'
					)
			)
			.map( ( found ) => found.msgid );
		expect( misplaced ).toEqual( [] );
	} );
} );
