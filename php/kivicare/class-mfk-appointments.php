<?php
/**
 * Read-only access to KiviCare's appointment data (tables documented in the
 * KiviCare 4.x contract, section 7).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * KiviCare appointment lookups and the true instant of an appointment.
 */
final class MFK_Appointments {

	const STATUS_CANCELLED = 0;
	const STATUS_BOOKED    = 1;
	const STATUS_PENDING   = 2;
	const STATUS_CHECK_OUT = 3;
	const STATUS_CHECK_IN  = 4;

	/**
	 * Per-request cache of table existence.
	 *
	 * @var array<string,bool>
	 */
	private static $tables = array();

	/**
	 * Appointment rows read ahead for a queue batch (id => row, or null when gone), each
	 * handed out once by get() (prime()).
	 *
	 * @var array<int,array<string,mixed>|null>
	 */
	private static $primed = array();

	/**
	 * Clinic names read so far (id => name), until forget().
	 *
	 * @var array<int,string>
	 */
	private static $clinics = array();

	/**
	 * Reads these appointments in one query; the next get() of each is answered from it (once:
	 * a later get() reads again). An empty list drops what was read ahead and not asked for.
	 *
	 * @param int[] $ids Appointment ids.
	 */
	public static function prime( array $ids ): void {
		global $wpdb;
		self::$primed = array();
		$ids          = array_values( array_unique( array_filter( array_map( 'intval', $ids ) ) ) );
		if ( ! $ids || ! self::has_table( 'kc_appointments' ) ) {
			return;
		}
		self::$primed = array_fill_keys( $ids, null );
		$in           = implode( ',', $ids ); // Integers only.
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and a list of integers.
		foreach ( (array) $wpdb->get_results( $wpdb->prepare( "SELECT * FROM %i WHERE id IN ({$in})", self::table( 'kc_appointments' ) ), ARRAY_A ) as $row ) {
			self::$primed[ (int) $row['id'] ] = $row;
		}
	}

	/**
	 * Forgets the clinic names read so far and the rows read ahead (the queue worker calls
	 * this per batch, so a batch reads each clinic once).
	 */
	public static function forget(): void {
		self::$primed  = array();
		self::$clinics = array();
	}

	/**
	 * Full name of a KiviCare table.
	 *
	 * @param string $name Name without prefix, e.g. kc_appointments.
	 */
	public static function table( string $name ): string {
		global $wpdb;
		return $wpdb->prefix . $name;
	}

	/**
	 * Whether a KiviCare table exists (cached for the request).
	 *
	 * @param string $name Name without prefix.
	 */
	public static function has_table( string $name ): bool {
		$table = self::table( $name );
		if ( ! isset( self::$tables[ $table ] ) ) {
			self::$tables[ $table ] = MFK_Schema::table_exists( $table );
		}
		return self::$tables[ $table ];
	}

