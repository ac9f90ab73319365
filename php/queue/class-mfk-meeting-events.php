<?php
/**
 * The queue's actions (`mfk_meeting_ready`, `mfk_meeting_rescheduled`,
 * `mfk_meeting_cancelled`, `mfk_meeting_failed`): fired at once, or held until the end of
 * the request while a booking may still be inside KiviCare's transaction.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Fires or holds the meeting actions.
 */
final class MFK_Meeting_Events {

	/**
	 * When true, meeting actions are held until the end of the request (the row may
	 * still be inside KiviCare's booking transaction).
	 *
	 * @var bool
	 */
	private static $defer_events = false;

	/**
	 * Held actions: [hook, appointment id, expected state, args].
	 *
	 * @var array<int,array{0:string,1:int,2:string,3:array<int,mixed>}>
	 */
	private static $deferred = array();

	/**
	 * Fires an action now, or at the end of the request while events are deferred.
	 *
	 * @param string           $hook     Action.
	 * @param int              $id       Appointment id.
	 * @param string           $state    State the row must still have when fired later.
	 * @param array<int,mixed> $hook_args Arguments.
	 */
	public static function emit( string $hook, int $id, string $state, array $hook_args ): void {
		if ( self::$defer_events ) {
			self::$deferred[] = array( $hook, $id, $state, $hook_args );
			return;
		}
		do_action_ref_array( $hook, $hook_args );
	}

	/**
	 * Starts or stops holding actions back.
	 *
	 * @param bool $defer Hold actions.
	 */
	public static function defer( bool $defer ): void {
		self::$defer_events = $defer;
	}

	/**
	 * Fires held actions whose row still exists in the same state (after KiviCare's
	 * transaction ended; a rolled-back booking fires nothing).
	 */
	public static function flush(): void {
		$held           = self::$deferred;
		self::$deferred = array();
		foreach ( $held as list( $hook, $id, $state, $hook_args ) ) {
			$row = MFK_Mappings::get_by_appointment( $id );
			if ( null === $row || $row['state'] !== $state ) {
				continue;
			}
			$hook_args[1] = $row;
			do_action_ref_array( $hook, $hook_args );
		}
	}
}
