/**
 * Strings of the plugin's PHP: wp-pot (a PHP parser, WordPress's gettext functions,
 * `translators:` comments), over plugin.php, uninstall.php and every .php file below php/ and
 * blocks/, at any depth. It reads plain string literals only: write a translatable string as
 * one literal, not 'a' . 'b' (WordPress's coding standards ask for that too).
 */
import { createRequire } from 'node:module';
import { DOMAIN, SKIP, union } from './entries.mjs';

const require = createRequire( import.meta.url );
const { WP_Pot: WpPot } = require( 'wp-pot' );

/**
 * Strings of the PHP files. wp-pot's parser gives them with their context, plural, comments
 * and place; its own POT writer is not used, because it does not escape backslashes.
 *
 * @param {string} root Checkout to scan.
 * @return {Object} gettext-parser translations.
 */
export function phpStrings( root ) {
	const parsed = new WpPot( {
		php: { textdomain: DOMAIN },
		pathsRelativeTo: root,
		globOpts: {
			cwd: root,
			absolute: true,
			ignore: SKIP.map( ( folder ) => `**/${ folder }/**` ),
		},
	} ).parse( [
		'plugin.php',
		'uninstall.php',
		'php/**/*.php',
		'blocks/**/*.php',
	] );
	if ( ! Array.isArray( parsed.translations ) ) {
		throw new Error( 'wp-pot no longer exposes what its parser found' );
	}
	const translations = {};
	for ( const found of parsed.translations ) {
		const context = found.context ?? '';
		translations[ context ] ??= {};
		const entry = ( translations[ context ][ found.msgid ] ??= {
			...( context ? { msgctxt: context } : {} ),
			msgid: found.msgid,
			msgstr: [ '' ],
			comments: { reference: '', extracted: '' },
		} );
		if ( found.plural ) {
			entry.msgid_plural ??= found.plural;
		}
		entry.comments.reference = union(
			entry.comments.reference,
			`${ found.filename }:${ found.line }`,
			/\n/
		);
		entry.comments.extracted = union(
			entry.comments.extracted,
			( found.comments ?? [] ).join( '\n' ),
			/\n/
		);
	}
	return translations;
}
