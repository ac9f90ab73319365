#!/usr/bin/env node
/**
 * Writes the translation template build/languages/meet-for-kivicare.pot from the plugin's
 * PHP (php/, plugin.php, blocks' render.php), TypeScript/JavaScript (blocks/) and block.json
 * files, the way `wp i18n make-pot` does (WP-CLI is not needed): gettext calls with the
 * `meet-for-kivicare` text domain, `translators:` comments, and block.json titles,
 * descriptions and keywords. The plugin zip ships it as languages/meet-for-kivicare.pot.
 *
 *   node scripts/make-pot.mjs [--root <checkout>] [--out <file.pot>]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOMAIN = 'meet-for-kivicare';

// Function name → the role of each argument, as in WP-CLI's extractor.
const FUNCTIONS = {
	__: [ 'text', 'domain' ],
	_e: [ 'text', 'domain' ],
	esc_html__: [ 'text', 'domain' ],
	esc_html_e: [ 'text', 'domain' ],
	esc_attr__: [ 'text', 'domain' ],
	esc_attr_e: [ 'text', 'domain' ],
	_x: [ 'text', 'context', 'domain' ],
	_ex: [ 'text', 'context', 'domain' ],
	esc_html_x: [ 'text', 'context', 'domain' ],
	esc_attr_x: [ 'text', 'context', 'domain' ],
	_n: [ 'single', 'plural', null, 'domain' ],
	_nx: [ 'single', 'plural', null, 'context', 'domain' ],
	_n_noop: [ 'single', 'plural', 'domain' ],
	_nx_noop: [ 'single', 'plural', 'context', 'domain' ],
};

const CALL = new RegExp(
	`(?<![\\w$>:.])(${ Object.keys( FUNCTIONS ).join( '|' ) })\\s*\\(`,
	'g'
);

/**
 * Reads a quoted string literal.
 *
 * @param {string} source Source code.
 * @param {number} i      Index of the opening quote.
 * @return {[string, number]|null} The value and the index after the literal, or null.
 */
function readString( source, i ) {
	const quote = source[ i ];
	if ( quote !== "'" && quote !== '"' && quote !== '`' ) {
		return null;
	}
	let value = '';
	for ( let j = i + 1; j < source.length; j++ ) {
		const c = source[ j ];
		if ( c === '\\' ) {
			value += unescape( quote, source[ j + 1 ] );
			j++;
			continue;
		}
		if ( c === quote ) {
			return [ value, j + 1 ];
		}
		if ( quote === '`' && c === '$' && source[ j + 1 ] === '{' ) {
			return null; // A template with substitutions is not a literal.
		}
		value += c;
	}
	return null;
}

// PHP and JavaScript escape differently; set per file by extract().
let phpMode = false;

function unescape( quote, next ) {
	if ( phpMode && quote === "'" ) {
		// In PHP single quotes only \' and \\ are escapes.
		return next === "'" || next === '\\' ? next : `\\${ next }`;
	}
	return { n: '\n', t: '\t', r: '\r' }[ next ] ?? next;
}

/**
 * Finds the end of a non-literal argument.
 *
 * @param {string} source Source code.
 * @param {number} i      Index where the expression starts.
 * @return {number} Index of the comma or closing parenthesis that ends it.
 */
function skipExpression( source, i ) {
	let depth = 0;
	for ( ; i < source.length; i++ ) {
		const c = source[ i ];
		if ( c === "'" || c === '"' || c === '`' ) {
			const literal = readString( source, i );
			if ( literal ) {
				i = literal[ 1 ] - 1;
			}
		} else if ( c === '(' || c === '[' || c === '{' ) {
			depth++;
		} else if ( c === ')' || c === ']' || c === '}' ) {
			if ( depth === 0 ) {
				return i;
			}
			depth--;
		} else if ( c === ',' && depth === 0 ) {
			return i;
		}
	}
	return i;
}

/**
 * Parses the arguments of a call; non-literal ones become null.
 *
 * @param {string} source Source code.
 * @param {number} start  Index just after the call's "(".
 * @return {Array<string|null>} The arguments.
 */
