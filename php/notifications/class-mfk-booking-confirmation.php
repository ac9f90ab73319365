<?php
/**
 * The patient's booking confirmation for a video consultation, saying where its link will be.
 *
 * KiviCare 4.3 sends a telemedicine patient no booking e-mail of its own: its listener skips the
 * ordinary patient booking mail for telemedicine appointments and sends its "Google Meet Link"
 * template only when the link already exists while the booking runs (and nothing at all for an
 * appointment waiting for its online payment). Links are made right after the booking, in the
 * background, so the patient would learn of the booking only from the link e-mail, and of an
 * appointment awaiting payment not at all. Here, once KiviCare's booking has been committed, the
 * patient of a telemedicine appointment that KiviCare's e-mail did not confirm with its link gets
 * a short confirmation: when the video link will come (e-mailed as soon as it is ready; for an
 * appointment awaiting payment, once it is paid) and where it appears (their dashboard, with a
 * Join button). It goes from the background run after the booking's answer, so a booking never
 * waits for the mail server, and only if that run could not make the link: otherwise the link's
 * own e-mail is the patient's one message. `mfk_video_consultation_booked` hands the same message
 * to SMS gateways.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Booking confirmation for telemedicine appointments.
 */
final class MFK_Booking_Confirmation {

	/**
	 * Appointments booked in this request whose confirmation is due once the booking is committed.
	 *
	 * @var array<int,bool>
	 */
	private static $due = array();

	/** WP-Cron hook of the safety net (send_overdue()). */
	const CRON_HOOK = 'mfk_booking_confirmations';

	/** Prefix of the options that mark a confirmation left to the background. */
	const MARKER_PREFIX = '_mfk_confirm_';

	/** Seconds the background has before the safety net sends a confirmation. */
	const GRACE = 20;

	/**
	 * `kc_after_create_appointment` (after KiviCare's own listener, inside its transaction):
	 * whether KiviCare's booking e-mail carried the link is read at the moment KiviCare read it;
	 * the confirmation itself waits for the end of the request, when the booking is committed or
	 * rolled back.
	 *
	 * @param mixed $appointment_id Appointment.
	 */
	public static function on_booked( $appointment_id ): void {
		$appointment_id = (int) $appointment_id;
		if ( $appointment_id <= 0 || isset( self::$due[ $appointment_id ] ) ) {
			return;
		}
		$row = MFK_Mappings::get_by_appointment( $appointment_id );
		// A link present now went out in KiviCare's own "Google Meet Link" e-mail, or goes out
		// in the plugin's "link ready" e-mail where KiviCare cannot send it.
		self::$due[ $appointment_id ] = null === $row || '' === (string) $row['url'];
		if ( 1 === count( self::$due ) ) {
			add_action( 'shutdown', array( __CLASS__, 'send_due' ), 20 ); // After MFK_Request_Sync (1).
		}
	}

	/**
	 * `shutdown`: the confirmations due, for bookings that were committed. Where the meetings
	 * are made in the background after the answer (MFK_Background_Sync), so is the
	 * confirmation: the booking does not wait for a mail server, and a link made meanwhile is
	 * announced by its own e-mail instead. A marker per appointment makes it durable (WP-Cron
	 * sends what the background missed) and single (whoever removes the marker sends it).
	 */
	public static function send_due(): void {
		$due        = self::$due;
		self::$due  = array();
		$background = 'off' !== MFK_Background_Sync::strategy();
		foreach ( $due as $appointment_id => $send ) {
			// A link made at the end of this request (within its time budget) has just been
			// announced with the link itself (MFK_Notifications::on_meeting_ready).
			if ( ! $send || self::has_link( (int) $appointment_id ) ) {
				continue;
			}
			if ( $background && self::mark( (int) $appointment_id ) ) {
				MFK_Background_Sync::after_request( array( (int) $appointment_id ) );
				continue;
			}
			self::send( (int) $appointment_id );
		}
	}

	/**
	 * The background run (after MFK_Background_Sync made the appointments' links, before it
	 * stays for retries): sends the confirmations these appointments still owe, except where
	 * the link is ready now and its e-mail has told the patient.
	 *
	 * @param int[] $appointment_ids Appointments of the run.
	 * @return int Confirmations sent.
	 */
	public static function send_marked( array $appointment_ids ): int {
		$sent = 0;
		foreach ( $appointment_ids as $appointment_id ) {
			if ( self::claim( (int) $appointment_id ) && ! self::has_link( (int) $appointment_id ) ) {
				$sent += self::send( (int) $appointment_id ) ? 1 : 0;
			}
		}
		return $sent;
	}

