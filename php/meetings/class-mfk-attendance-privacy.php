<?php
/**
 * Attendance is personal data: it is kept for a limited time (`attendance_retention_days`,
 * purged by the queue) and offered to WordPress's privacy tools, so a patient's attendance
 * records are exported with their personal data and erased on request (Tools → Export / Erase
 * Personal Data). See docs/queue.md, "Attendance".
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Retention, personal data exporter and eraser of attendance records.
 */
final class MFK_Attendance_Privacy {

	/** Records per exporter / eraser page. */
	const PAGE = 50;

	/**
	 * Days attendance is kept (0: kept until the appointment's data is erased).
	 */
	public static function retention_days(): int {
		return max( 0, (int) MFK_Settings::get( 'attendance_retention_days' ) );
	}

	/**
	 * Deletes records older than the retention (by when they were written); called by the
	 * queue's Meet steps.
	 *
	 * @return int Rows deleted.
	 */
	public static function purge(): int {
		global $wpdb;
		$days = self::retention_days();
		if ( 0 === $days ) {
			return 0;
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- retention purge.
		$deleted = $wpdb->query(
			$wpdb->prepare(
				'DELETE FROM %i WHERE updated_at < %s LIMIT 1000',
				MFK_Meet_Attendance::table(),
				gmdate( 'Y-m-d H:i:s', time() - $days * DAY_IN_SECONDS )
			)
		);
		return (int) $deleted;
	}

	/**
	 * Registers the exporter.
	 *
	 * @param array<string,array<string,mixed>> $exporters Exporters.
	 * @return array<string,array<string,mixed>>
	 */
	public static function register_exporter( $exporters ): array {
		$exporters                      = (array) $exporters;
		$exporters['meet-for-kivicare'] = array(
			'exporter_friendly_name' => __( 'Video consultation attendance', 'meet-for-kivicare' ),
			'callback'               => array( __CLASS__, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Registers the eraser.
	 *
	 * @param array<string,array<string,mixed>> $erasers Erasers.
	 * @return array<string,array<string,mixed>>
	 */
	public static function register_eraser( $erasers ): array {
		$erasers                      = (array) $erasers;
		$erasers['meet-for-kivicare'] = array(
			'eraser_friendly_name' => __( 'Video consultation attendance', 'meet-for-kivicare' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * Attendance rows of the patient with this e-mail address (a page of them).
	 *
	 * @param string $email E-mail address.
	 * @param int    $page  Page, from 1.
	 * @return array<int,array<string,mixed>>
	 */
	private static function rows_of( string $email, int $page ): array {
		global $wpdb;
		$user = get_user_by( 'email', $email );
		if ( ! $user || ! MFK_Appointments::has_table( 'kc_appointments' ) ) {
			return array();
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- privacy request.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				'SELECT a.* FROM %i a JOIN %i k ON k.id = a.appointment_id WHERE k.patient_id = %d ORDER BY a.appointment_id LIMIT %d OFFSET %d',
				MFK_Meet_Attendance::table(),
				MFK_Appointments::table( 'kc_appointments' ),
				(int) $user->ID,
				self::PAGE,
				( max( 1, $page ) - 1 ) * self::PAGE
			),
			ARRAY_A
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * Personal data exporter: one item per recorded consultation.
	 *
	 * @param string $email E-mail address.
	 * @param int    $page  Page.
	 * @return array{data:array<int,array<string,mixed>>,done:bool}
	 */
	public static function export( $email, $page = 1 ): array {
		$rows = self::rows_of( (string) $email, (int) $page );
		$data = array();
		foreach ( $rows as $row ) {
			$summary = MFK_Meet_Attendance::summary( (int) $row['appointment_id'] );
			$people  = array();
			foreach ( $summary['participants'] ?? array() as $p ) {
				$people[] = sprintf( '%1$s (%2$s, %3$d min)', $p['displayName'], $p['kind'], $p['minutes'] );
			}
			$data[] = array(
				'group_id'    => 'mfk-attendance',
				'group_label' => __( 'Video consultation attendance', 'meet-for-kivicare' ),
				'item_id'     => 'mfk-attendance-' . (int) $row['appointment_id'],
				'data'        => array(
					array(
						'name'  => __( 'Appointment', 'meet-for-kivicare' ),
						'value' => (string) (int) $row['appointment_id'],
					),
					array(
						'name'  => __( 'Outcome', 'meet-for-kivicare' ),
						'value' => (string) ( $summary['outcome'] ?? '' ),
					),
					array(
						'name'  => __( 'Call', 'meet-for-kivicare' ),
						'value' => trim( ( $summary['start'] ?? '' ) . ' – ' . ( $summary['end'] ?? '' ), ' –' ),
					),
					array(
						'name'  => __( 'Participants', 'meet-for-kivicare' ),
						'value' => implode( '; ', $people ),
					),
				),
			);
		}
		return array(
			'data' => $data,
			'done' => count( $rows ) < self::PAGE,
		);
	}

	/**
	 * Personal data eraser: the patient's attendance records are deleted.
	 *
	 * @param string $email E-mail address.
	 * @param int    $page  Page (always the first: erased rows are gone).
	 * @return array{items_removed:int,items_retained:int,messages:array<int,string>,done:bool}
	 */
	public static function erase( $email, $page = 1 ): array {
		global $wpdb;
		unset( $page );
		$rows    = self::rows_of( (string) $email, 1 );
		$removed = 0;
		foreach ( $rows as $row ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery -- privacy request.
			$removed += (int) $wpdb->delete( MFK_Meet_Attendance::table(), array( 'appointment_id' => (int) $row['appointment_id'] ), array( '%d' ) );
		}
		return array(
			'items_removed'  => $removed,
			'items_retained' => 0,
			'messages'       => array(),
			'done'           => count( $rows ) < self::PAGE,
		);
	}
}
