/**
 * Strings of the TypeScript and JavaScript of blocks/: @wordpress/babel-plugin-makepot, the
 * extractor WordPress uses for its own packages, run through Babel's parser. It reads every
 * gettext call whatever its text domain, so calls to another domain are hidden from it first.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOMAIN, filesBelow } from './entries.mjs';

const require = createRequire( import.meta.url );
const { transformFileSync } = require( '@babel/core' );
const makepot = require( '@wordpress/babel-plugin-makepot' );
const { po } = require( 'gettext-parser' );

/** The text domain argument of each @wordpress/i18n function. */
const DOMAIN_ARGUMENT = { __: 1, _x: 2, _n: 3, _nx: 4 };

/**
 * A Babel plugin that hides gettext calls of other text domains from the extractor, which
 * reads every call (replacing the call is harmless: no code is written).
 *
 * @param {Object} babel       Babel.
 * @param {Object} babel.types Node builders.
 * @return {Object} The plugin.
 */
function otherDomainsOut( { types } ) {
	return {
		visitor: {
			CallExpression( call ) {
				const { callee } = call.node;
				const name =
					callee.type === 'MemberExpression'
						? callee.property.name
						: callee.name;
				if ( ! Object.hasOwn( DOMAIN_ARGUMENT, name ) ) {
					return;
				}
				const domain = call.node.arguments[ DOMAIN_ARGUMENT[ name ] ];
				if (
					domain?.type !== 'StringLiteral' ||
					domain.value !== DOMAIN
				) {
					call.replaceWith( types.nullLiteral() );
				}
			},
		},
	};
}

/**
 * Strings of the TypeScript and JavaScript files of blocks/ (tests and type declarations
 * aside).
 *
 * @param {string} root Checkout to scan.
 * @return {Object} gettext-parser translations.
 */
export function scriptStrings( root ) {
	const files = filesBelow(
		path.join( root, 'blocks' ),
		/\.[cm]?[jt]sx?$/
	).filter( ( file ) => ! /\.(test|spec)\.[jt]sx?$|\.d\.ts$/.test( file ) );
	const work = mkdtempSync( path.join( tmpdir(), 'mfk-makepot-' ) );
	const output = path.join( work, 'scripts.pot' );
	let translations = {};
	try {
		extract( root, files, output );
		if ( existsSync( output ) ) {
			translations = po.parse( readFileSync( output ) ).translations;
		}
	} finally {
		rmSync( work, { recursive: true, force: true } );
	}
	// The extractor keeps only the text after `translators:`; WP-CLI and wp-pot keep the
	// whole comment, as translators see it.
	for ( const entries of Object.values( translations ) ) {
		for ( const entry of Object.values( entries ) ) {
			if ( entry.comments?.extracted ) {
				entry.comments.extracted = `translators: ${ entry.comments.extracted }`;
			}
		}
	}
	return translations;
}

/**
 * Runs the extractor over the files; it writes what it found to `output`.
 *
 * @param {string}   root   Checkout (references are relative to it).
 * @param {string[]} files  Absolute paths.
 * @param {string}   output The POT file the extractor writes.
 */
function extract( root, files, output ) {
	// One extractor for every file: it gathers them all and rewrites `output` after each.
	const extractor = makepot();
	const cwd = process.cwd();
	// The extractor writes references relative to the working directory.
	process.chdir( root );
	try {
		for ( const file of files ) {
			const typescript = /\.[cm]?tsx?$/.test( file );
			const jsx = ! /\.[cm]?ts$/.test( file );
			transformFileSync( file, {
				configFile: false,
				babelrc: false,
				code: false,
				parserOpts: {
					plugins: [
						...( typescript ? [ 'typescript' ] : [] ),
						...( jsx ? [ 'jsx' ] : [] ),
					],
				},
				plugins: [ otherDomainsOut, [ extractor, { output } ] ],
			} );
		}
	} finally {
		process.chdir( cwd );
	}
}
