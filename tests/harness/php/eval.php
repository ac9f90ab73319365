<?php
/**
 * Runs PHP code inside WordPress. Standard input holds one line of JSON (available to the code
 * as `$args`, so values never have to be spliced into code) followed by the code. With the
 * argument `json`, the value the code returns is printed as JSON after a marker; otherwise
 * only what the code prints is output.
 *
 * @package MeetForKiviCare\Harness
 */

$mfk_eval_input = (string) stream_get_contents( STDIN );
$mfk_eval_break = strpos( $mfk_eval_input, "\n" );
$args           = json_decode( false === $mfk_eval_break ? 'null' : substr( $mfk_eval_input, 0, $mfk_eval_break ), true );
$mfk_eval_code  = false === $mfk_eval_break ? $mfk_eval_input : substr( $mfk_eval_input, $mfk_eval_break + 1 );
$mfk_eval_mode  = $argv[1] ?? 'raw';
unset( $mfk_eval_input, $mfk_eval_break );

require __DIR__ . '/bootstrap.php';

$mfk_eval_code = preg_replace( '/^\s*<\?php\s*/', '', $mfk_eval_code );
try {
	$mfk_eval_result = eval( $mfk_eval_code );
} catch ( Throwable $mfk_eval_error ) {
	fwrite(
		STDERR,
		sprintf(
			"%s: %s in %s:%d\n%s\n",
			get_class( $mfk_eval_error ),
			$mfk_eval_error->getMessage(),
			$mfk_eval_error->getFile(),
			$mfk_eval_error->getLine(),
			$mfk_eval_error->getTraceAsString()
		)
	);
	exit( 1 );
}

if ( 'json' === $mfk_eval_mode ) {
	echo "\n" . '<<<MFK-JSON>>>' . wp_json_encode( $mfk_eval_result, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION );
}
