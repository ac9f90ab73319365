/**
 * Runs in every integration test file: a timeout that fits real HTTP + PHP + MariaDB, and the
 * sidecar and emulator restarted if an earlier file left them stopped. (The database pool is
 * closed by the suites' jest environment, after the file's last hook: environment.cjs.)
 */
import { ensureServicesRunning } from '../../harness/testkit';

jest.setTimeout( 60000 );

beforeAll( async () => {
	await ensureServicesRunning();
} );
