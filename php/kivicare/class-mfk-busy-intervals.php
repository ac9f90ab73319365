<?php
/**
 * Interval arithmetic of busy times (MFK_Busy_Times): merging Google's intervals, taking this
 * site's own consultation events out of them, and cutting them into KiviCare's items in the
 * doctor's wall time.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Busy intervals as Unix-second pairs, and KiviCare's items.
 */
final class MFK_Busy_Intervals {

	/**
	 * Intervals of this site's consultation events of the doctor: where Google has them and
	 * where KiviCare has them. These are KiviCare's own appointments, not Google blocks.
	 *
	 * @param int $doctor_id Doctor.
	 * @param int $start     Range start.
	 * @param int $end       Range end.
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function own_events( int $doctor_id, int $start, int $end ): array {
		global $wpdb;
		$from  = gmdate( 'Y-m-d H:i:s', $start );
		$to    = gmdate( 'Y-m-d H:i:s', $end );
		$table = MFK_Schema::table();
		// Where KiviCare has the consultation (it will be on this calendar), and where Google
		// has it (until the change reaches Google): each half is one range of an index
		// (doctor_end, synced_doctor_end), so a slot view never scans the table.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"( SELECT start_utc AS s, end_utc AS e FROM %i WHERE doctor_id = %d AND end_utc > %s AND start_utc < %s AND event_id IS NOT NULL AND event_id <> '' LIMIT 1000 )
				UNION ALL
				( SELECT synced_start_utc AS s, synced_end_utc AS e FROM %i WHERE synced_doctor_id = %d AND synced_end_utc > %s AND synced_start_utc < %s AND event_id IS NOT NULL AND event_id <> '' LIMIT 1000 )",
				$table,
				$doctor_id,
				$from,
				$to,
				$table,
				$doctor_id,
				$from,
				$to
			),
			ARRAY_A
		);
		$spans = array();
		foreach ( (array) $rows as $row ) {
			$a = strtotime( $row['s'] . ' UTC' );
			$b = strtotime( $row['e'] . ' UTC' );
			if ( false !== $a && false !== $b && $b > $a ) {
				$spans[] = array( $a, $b );
			}
		}
		return self::merge( $spans );
	}

	/**
	 * Busy intervals minus the site's own events.
	 *
	 * @param array<int,array{0:int,1:int}> $busy Merged busy intervals.
	 * @param array<int,array{0:int,1:int}> $own  Merged own intervals.
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function subtract( array $busy, array $own ): array {
		$out = array();
		foreach ( $busy as $span ) {
			$pieces = array( $span );
			foreach ( $own as $hole ) {
				$next = array();
				foreach ( $pieces as $piece ) {
					if ( $hole[1] <= $piece[0] || $hole[0] >= $piece[1] ) {
						$next[] = $piece;
						continue;
					}
					if ( $hole[0] > $piece[0] ) {
						$next[] = array( $piece[0], $hole[0] );
					}
					if ( $hole[1] < $piece[1] ) {
						$next[] = array( $hole[1], $piece[1] );
					}
				}
				$pieces = $next;
			}
			foreach ( $pieces as $piece ) {
				$out[] = $piece;
			}
		}
		return $out;
	}

	/**
	 * Sorted, merged intervals.
	 *
	 * @param array<int,array{0:int,1:int}> $spans Intervals.
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function merge( array $spans ): array {
		usort(
			$spans,
			static function ( $a, $b ) {
				return $a[0] <=> $b[0];
			}
		);
		$merged = array();
		foreach ( $spans as $span ) {
			$last = count( $merged ) - 1;
			if ( $last >= 0 && $span[0] <= $merged[ $last ][1] ) {
				$merged[ $last ][1] = max( $merged[ $last ][1], $span[1] );
			} else {
				$merged[] = array( (int) $span[0], (int) $span[1] );
			}
		}
		return $merged;
	}

	/**
	 * KiviCare items in the doctor's wall time, split at local midnight so each item lies
	 * within one date (KiviCare reads the date from `start`).
	 *
	 * @param array<int,array{0:int,1:int}> $busy Intervals.
	 * @param DateTimeZone                  $zone The doctor's zone.
	 * @return array<int,array{start:string,end:string,name:string}>
	 */
	public static function wall_items( array $busy, DateTimeZone $zone ): array {
		$name  = __( 'Busy on Google Calendar', 'meet-for-kivicare' );
		$items = array();
		foreach ( $busy as $span ) {
			$cursor = ( new DateTimeImmutable( '@' . $span[0] ) )->setTimezone( $zone );
			$end    = ( new DateTimeImmutable( '@' . $span[1] ) )->setTimezone( $zone );
			while ( $cursor < $end ) {
				$midnight = $cursor->setTime( 0, 0 )->modify( '+1 day' );
				$piece    = $midnight < $end ? $midnight : $end;
				$items[]  = array(
					'start' => $cursor->format( 'Y-m-d H:i:s' ),
					'end'   => $midnight <= $end && $piece === $midnight ? $cursor->format( 'Y-m-d' ) . ' 23:59:59' : $piece->format( 'Y-m-d H:i:s' ),
					'name'  => $name,
				);
				$cursor = $piece;
			}
		}
		return $items;
	}

	/**
	 * The doctor's zone as KiviCare reads it.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function zone( int $doctor_id ): DateTimeZone {
		$name = function_exists( 'kcGetDoctorTimezone' ) ? (string) kcGetDoctorTimezone( $doctor_id ) : '';
		try {
			return new DateTimeZone( '' !== $name ? $name : wp_timezone_string() );
		} catch ( Exception $e ) {
			return wp_timezone();
		}
	}

	/**
	 * Y-m-d and a real date.
	 *
	 * @param string $date Date.
	 */
	public static function valid_date( string $date ): bool {
		return 1 === preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $date, $m ) && checkdate( (int) $m[2], (int) $m[3], (int) $m[1] );
	}

	/**
	 * The merged busy intervals of a sidecar answer (`calendars[].busy[]`).
	 *
	 * @param array<string,mixed> $answer Answer.
	 * @return array<int,array{0:int,1:int}>
	 */
	public static function from_answer( array $answer ): array {
		$spans = array();
		foreach ( (array) ( $answer['calendars'] ?? array() ) as $calendar ) {
			foreach ( (array) ( $calendar['busy'] ?? array() ) as $interval ) {
				$from = strtotime( (string) ( $interval['start'] ?? '' ) );
				$to   = strtotime( (string) ( $interval['end'] ?? '' ) );
				if ( false !== $from && false !== $to && $to > $from ) {
					$spans[] = array( $from, $to );
				}
			}
		}
		return self::merge( $spans );
	}
}
