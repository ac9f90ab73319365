/**
 * ESLint (flat config) for the whole repository: WordPress's recommended rules (with prettier
 * formatting and TypeScript support) everywhere, plus Node globals for the code that runs in
 * Node (sidecar, emulator, harness, scripts, tests, configuration files).
 */
const wpPlugin = require( '@wordpress/eslint-plugin' );
const globals = require( 'globals' );

const nodeFiles = [
	'src/**',
	'scripts/**',
	'tests/**',
	'bench/**',
	'*.{js,cjs,mjs,ts}',
];

module.exports = [
	{
		ignores: [
			'build/**',
			'dist/**',
			'node_modules/**',
			'vendor/**',
			'.harness/**',
			'.tools/**',
			'coverage/**',
			'tests/artifacts/**',
			'test-results/**',
			'playwright-report/**',
		],
	},
	...wpPlugin.configs.recommended,
	{
		files: [ '**/*.{ts,tsx}' ],
		rules: {
			// TypeScript signatures already document parameters and return values; a JSDoc
			// @param per argument would repeat them. Comments explain why, not what.
			'jsdoc/require-param': 'off',
			'jsdoc/require-returns': 'off',
		},
	},
	{
		files: nodeFiles,
		languageOptions: { globals: { ...globals.node } },
		rules: {
			// Servers, CLIs and tests report on stdout/stderr by design.
			'no-console': 'off',
			// Node resolves packages from node_modules, which the import plugin checks fine,
			// but built-in modules and type-only packages need no listing.
			'import/no-extraneous-dependencies': 'off',
		},
	},
	...wpPlugin.configs[ 'test-unit' ].map( ( config ) => ( {
		...config,
		files: [
			'tests/{unit,sidecar,components,integration}/**',
			'**/*.test.{ts,tsx}',
		],
	} ) ),
	...wpPlugin.configs[ 'test-playwright' ].map( ( config ) => ( {
		...config,
		files: [ 'tests/e2e/**' ],
	} ) ),
];
