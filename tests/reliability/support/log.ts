/**
 * PHP's debug log without clearing it (the secrets scan at the end of the run reads all of it):
 * a mark of where a test file started, and the problems written since: PHP warnings, notices
 * and errors, and WordPress database errors (a deadlock, a lost connection). A scenario that
 * provokes database errors on purpose (MariaDB killed) excuses the part of the log it wrote.
 */
import { phpProblems, readDebugLog } from '../../harness/testkit';

const excused: Array< [ number, number ] > = [];

export function logMark(): number {
	return Buffer.byteLength( readDebugLog() );
}

/** Log entries between two marks are expected failures, not problems. */
export function excuse( from: number, to: number ): void {
	excused.push( [ from, to ] );
}

/** PHP problems and database errors written since `mark` (all, if the log was truncated since). */
export function problemsSince( mark: number ): string[] {
	const log = Buffer.from( readDebugLog() );
	const start = log.length >= mark ? mark : 0;
	const problems: string[] = [];
	let offset = start;
	for ( const entry of log
		.subarray( start )
		.toString( 'utf8' )
		.split( /\n(?=\[\d{2}-\w{3}-\d{4} )/ ) ) {
		const at = offset;
		offset += Buffer.byteLength( entry ) + 1;
		if ( excused.some( ( [ from, to ] ) => at >= from && at < to ) ) {
			continue;
		}
		if (
			phpProblems( entry ).length > 0 ||
			/WordPress database error/.test( entry )
		) {
			problems.push( entry.trim() );
		}
	}
	return problems;
}
