<?php
/**
 * Appointment queries shared by the REST controllers, the wp-admin screen and
 * the notification listener: visibility per role, formatting, services,
 * telemed detection, doctor sessions and slot conflicts.
 *
 * @package KiviCareStandIn
 */

namespace App\services;

use App\baseClasses\KCBase;
use App\models\KCAppointment;

defined( 'ABSPATH' ) || exit;

/**
 * Appointment helpers.
 */
class KCAppointmentService {

	/** Default doctor session when none is configured (local to the appointment's zone). */
	const DEFAULT_SESSION = '09:00-17:00';

	/** Slot length in minutes when services carry no duration. */
	const DEFAULT_DURATION = 30;

	/**
	 * Appointment row.
	 *
	 * @param int $id Appointment id.
	 * @return object|null
	 */
	public static function find_row( $id ) {
		global $wpdb;
		return $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}kc_appointments WHERE id = %d", (int) $id ) );
	}

	/**
	 * Whether a user may see/act on an appointment: administrators all; doctors
	 * and patients their own; clinic admins and receptionists their clinics'.
	 *
	 * @param int    $user_id User id.
	 * @param object $row     Appointment row.
	 * @return bool
	 */
	public static function user_can_access( $user_id, $row ) {
		$role = KCBase::get_user_role( $user_id );
		switch ( $role ) {
			case KCBase::ADMIN:
				return true;
			case KCBase::DOCTOR:
				return (int) $row->doctor_id === (int) $user_id;
			case KCBase::PATIENT:
				return (int) $row->patient_id === (int) $user_id;
			case KCBase::CLINIC_ADMIN:
			case KCBase::RECEPTIONIST:
				return in_array( (int) $row->clinic_id, KCBase::staff_clinic_ids( $user_id ), true );
			default:
				return false;
		}
	}

	/**
	 * SQL condition (alias `a`) restricting appointments to those a user sees.
	 *
	 * @param int $user_id User id.
	 * @return string
	 */
	private static function visibility_sql( $user_id ) {
		global $wpdb;
		switch ( KCBase::get_user_role( $user_id ) ) {
			case KCBase::ADMIN:
				return '1 = 1';
			case KCBase::DOCTOR:
				return $wpdb->prepare( 'a.doctor_id = %d', $user_id );
			case KCBase::PATIENT:
				return $wpdb->prepare( 'a.patient_id = %d', $user_id );
			case KCBase::CLINIC_ADMIN:
			case KCBase::RECEPTIONIST:
				$clinics = KCBase::staff_clinic_ids( $user_id );
				return $clinics ? 'a.clinic_id IN (' . implode( ',', array_map( 'intval', $clinics ) ) . ')' : '1 = 0';
			default:
				return '1 = 0';
		}
	}

	/**
	 * Appointments a user sees, filtered and paginated.
	 *
	 * @param int   $user_id User id.
	 * @param array $args    search, clinic, doctor, patient, status, orderby, order, page, perPage, timeFrame.
	 * @return array{rows: object[], total: int}
	 */
	public static function list_for_user( $user_id, array $args ) {
		global $wpdb;
		$p     = $wpdb->prefix;
		$where = array( self::visibility_sql( $user_id ) );

		foreach ( array(
			'clinic'  => 'a.clinic_id',
			'doctor'  => 'a.doctor_id',
			'patient' => 'a.patient_id',
		) as $key => $column ) {
			if ( ! empty( $args[ $key ] ) ) {
				$where[] = $wpdb->prepare( "$column = %d", (int) $args[ $key ] ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- fixed column names.
			}
		}
		if ( isset( $args['status'] ) && '' !== $args['status'] && 'all' !== $args['status'] && null !== $args['status'] ) {
			$where[] = $wpdb->prepare( 'a.status = %d', (int) $args['status'] );
		}
		if ( ! empty( $args['search'] ) ) {
			$like    = '%' . $wpdb->esc_like( (string) $args['search'] ) . '%';
			$where[] = $wpdb->prepare( '(d.display_name LIKE %s OR pt.display_name LIKE %s OR a.description LIKE %s)', $like, $like, $like );
		}
		$now = gmdate( 'Y-m-d H:i:s' );
		switch ( $args['timeFrame'] ?? '' ) {
			case 'upcoming':
				$where[] = $wpdb->prepare( 'a.appointment_start_utc >= %s', $now );
				break;
			case 'past':
				$where[] = $wpdb->prepare( 'a.appointment_start_utc < %s', $now );
				break;
			case 'today':
				$where[] = $wpdb->prepare( 'a.appointment_start_date = %s', current_time( 'Y-m-d' ) );
				break;
		}

		$orderable = array(
			'appointment_start_date' => 'a.appointment_start_utc',
			'start'                  => 'a.appointment_start_utc',
			'id'                     => 'a.id',
			'status'                 => 'a.status',
			'created_at'             => 'a.created_at_utc',
		);
		$orderby   = $orderable[ $args['orderby'] ?? '' ] ?? 'a.appointment_start_utc';
		$order     = 'asc' === strtolower( (string) ( $args['order'] ?? 'desc' ) ) ? 'ASC' : 'DESC';
		$per_page  = isset( $args['perPage'] ) ? (int) $args['perPage'] : 10;
		$per_page  = $per_page < 1 ? 1000 : min( $per_page, 1000 );
		$page      = max( 1, (int) ( $args['page'] ?? 1 ) );
		$offset    = ( $page - 1 ) * $per_page;

		$from = "FROM {$p}kc_appointments a
			LEFT JOIN {$wpdb->users} d ON d.ID = a.doctor_id
			LEFT JOIN {$wpdb->users} pt ON pt.ID = a.patient_id
			WHERE " . implode( ' AND ', $where );

		// phpcs:disable WordPress.DB.PreparedSQL.NotPrepared -- every fragment is prepared above.
		$total = (int) $wpdb->get_var( "SELECT COUNT(*) $from" );
		$rows  = $wpdb->get_results( "SELECT a.* $from ORDER BY $orderby $order, a.id $order LIMIT $offset, $per_page" );
		// phpcs:enable

		return array(
			'rows'  => (array) $rows,
			'total' => $total,
		);
	}

	/**
	 * Services of an appointment: name, ids and telemed flag.
	 *
	 * @param object $row Appointment row.
	 * @return array[]
	 */
	public static function services_of( $row ) {
		global $wpdb;
		$p           = $wpdb->prefix;
		$mapping_ids = self::parse_ids( (string) $row->visit_type );
		if ( $mapping_ids ) {
			$in   = implode( ',', $mapping_ids );
			$rows = $wpdb->get_results( "SELECT m.id AS mapping_id, m.service_id, m.telemed_service, m.duration, m.charges, COALESCE(NULLIF(m.service_name_alias, ''), s.name) AS name FROM {$p}kc_service_doctor_mapping m JOIN {$p}kc_services s ON s.id = m.service_id WHERE m.id IN ($in) ORDER BY m.id" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- ints.
		} else {
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT NULL AS mapping_id, s.id AS service_id, 'no' AS telemed_service, NULL AS duration, s.price AS charges, s.name FROM {$p}kc_appointment_service_mapping asm JOIN {$p}kc_services s ON s.id = asm.service_id WHERE asm.appointment_id = %d", (int) $row->id ) );
		}
		return array_map(
			static function ( $s ) {
				return array(
					'mapping_id'      => null === $s->mapping_id ? null : (int) $s->mapping_id,
					'service_id'      => (int) $s->service_id,
					'name'            => (string) $s->name,
					'telemed_service' => (string) $s->telemed_service,
					'charges'         => (string) $s->charges,
				);
			},
			(array) $rows
		);
	}

	/**
	 * Telemed detection of an existing appointment, as core's reschedule and
	 * notification code do it: its services joined to any mapping of the same
	 * service in the same clinic that is telemed (not filtered by doctor).
	 *
	 * @param object $row Appointment row.
	 * @return bool
	 */
	public static function is_telemed( $row ) {
		global $wpdb;
		$p = $wpdb->prefix;
		return (int) $wpdb->get_var(
			$wpdb->prepare(
				"SELECT COUNT(*) FROM {$p}kc_appointment_service_mapping asm
				JOIN {$p}kc_service_doctor_mapping sdm ON sdm.service_id = asm.service_id AND sdm.clinic_id = %d AND sdm.telemed_service = 'yes'
				WHERE asm.appointment_id = %d",
				(int) $row->clinic_id,
				(int) $row->id
			)
		) > 0;
	}

	/**
	 * Names of the appointment's telemed services (", " joined).
	 *
	 * @param object $row Appointment row.
	 * @return string
	 */
	public static function telemed_topic( $row ) {
		$names = array();
		foreach ( self::services_of( $row ) as $service ) {
			if ( 'yes' === $service['telemed_service'] ) {
				$names[] = $service['name'];
			}
		}
		if ( ! $names ) {
			$names = wp_list_pluck( self::services_of( $row ), 'name' );
		}
		return implode( ', ', $names );
	}

	/**
	 * API shape of an appointment (without the filters).
	 *
	 * @param object $row Appointment row.
	 * @return array
	 */
	public static function format( $row ) {
		global $wpdb;
		$clinic       = $wpdb->get_var( $wpdb->prepare( "SELECT name FROM {$wpdb->prefix}kc_clinics WHERE id = %d", (int) $row->clinic_id ) );
		$encounter_id = $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$wpdb->prefix}kc_patient_encounters WHERE appointment_id = %d ORDER BY id ASC LIMIT 1", (int) $row->id ) );
		$services     = self::services_of( $row );
		return array(
			'id'                     => (int) $row->id,
			'appointment_start_date' => (string) $row->appointment_start_date,
			'appointment_start_time' => substr( (string) $row->appointment_start_time, 0, 5 ),
			'appointment_end_date'   => (string) $row->appointment_end_date,
			'appointment_end_time'   => substr( (string) $row->appointment_end_time, 0, 5 ),
			'appointment_timezone'   => (string) $row->appointment_timezone,
			'appointment_start_utc'  => (string) $row->appointment_start_utc,
			'appointment_end_utc'    => (string) $row->appointment_end_utc,
			'clinic_id'              => (int) $row->clinic_id,
			'clinic_name'            => (string) $clinic,
			'doctor_id'              => (int) $row->doctor_id,
			'doctor_name'            => KCBase::user_name( $row->doctor_id ),
			'patient_id'             => (int) $row->patient_id,
			'patient_name'           => KCBase::user_name( $row->patient_id ),
			'description'            => (string) $row->description,
			'status'                 => (int) $row->status,
			'services'               => $services,
			'visit_type'             => (string) $row->visit_type,
			'encounter_id'           => $encounter_id ? (int) $encounter_id : null,
			'created_at'             => (string) $row->created_at,
		);
	}

	/**
	 * Ids from an array, a JSON array string, a comma list or a scalar.
	 *
	 * @param mixed $value Raw value.
	 * @return int[] Positive, unique ids.
	 */
	public static function parse_ids( $value ) {
		if ( is_string( $value ) ) {
			$trimmed = trim( $value );
			if ( '' !== $trimmed && '[' === $trimmed[0] ) {
				$decoded = json_decode( $trimmed, true );
				$value   = is_array( $decoded ) ? $decoded : array();
			} else {
				$value = '' === $trimmed ? array() : explode( ',', $trimmed );
			}
		} elseif ( is_int( $value ) ) {
			$value = array( $value );
		}
		if ( ! is_array( $value ) ) {
			return array();
		}
		$ids = array();
		foreach ( $value as $item ) {
			if ( is_array( $item ) && isset( $item['id'] ) ) {
				$item = $item['id'];
			}
			if ( is_int( $item ) || ( is_string( $item ) && ctype_digit( trim( $item ) ) ) ) {
				$id = (int) $item;
				if ( $id > 0 ) {
					$ids[ $id ] = $id;
				}
			}
		}
		return array_values( $ids );
	}

	/**
	 * Doctor-service mapping rows with their service names.
	 *
	 * @param int[] $ids Mapping ids.
	 * @return object[]
	 */
	public static function load_mappings( array $ids ) {
		global $wpdb;
		if ( ! $ids ) {
			return array();
		}
		$p  = $wpdb->prefix;
		$in = implode( ',', array_map( 'intval', $ids ) );
		return (array) $wpdb->get_results( "SELECT m.*, COALESCE(NULLIF(m.service_name_alias, ''), s.name) AS display_name FROM {$p}kc_service_doctor_mapping m JOIN {$p}kc_services s ON s.id = m.service_id WHERE m.id IN ($in) ORDER BY m.id" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- ints.
	}

	/**
	 * Total duration (minutes) of mappings; the default slot when none set.
	 *
	 * @param object[] $mappings Mapping rows.
	 * @return int
	 */
	public static function duration_of( array $mappings ) {
		$total = 0;
		foreach ( $mappings as $m ) {
			$total += max( 0, (int) $m->duration );
		}
		return $total > 0 ? $total : self::DEFAULT_DURATION;
	}

	/**
	 * Doctor session in minutes from midnight: [start, end]. Doctor meta
	 * `kc_standin_session_hours` ("HH:MM-HH:MM"), else option of the same name,
	 * else 09:00-17:00.
	 *
	 * @param int $doctor_id Doctor id.
	 * @return int[]
	 */
	public static function session_bounds( $doctor_id ) {
		$spec = (string) get_user_meta( (int) $doctor_id, 'kc_standin_session_hours', true );
		if ( '' === $spec ) {
			$spec = (string) get_option( 'kc_standin_session_hours', self::DEFAULT_SESSION );
		}
		if ( ! preg_match( '/^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/', $spec, $m ) ) {
			$spec = self::DEFAULT_SESSION;
			preg_match( '/^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/', $spec, $m );
		}
		return array( (int) $m[1] * 60 + (int) $m[2], (int) $m[3] * 60 + (int) $m[4] );
	}

	/**
	 * Whether [start, start + duration) fits in the doctor's session.
	 *
	 * @param int    $doctor_id Doctor id.
	 * @param string $time      HH:MM.
	 * @param int    $duration  Minutes.
	 * @return bool
	 */
	public static function within_session( $doctor_id, $time, $duration ) {
		list( $from, $to ) = self::session_bounds( $doctor_id );
		$start             = (int) substr( $time, 0, 2 ) * 60 + (int) substr( $time, 3, 2 );
		return $start >= $from && $start + $duration <= $to;
	}

	/**
	 * Whether another live (not cancelled) appointment of the doctor overlaps
	 * the UTC interval.
	 *
	 * @param int      $doctor_id  Doctor id.
	 * @param string   $start_utc  Y-m-d H:i:s.
	 * @param string   $end_utc    Y-m-d H:i:s.
	 * @param int|null $exclude_id Appointment to ignore (reschedule).
	 * @return bool
	 */
	public static function slot_taken( $doctor_id, $start_utc, $end_utc, $exclude_id = null ) {
		global $wpdb;
		return (int) $wpdb->get_var(
			$wpdb->prepare(
				"SELECT COUNT(*) FROM {$wpdb->prefix}kc_appointments WHERE doctor_id = %d AND status <> 0 AND id <> %d AND appointment_start_utc < %s AND appointment_end_utc > %s",
				(int) $doctor_id,
				(int) $exclude_id,
				$end_utc,
				$start_utc
			)
		) > 0;
	}

	/**
	 * Start/end of a booking as local DateTimes.
	 *
	 * @param string $date     Y-m-d.
	 * @param string $time     HH:MM.
	 * @param int    $duration Minutes.
	 * @param string $tz       Time zone.
	 * @return array{0: \DateTimeImmutable, 1: \DateTimeImmutable}|null
	 */
	public static function interval( $date, $time, $duration, $tz ) {
		$start = KCAppointment::local_datetime( $date, $time, $tz );
		if ( ! $start ) {
			return null;
		}
		return array( $start, $start->modify( '+' . (int) $duration . ' minutes' ) );
	}

	/**
	 * External busy times of a doctor for one date, as KiviCare reads them for single dates and
	 * every booking (§10, DS 609-621): `kc_external_busy_slots_single` with the date in the
	 * doctor's zone; each item `{start, end, name}` in local wall time, `start` split at
	 * characters 0-9 / 11-. Returned with UTC bounds for the overlap checks.
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $date      Y-m-d in the doctor's zone.
	 * @return array<int, array{start_utc: string, end_utc: string, name: string, status: string}>
	 */
	public static function external_busy_blocks( $doctor_id, $date ) {
		$items = apply_filters( 'kc_external_busy_slots_single', array(), (int) $doctor_id, (string) $date );
		return self::busy_blocks_from( $items, kcGetDoctorTimezone( $doctor_id ) );
	}

	/**
	 * External busy times of a doctor for a month view (§10, DS 363): `kc_external_busy_slots`
	 * with the local start and end dates (the month ±3 days).
	 *
	 * @param int    $doctor_id Doctor.
	 * @param string $month     Y-m.
	 * @return array<int, array{start_utc: string, end_utc: string, name: string, status: string}>
	 */
	public static function external_busy_blocks_month( $doctor_id, $month ) {
		$first = new \DateTimeImmutable( $month . '-01' );
		$from  = $first->modify( '-3 days' )->format( 'Y-m-d' );
		$to    = $first->modify( 'last day of this month' )->modify( '+3 days' )->format( 'Y-m-d' );
		$items = apply_filters( 'kc_external_busy_slots', array(), (int) $doctor_id, $from, $to );
		return self::busy_blocks_from( $items, kcGetDoctorTimezone( $doctor_id ) );
	}

	/**
	 * Items of the busy filters as virtual appointments (status `google_busy_block`, TS 220-228).
	 *
	 * @param mixed  $items Filter answer.
	 * @param string $tz    The doctor's zone.
	 * @return array<int, array{start_utc: string, end_utc: string, name: string, status: string}>
	 */
	private static function busy_blocks_from( $items, $tz ) {
		$blocks = array();
		foreach ( is_array( $items ) ? $items : array() as $item ) {
			if ( ! is_array( $item ) || empty( $item['start'] ) || empty( $item['end'] ) ) {
				continue;
			}
			$start = (string) $item['start'];
			$end   = (string) $item['end'];
			// KiviCare splits the wall time at characters 0-9 / 11- (DS 612-621).
			$start_utc = KCAppointment::to_utc( substr( $start, 0, 10 ), substr( $start, 11 ), $tz );
			$end_utc   = KCAppointment::to_utc( substr( $end, 0, 10 ), substr( $end, 11 ), $tz );
			if ( ! $start_utc || ! $end_utc ) {
				continue;
			}
			$blocks[] = array(
				'start_utc' => $start_utc,
				'end_utc'   => $end_utc,
				'name'      => isset( $item['name'] ) && '' !== (string) $item['name'] ? (string) $item['name'] : 'Busy on Google Calendar',
				'status'    => 'google_busy_block',
			);
		}
		return $blocks;
	}

	/**
	 * The busy block a UTC interval overlaps, if any.
	 *
	 * @param array<int, array{start_utc: string, end_utc: string, name: string}> $blocks    Blocks.
	 * @param string                                                             $start_utc Y-m-d H:i:s.
	 * @param string                                                             $end_utc   Y-m-d H:i:s.
	 * @return array{start_utc: string, end_utc: string, name: string}|null
	 */
	public static function busy_block_at( array $blocks, $start_utc, $end_utc ) {
		foreach ( $blocks as $block ) {
			if ( $block['start_utc'] < $end_utc && $block['end_utc'] > $start_utc ) {
				return $block;
			}
		}
		return null;
	}
}