	/**
	 * WP-Cron (CRON_HOOK), the safety net: sends the confirmations the background left (it
	 * could not run, or died) once they are GRACE seconds old, and comes back for younger ones.
	 *
	 * @param int|null $now Unix time (tests).
	 * @return int Confirmations sent.
	 */
	public static function send_overdue( ?int $now = null ): int {
		global $wpdb;
		$now = $now ?? time();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- markers written and removed atomically, never cached.
		$markers = $wpdb->get_results( $wpdb->prepare( "SELECT option_name, option_value FROM {$wpdb->options} WHERE option_name LIKE %s ORDER BY option_id LIMIT 200", $wpdb->esc_like( self::MARKER_PREFIX ) . '%' ), ARRAY_A );
		$overdue = array();
		$waiting = false;
		foreach ( (array) $markers as $marker ) {
			if ( (int) $marker['option_value'] > $now - self::GRACE ) {
				$waiting = true;
				continue;
			}
			$overdue[] = (int) substr( (string) $marker['option_name'], strlen( self::MARKER_PREFIX ) );
		}
		$sent = self::send_marked( $overdue );
		if ( $waiting || count( (array) $markers ) >= 200 ) {
			self::schedule( $now );
		}
		return $sent;
	}

	/**
	 * Leaves the confirmation to the background: a marker, and the WP-Cron safety net.
	 *
	 * @param int $appointment_id Appointment.
	 * @return bool False when the marker could not be written (it is sent now then).
	 */
	private static function mark( int $appointment_id ): bool {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- an atomic marker, never cached.
		$written = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'off')", self::MARKER_PREFIX . $appointment_id, (string) time() ) );
		if ( false === $written ) {
			return false;
		}
		self::schedule( time() );
		return true;
	}

	/**
	 * Removes an appointment's marker: true for the one caller that removed it.
	 *
	 * @param int $appointment_id Appointment.
	 */
	private static function claim( int $appointment_id ): bool {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- the marker above.
		return 1 === (int) $wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s", self::MARKER_PREFIX . $appointment_id ) );
	}

	/**
	 * Schedules the safety net once (one event serves every marker).
	 *
	 * @param int $now Unix time.
	 */
	private static function schedule( int $now ): void {
		if ( ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_single_event( $now + self::GRACE + 40, self::CRON_HOOK );
		}
	}

	/**
	 * Whether the appointment's link exists (its own e-mail tells the patient).
	 *
	 * @param int $appointment_id Appointment.
	 */
	private static function has_link( int $appointment_id ): bool {
		$row = MFK_Mappings::get_by_appointment( $appointment_id );
		return null !== $row && '' !== (string) $row['url'];
	}

	/**
	 * Sends the confirmation of one appointment (nothing for one that is not a committed,
	 * upcoming telemedicine appointment, booked or awaiting payment).
	 *
	 * @param int $appointment_id Appointment.
	 * @return bool Whether it was sent.
	 */
	public static function send( int $appointment_id ): bool {
		$message = self::message( $appointment_id );
		if ( null === $message ) {
			return false;
		}
		$sent = MFK_Notifications::send( $message['to'], $message['subject'], $message['body'], $message['data'] );

		/**
		 * A telemedicine appointment was booked and its patient told where the video link will
		 * appear. SMS and messaging gateways send `text` from here.
		 *
		 * @param int   $appointment_id Appointment.
		 * @param array $message        `patient_id`, `start` (ISO 8601), `timezone`,
		 *                              `awaiting_payment`, `text` (short, without clinical
		 *                              data), `emailed`.
		 */
		do_action(
			'mfk_video_consultation_booked',
			$appointment_id,
			array(
				'patient_id'       => $message['data']['patient_id'],
				'start'            => $message['data']['start_iso'],
				'timezone'         => $message['data']['timezone'],
				'awaiting_payment' => $message['awaiting_payment'],
				'text'             => $message['text'],
				'emailed'          => $sent,
			)
		);
		return $sent;
	}

	/**
	 * The confirmation of an appointment, or null when none is due.
	 *
	 * @param int $appointment_id Appointment.
	 * @return array{to:string,subject:string,body:string,text:string,awaiting_payment:bool,data:array<string,mixed>}|null
	 */
	public static function message( int $appointment_id ): ?array {
		$appointment = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment || true !== MFK_Appointments::is_telemed( $appointment ) ) {
			return null; // Rolled back, or not a video consultation.
		}
		$status = (int) $appointment['status'];
		if ( ! in_array( $status, array( MFK_Appointments::STATUS_BOOKED, MFK_Appointments::STATUS_CHECK_IN, MFK_Appointments::STATUS_PENDING ), true ) ) {
			return null;
		}
		$when = MFK_Appointments::instants( $appointment );
		if ( null === $when || $when['end']->getTimestamp() < time() ) {
			return null;
		}
		$patient_id = (int) $appointment['patient_id'];
		$to         = MFK_Appointments::user_email( $patient_id );
		if ( ! is_email( $to ) ) {
			return null;
		}
		$zone    = new DateTimeZone( $when['timezone'] );
		$data    = array(
			'patient_id'       => $patient_id,
			'start_iso'        => $when['start']->format( 'c' ),
			'timezone'         => $when['timezone'],
			'meet_link'        => '',
			'appointment_date' => MFK_Notifications::date( $when['start'], $zone ),
			'appointment_time' => MFK_Notifications::time( $when['start'], $zone ),
			'doctor_name'      => MFK_Appointments::user_name( (int) $appointment['doctor_id'] ),
			'patient_name'     => MFK_Appointments::user_name( $patient_id ),
			'clinic_name'      => MFK_Appointments::clinic_name( (int) $appointment['clinic_id'] ),
			'site_name'        => wp_specialchars_decode( (string) get_bloginfo( 'name' ), ENT_QUOTES ),
		);
		$paying  = MFK_Appointments::STATUS_PENDING === $status;
		$where   = self::where_url();
		$subject = $paying
			? __( 'Your video consultation on {appointment_date} is waiting for your payment', 'meet-for-kivicare' )
			: __( 'Your video consultation on {appointment_date} is booked', 'meet-for-kivicare' );
		$lines   = array(
			__( 'Hello {patient_name},', 'meet-for-kivicare' ),
			'',
			$paying
				? __( 'Your video consultation with {doctor_name} on {appointment_date} at {appointment_time} is reserved and waiting for your payment. Complete the payment for the appointment: the video link is created as soon as it is paid.', 'meet-for-kivicare' )
				: __( 'Your video consultation with {doctor_name} on {appointment_date} at {appointment_time} is booked.', 'meet-for-kivicare' ),
			'',
			$paying
				? __( 'Where the video link will be: once the appointment is paid, it is e-mailed to you, and it appears with a Join button on your dashboard on this site (sign in as usual):', 'meet-for-kivicare' )
				: __( 'Where the video link will be: it is e-mailed to you as soon as it is ready, and it appears with a Join button on your dashboard on this site (sign in as usual):', 'meet-for-kivicare' ),
			$where,
			'',
			'{clinic_name}',
		);
		$text = $paying
			/* translators: 1: date, 2: time, 3: address of the patient's dashboard. */
			? sprintf( __( 'Video consultation on %1$s at %2$s reserved, waiting for your payment. Once paid, the link is e-mailed to you and shown at %3$s', 'meet-for-kivicare' ), $data['appointment_date'], $data['appointment_time'], $where )
			/* translators: 1: date, 2: time, 3: address of the patient's dashboard. */
			: sprintf( __( 'Video consultation on %1$s at %2$s booked. The link is e-mailed to you when ready and shown at %3$s', 'meet-for-kivicare' ), $data['appointment_date'], $data['appointment_time'], $where );
		return array(
			'to'               => $to,
			'subject'          => $subject,
			'body'             => implode( "\n", $lines ),
			'text'             => $text,
			'awaiting_payment' => $paying,
			'data'             => $data,
		);
	}

	/**
	 * Where a patient finds their video consultations with the Join button: their dashboard
	 * (MFK_Dashboard_Widget). Sites that show them elsewhere (a page with the block or the
	 * shortcode) name it with `mfk_patient_meetings_url`.
	 */
	public static function where_url(): string {
		/**
		 * The address where patients find their video consultations and the Join button.
		 *
		 * @param string $url Default: the wp-admin dashboard.
		 */
		return esc_url_raw( (string) apply_filters( 'mfk_patient_meetings_url', admin_url() ) );
	}
}
