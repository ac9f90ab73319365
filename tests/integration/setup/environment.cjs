/**
 * jest environment of the suites that drive the test WordPress. A test file's own top-level
 * `afterAll` hooks run after those of setupFilesAfterEnv, so a file that touches the database
 * while cleaning up would reopen the pool after after-env closed it, and that connection
 * would keep jest alive after the run. The environment's teardown comes after every hook of
 * the file: it closes whatever the file's testkit still holds.
 */
const { TestEnvironment } = require( 'jest-environment-node' );

class WordPressTestEnvironment extends TestEnvironment {
	async teardown() {
		const close = this.global.__mfkCloseTestkit;
		if ( typeof close === 'function' ) {
			await close();
		}
		await super.teardown();
	}
}

module.exports = WordPressTestEnvironment;
