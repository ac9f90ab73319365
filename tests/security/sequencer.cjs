/**
 * Order of the test files that drive the shared test WordPress (`./bin/dev test`,
 * `npm run test:reliability`, `npm run test:security`): integration files first, then the
 * reliability files (the soak last of them), then the security files, and the secrets scan
 * (zz-secrets-scan.test.ts) at the very end, after everything it must check. Within a group,
 * files run in path order.
 */
const Sequencer = require( '@jest/test-sequencer' ).default;

function rank( path ) {
	if ( path.includes( 'zz-secrets-scan' ) ) {
		return 4;
	}
	if ( path.includes( '/tests/security/' ) ) {
		return 3;
	}
	if ( path.includes( '/tests/reliability/' ) ) {
		return path.includes( 'soak' ) ? 2 : 1;
	}
	return 0;
}

class SharedInstanceSequencer extends Sequencer {
	sort( tests ) {
		return [ ...tests ].sort(
			( a, b ) =>
				rank( a.path ) - rank( b.path ) ||
				a.path.localeCompare( b.path )
		);
	}
}

module.exports = SharedInstanceSequencer;
