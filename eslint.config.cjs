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
			// Written by npm run build:sidecar (ajv standalone code).
			'src/sidecar/generated/**',
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
			// Google's generated TypeScript namespaces (calendar_v3, meet_v2) keep their names.
			camelcase: [
				'error',
				{
					properties: 'never',
					allow: [ '^calendar_v3$', '^meet_v2$' ],
				},
			],
		},
	},
	{
		files: [ 'src/**', 'tests/reliability/**', 'bench/**' ],
		rules: {
			// Binary encodings (base32hex event ids, sealed blobs) and the seeded random
			// generators of the soak and benchmarks need bit operations.
			'no-bitwise': 'off',
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
	{
		files: [
			'tests/{unit,sidecar,components,integration}/**',
			'**/*.test.{ts,tsx}',
		],
		rules: {
			// `afterEach( () => expect( phpProblems() ).toEqual( [] ) )` checks every test.
			'jest/no-standalone-expect': [
				'error',
				{ additionalTestBlockFunctions: [ 'afterEach' ] },
			],
			// Assertion helpers are named expect…( ) (expectInvalid, expectForbidden…).
			'jest/expect-expect': [
				'error',
				{ assertFunctionNames: [ 'expect', 'expect*' ] },
			],
		},
	},
	...wpPlugin.configs[ 'test-playwright' ].map( ( config ) => ( {
		...config,
		files: [ 'tests/e2e/**' ],
	} ) ),
];