	/**
	 * The appointment row (as stored), or null. Reads through the current connection,
	 * so inside KiviCare's booking transaction it sees the uncommitted row.
	 *
	 * @param int $appointment_id Appointment id.
	 * @return array<string,mixed>|null
	 */
	public static function get( int $appointment_id ): ?array {
		global $wpdb;
		if ( $appointment_id <= 0 || ! self::has_table( 'kc_appointments' ) ) {
			return null;
		}
		if ( array_key_exists( $appointment_id, self::$primed ) ) {
			$row = self::$primed[ $appointment_id ];
			unset( self::$primed[ $appointment_id ] );
			return $row;
		}
		$table = self::table( 'kc_appointments' );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM `{$table}` WHERE id = %d", $appointment_id ), ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/**
	 * Whether at least one service of the appointment is a telemedicine service of
	 * that doctor at that clinic. Null when the appointment has no services recorded
	 * yet (KiviCare may insert them after calling the provider).
	 *
	 * @param array<string,mixed> $appointment Appointment row.
	 */
	public static function is_telemed( array $appointment ): ?bool {
		global $wpdb;
		if ( ! self::has_table( 'kc_service_doctor_mapping' ) ) {
			return null;
		}
		$sdm        = self::table( 'kc_service_doctor_mapping' );
		$doctor_id  = (int) ( $appointment['doctor_id'] ?? 0 );
		$clinic_id  = (int) ( $appointment['clinic_id'] ?? 0 );
		$service_ids = array();

		if ( self::has_table( 'kc_appointment_service_mapping' ) ) {
			$asm = self::table( 'kc_appointment_service_mapping' );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$service_ids = array_map( 'intval', (array) $wpdb->get_col( $wpdb->prepare( "SELECT service_id FROM `{$asm}` WHERE appointment_id = %d", (int) $appointment['id'] ) ) );
		}
		if ( $service_ids ) {
			$in = implode( ',', array_fill( 0, count( $service_ids ), '%d' ) );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- table name and placeholders only.
			$found = $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM `{$sdm}` WHERE service_id IN ({$in}) AND doctor_id = %d AND clinic_id = %d AND telemed_service = 'yes'", array_merge( $service_ids, array( $doctor_id, $clinic_id ) ) ) );
			return (int) $found > 0;
		}

		// visit_type: comma-separated doctor-service mapping ids.
		$mapping_ids = array_values( array_filter( array_map( 'intval', explode( ',', (string) ( $appointment['visit_type'] ?? '' ) ) ) ) );
		if ( $mapping_ids ) {
			$in = implode( ',', array_fill( 0, count( $mapping_ids ), '%d' ) );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- table name and placeholders only.
			$found = $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM `{$sdm}` WHERE id IN ({$in}) AND doctor_id = %d AND clinic_id = %d AND telemed_service = 'yes'", array_merge( $mapping_ids, array( $doctor_id, $clinic_id ) ) ) );
			return (int) $found > 0;
		}
		return null;
	}

	/**
	 * True start, end and IANA zone of an appointment.
	 *
	 * KiviCare stores wall time local to `appointment_timezone` (4.3+), plus UTC
	 * columns. Older rows have neither: their wall time is in the doctor's `timezone`
	 * meta or else the site zone. The site zone KiviCare passes to providers is never
	 * used for the appointment itself.
	 *
	 * @param array<string,mixed> $appointment      Appointment row.
	 * @param int                 $default_minutes  Duration when the end is missing.
	 * @return array{start:DateTimeImmutable,end:DateTimeImmutable,timezone:string}|null
	 */
	public static function instants( array $appointment, int $default_minutes = 30 ): ?array {
		$utc       = new DateTimeZone( 'UTC' );
		$raw_zone  = (string) ( $appointment['appointment_timezone'] ?? '' );
		$zone_name = self::valid_zone( $raw_zone );
		$start     = null;
		$end       = null;

		// A named zone, or a fixed offset (+05:30) that sites without a city zone store.
		$zone = '' !== $zone_name ? new DateTimeZone( $zone_name ) : self::offset_zone( $raw_zone );
		if ( null !== $zone ) {
			list( $start, $end ) = self::parse_local_pair( $appointment, $zone );
		}
		if ( null === $start && ! empty( $appointment['appointment_start_utc'] ) ) {
			$start = self::parse_utc( (string) $appointment['appointment_start_utc'] );
			$end   = ! empty( $appointment['appointment_end_utc'] ) ? self::parse_utc( (string) $appointment['appointment_end_utc'] ) : null;
		}
		$doctor_zone = self::valid_zone( (string) get_user_meta( (int) ( $appointment['doctor_id'] ?? 0 ), 'timezone', true ) );
		if ( null === $start ) {
			// Rows older than KiviCare 4.3: wall time in the doctor's zone, else the site's.
			list( $start, $end ) = self::parse_local_pair( $appointment, '' !== $doctor_zone ? new DateTimeZone( $doctor_zone ) : wp_timezone() );
		}
		if ( '' === $zone_name ) {
			// Google wants a named zone; the instant itself is already fixed above.
			$zone_name = '' !== $doctor_zone && null === $zone ? $doctor_zone : self::offset_zone_name( $raw_zone );
		}
		if ( null === $start ) {
			return null;
		}
		if ( null === $end || $end <= $start ) {
			$end = $start->modify( '+' . max( 1, $default_minutes ) . ' minutes' );
		}
		return array(
			'start'    => $start->setTimezone( $utc ),
			'end'      => $end->setTimezone( $utc ),
			'timezone' => $zone_name,
		);
	}

	/**
	 * Start and end wall times of a row read in $zone.
	 *
	 * @param array<string,mixed> $appointment Appointment row.
	 * @param DateTimeZone        $zone        Zone.
	 * @return array{0:DateTimeImmutable|null,1:DateTimeImmutable|null}
	 */
	private static function parse_local_pair( array $appointment, DateTimeZone $zone ): array {
		return array(
			self::parse_local( $appointment['appointment_start_date'] ?? '', $appointment['appointment_start_time'] ?? '', $zone ),
			self::parse_local( $appointment['appointment_end_date'] ?? ( $appointment['appointment_start_date'] ?? '' ), $appointment['appointment_end_time'] ?? '', $zone ),
		);
	}

	/**
	 * A fixed-offset zone from "+05:30" / "-03:00" (null otherwise).
	 *
	 * @param string $value Offset.
	 */
	private static function offset_zone( string $value ): ?DateTimeZone {
		if ( ! preg_match( '/^[+-](0\d|1[0-4]):[0-5]\d$/', trim( $value ) ) ) {
			return null;
		}
		return new DateTimeZone( trim( $value ) );
	}

	/**
	 * A named zone standing in for an offset: Etc/GMT∓H for whole hours, else the site
	 * zone's name (or UTC). Only the label Google shows; dateTime carries the offset.
	 *
	 * @param string $offset Offset such as +02:00, or ''.
	 */
	private static function offset_zone_name( string $offset ): string {
		if ( preg_match( '/^([+-])(\d{2}):00$/', trim( $offset ), $m ) ) {
			return '00' === $m[2] ? 'UTC' : 'Etc/GMT' . ( '+' === $m[1] ? '-' : '+' ) . (int) $m[2];
		}
		return self::site_zone();
	}

	/**
	 * RFC 3339 date-time with the offset in force in $zone at that instant.
	 *
	 * @param DateTimeImmutable $instant Instant.
	 * @param string            $zone    IANA zone.
	 */
	public static function rfc3339( DateTimeImmutable $instant, string $zone ): string {
		return $instant->setTimezone( new DateTimeZone( '' !== self::valid_zone( $zone ) ? $zone : 'UTC' ) )->format( 'Y-m-d\TH:i:sP' );
	}

	/**
	 * Parses an ISO-8601 date-time (with offset, as KiviCare's reschedule passes it).
	 * Without an offset the value is read in $zone.
	 *
	 * @param mixed  $value ISO string.
	 * @param string $zone  Fallback zone.
	 */
	public static function parse_iso( $value, string $zone ): ?DateTimeImmutable {
		if ( ! is_string( $value ) || '' === trim( $value ) ) {
			return null;
		}
		try {
			$tz = new DateTimeZone( '' !== self::valid_zone( $zone ) ? $zone : 'UTC' );
			$dt = new DateTimeImmutable( trim( $value ), $tz );
		} catch ( Exception $e ) {
			return null;
		}
		return $dt->setTimezone( new DateTimeZone( 'UTC' ) );
	}

	/**
	 * The site's zone as an IANA name (an offset like +02:00 becomes Etc/GMT-2 when
	 * whole hours, else UTC, because Google wants a named zone).
	 */
	public static function site_zone(): string {
		$name = wp_timezone_string();
		if ( '' !== self::valid_zone( $name ) ) {
			return $name;
		}
		if ( preg_match( '/^([+-])(\d{2}):00$/', $name, $m ) && '00' !== $m[2] ) {
			// Etc/GMT signs are inverted: UTC+02:00 is Etc/GMT-2.
			return 'Etc/GMT' . ( '+' === $m[1] ? '-' : '+' ) . (int) $m[2];
		}
		return 'UTC';
	}

	/**
	 * $name when it is a named (IANA) zone PHP knows, else ''.
	 *
	 * @param string $name Zone name.
	 */
	public static function valid_zone( string $name ): string {
		$name = trim( $name );
		if ( '' === $name || ! preg_match( '#^[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*$#', $name ) ) {
			return '';
		}
		try {
			new DateTimeZone( $name );
		} catch ( Exception $e ) {
			return '';
		}
		return $name;
	}

	/**
	 * Local wall time to an instant. Times inside a DST gap move forward by the gap,
	 * the way PHP (and Google) resolve them.
	 *
	 * @param mixed        $date Y-m-d.
	 * @param mixed        $time H:i or H:i:s.
	 * @param DateTimeZone $zone Zone.
	 */
	private static function parse_local( $date, $time, DateTimeZone $zone ): ?DateTimeImmutable {
		$date = trim( (string) $date );
		$time = trim( (string) $time );
		if ( ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $date ) || ! preg_match( '/^\d{1,2}:\d{2}(:\d{2})?$/', $time ) ) {
			return null;
		}
		$format = 2 === substr_count( $time, ':' ) ? 'Y-m-d H:i:s' : 'Y-m-d H:i';
		$dt     = DateTimeImmutable::createFromFormat( '!' . $format, $date . ' ' . $time, $zone );
		return false === $dt ? null : $dt;
	}

