<?php
/**
 * The request's share of meeting work: appointments touched by this request, the
 * synchronous time budget (so KiviCare's booking e-mails can carry the link), and the
 * end-of-request pass that runs after KiviCare committed or rolled back.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Per-request sync of the meetings this request changed.
 */
final class MFK_Request_Sync {

	/**
	 * Appointments touched in this request: id => doctor/calendar an ensure was sent
	 * to from inside a booking transaction (null when nothing was sent).
	 *
	 * @var array<int,array{doctor_id:int,calendar_id:string}|null>
	 */
	private static $touched = array();

	/**
	 * Milliseconds of the sync budget already used in this request.
	 *
	 * @var float
	 */
	private static $spent_ms = 0.0;

	/**
	 * Whether the shutdown handler is registered.
	 *
	 * @var bool
	 */
	private static $shutdown_hooked = false;

	/**
	 * Tries to sync one row now, within what is left of the request's budget.
	 *
	 * @param array<string,mixed>                            $row    Row.
	 * @param array<string,mixed>                            $args   process() args.
	 * @param array{doctor_id:int,calendar_id:string}|null   $pushed Remote target, when
	 *                                                               inside a booking transaction.
	 * @return array<string,mixed>|null Row after the attempt.
	 */
	public static function sync_now( array $row, array $args, ?array $pushed = null ): ?array {
		self::touch( (int) $row['appointment_id'], $pushed );
		$remaining = self::remaining_budget_ms();
		if ( $remaining < 250 ) {
			return $row;
		}
		$claimed = MFK_Queue_Leases::claim_one( (int) $row['id'], (int) ceil( $remaining / 1000 ) + 30 );
		if ( null === $claimed ) {
			return $row;
		}
		$started = microtime( true );
		MFK_Meeting_Events::defer( null !== $pushed );
		try {
			MFK_Queue_Worker::process(
				array( $claimed ),
				$args + array(
					// Leave the sidecar time to answer after its polling.
					'wait_ms' => max( 0, (int) $remaining - 400 ),
					'timeout' => $remaining / 1000,
				)
			);
		} finally {
			MFK_Meeting_Events::defer( false );
			self::$spent_ms += ( microtime( true ) - $started ) * 1000;
		}
		return MFK_Mappings::get( (int) $row['id'] );
	}

	/**
	 * Budget left for synchronous work in this request, in milliseconds.
	 */
	public static function remaining_budget_ms(): float {
		$budget = (int) MFK_Settings::get( 'sync_budget_ms' );
		return max( 0.0, $budget - self::$spent_ms );
	}

	/**
	 * Remembers an appointment for the end-of-request reconciliation.
	 *
	 * @param int                                          $appointment_id Appointment id.
	 * @param array{doctor_id:int,calendar_id:string}|null $pushed         Remote target.
	 */
	public static function touch( int $appointment_id, ?array $pushed = null ): void {
		if ( ! array_key_exists( $appointment_id, self::$touched ) || null !== $pushed ) {
			self::$touched[ $appointment_id ] = $pushed ?? ( self::$touched[ $appointment_id ] ?? null );
		}
		if ( ! self::$shutdown_hooked ) {
			self::$shutdown_hooked = true;
			add_action( 'shutdown', array( __CLASS__, 'on_shutdown' ), 1 );
		}
	}

	/**
	 * End of request, after KiviCare committed or rolled back:
	 * - a booking rolled back after the sidecar created its event gets a cancel row;
	 * - every touched appointment is re-derived from the committed data;
	 * - pending rows are synced within what is left of the budget, the rest right after
	 *   the request, in the background (and WP-Cron is asked, as the safety net);
	 * - held actions fire for rows that really exist.
	 */
	public static function on_shutdown(): void {
		$touched       = self::$touched;
		self::$touched = array();
		foreach ( $touched as $appointment_id => $pushed ) {
			$row = MFK_Mappings::get_by_appointment( $appointment_id );
			if ( null === $row && null !== $pushed && null === MFK_Appointments::get( $appointment_id ) ) {
				MFK_Mappings::record_intent(
					$appointment_id,
					array(
						'desired'            => MFK_Mappings::DESIRED_CANCELLED,
						'doctor_id'          => $pushed['doctor_id'],
						'calendar_id'        => $pushed['calendar_id'],
						'synced_status'      => 'active',
						'synced_doctor_id'   => $pushed['doctor_id'],
						'synced_calendar_id' => $pushed['calendar_id'],
					),
					array( 'create' => true )
				);
				continue;
			}
			MFK_Meetings::reconcile( $appointment_id, null, false );
		}

		// A few passes: moving a meeting to another doctor is a cancel, then an ensure.
		$waiting = false;
		for ( $pass = 0; $pass < 3; $pass++ ) {
			$claimed = array();
			$waiting = false;
			foreach ( array_keys( $touched ) as $appointment_id ) {
				$row = MFK_Mappings::get_by_appointment( $appointment_id );
				if ( null === $row || MFK_Mappings::STATE_PENDING !== $row['state'] ) {
					continue;
				}
				$waiting = true;
				$due     = null === $row['next_attempt_at'] || strtotime( $row['next_attempt_at'] . ' UTC' ) <= time();
				if ( ( 0 === $pass || $due ) && self::remaining_budget_ms() >= 250 && count( $claimed ) < 100 ) {
					$lease = MFK_Queue_Leases::claim_one( (int) $row['id'], (int) ceil( self::remaining_budget_ms() / 1000 ) + 30 );
					if ( $lease ) {
						$claimed[] = $lease;
					}
				}
			}
			if ( ! $claimed ) {
				break;
			}
			$remaining = self::remaining_budget_ms();
			$started   = microtime( true );
			MFK_Queue_Worker::process(
				$claimed,
				array(
					'wait_ms' => max( 0, (int) $remaining - 400 ),
					'timeout' => $remaining / 1000,
					'source'  => 'request',
				)
			);
			self::$spent_ms += ( microtime( true ) - $started ) * 1000;
		}
		if ( $waiting ) {
			$left = array();
			foreach ( array_keys( $touched ) as $appointment_id ) {
				$row = MFK_Mappings::get_by_appointment( $appointment_id );
				if ( $row && MFK_Mappings::STATE_PENDING === $row['state'] ) {
					$left[] = $appointment_id;
				}
			}
			if ( $left ) {
				MFK_Background_Sync::later( $left );
			}
		}
		MFK_Meeting_Events::flush();
	}
}
