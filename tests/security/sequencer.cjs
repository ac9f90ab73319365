/**
 * Test order for `npm run test:reliability`, `test:security` and the README test command:
 * the reliability files first (the soak last of them), then the security files, and the
 * secrets scan (zz-secrets-scan.test.ts) at the very end, after everything it must check.
 */
const Sequencer = require( '@jest/test-sequencer' ).default;

function rank( path ) {
	if ( path.includes( 'zz-secrets-scan' ) ) {
		return 3;
	}
	if ( path.includes( '/tests/security/' ) ) {
		return 2;
	}
	return path.includes( 'soak' ) ? 1 : 0;
}

class ReliabilitySecuritySequencer extends Sequencer {
	sort( tests ) {
		return [ ...tests ].sort(
			( a, b ) => rank( a.path ) - rank( b.path ) || a.path.localeCompare( b.path )
		);
	}
}

module.exports = ReliabilitySecuritySequencer;
