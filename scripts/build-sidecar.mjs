/**
 * Bundles the sidecar into one self-contained file (build/sidecar/sidecar.js: every npm
 * dependency inside, no node_modules needed next to it) and the Google emulator into
 * build/emulator/emulator.js (development and tests only; not shipped).
 *
 *   node scripts/build-sidecar.mjs
 */
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve( dirname( fileURLToPath( import.meta.url ) ), '..' );

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

const targets = [
	{
		entryPoints: [ 'src/sidecar/main.ts' ],
		outfile: 'build/sidecar/sidecar.js',
		// Stand-ins for code the sidecar never runs (see the files for why).
		alias: {
			'node-fetch': './src/sidecar/bundle-shims/node-fetch.ts',
			'@fastify/ajv-compiler':
				'./src/sidecar/bundle-shims/unused-compiler.cjs',
			'@fastify/fast-json-stringify-compiler':
				'./src/sidecar/bundle-shims/unused-compiler.cjs',
		},
	},
	{
		entryPoints: [ 'src/emulator/main.ts' ],
		outfile: 'build/emulator/emulator.js',
	},
];

for ( const target of targets ) {
	const started = Date.now();
	const result = await build( { ...common, ...target } );
	const bytes = Object.values( result.metafile.outputs ).reduce(
		( sum, o ) => sum + o.bytes,
		0
	);
	console.log(
		`${ target.outfile }: ${ ( bytes / 1024 ).toFixed( 0 ) } KiB in ${ Date.now() - started } ms`
	);
}
