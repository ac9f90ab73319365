<?php
/**
 * System-cron entry point for the provisioning queue and the sync of doctors' Google
 * calendars, for sites that run DISABLE_WP_CRON or want the queue independent of page views:
 *
 *   * * * * * php /path/to/wp-content/plugins/meet-for-kivicare/php/cli/run-queue.php \
 *       --path=/path/to/wordpress --max-seconds=55
 *
 * Options:
 *   --path=DIR          WordPress root (the folder holding wp-load.php). Required.
 *   --max-seconds=N     Keep polling for due work for N seconds (default: one pass,
 *                       exits as soon as nothing is due).
 *   --batch-size=N      Operations per sidecar batch (1-100, default 25).
 *   --url=URL           Site to run for (multisite; sets the host WordPress boots with).
 *   --all-sites         Run every site of the network in turn.
 *   --quiet             Print nothing on success.
 *
 * Exit codes: 0 done, 1 bad arguments, 2 WordPress or the plugin not loadable.
 * Any number of copies may run at once (rows are claimed atomically).
 *
 * @package MeetForKiviCare
 */

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

$mfk_opts = getopt( '', array( 'path:', 'max-seconds:', 'batch-size:', 'url:', 'all-sites', 'quiet', 'help' ) );
if ( isset( $mfk_opts['help'] ) || empty( $mfk_opts['path'] ) ) {
	fwrite( STDERR, "Usage: php run-queue.php --path=/path/to/wordpress [--max-seconds=N] [--batch-size=N] [--url=URL] [--all-sites] [--quiet]\n" );
	exit( isset( $mfk_opts['help'] ) ? 0 : 1 );
}
$mfk_root = rtrim( (string) $mfk_opts['path'], '/' );
if ( ! is_file( $mfk_root . '/wp-load.php' ) ) {
	fwrite( STDERR, "No wp-load.php in {$mfk_root}\n" );
	exit( 2 );
}

if ( ! empty( $mfk_opts['url'] ) ) {
	$mfk_url                   = parse_url( (string) $mfk_opts['url'] );
	$_SERVER['HTTP_HOST']      = ( $mfk_url['host'] ?? 'localhost' ) . ( isset( $mfk_url['port'] ) ? ':' . $mfk_url['port'] : '' );
	$_SERVER['REQUEST_URI']    = $mfk_url['path'] ?? '/';
	$_SERVER['HTTPS']          = ( 'https' === ( $mfk_url['scheme'] ?? '' ) ) ? 'on' : '';
} else {
	$_SERVER['HTTP_HOST']   = $_SERVER['HTTP_HOST'] ?? 'localhost';
	$_SERVER['REQUEST_URI'] = $_SERVER['REQUEST_URI'] ?? '/';
}
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

require $mfk_root . '/wp-load.php';

if ( ! class_exists( 'MFK_Queue' ) ) {
	fwrite( STDERR, "Meet for KiviCare is not active on this site.\n" );
	exit( 2 );
}

$mfk_args = array( 'max_seconds' => 300 );
if ( isset( $mfk_opts['max-seconds'] ) ) {
	$mfk_args['max_seconds'] = max( 1, (int) $mfk_opts['max-seconds'] );
	$mfk_args['linger']      = true;
}
if ( isset( $mfk_opts['batch-size'] ) ) {
	$mfk_args['batch_size'] = (int) $mfk_opts['batch-size'];
}

$mfk_sites = array( get_current_blog_id() );
if ( isset( $mfk_opts['all-sites'] ) && is_multisite() ) {
	$mfk_sites = array_map( 'intval', get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) );
	// Share the time budget between sites.
	$mfk_args['max_seconds'] = max( 1, intdiv( $mfk_args['max_seconds'], max( 1, count( $mfk_sites ) ) ) );
}

$mfk_report = array();
foreach ( $mfk_sites as $mfk_site ) {
	$mfk_switched = is_multisite() && get_current_blog_id() !== $mfk_site;
	if ( $mfk_switched ) {
		switch_to_blog( $mfk_site );
	}
	if ( MFK_Schema::table_exists( MFK_Schema::table() ) ) {
		// Doctors' calendars first (as the WP-Cron tick: one autoloaded option read when none is
		// due), so meetings changed in Google are handled by this same run.
		MFK_Calendar_Sync::cron_run();
		$mfk_report[ $mfk_site ] = MFK_Queue::run( $mfk_args );
	}
	if ( $mfk_switched ) {
		restore_current_blog();
	}
}

if ( ! isset( $mfk_opts['quiet'] ) ) {
	echo wp_json_encode( count( $mfk_report ) === 1 ? reset( $mfk_report ) : $mfk_report ), "\n";
}
exit( 0 );
