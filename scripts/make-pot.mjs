#!/usr/bin/env node
/**
 * Writes the translation template build/languages/meet-for-kivicare.pot (the plugin zip ships
 * it as languages/meet-for-kivicare.pot) with WordPress's maintained extractors, one module
 * each in scripts/pot/:
 *
 * - PHP (php.mjs): wp-pot, over plugin.php, uninstall.php, php/ and blocks/ at any depth.
 * - TypeScript/JavaScript of blocks/ (scripts.mjs): @wordpress/babel-plugin-makepot.
 * - block.json (block-json.mjs): read by hand, because no npm extractor reads block.json.
 *
 * gettext-parser merges them into one entry per (context, string) and writes the file. Two
 * small fixes on what the extractors give: script comments get back their `translators:`
 * prefix, and a comment about placeholders is dropped from a string that has none (both
 * extractors also attach a comment to the calls on the next two lines).
 *
 *   node scripts/make-pot.mjs [--root <checkout>] [--out <file.pot>]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockJsonStrings } from './pot/block-json.mjs';
import { DOMAIN, merge } from './pot/entries.mjs';
import { phpStrings } from './pot/php.mjs';
import { scriptStrings } from './pot/scripts.mjs';

const require = createRequire( import.meta.url );
const { po } = require( 'gettext-parser' );

export { DOMAIN };

/**
 * The translation template of a checkout.
 *
 * @param {string} root    Checkout to scan.
 * @param {string} version Plugin version for the header.
 * @return {{pot: string, count: number}} The file and its number of strings.
 */
export function makePot( root, version ) {
	const translations = merge( [
		phpStrings( root ),
		scriptStrings( root ),
		blockJsonStrings( root ),
	] );
	const count = Object.values( translations ).reduce(
		( sum, entries ) => sum + Object.keys( entries ).length,
		0
	);
	translations[ '' ] ??= {};
	translations[ '' ][ '' ] = {
		msgid: '',
		msgstr: [ '' ],
		comments: {
			translator: `Copyright (C) Meet for KiviCare\nThis file is distributed under the GPL-2.0-or-later.`,
		},
	};
	const pot = po.compile(
		{
			charset: 'utf-8',
			headers: {
				'Project-Id-Version': `Meet for KiviCare – Google Meet telemedicine ${ version }`,
				'MIME-Version': '1.0',
				'content-type': 'text/plain; charset=UTF-8',
				'Content-Transfer-Encoding': '8bit',
				'Language-Team': 'LANGUAGE <LL@li.org>',
				'Plural-Forms': 'nplurals=2; plural=(n != 1);',
				'X-Domain': DOMAIN,
			},
			translations,
		},
		// Long strings stay on one line, as WP-CLI writes them.
		{ foldLength: 1e6 }
	);
	return { pot: pot.toString( 'utf8' ) + '\n', count };
}

function option( name, fallback ) {
	const index = process.argv.indexOf( `--${ name }` );
	return index >= 0 ? path.resolve( process.argv[ index + 1 ] ) : fallback;
}

if ( process.argv[ 1 ] === fileURLToPath( import.meta.url ) ) {
	const root = option(
		'root',
		path.resolve( path.dirname( fileURLToPath( import.meta.url ) ), '..' )
	);
	const out = option(
		'out',
		path.join( root, 'build', 'languages', `${ DOMAIN }.pot` )
	);
	const version =
		/Version:\s*(\S+)/.exec(
			readFileSync( path.join( root, 'plugin.php' ), 'utf8' )
		)?.[ 1 ] ?? '0.0.0';
	const { pot, count } = makePot( root, version );
	mkdirSync( path.dirname( out ), { recursive: true } );
	writeFileSync( out, pot );
	console.log(
		`${ path.relative( process.cwd(), out ) }: ${ count } strings`
	);
}
