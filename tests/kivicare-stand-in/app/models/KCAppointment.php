<?php
/**
 * Appointment model. As in KiviCare 4.3 (`app/models/KCAppointment.php` 50-120)
 * the UTC columns are recomputed from the local wall time and
 * `appointment_timezone` on every save.
 *
 * @package KiviCareStandIn
 */

namespace App\models;

use App\baseClasses\KCBaseModel;

defined( 'ABSPATH' ) || exit;

/**
 * Appointment.
 */
class KCAppointment extends KCBaseModel {

	const STATUS_CANCELLED = 0;
	const STATUS_BOOKED    = 1;
	const STATUS_PENDING   = 2;
	const STATUS_CHECK_OUT = 3;
	const STATUS_CHECK_IN  = 4;

	/** @var string */
	protected static $table = 'kc_appointments';

	/**
	 * Property → column.
	 *
	 * @return array<string,string>
	 */
	protected function initSchema() {
		return array(
			'id'                   => 'id',
			'appointmentStartDate' => 'appointment_start_date',
			'appointmentStartTime' => 'appointment_start_time',
			'appointmentEndDate'   => 'appointment_end_date',
			'appointmentEndTime'   => 'appointment_end_time',
			'visitType'            => 'visit_type',
			'clinicId'             => 'clinic_id',
			'doctorId'             => 'doctor_id',
			'patientId'            => 'patient_id',
			'description'          => 'description',
			'status'               => 'status',
			'createdAt'            => 'created_at',
			'appointmentReport'    => 'appointment_report',
			'appointmentStartUtc'  => 'appointment_start_utc',
			'appointmentEndUtc'    => 'appointment_end_utc',
			'createdAtUtc'         => 'created_at_utc',
			'appointmentTimezone'  => 'appointment_timezone',
		);
	}

	/**
	 * Recomputes the UTC columns from local wall time + time zone.
	 */
	protected function beforeSave() {
		$a  = &$this->attributes;
		$tz = isset( $a['appointment_timezone'] ) && kcIsValidTimezone( $a['appointment_timezone'] ) ? $a['appointment_timezone'] : 'UTC';

		$a['appointment_timezone']  = $tz;
		$a['appointment_start_utc'] = self::to_utc( $a['appointment_start_date'] ?? '', $a['appointment_start_time'] ?? '', $tz );
		$a['appointment_end_utc']   = self::to_utc( $a['appointment_end_date'] ?? '', $a['appointment_end_time'] ?? '', $tz );
		if ( empty( $a['created_at'] ) ) {
			$a['created_at'] = current_time( 'mysql' );
		}
		$a['created_at_utc'] = self::to_utc( substr( (string) $a['created_at'], 0, 10 ), substr( (string) $a['created_at'], 11 ), wp_timezone_string() );
	}

	/**
	 * Local date + time in a zone → 'Y-m-d H:i:s' UTC (null when unparsable).
	 *
	 * @param string $date Y-m-d.
	 * @param string $time H:i[:s].
	 * @param string $tz   Time zone.
	 * @return string|null
	 */
	public static function to_utc( $date, $time, $tz ) {
		$local = self::local_datetime( $date, $time, $tz );
		return $local ? $local->setTimezone( new \DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' ) : null;
	}

	/**
	 * Local date + time in a zone as an immutable DateTime (null when unparsable).
	 *
	 * @param string $date Y-m-d.
	 * @param string $time H:i[:s].
	 * @param string $tz   Time zone.
	 * @return \DateTimeImmutable|null
	 */
	public static function local_datetime( $date, $time, $tz ) {
		if ( ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', (string) $date ) || ! preg_match( '/^\d{2}:\d{2}(:\d{2})?$/', (string) $time ) ) {
			return null;
		}
		$time = strlen( $time ) === 5 ? $time . ':00' : $time;
		try {
			$dt = \DateTimeImmutable::createFromFormat( 'Y-m-d H:i:s', $date . ' ' . $time, new \DateTimeZone( $tz ) );
		} catch ( \Exception $e ) {
			return null;
		}
		return $dt ? $dt : null;
	}
}
