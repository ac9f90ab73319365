<?php
/**
 * Busy times of many doctors at once (a view that shows several doctors): one sidecar call
 * (`POST /v1/calendars/busy/many`, at most 50 doctors, one freebusy.query per doctor's own token)
 * fills the cache MFK_Busy_Times reads, so the view's filter calls find them there.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads several doctors' busy times in one sidecar call.
 */
final class MFK_Busy_Prefetch {

	/** Doctors per sidecar call (Google's free/busy ceiling). */
	const MAX_DOCTORS = 50;

	/**
	 * Reads the busy times of the doctors (those switched on and not cached) between two local
	 * dates of each doctor's zone, and caches them.
	 *
	 * @param int[]  $doctor_ids Doctors.
	 * @param string $from       Y-m-d.
	 * @param string $to         Y-m-d (included).
	 * @return int Doctors whose busy times were read.
	 */
	public static function doctors( array $doctor_ids, string $from, string $to ): int {
		if ( ! MFK_Busy_Intervals::valid_date( $from ) || ! MFK_Busy_Intervals::valid_date( $to ) || $to < $from ) {
			return 0;
		}
		$client = MFK_Settings::client();
		if ( is_wp_error( $client ) ) {
			return 0;
		}
		// Doctors in different zones ask different UTC ranges: one call per range.
		$groups = array();
		foreach ( array_unique( array_map( 'intval', $doctor_ids ) ) as $doctor_id ) {
			if ( $doctor_id <= 0 || ! MFK_Busy_Times::enabled( $doctor_id ) ) {
				continue;
			}
			$zone  = MFK_Busy_Intervals::zone( $doctor_id );
			$start = ( new DateTimeImmutable( $from . ' 00:00:00', $zone ) )->getTimestamp();
			$end   = ( new DateTimeImmutable( $to . ' 00:00:00', $zone ) )->modify( '+1 day' )->getTimestamp();
			if ( is_array( MFK_Busy_Store::get( MFK_Busy_Times::key( $doctor_id, $start, $end ) ) ) ) {
				continue;
			}
			$groups[ $start . '_' . $end ][] = $doctor_id;
		}
		$read = 0;
		foreach ( $groups as $range => $doctors ) {
			list( $start, $end ) = array_map( 'intval', explode( '_', $range ) );
			foreach ( array_chunk( $doctors, self::MAX_DOCTORS ) as $chunk ) {
				$read += self::call( $client, $chunk, $start, $end );
			}
		}
		return $read;
	}

	/**
	 * One sidecar call for up to 50 doctors.
	 *
	 * @param array<string,string> $client  The site's OAuth client.
	 * @param int[]                $doctors Doctors.
	 * @param int                  $start   Range start.
	 * @param int                  $end     Range end.
	 * @return int Doctors read.
	 */
	private static function call( array $client, array $doctors, int $start, int $end ): int {
		$items = array();
		foreach ( $doctors as $doctor_id ) {
			$calendar = MFK_Doctor_Connection::calendar_id( $doctor_id );
			$items[]  = array(
				'ref'         => (string) $doctor_id,
				'credential'  => MFK_Doctor_Connection::credential( $doctor_id ),
				'calendarIds' => array_values( array_unique( array( 'primary', '' !== $calendar ? $calendar : 'primary' ) ) ),
			);
		}
		$answer = MFK_Sidecar_Client::instance()->post(
			'/v1/calendars/busy/many',
			array(
				'siteId'  => MFK_Site::id(),
				'client'  => $client,
				'timeMin' => gmdate( 'Y-m-d\TH:i:s\Z', $start ),
				'timeMax' => gmdate( 'Y-m-d\TH:i:s\Z', $end ),
				'doctors' => $items,
			),
			array( 'timeout' => MFK_Busy_Times::budget_seconds() )
		);
		if ( is_wp_error( $answer ) ) {
			foreach ( $doctors as $doctor_id ) {
				MFK_Busy_Times::failed( $doctor_id, $answer );
			}
			return 0;
		}
		$read = 0;
		foreach ( (array) ( $answer['doctors'] ?? array() ) as $one ) {
			$doctor_id = (int) ( $one['ref'] ?? 0 );
			if ( ! in_array( $doctor_id, $doctors, true ) ) {
				continue;
			}
			if ( isset( $one['credential'] ) && is_string( $one['credential'] ) ) {
				MFK_Doctor_Connection::store_credential( $doctor_id, $one['credential'] );
			}
			if ( isset( $one['error'] ) && is_array( $one['error'] ) ) {
				$data = is_array( $one['error']['data'] ?? null ) ? $one['error']['data'] : array();
				MFK_Busy_Times::failed( $doctor_id, new WP_Error( (string) ( $one['error']['code'] ?? 'sidecar_error' ), (string) ( $one['error']['message'] ?? '' ), $data ) );
				continue;
			}
			MFK_Busy_Times::remember( MFK_Busy_Times::key( $doctor_id, $start, $end ), MFK_Busy_Times::accept( $doctor_id, $one ) );
			++$read;
		}
		return $read;
	}
}
