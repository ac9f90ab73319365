<?php
/**
 * Router for PHP's built-in web server: existing files are served as they are (PHP files are
 * executed by the server itself), everything else goes through WordPress's index.php so pretty
 * permalinks and /wp-json/ work as they do behind Apache or nginx.
 *
 * @package MeetForKiviCare\Harness
 */

$mfk_root = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$mfk_path = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );

if ( ! str_contains( $mfk_path, '..' ) ) {
	$mfk_target = $mfk_root . $mfk_path;
	if ( is_file( $mfk_target ) ) {
		return false;
	}
	if ( is_dir( $mfk_target ) && is_file( rtrim( $mfk_target, '/' ) . '/index.php' ) ) {
		if ( ! str_ends_with( $mfk_path, '/' ) ) {
			header( 'Location: ' . $mfk_path . '/' . ( empty( $_SERVER['QUERY_STRING'] ) ? '' : '?' . $_SERVER['QUERY_STRING'] ), true, 301 );
			return true;
		}
		return false;
	}
}

$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $mfk_root . '/index.php';
chdir( $mfk_root );
require $mfk_root . '/index.php';
