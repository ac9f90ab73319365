/**
 * jest globalSetup of the `integration` project: starts the `test` harness instance, or reuses
 * it when it runs already. It is left running afterwards so the next run starts in a second;
 * `./bin/dev test` stops it at the end, `./bin/dev stop test` does so by hand.
 */
import { ensureTestInstance, harness } from '../../harness/testkit';

export default async function globalSetup(): Promise< void > {
	const result = await ensureTestInstance();
	if ( result.missing.length ) {
		process.stderr.write(
			`[harness] not built, not started: ${ result.missing.join( ', ' ) } (npm run build:sidecar)\n`
		);
	}
	process.stderr.write( `[harness] test instance at ${ harness().url }\n` );
}
