/**
 * Playwright globalSetup: starts the `test` harness instance or reuses the running one.
 */
import { ensureTestInstance, harness } from '../harness/testkit';

export default async function globalSetup(): Promise< void > {
	const result = await ensureTestInstance();
	if ( result.missing.length ) {
		process.stderr.write(
			`[harness] not built, not started: ${ result.missing.join( ', ' ) } (npm run build:sidecar)\n`
		);
	}
	process.stderr.write( `[harness] test instance at ${ harness().url }\n` );
}
