<?php
/**
 * Deterministic cost of the queue's batch path: SQL queries (counted through the `query` filter,
 * grouped by their shape) and the CPU time of this PHP process (getrusage) for one queue run
 * that works through a backlog recorded by MFK_Backfill, as `php php/cli/run-queue.php
 * --batch-size=N` does (MFK_Queue::run; the doctors' calendar sync the runner starts with is left
 * out: it falls due every few minutes whatever the backlog, and would make runs differ). Run in
 * a fresh PHP process (the harness's eval runner) after mfk_bench_seed_backlog(), so that nothing
 * is cached from the seeding. Test-only.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * One measured queue run.
 *
 * @param array $args `batchSize`, `top` (how many query shapes to list), `trace` (a pattern: list the
 *                    callers of the queries matching it), `without` (hooks to remove: [hook, class, method]).
 * @return array `queries`, `cpuMs`, `stats` (the run's), `shapes` (shape => count, most first).
 */
function mfk_bench_queue_cost( array $args ): array {
	$shapes  = array();
	$callers = array();
	$queries = 0;
	$trace   = (string) ( $args['trace'] ?? '' );
	add_filter(
		'query',
		static function ( $sql ) use ( &$shapes, &$callers, &$queries, $trace ) {
			if ( '' !== $trace && preg_match( '/' . $trace . '/i', (string) $sql ) ) {
				// Who asked: the call chain, WordPress's and the hooks' frames left out.
				$chain = preg_replace( '/(?:require(?:_once)?|include(?:_once)?)\\([^)]*\\), /', '', wp_debug_backtrace_summary( null, 4 ) );
				$chain = strtok( ltrim( (string) $sql ), " " ) . " " . ( preg_match( "/(?:FROM|INTO|UPDATE) `?(\\w+)/", (string) $sql, $t ) ? $t[1] : "" ) . " <- " . $chain;
				$callers[ $chain ] = ( $callers[ $chain ] ?? 0 ) + 1;
			}
			++$queries;
			// The shape: numbers and strings replaced, whitespace folded.
			$shape = preg_replace( array( "/'(?:[^'\\\\]|\\\\.)*'/", '/\b\d+\b/', '/\s+/', '/(\?, )+\?/' ), array( '?', '?', ' ', '?…' ), (string) $sql );
			$shape = mb_substr( trim( $shape ), 0, 160 );
			$shapes[ $shape ] = ( $shapes[ $shape ] ?? 0 ) + 1;
			return $sql;
		}
	);
	$usage = static function (): float {
		$u = getrusage();
		return $u['ru_utime.tv_sec'] * 1000 + $u['ru_utime.tv_usec'] / 1000 + $u['ru_stime.tv_sec'] * 1000 + $u['ru_stime.tv_usec'] / 1000;
	};
	// Parts left out, to see their share: [hook, class, method] each.
	foreach ( (array) ( $args['without'] ?? array() ) as list( $hook, $class, $method ) ) {
		remove_action( $hook, array( $class, $method ), 10 );
	}
	$cpu = $usage();
	$stats = MFK_Queue::run(
		array(
			'max_seconds' => 120,
			'batch_size'  => (int) $args['batchSize'],
		)
	);
	$cpu = $usage() - $cpu;
	arsort( $shapes );
	arsort( $callers );
	return array(
		'queries' => $queries,
		'cpuMs'   => round( $cpu ),
		'stats'   => $stats,
		'shapes'  => array_slice( $shapes, 0, (int) ( $args['top'] ?? 40 ), true ),
		'callers' => $callers,
	);
}
