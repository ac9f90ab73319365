<?php
/**
 * Booking notifications (KiviCare `app/emails/listeners/KCAppointmentNotificationListener.php`).
 *
 * Data timing follows core: whether a Meet link exists, and the link itself, are
 * read when the hook fires — for a new booking that is inside KiviCare's
 * transaction, before COMMIT. The mails are queued in Action Scheduler
 * (KCEmailSender::queue(), inside the same transaction: a rolled-back booking
 * queues nothing) and rebuilt when Action Scheduler runs them
 * (KCEmailNotificationInit).
 *
 * @package KiviCareStandIn
 */

namespace App\emails\listeners;

use App\baseClasses\KCBase;
use App\emails\KCEmailSender;
use App\models\KCAppointment;
use App\services\KCAppointmentService as Appointments;

defined( 'ABSPATH' ) || exit;

/**
 * Appointment notification listener.
 */
class KCAppointmentNotificationListener {

	const MEET_MODEL = 'KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';

	/**
	 * Hooks (NL 48-68).
	 */
	public function register() {
		add_action( 'kc_after_create_appointment', array( $this, 'handleAppointmentBooked' ), 10, 1 );
		add_action( 'kc_appointment_payment_completed', array( $this, 'handleAppointmentBooked' ), 10, 1 );
		// Core listens on this name, but nothing in core fires it (it fires kc_appointment_updated).
		add_action( 'kivicare_appointment_updated', array( $this, 'handleAppointmentUpdated' ), 10, 1 );
	}

	/**
	 * Booked / paid: skip cancelled (0) and pending (2); telemed appointments get
	 * no normal patient/doctor booking mail; the clinic mail always goes; then
	 * the video conference links (NL 210-242).
	 *
	 * @param int $appointmentId Appointment id.
	 */
	public function handleAppointmentBooked( $appointmentId ) {
		$data = $this->getAppointmentDataForEmail( (int) $appointmentId );
		if ( ! $data ) {
			return;
		}
		$status = (int) $data['status'];
		if ( KCAppointment::STATUS_CANCELLED === $status || KCAppointment::STATUS_PENDING === $status ) {
			return;
		}
		if ( ! $data['is_telemed'] ) {
			$this->queue( $data, 'kiviCare_book_appointment', $data['patient_email'] );
			$this->queue( $data, 'kiviCare_doctor_book_appointment', $data['doctor_email'] );
		}
		$this->queue( $data, 'kiviCare_clinic_book_appointment', $data['clinic_email'] );
		$this->sendVideoConferenceLinks( $data );
	}

	/**
	 * Reschedule notice (never reached in 4.3: see register()).
	 *
	 * @param int $appointmentId Appointment id.
	 */
	public function handleAppointmentUpdated( $appointmentId ) {
		$data = $this->getAppointmentDataForEmail( (int) $appointmentId );
		if ( $data ) {
			$this->queue( $data, 'kiviCare_book_appointment', $data['patient_email'] );
		}
	}

	/**
	 * Meet link mails to patient and doctor when the mapping has a URL (NL 384-437).
	 *
	 * @param array $data E-mail data.
	 */
	private function sendVideoConferenceLinks( array $data ) {
		if ( empty( $data['meet_link'] ) ) {
			return;
		}
		KCEmailSender::sendVideoConferenceLink( 'meet', $data, $data['meet_link'], 'patient' );
		KCEmailSender::sendVideoConferenceLink( 'meet', $data, $data['meet_link'], 'doctor' );
	}

	/**
	 * Dynamic keys of an appointment; `meet_link`/`meet_event_link` always set
	 * (possibly '') (NL 604-607).
	 *
	 * @param int $appointmentId Appointment id.
	 * @return array|null
	 */
	public function getAppointmentDataForEmail( $appointmentId ) {
		global $wpdb;
		$row = Appointments::find_row( $appointmentId );
		if ( ! $row ) {
			return null;
		}
		$clinic   = $wpdb->get_row( $wpdb->prepare( "SELECT name, email FROM {$wpdb->prefix}kc_clinics WHERE id = %d", (int) $row->clinic_id ) );
		$services = Appointments::services_of( $row );
		return array(
			'appointment_id'       => (int) $row->id,
			'status'               => (int) $row->status,
			'is_telemed'           => Appointments::is_telemed( $row ),
			'patient_name'         => KCBase::user_name( $row->patient_id ),
			'patient_email'        => KCBase::user_email( $row->patient_id ),
			'doctor_name'          => KCBase::user_name( $row->doctor_id ),
			'doctor_email'         => KCBase::user_email( $row->doctor_id ),
			'clinic_name'          => $clinic ? (string) $clinic->name : '',
			'clinic_email'         => $clinic ? (string) $clinic->email : '',
			'appointment_date'     => (string) $row->appointment_start_date,
			'appointment_time'     => substr( (string) $row->appointment_start_time, 0, 5 ),
			'appointment_timezone' => (string) $row->appointment_timezone,
			'appointment_desc'     => (string) $row->description,
			'service_name'         => implode( ', ', wp_list_pluck( $services, 'name' ) ),
			'site_name'            => get_bloginfo( 'name' ),
			'site_url'             => home_url( '/' ),
			'meet_link'            => (string) $this->getMeetLink( (int) $row->id ),
			'meet_event_link'      => (string) $this->getMeetEventLink( (int) $row->id ),
		);
	}

	/**
	 * Mapping row of the add-on's model (first match, no ORDER BY).
	 *
	 * @param int $appointmentId Appointment id.
	 * @return object|null
	 */
	private function getMeetMapping( $appointmentId ) {
		if ( ! class_exists( self::MEET_MODEL ) ) {
			return null;
		}
		$model = '\\' . self::MEET_MODEL;
		return $model::query()->where( 'appointmentId', $appointmentId )->first();
	}

	/**
	 * `->url` of the mapping, or null (NL 715-737).
	 *
	 * @param int $appointmentId Appointment id.
	 * @return string|null
	 */
	public function getMeetLink( $appointmentId ) {
		$mapping = $this->getMeetMapping( $appointmentId );
		return $mapping && ! empty( $mapping->url ) ? (string) $mapping->url : null;
	}

	/**
	 * `->eventUrl` of the mapping, or null (NL 739-761).
	 *
	 * @param int $appointmentId Appointment id.
	 * @return string|null
	 */
	public function getMeetEventLink( $appointmentId ) {
		$mapping = $this->getMeetMapping( $appointmentId );
		return $mapping && ! empty( $mapping->eventUrl ) ? (string) $mapping->eventUrl : null;
	}

	/**
	 * Queues a template for one recipient.
	 *
	 * @param array  $data     E-mail data captured now.
	 * @param string $template Template key.
	 * @param string $to       Recipient.
	 */
	private function queue( array $data, $template, $to ) {
		if ( '' === (string) $to ) {
			return;
		}
		KCEmailSender::queue(
			array(
				'module'      => 'appointment',
				'entity_id'   => (int) $data['appointment_id'],
				'template'    => $template,
				'to'          => (string) $to,
				'custom_data' => array(),
			)
		);
	}
}
