<?php
/**
 * The video visits report: past telemedicine appointments (a Meet link, not cancelled, ended)
 * with their attendance outcome (held, patient no-show, doctor no-show, not held, or not yet
 * known), the call's duration, doctor, clinic and date. Administrators see every clinic, a
 * KiviCare clinic admin the clinics they run. Pages are read newest first through the mapping
 * table's `end_utc` index (no full scan per page); totals per outcome count the filtered rows
 * once. The CSV export streams the same rows in chunks (keyset on end_utc, id), with cells that
 * a spreadsheet could read as a formula prefixed with `'`. See docs/rest-api.md, "Reports".
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Report queries and the CSV export.
 */
final class MFK_Visits_Report {

	/** Outcome of a visit whose attendance is not recorded (yet). */
	const UNKNOWN = 'unknown';

	/** Outcomes, in the order totals are given. */
	const OUTCOMES = array(
		MFK_Meet_Attendance::HELD,
		MFK_Meet_Attendance::PATIENT_NO_SHOW,
		MFK_Meet_Attendance::DOCTOR_NO_SHOW,
		MFK_Meet_Attendance::NOT_HELD,
		self::UNKNOWN,
	);

	/** Rows per page at most. */
	const MAX_PER_PAGE = 100;

	/** Rows read per query while exporting. */
	const CSV_CHUNK = 500;

	/**
	 * Clinics whose visits the user may see: null for every clinic (administrators), else the
	 * clinics they are the KiviCare clinic admin of (empty: none).
	 *
	 * @param int $user_id User.
	 * @return array<int,int>|null
	 */
	public static function clinics_of( int $user_id ): ?array {
		if ( user_can( $user_id, 'manage_options' ) ) {
			return null;
		}
		return MFK_Clinic_Staff::clinics( $user_id, true );
	}

	/**
	 * Whether the user may open the report at all.
	 *
	 * @param int $user_id User.
	 */
	public static function can_view( int $user_id ): bool {
		if ( $user_id <= 0 ) {
			return false;
		}
		$clinics = self::clinics_of( $user_id );
		return null === $clinics || array() !== $clinics;
	}

	/**
	 * The WHERE clause and its values for the filters.
	 *
	 * @param array<string,mixed> $filters doctor_id, clinic_id, from, to (Y-m-d, site's zone), outcome.
	 * @param array<int,int>|null $clinics Clinics allowed (null: all).
	 * @param bool                $outcome Apply the outcome filter.
	 * @return array{0:string,1:array<int,mixed>}
	 */
	private static function where( array $filters, ?array $clinics, bool $outcome = true ): array {
		$sql    = "m.desired = 'active' AND m.url LIKE %s AND m.end_utc IS NOT NULL AND m.end_utc <= %s";
		$values = array( 'https://meet.google.com/%', gmdate( 'Y-m-d H:i:s' ) );
		$zone   = new DateTimeZone( MFK_Appointments::site_zone() );
		foreach ( array( 'from' => '>=', 'to' => '<' ) as $key => $op ) {
			$day = (string) ( $filters[ $key ] ?? '' );
			if ( ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $day ) ) {
				continue;
			}
			$local = DateTimeImmutable::createFromFormat( '!Y-m-d', $day, $zone );
			if ( false === $local ) {
				continue;
			}
			if ( 'to' === $key ) {
				$local = $local->modify( '+1 day' ); // The whole last day.
			}
			$sql     .= " AND m.end_utc {$op} %s";
			$values[] = $local->setTimezone( new DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' );
		}
		if ( ! empty( $filters['doctor_id'] ) ) {
			$sql     .= ' AND m.doctor_id = %d';
			$values[] = (int) $filters['doctor_id'];
		}
		$wanted = $clinics;
		if ( ! empty( $filters['clinic_id'] ) ) {
			$one    = (int) $filters['clinic_id'];
			$wanted = null === $wanted || in_array( $one, $wanted, true ) ? array( $one ) : array();
		}
		if ( null !== $wanted ) {
			if ( array() === $wanted ) {
				$sql .= ' AND 1 = 0';
			} else {
				$sql   .= ' AND k.clinic_id IN (' . implode( ',', array_fill( 0, count( $wanted ), '%d' ) ) . ')';
				$values = array_merge( $values, $wanted );
			}
		}
		$want = (string) ( $filters['outcome'] ?? '' );
		if ( $outcome && in_array( $want, self::OUTCOMES, true ) ) {
			if ( self::UNKNOWN === $want ) {
				$sql .= " AND ( a.outcome IS NULL OR a.outcome = '' )";
			} else {
				$sql     .= ' AND a.outcome = %s';
				$values[] = $want;
			}
		}
		return array( $sql, $values );
	}

