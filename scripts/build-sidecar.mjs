/**
 * Generates the sidecar's request validators (src/sidecar/generated/validators.js, ajv standalone
 * code compiled from the route schemas) and its table of time zone names
 * (src/sidecar/generated/time-zones.ts, checked against this Node's ICU), then bundles the sidecar into one self-contained file
 * (build/sidecar/sidecar.js: every npm dependency inside, no node_modules needed next to it) and
 * the Google emulator into build/emulator/emulator.js (development and tests only; not shipped).
 *
 *   node scripts/build-sidecar.mjs [--out <dir>]    (default: build → build/sidecar, build/emulator)
 */
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve( dirname( fileURLToPath( import.meta.url ) ), '..' );
const outAt = process.argv.indexOf( '--out' );
const out =
	outAt > 0 ? resolve( process.argv[ outAt + 1 ] ) : resolve( root, 'build' );

const common = {
	absWorkingDir: root,
	bundle: true,
	platform: 'node',
	target: 'node22',
	format: 'cjs',
	// Whitespace and syntax only: stack traces keep readable names.
	minifyWhitespace: true,
	minifySyntax: true,
	// Licence notices of the bundled packages stay in the file.
	legalComments: 'eof',
	logLevel: 'warning',
	metafile: true,
};

/**
 * Runs a generator module of the sidecar's sources (bundled on the fly, packages from
 * node_modules) and writes the module it generates when that changed. The validators a generator
 * replaces are not loaded: the app generate-validators.ts builds compiles every schema itself.
 *
 * @param {string} entry    The generator, e.g. src/sidecar/schemas/generate-validators.ts.
 * @param {string} generate Its function that returns the module's source (given the present one).
 * @param {string} fileName Its export naming the file written.
 */
async function writeGenerated( entry, generate, fileName ) {
	const generator = await build( {
		absWorkingDir: root,
		entryPoints: [ resolve( root, entry ) ],
		bundle: true,
		platform: 'node',
		target: 'node22',
		format: 'cjs',
		packages: 'external',
		write: false,
		logLevel: 'warning',
		plugins: [
			{
				name: 'validators-not-needed',
				setup( pluginBuild ) {
					pluginBuild.onResolve(
						{ filter: /\/generated\/validators$/ },
						() => ( { path: 'validators', namespace: 'stub' } )
					);
					pluginBuild.onLoad(
						{ filter: /.*/, namespace: 'stub' },
						() => ( {
							contents: 'module.exports = {};',
							loader: 'js',
						} )
					);
				},
			},
		],
	} );
	const module = { exports: {} };
	new Function(
		'module',
		'exports',
		'require',
		'__filename',
		'__dirname',
		generator.outputFiles[ 0 ].text
	)(
		module,
		module.exports,
		createRequire( resolve( root, entry ) ),
		resolve( root, entry ),
		dirname( resolve( root, entry ) )
	);
	const file = resolve( root, module.exports[ fileName ] );
	const current = existsSync( file ) ? readFileSync( file, 'utf8' ) : '';
	const source = await module.exports[ generate ]( current );
	const changed = current !== source;
	if ( changed ) {
		writeFileSync( file, source );
	}
	console.log( `${ file }: ${ changed ? 'written' : 'up to date' }` );
}

// Time zones first: the app that generate-validators.ts builds imports them.
await writeGenerated(
	'src/sidecar/meetings/generate-time-zones.ts',
	'generateTimeZones',
	'GENERATED_TIME_ZONES'
);
await writeGenerated(
	'src/sidecar/schemas/generate-validators.ts',
	'generateValidators',
	'GENERATED_VALIDATORS'
);

// Stand-ins for code the sidecar never runs (see the files for why).
const sidecarAlias = {
	'node-fetch': './src/sidecar/bundle-shims/node-fetch.ts',
	'@fastify/ajv-compiler': './src/sidecar/bundle-shims/unused-compiler.cjs',
	'@fastify/fast-json-stringify-compiler':
		'./src/sidecar/bundle-shims/unused-compiler.cjs',
};

