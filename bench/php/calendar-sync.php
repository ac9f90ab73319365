<?php
/**
 * Calendar sync with nothing changed: what one periodic run costs per doctor. Syncs one
 * connected doctor's calendar `runs` times from its stored token (the full sync before it is
 * made and counted apart), timing each run and, inside it, the time spent waiting on the sidecar (from the
 * `pre_http_request` filter to the `http_api_debug` action), so the PHP time is the rest. SQL
 * queries are counted with the `query` filter. Test-only.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Measures.
 *
 * @param array $args `doctor`, `runs`.
 * @return array
 */
function mfk_bench_calendar_sync( array $args ): array {
	$doctor = (int) $args['doctor'];
	// From the token the first (full) sync stored (bench/calendar-sync.ts makes it first).

	$waiting = 0.0;
	$started = 0;
	$http    = 0;
	add_filter(
		'pre_http_request',
		static function ( $pre ) use ( &$started ) {
			$started = hrtime( true );
			return $pre;
		},
		PHP_INT_MAX
	);
	add_action(
		'http_api_debug',
		static function () use ( &$waiting, &$started, &$http ) {
			if ( $started > 0 ) {
				$waiting += ( hrtime( true ) - $started ) / 1e6;
				$started  = 0;
				++$http;
			}
		}
	);
	$queries = 0;
	add_filter(
		'query',
		static function ( $sql ) use ( &$queries ) {
			++$queries;
			return $sql;
		}
	);

	$php_ms   = array();
	$total_ms = array();
	$counts   = array();
	$requests = array();
	$changed  = 0;
	for ( $i = 0; $i < (int) $args['runs']; $i++ ) {
		$waiting = 0.0;
		$http    = 0;
		$queries = 0;
		$t       = hrtime( true );
		$result  = MFK_Calendar_Sync::sync_doctor( $doctor );
		$total   = ( hrtime( true ) - $t ) / 1e6;
		if ( is_wp_error( $result ) ) {
			return array( 'error' => $result->get_error_code() . ': ' . $result->get_error_message() );
		}
		$changed   += (int) $result['events'];
		$total_ms[] = $total;
		$php_ms[]   = $total - $waiting;
		$counts[]   = $queries;
		$requests[] = $http;
	}
	return array(
		'phpMs'    => $php_ms,
		'totalMs'  => $total_ms,
		'queries'  => $counts,
		'requests' => $requests,
		'changed'  => $changed,
	);
}
