/**
 * Strings of block.json files, written by hand: neither npm extractor reads block.json (WP-CLI's
 * `wp i18n make-pot` does, with the contexts used here).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DOMAIN, filesBelow } from './entries.mjs';

/**
 * Block title, description and keywords, with the contexts WordPress translates them in
 * (register_block_type_from_metadata and `wp i18n make-pot`). Written by hand: no npm
 * extractor reads block.json.
 *
 * @param {string} root Checkout to scan.
 * @return {Object} gettext-parser translations.
 */
export function blockJsonStrings( root ) {
	const translations = {};
	for ( const file of filesBelow(
		path.join( root, 'blocks' ),
		/(^|\/)block\.json$/
	) ) {
		const block = JSON.parse( readFileSync( file, 'utf8' ) );
		if ( block.textdomain !== DOMAIN ) {
			continue;
		}
		const reference = path
			.relative( root, file )
			.split( path.sep )
			.join( '/' );
		const add = ( msgid, msgctxt ) => {
			translations[ msgctxt ] ??= {};
			translations[ msgctxt ][ msgid ] = {
				msgctxt,
				msgid,
				msgstr: [ '' ],
				comments: { reference },
			};
		};
		if ( block.title ) {
			add( block.title, 'block title' );
		}
		if ( block.description ) {
			add( block.description, 'block description' );
		}
		for ( const keyword of block.keywords ?? [] ) {
			add( keyword, 'block keyword' );
		}
	}
	return translations;
}
