/**
 * What the extractors of scripts/make-pot.mjs share: the text domain, which files they read,
 * and one entry per (context, string) out of several extractors' entries (gettext-parser's
 * shape: translations[context][msgid] = { msgctxt, msgid, msgid_plural, msgstr, comments }).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export const DOMAIN = 'meet-for-kivicare';

/** Folders never scanned, wherever they are. */
export const SKIP = [ 'node_modules', 'vendor', 'build' ];

/**
 * Source files below a folder, at any depth.
 *
 * @param {string} dir   Folder.
 * @param {RegExp} match File names to keep.
 * @return {string[]} Absolute paths, sorted.
 */
export function filesBelow( dir, match ) {
	let names;
	try {
		names = readdirSync( dir, { recursive: true } );
	} catch {
		return [];
	}
	return names
		.filter(
			( name ) =>
				match.test( name ) &&
				! name
					.split( path.sep )
					.some( ( part ) => SKIP.includes( part ) )
		)
		.map( ( name ) => path.join( dir, name ) )
		.sort();
}

/**
 * One entry per (context, string): references and translator comments of every source, in
 * the order met.
 *
 * @param {Object[]} sources gettext-parser translations, one object per extractor.
 * @return {Object} Merged translations.
 */
export function merge( sources ) {
	const merged = {};
	for ( const source of sources ) {
		for ( const [ context, entries ] of Object.entries( source ) ) {
			for ( const [ msgid, entry ] of Object.entries( entries ) ) {
				if ( msgid === '' ) {
					continue; // A header.
				}
				merged[ context ] ??= {};
				const into = ( merged[ context ][ msgid ] ??= {
					...( context ? { msgctxt: context } : {} ),
					msgid,
					msgstr: [ '' ],
					comments: { reference: '', extracted: '' },
				} );
				if ( entry.msgid_plural && ! into.msgid_plural ) {
					into.msgid_plural = entry.msgid_plural;
					into.msgstr = [ '', '' ];
				}
				into.comments.reference = union(
					into.comments.reference,
					entry.comments?.reference,
					/\s+/
				);
				into.comments.extracted = union(
					into.comments.extracted,
					entry.comments?.extracted,
					/\n/
				);
			}
		}
	}
	for ( const entries of Object.values( merged ) ) {
		for ( const entry of Object.values( entries ) ) {
			entry.comments.extracted = placeholderComments( entry );
		}
	}
	return merged;
}

/**
 * Both extractors attach a `translators:` comment to calls up to two lines below it, so a
 * comment about placeholders also lands on a neighbouring string that has none: drop it
 * there.
 *
 * @param {Object} entry A merged entry.
 * @return {string} Its translator comments.
 */
function placeholderComments( entry ) {
	if ( /%/.test( entry.msgid + ( entry.msgid_plural ?? '' ) ) ) {
		return entry.comments.extracted;
	}
	return entry.comments.extracted
		.split( '\n' )
		.filter( ( line ) => ! /^translators:\s*(%|\d+:)/.test( line ) )
		.join( '\n' );
}

/**
 * Lines of `a` then those of `b` not already there.
 *
 * @param {string}           a         Lines so far.
 * @param {string|undefined} b         More, separated by `separator`.
 * @param {RegExp}           separator How `b` separates its items.
 * @return {string} Newline-separated lines.
 */
export function union( a, b, separator ) {
	const lines = a ? a.split( '\n' ) : [];
	for ( const line of ( b ?? '' ).split( separator ) ) {
		const item = line.trim();
		if ( item && ! lines.includes( item ) ) {
			lines.push( item );
		}
	}
	return lines.join( '\n' );
}