	/**
	 * The FROM clause and its table values.
	 *
	 * @return array{0:string,1:array<int,string>}
	 */
	private static function from(): array {
		return array(
			'%i m JOIN %i k ON k.id = m.appointment_id LEFT JOIN %i a ON a.appointment_id = m.appointment_id',
			array( MFK_Schema::table(), MFK_Appointments::table( 'kc_appointments' ), MFK_Meet_Attendance::table() ),
		);
	}

	/**
	 * Visits per outcome for the filters (the outcome filter itself left out), every outcome
	 * present.
	 *
	 * @param array<string,mixed> $filters Filters.
	 * @param array<int,int>|null $clinics Clinics allowed.
	 * @return array<string,int>
	 */
	public static function totals( array $filters, ?array $clinics ): array {
		global $wpdb;
		list( $from, $tables ) = self::from();
		list( $where, $values ) = self::where( $filters, $clinics, false );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching,WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- live report; placeholders only.
		$rows   = $wpdb->get_results( $wpdb->prepare( "SELECT COALESCE( NULLIF( a.outcome, '' ), %s ) AS o, COUNT(*) AS n FROM {$from} WHERE {$where} GROUP BY o", array_merge( array( self::UNKNOWN ), $tables, $values ) ), ARRAY_A );
		$totals = array_fill_keys( self::OUTCOMES, 0 );
		foreach ( (array) $rows as $row ) {
			$key = in_array( $row['o'], self::OUTCOMES, true ) ? $row['o'] : self::UNKNOWN;
			$totals[ $key ] += (int) $row['n'];
		}
		return $totals;
	}

