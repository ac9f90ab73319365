/**
 * Runs in every integration test file: a timeout that fits real HTTP + PHP + MariaDB, the
 * sidecar and emulator restarted if an earlier file left them stopped, and the database pool
 * closed at the end so jest can exit.
 */
import { closeTestkit, ensureServicesRunning } from '../../harness/testkit';

jest.setTimeout( 60000 );

beforeAll( async () => {
	await ensureServicesRunning();
} );

afterAll( async () => {
	await closeTestkit();
} );
