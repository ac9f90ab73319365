<?php
/**
 * Loads WordPress for a command-line script of the harness (install, activation, wpEval).
 * The instance is given by the environment: MFK_DOCROOT and MFK_SITE_URL.
 *
 * @package MeetForKiviCare\Harness
 */

$mfk_docroot  = getenv( 'MFK_DOCROOT' );
$mfk_site_url = getenv( 'MFK_SITE_URL' );
if ( ! $mfk_docroot || ! is_file( $mfk_docroot . '/wp-load.php' ) || ! $mfk_site_url ) {
	fwrite( STDERR, "MFK_DOCROOT and MFK_SITE_URL must point at a harness WordPress\n" );
	exit( 2 );
}

// What a web request would carry; some of WordPress and plugins read these directly.
$mfk_url                   = parse_url( $mfk_site_url );
$_SERVER['HTTP_HOST']      = $mfk_url['host'] . ( isset( $mfk_url['port'] ) ? ':' . $mfk_url['port'] : '' );
$_SERVER['SERVER_NAME']    = $mfk_url['host'];
$_SERVER['SERVER_PORT']    = (string) ( $mfk_url['port'] ?? 80 );
$_SERVER['REQUEST_URI']    = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR']    = '127.0.0.1';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
unset( $mfk_url );

// Fatal errors end up in debug.log only (WP_DEBUG_DISPLAY is off); echo them for the caller too.
register_shutdown_function(
	static function () {
		$error = error_get_last();
		if ( $error && in_array( $error['type'], array( E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR ), true ) ) {
			fwrite( STDERR, sprintf( "PHP fatal error: %s in %s:%d\n", $error['message'], $error['file'], $error['line'] ) );
		}
	}
);

require $mfk_docroot . '/wp-load.php';
