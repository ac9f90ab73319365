/**
 * PHP's debug log without clearing it (the secrets scan at the end of the run reads all of it):
 * a mark of where a test file started, and the PHP problems written since.
 */
import { phpProblems, readDebugLog } from '../../harness/testkit';

export function logMark(): number {
	return Buffer.byteLength( readDebugLog() );
}

/** PHP warnings, notices and errors written since `mark` (all, if the log was truncated since). */
export function problemsSince( mark: number ): string[] {
	const log = Buffer.from( readDebugLog() );
	return phpProblems(
		( log.length >= mark ? log.subarray( mark ) : log ).toString( 'utf8' )
	);
}