function readArguments( source, start ) {
	const args = [];
	let i = start;
	for (;;) {
		while ( /\s/.test( source[ i ] ?? '' ) ) {
			i++;
		}
		// Comments between arguments.
		if ( source.startsWith( '/*', i ) ) {
			i = source.indexOf( '*/', i ) + 2;
			continue;
		}
		const literal = readString( source, i );
		if ( ! literal ) {
			// Not a literal (a variable, a count): skip it up to the next argument.
			args.push( null );
			i = skipExpression( source, i );
			if ( source[ i ] !== ',' ) {
				return args;
			}
			i++;
			continue;
		}
		let [ value, next ] = literal;
		// Concatenated literals: 'a' . 'b' (PHP) or 'a' + 'b' (JS).
		for (;;) {
			const m = /^\s*[.+]\s*/.exec( source.slice( next ) );
			const more = m && readString( source, next + m[ 0 ].length );
			if ( ! more ) {
				break;
			}
			value += more[ 0 ];
			next = more[ 1 ];
		}
		args.push( value );
		i = next;
		while ( /\s/.test( source[ i ] ?? '' ) ) {
			i++;
		}
		if ( source[ i ] === ',' ) {
			i++;
			continue;
		}
		return args;
	}
}

/**
 * The `translators:` comment just before a call (nothing but code of the same statement, such
 * as `sprintf(`, may stand between them).
 *
 * @param {string} source Source code.
 * @param {number} index  Index of the call.
 * @return {string} The comment's text, or ''.
 */
function translatorsComment( source, index ) {
	const before = source.slice( Math.max( 0, index - 1000 ), index );
	const at = before.toLowerCase().lastIndexOf( 'translators:' );
	if ( at < 0 ) {
		return '';
	}
	const block = before.lastIndexOf( '/*', at );
	const line = before.lastIndexOf( '//', at );
	const isBlock = block > line;
	const end = isBlock
		? before.indexOf( '*/', at )
		: before.indexOf( '\n', at );
	if ( end < 0 || /[;{}]|\/\*|\/\//.test( before.slice( end + 2 ) ) ) {
		return '';
	}
	return before
		.slice( at + 'translators:'.length, end )
		.replace( /\n\s*\*?/g, ' ' )
		.replace( /\s+/g, ' ' )
		.trim();
}

/**
 * Extracts the translatable strings of one source file.
 *
 * @param {string}  source Source code.
 * @param {string}  file   Path shown in references.
 * @param {boolean} isPhp  PHP (else JavaScript/TypeScript) escaping rules.
 * @return {Array<Object>} Entries.
 */
export function extract( source, file, isPhp ) {
	phpMode = isPhp;
	const entries = [];
	for ( const match of source.matchAll( CALL ) ) {
		const roles = FUNCTIONS[ match[ 1 ] ];
		const args = readArguments( source, match.index + match[ 0 ].length );
		const entry = {};
		roles.forEach( ( role, k ) => {
			if ( role ) {
				entry[ role ] = args[ k ];
			}
		} );
		const text = entry.text ?? entry.single;
		if (
			entry.domain !== DOMAIN ||
			typeof text !== 'string' ||
			text === ''
		) {
			continue;
		}
		if ( entry.single !== undefined && typeof entry.plural !== 'string' ) {
			continue;
		}
		const line = source.slice( 0, match.index ).split( '\n' ).length;
		entries.push( {
			msgid: text,
			plural: entry.plural ?? null,
			context: entry.context ?? null,
			comment: translatorsComment( source, match.index ),
			reference: `${ file }:${ line }`,
		} );
	}
	return entries;
}

/**
 * Block title, description and keywords, with WordPress's contexts.
 *
 * @param {string} json block.json content.
 * @param {string} file Path shown in references.
 * @return {Array<Object>} Entries.
 */
export function extractBlockJson( json, file ) {
	const block = JSON.parse( json );
	if ( block.textdomain !== DOMAIN ) {
		return [];
	}
	const entry = ( msgid, context ) => ( {
		msgid,
		plural: null,
		context,
		comment: '',
		reference: file,
	} );
	return [
		...( block.title ? [ entry( block.title, 'block title' ) ] : [] ),
		...( block.description
			? [ entry( block.description, 'block description' ) ]
			: [] ),
		...( block.keywords ?? [] ).map( ( k ) => entry( k, 'block keyword' ) ),
	];
}

