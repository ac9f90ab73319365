/**
 * One jest run, several projects. Each project can also be run alone:
 *   npx jest --selectProjects unit
 */
const base = {
	transform: { '\\.[jt]sx?$': 'babel-jest' },
	moduleFileExtensions: [ 'ts', 'tsx', 'js', 'mjs', 'json' ],
	testPathIgnorePatterns: [
		'/node_modules/',
		'/build/',
		'/.harness/',
		'/.tools/',
	],
	// The harness's WordPress copies and the Node runtime are not part of the module graph.
	modulePathIgnorePatterns: [ '<rootDir>/.harness/', '<rootDir>/.tools/' ],
};

module.exports = {
	projects: [
		{
			...base,
			displayName: 'unit',
			testEnvironment: 'node',
			testMatch: [ '<rootDir>/tests/unit/**/*.test.ts' ],
		},
		{
			...base,
			displayName: 'sidecar',
			testEnvironment: 'node',
			// fastify's inject() (light-my-request) loads `cookie`, which ships ES modules only;
			// compile it for jest.
			transformIgnorePatterns: [ '/node_modules/(?!cookie/)' ],
			// The sidecar and the Google emulator it is tested against.
			testMatch: [
				'<rootDir>/tests/sidecar/**/*.test.ts',
				'<rootDir>/tests/emulator/**/*.test.ts',
			],
			// A time limit that only catches hangs (see the file).
			setupFilesAfterEnv: [ '<rootDir>/tests/sidecar/setup.ts' ],
		},
		{
			...base,
			displayName: 'components',
			testEnvironment: 'jsdom',
			// A few dependencies of the WordPress packages ship ES modules only (some as .mjs);
			// compile those for jest like our own code.
			transform: { '\\.m?[jt]sx?$': 'babel-jest' },
			transformIgnorePatterns: [
				'/node_modules/(?!(uuid|marked|@wordpress/theme|parsel-js)/)',
			],
			testMatch: [
				'<rootDir>/tests/components/**/*.test.tsx',
				'<rootDir>/blocks/**/*.test.tsx',
			],
		},
		{
			...base,
			displayName: 'integration',
			testEnvironment:
				'<rootDir>/tests/integration/setup/environment.cjs',
			testMatch: [ '<rootDir>/tests/integration/**/*.test.ts' ],
			// Starts (or reuses) the `test` harness instance once per run.
			globalSetup: '<rootDir>/tests/integration/setup/global-setup.ts',
			setupFilesAfterEnv: [
				'<rootDir>/tests/integration/setup/after-env.ts',
			],
		},
		{
			...base,
			displayName: 'reliability',
			testEnvironment:
				'<rootDir>/tests/integration/setup/environment.cjs',
			testMatch: [ '<rootDir>/tests/reliability/**/*.test.ts' ],
			// Same instance and per-file setup as the integration project.
			globalSetup: '<rootDir>/tests/integration/setup/global-setup.ts',
			setupFilesAfterEnv: [
				'<rootDir>/tests/integration/setup/after-env.ts',
			],
		},
		{
			...base,
			displayName: 'security',
			testEnvironment:
				'<rootDir>/tests/integration/setup/environment.cjs',
			testMatch: [ '<rootDir>/tests/security/**/*.test.ts' ],
			globalSetup: '<rootDir>/tests/integration/setup/global-setup.ts',
			setupFilesAfterEnv: [
				'<rootDir>/tests/integration/setup/after-env.ts',
			],
		},
	],
};