	/**
	 * Rows of the report, newest first.
	 *
	 * @param array<string,mixed> $filters Filters.
	 * @param array<int,int>|null $clinics Clinics allowed.
	 * @param int                 $limit   Rows at most.
	 * @param int                 $offset  Rows skipped (pages).
	 * @param array{0:string,1:int}|null $after Keyset: rows before this (end_utc, id) (export).
	 * @return array<int,array<string,mixed>>
	 */
	public static function rows( array $filters, ?array $clinics, int $limit, int $offset = 0, ?array $after = null ): array {
		global $wpdb;
		list( $from, $tables ) = self::from();
		list( $where, $values ) = self::where( $filters, $clinics );
		if ( null !== $after ) {
			$where   .= ' AND ( m.end_utc < %s OR ( m.end_utc = %s AND m.id < %d ) )';
			$values[] = $after[0];
			$values[] = $after[0];
			$values[] = $after[1];
		}
		$values[] = $limit;
		$values[] = $offset;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching,WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- live report; placeholders only.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT m.id, m.appointment_id, m.doctor_id, k.clinic_id, m.start_utc, m.end_utc, a.state AS attendance_state, a.outcome, a.call_start, a.call_end
				FROM {$from} WHERE {$where} ORDER BY m.end_utc DESC, m.id DESC LIMIT %d OFFSET %d",
				array_merge( $tables, $values )
			),
			ARRAY_A
		);
		return array_map( array( __CLASS__, 'item' ), is_array( $rows ) ? $rows : array() );
	}

	/**
	 * One row as the API gives it.
	 *
	 * @param array<string,mixed> $row Database row.
	 * @return array<string,mixed>
	 */
	private static function item( array $row ): array {
		static $clinics = array();
		$clinic_id = (int) $row['clinic_id'];
		if ( ! isset( $clinics[ $clinic_id ] ) ) {
			$clinics[ $clinic_id ] = MFK_Appointments::clinic_name( $clinic_id );
		}
		$minutes = null;
		if ( ! empty( $row['call_start'] ) && ! empty( $row['call_end'] ) ) {
			$minutes = max( 0, (int) round( ( strtotime( $row['call_end'] . ' UTC' ) - strtotime( $row['call_start'] . ' UTC' ) ) / MINUTE_IN_SECONDS ) );
		}
		return array(
			'appointment_id' => (int) $row['appointment_id'],
			'start'          => MFK_REST::iso( $row['start_utc'] ),
			'end'            => MFK_REST::iso( $row['end_utc'] ),
			'doctor'         => array(
				'id'   => (int) $row['doctor_id'],
				'name' => MFK_Appointments::user_name( (int) $row['doctor_id'] ),
			),
			'clinic'         => array(
				'id'   => $clinic_id,
				'name' => $clinics[ $clinic_id ],
			),
			'outcome'        => '' !== (string) $row['outcome'] ? (string) $row['outcome'] : self::UNKNOWN,
			'minutes'        => $minutes,
			'_cursor'        => array( (string) $row['end_utc'], (int) $row['id'] ),
		);
	}

	/**
	 * A cell safe to open in a spreadsheet: text starting with = + - @ (or a tab or carriage
	 * return) is prefixed with ' so it is never read as a formula.
	 *
	 * @param mixed $value Value.
	 */
	public static function csv_cell( $value ): string {
		$text = null === $value ? '' : (string) $value;
		return '' !== $text && false !== strpos( "=+-@\t\r", $text[0] ) ? "'" . $text : $text;
	}

	/**
	 * Writes the CSV of every row for the filters to the output, chunk by chunk.
	 *
	 * @param array<string,mixed> $filters Filters.
	 * @param array<int,int>|null $clinics Clinics allowed.
	 * @param resource            $out     Stream.
	 * @return int Rows written.
	 */
	public static function write_csv( array $filters, ?array $clinics, $out ): int {
		$zone = wp_timezone();
		fputcsv( $out, array( 'Appointment', 'Date', 'Start', 'End', 'Doctor', 'Clinic', 'Outcome', 'Minutes' ), ',', '"', '' );
		$written = 0;
		$after   = null;
		do {
			$rows = self::rows( $filters, $clinics, self::CSV_CHUNK, 0, $after );
			foreach ( $rows as $row ) {
				$start = null === $row['start'] ? null : ( new DateTimeImmutable( $row['start'] ) )->setTimezone( $zone );
				$end   = null === $row['end'] ? null : ( new DateTimeImmutable( $row['end'] ) )->setTimezone( $zone );
				fputcsv(
					$out,
					array_map(
						array( __CLASS__, 'csv_cell' ),
						array(
							$row['appointment_id'],
							$start ? $start->format( 'Y-m-d' ) : '',
							$start ? $start->format( 'H:i' ) : '',
							$end ? $end->format( 'H:i' ) : '',
							$row['doctor']['name'],
							$row['clinic']['name'],
							$row['outcome'],
							$row['minutes'],
						)
					),
					',',
					'"',
					''
				);
				$after = $row['_cursor'];
				++$written;
			}
			if ( function_exists( 'ob_get_level' ) && ob_get_level() > 0 ) {
				ob_flush();
			}
			flush();
		} while ( count( $rows ) === self::CSV_CHUNK );
		return $written;
	}
}
