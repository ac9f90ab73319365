<?php
/**
 * Where busy times are kept (MFK_Busy_Times): the object cache when the site has one, transients
 * otherwise; and writes kept for the end of the request, because KiviCare reads busy times inside
 * its booking transaction, whose ROLLBACK (a 409) would undo them.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Cache and deferred writes of busy times.
 */
final class MFK_Busy_Store {

	/** Object cache group. */
	const GROUP = 'mfk_busy';

	/**
	 * Writes kept for the end of the request.
	 *
	 * @var array<int,callable>
	 */
	private static $pending = array();

	/**
	 * Runs a write at the end of the request, after KiviCare's transaction.
	 *
	 * @param callable $write Write.
	 */
	public static function later( callable $write ): void {
		if ( ! self::$pending ) {
			add_action( 'shutdown', array( __CLASS__, 'flush' ), 0 );
		}
		self::$pending[] = $write;
	}

	/**
	 * Runs the writes kept for the end of the request.
	 */
	public static function flush(): void {
		$pending       = self::$pending;
		self::$pending = array();
		foreach ( $pending as $write ) {
			$write();
		}
	}

	/**
	 * Cached value (object cache when present, transients otherwise).
	 *
	 * @param string $key Key.
	 * @return mixed
	 */
	public static function get( string $key ) {
		if ( wp_using_ext_object_cache() ) {
			return wp_cache_get( $key, self::GROUP );
		}
		return get_transient( 'mfk_busy_' . md5( $key ) );
	}

	/**
	 * Stores a value.
	 *
	 * @param string $key   Key.
	 * @param mixed  $value Value.
	 * @param int    $ttl   Seconds.
	 */
	public static function set( string $key, $value, int $ttl ): void {
		if ( wp_using_ext_object_cache() ) {
			wp_cache_set( $key, $value, self::GROUP, $ttl );
			return;
		}
		self::later(
			static function () use ( $key, $value, $ttl ) {
				set_transient( 'mfk_busy_' . md5( $key ), $value, $ttl );
			}
		);
	}
}