/**
 * The Google client libraries are loaded after the server listens (src/sidecar/context.ts), the
 * Redis client only when MFK_REDIS_URL is set (src/sidecar/shared-state/index.ts). To keep them
 * out of the parse at start-up as well, they are bundled separately and embedded as strings,
 * compiled on first use. The file stays self-contained.
 */
const DEFERRED = {
	'./google/api': 'src/sidecar/google/api.ts',
	'./redis': 'src/sidecar/shared-state/redis.ts',
};
const deferGoogleClient = {
	name: 'defer-google-client',
	setup( pluginBuild ) {
		pluginBuild.onResolve(
			{ filter: /^\.\/(google\/api|redis)$/ },
			( args ) => ( {
				path: DEFERRED[ args.path ],
				namespace: 'deferred',
			} )
		);
		pluginBuild.onLoad(
			{ filter: /.*/, namespace: 'deferred' },
			async ( args ) => {
				const inner = await build( {
					...common,
					entryPoints: [ args.path ],
					alias: sidecarAlias,
					legalComments: 'external',
					metafile: false,
					write: false,
					outdir: 'build/sidecar',
				} );
				const code = inner.outputFiles.find( ( f ) =>
					f.path.endsWith( '.js' )
				).text;
				const notices = inner.outputFiles.find( ( f ) =>
					f.path.endsWith( '.LEGAL.txt' )
				)?.text;
				// Kept as a legal comment of the outer bundle (moved to its end like the others).
				const legal = notices
					? `/*!\n${ notices.replace( /\*\//g, '* /' ) }\n*/`
					: '';
				// The literal is the script's whole source, so the compiled script keeps that one
				// string instead of a second copy made by wrapping it at run time.
				const script = `(function (exports, require, module, __filename, __dirname) {${ code }\n})`;
				return {
					loader: 'js',
					resolveDir: root,
					contents: `${ legal }
const wrapper = require( 'node:vm' ).runInThisContext(
	${ JSON.stringify( script ) },
	{ filename: __filename + '#' + ${ JSON.stringify( args.path ) } }
);
wrapper( module.exports, require, module, __filename, __dirname );
`,
				};
			}
		);
	},
};

const targets = [
	{
		entryPoints: [ 'src/sidecar/main.ts' ],
		outfile: `${ out }/sidecar/sidecar.js`,
		alias: sidecarAlias,
		plugins: [ deferGoogleClient ],
	},
	{
		entryPoints: [ 'src/emulator/main.ts' ],
		outfile: `${ out }/emulator/emulator.js`,
	},
];

/**
 * Only ajv's small runtime helpers belong in the sidecar: its compiler is what start-up avoids.
 *
 * @param {import('esbuild').Metafile} metafile What esbuild bundled.
 */
function refuseSchemaCompilers( metafile ) {
	const compilers = Object.keys( metafile.inputs ).filter( ( input ) =>
		/node_modules\/(ajv\/(?!dist\/runtime\/)|fast-json-stringify\/index\.js|ajv-formats\/)/.test(
			input
		)
	);
	if ( compilers.length > 0 ) {
		throw new Error(
			`The sidecar bundle must not contain a schema compiler: ${ compilers.join( ', ' ) }`
		);
	}
}

for ( const target of targets ) {
	const started = Date.now();
	const result = await build( { ...common, ...target } );
	if ( target.alias === sidecarAlias ) {
		refuseSchemaCompilers( result.metafile );
	}
	const bytes = Object.values( result.metafile.outputs ).reduce(
		( sum, o ) => sum + o.bytes,
		0
	);
	console.log(
		`${ target.outfile }: ${ ( bytes / 1024 ).toFixed( 0 ) } KiB in ${ Date.now() - started } ms`
	);
}