	/**
	 * A UTC DATETIME column to an instant.
	 *
	 * @param string $value Y-m-d H:i:s.
	 */
	private static function parse_utc( string $value ): ?DateTimeImmutable {
		$dt = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', trim( $value ), new DateTimeZone( 'UTC' ) );
		return false === $dt ? null : $dt;
	}

	/**
	 * Display name of a user ('' when unknown).
	 *
	 * @param int $user_id User id.
	 */
	public static function user_name( int $user_id ): string {
		$user = $user_id > 0 ? get_userdata( $user_id ) : false;
		return $user ? (string) $user->display_name : '';
	}

	/**
	 * E-mail of a user ('' when unknown).
	 *
	 * @param int $user_id User id.
	 */
	public static function user_email( int $user_id ): string {
		$user = $user_id > 0 ? get_userdata( $user_id ) : false;
		return $user && is_email( $user->user_email ) ? (string) $user->user_email : '';
	}

	/**
	 * Clinic name ('' when unknown).
	 *
	 * @param int $clinic_id Clinic id.
	 */
	public static function clinic_name( int $clinic_id ): string {
		global $wpdb;
		if ( $clinic_id <= 0 || ! self::has_table( 'kc_clinics' ) ) {
			return '';
		}
		if ( ! isset( self::$clinics[ $clinic_id ] ) ) {
			self::$clinics[ $clinic_id ] = (string) $wpdb->get_var( $wpdb->prepare( 'SELECT name FROM %i WHERE id = %d', self::table( 'kc_clinics' ), $clinic_id ) );
		}
		return self::$clinics[ $clinic_id ];
	}
}