function poString( text ) {
	const escaped = text
		.replace( /\\/g, '\\\\' )
		.replace( /"/g, '\\"' )
		.replace( /\t/g, '\\t' );
	if ( ! escaped.includes( '\n' ) ) {
		return `"${ escaped }"`;
	}
	const lines = escaped.split( '\n' );
	return (
		'""\n' +
		lines
			.map( ( l, k ) => `"${ l }${ k < lines.length - 1 ? '\\n' : '' }"` )
			.filter( ( l ) => l !== '""' )
			.join( '\n' )
	);
}

/**
 * Merges entries with the same (context, msgid) and renders the POT file.
 *
 * @param {Array<Object>} entries         Extracted entries.
 * @param {Object}        options         Options.
 * @param {string}        options.version Plugin version for the header.
 * @return {string} The POT file.
 */
export function renderPot( entries, { version = '0.0.0' } = {} ) {
	const merged = new Map();
	for ( const e of entries ) {
		const key = `${ e.context ?? '' }\u0004${ e.msgid }`;
		const existing = merged.get( key );
		if ( existing ) {
			existing.references.push( e.reference );
			if ( e.comment && ! existing.comments.includes( e.comment ) ) {
				existing.comments.push( e.comment );
			}
			existing.plural ??= e.plural;
		} else {
			merged.set( key, {
				...e,
				references: [ e.reference ],
				comments: e.comment ? [ e.comment ] : [],
			} );
		}
	}
	const header = [
		'# Copyright (C) Meet for KiviCare',
		'# This file is distributed under the GPL-2.0-or-later.',
		'msgid ""',
		'msgstr ""',
		`"Project-Id-Version: Meet for KiviCare – Google Meet telemedicine ${ version }\\n"`,
		'"MIME-Version: 1.0\\n"',
		'"Content-Type: text/plain; charset=UTF-8\\n"',
		'"Content-Transfer-Encoding: 8bit\\n"',
		'"Language-Team: LANGUAGE <LL@li.org>\\n"',
		`"X-Domain: ${ DOMAIN }\\n"`,
		'',
	].join( '\n' );
	const body = [ ...merged.values() ].map( ( e ) =>
		[
			...e.comments.map( ( c ) => `#. translators: ${ c }` ),
			`#: ${ e.references.join( ' ' ) }`,
			...( e.context ? [ `msgctxt ${ poString( e.context ) }` ] : [] ),
			`msgid ${ poString( e.msgid ) }`,
			...( e.plural
				? [
						`msgid_plural ${ poString( e.plural ) }`,
						'msgstr[0] ""',
						'msgstr[1] ""',
					]
				: [ 'msgstr ""' ] ),
		].join( '\n' )
	);
	return header + '\n' + body.join( '\n\n' ) + '\n';
}

const SKIP = new Set( [ 'node_modules', 'build', 'vendor', 'types' ] );

function sourceFiles( dir ) {
	let files = [];
	let entries;
	try {
		entries = readdirSync( dir, { withFileTypes: true } );
	} catch {
		return files;
	}
	for ( const entry of entries ) {
		const full = path.join( dir, entry.name );
		if ( entry.isDirectory() ) {
			if ( ! SKIP.has( entry.name ) ) {
				files = files.concat( sourceFiles( full ) );
			}
		} else if (
			/\.(php|[jt]sx?)$/.test( entry.name ) &&
			! /\.(test|spec)\.[jt]sx?$/.test( entry.name ) &&
			! entry.name.endsWith( '.d.ts' )
		) {
			files.push( full );
		} else if ( entry.name === 'block.json' ) {
			files.push( full );
		}
	}
	return files;
}

/**
 * Every entry of the plugin.
 *
 * @param {string} root Checkout to scan.
 * @return {Array<Object>} Entries.
 */
export function collect( root ) {
	const files = [
		path.join( root, 'plugin.php' ),
		path.join( root, 'uninstall.php' ),
		...sourceFiles( path.join( root, 'php' ) ),
		...sourceFiles( path.join( root, 'blocks' ) ),
	];
	const entries = [];
	for ( const file of files ) {
		let source;
		try {
			source = readFileSync( file, 'utf8' );
		} catch {
			continue;
		}
		const relative = path
			.relative( root, file )
			.split( path.sep )
			.join( '/' );
		entries.push(
			...( file.endsWith( 'block.json' )
				? extractBlockJson( source, relative )
				: extract( source, relative, file.endsWith( '.php' ) ) )
		);
	}
	return entries;
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
	const entries = collect( root );
	mkdirSync( path.dirname( out ), { recursive: true } );
	writeFileSync( out, renderPot( entries, { version } ) );
	console.log(
		`${ path.relative( process.cwd(), out ) }: ${ new Set( entries.map( ( e ) => `${ e.context }\u0004${ e.msgid }` ) ).size } strings`
	);
}
