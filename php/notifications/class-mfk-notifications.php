<?php
/**
 * Notifications that carry the Meet link beyond KiviCare's own mails:
 * - "link ready": when the queue provisions a link that KiviCare's booking mails did
 *   not carry (or a new link replaced the old one), patient and doctor get KiviCare's
 *   own Meet link e-mail (or, where KiviCare cannot send it, the plugin's), once, and
 *   `mfk_meet_link_ready` fires for SMS gateways;
 * - "new time": after a reschedule reached Google (KiviCare core's own reschedule
 *   mail never fires), patient and doctor get an e-mail and `mfk_meet_time_changed`
 *   fires;
 * - with KiviCare Pro, `{{meet_link}}` / `{{meet_event_link}}` are offered and filled
 *   in its other appointment templates (SMS and WhatsApp included).
 *
 * Messages contain no clinical data: names, date, time, clinic and the link only.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Notification service.
 */
final class MFK_Notifications {

	/** KiviCare templates that describe one appointment and may carry the link. */
	const KIVICARE_APPOINTMENT_TEMPLATES = array( 'kivicare_book_appointment', 'kivicare_doctor_book_appointment', 'kivicare_book_appointment_reminder', 'kivicare_book_appointment_reminder_for_doctor', 'kivicare_add_appointment', 'kivicare_clinic_book_appointment' );

	/**
	 * `mfk_meeting_ready`: a link the patient and the doctor have not been told about is
	 * announced once: through KiviCare's own "Google Meet Link" templates where KiviCare
	 * can send them (MFK_KiviCare_Mail), else through the plugin's "link ready" e-mail;
	 * never both, never twice (the row's notice marker is claimed atomically first).
	 * Nothing is sent for a link KiviCare's booking e-mails already carried.
	 *
	 * @param int                 $appointment_id Appointment.
	 * @param array<string,mixed> $row            Mapping row.
	 * @param array<string,mixed> $context        `booking_mail_had_link`, `source`, `url_changed`, `fresh`.
	 */
	public static function on_meeting_ready( $appointment_id, $row = array(), $context = array() ): void {
		$appointment_id = (int) $appointment_id;
		$context        = is_array( $context ) ? $context : array();
		// The queue hands over the row it has just read back after its write (`fresh`); else read it.
		$row = ! empty( $context['fresh'] ) && is_array( $row ) && (int) ( $row['appointment_id'] ?? 0 ) === $appointment_id ? $row : MFK_Mappings::get_by_appointment( $appointment_id );
		if ( null === $row || '' === (string) $row['url'] ) {
			return;
		}
		$url_changed = ! empty( $context['url_changed'] );
		$in_booking  = ! $url_changed && ( ! empty( $context['booking_mail_had_link'] ) || ! empty( $row['link_in_booking_mail'] ) );
		$kivicare    = array(
			'patient' => MFK_KiviCare_Mail::available( 'patient' ),
			'doctor'  => MFK_KiviCare_Mail::available( 'doctor' ),
		);
		if ( $in_booking && $kivicare['patient'] && $kivicare['doctor'] ) {
			MFK_Mappings::claim_ready_notice( $appointment_id, (string) $row['url'] );
			return; // KiviCare's own booking e-mails carried this link.
		}
		$data = self::data( $appointment_id, $row );
		if ( null === $data || ! MFK_Mappings::claim_ready_notice( $appointment_id, (string) $row['url'] ) ) {
			return; // Nobody to tell, or told already (by another runner, or before).
		}

		$settings = MFK_Settings::all();
		$sent     = array();
		foreach ( array( 'patient', 'doctor' ) as $who ) {
			if ( $in_booking && $kivicare[ $who ] ) {
				$sent[ $who ] = true; // In KiviCare's booking e-mail.
				continue;
			}
			if ( $kivicare[ $who ] && MFK_KiviCare_Mail::queue( $appointment_id, $who, (string) $row['url'], $row ) ) {
				$sent[ $who ] = true;
				continue;
			}
			$prefix       = 'patient' === $who ? 'link_ready_email_' : 'link_ready_doctor_email_';
			$sent[ $who ] = self::send( $data[ $who . '_email' ], (string) $settings[ $prefix . 'subject' ], (string) $settings[ $prefix . 'body' ], $data );
		}
		MFK_KiviCare_Mail::deliver( $row );
		if ( $in_booking ) {
			return;
		}

		/**
		 * The Meet link of an appointment became available after KiviCare's booking
		 * notifications went out without it (or it changed), and patient and doctor have
		 * just been e-mailed. SMS and messaging gateways send it from here.
		 *
		 * @param int    $appointment_id Appointment.
		 * @param string $url            Meet link.
		 * @param array  $message        `patient_id`, `doctor_id`, `start` (ISO 8601),
		 *                               `timezone`, `text` (a short plain-text message
		 *                               without clinical data), `emailed` (per recipient).
		 */
		do_action(
			'mfk_meet_link_ready',
			$appointment_id,
			(string) $row['url'],
			self::message( 'ready', $data, $sent )
		);
	}

	/**
	 * What the `mfk_meet_*` actions hand to SMS and other channels.
	 *
	 * @param string              $kind `ready` or `moved`.
	 * @param array<string,mixed> $data Placeholders of the appointment.
	 * @param array<string,bool>  $sent Whether each recipient was e-mailed.
	 * @return array<string,mixed>
	 */
	private static function message( string $kind, array $data, array $sent ): array {
		$message = array(
			'patient_id' => $data['patient_id'],
			'doctor_id'  => $data['doctor_id'],
			'start'      => $data['start_iso'],
			'timezone'   => $data['timezone'],
			'text'       => self::sms_text( $kind, $data ),
			'emailed'    => $sent,
		);
		if ( 'moved' === $kind ) {
			$message['previous_start'] = $data['previous_iso'];
		}
		return $message;
	}

	/**
	 * `mfk_meeting_rescheduled`: the new time reached Google; tells patient and doctor.
	 *
	 * @param int                 $appointment_id Appointment.
	 * @param array<string,mixed> $row            Mapping row.
	 * @param array<string,mixed> $previous       `previous_start_utc`, `previous_end_utc`.
	 */
	public static function on_meeting_rescheduled( $appointment_id, $row = array(), $previous = array() ): void {
		$appointment_id = (int) $appointment_id;
		$previous       = is_array( $previous ) ? $previous : array();
		$row            = MFK_Mappings::get_by_appointment( $appointment_id );
		if ( null === $row || '' === (string) $row['url'] || empty( $previous['previous_start_utc'] ) ) {
			return;
		}
		$data = self::data( $appointment_id, $row, (string) $previous['previous_start_utc'] );
		if ( null === $data || $data['previous_date'] . $data['previous_time'] === $data['appointment_date'] . $data['appointment_time'] ) {
			return;
		}
		$settings = MFK_Settings::all();
		$subject  = (string) $settings['reschedule_email_subject'];
		$body     = (string) $settings['reschedule_email_body'];
		$sent     = array(
			'patient' => self::send( $data['patient_email'], $subject, $body, $data ),
			'doctor'  => self::send( $data['doctor_email'], $subject, $body, $data ),
		);

		/**
		 * An appointment with a Meet link moved to a new time (the link stays the same).
		 *
		 * @param int    $appointment_id Appointment.
		 * @param string $url            Meet link.
		 * @param array  $message        As for `mfk_meet_link_ready`, plus `previous_start`.
		 */
		do_action(
			'mfk_meet_time_changed',
			$appointment_id,
			(string) $row['url'],
			self::message( 'moved', $data, $sent )
		);
	}

	/**
	 * Placeholder values of an appointment that should be notified: it exists, is
	 * booked or checked in (not cancelled, not waiting for payment) and has not ended.
	 *
	 * @param int                 $appointment_id     Appointment.
	 * @param array<string,mixed> $row                Mapping row.
	 * @param string              $previous_start_utc Old start (reschedule).
	 * @return array<string,mixed>|null
	 */
	private static function data( int $appointment_id, array $row, string $previous_start_utc = '' ): ?array {
		$appointment = MFK_Appointments::get( $appointment_id );
		if ( null === $appointment || MFK_Mappings::DESIRED_ACTIVE !== $row['desired'] ) {
			return null;
		}
		if ( ! in_array( (int) $appointment['status'], array( MFK_Appointments::STATUS_BOOKED, MFK_Appointments::STATUS_CHECK_IN ), true ) ) {
			return null;
		}
		$utc   = new DateTimeZone( 'UTC' );
		$start = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['start_utc'], $utc );
		$end   = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['end_utc'], $utc );
		if ( false === $start || ( false !== $end && $end->getTimestamp() < time() ) ) {
			return null;
		}
		$zone_name = '' !== MFK_Appointments::valid_zone( (string) $row['timezone'] ) ? (string) $row['timezone'] : MFK_Appointments::site_zone();
		$zone      = new DateTimeZone( $zone_name );
		$previous  = '' !== $previous_start_utc ? DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', $previous_start_utc, $utc ) : false;

		$patient_id = (int) $appointment['patient_id'];
		$doctor_id  = (int) $appointment['doctor_id'];
		return array(
			'patient_id'       => $patient_id,
			'doctor_id'        => $doctor_id,
			'patient_email'    => MFK_Appointments::user_email( $patient_id ),
			'doctor_email'     => MFK_Appointments::user_email( $doctor_id ),
			'timezone'         => $zone_name,
			'start_iso'        => $start->format( 'c' ),
			'previous_iso'     => false !== $previous ? $previous->format( 'c' ) : null,
			'meet_link'        => esc_url_raw( (string) $row['url'] ),
			'appointment_date' => self::date( $start, $zone ),
			'appointment_time' => self::time( $start, $zone ),
			'previous_date'    => false !== $previous ? self::date( $previous, $zone ) : '',
			'previous_time'    => false !== $previous ? self::time( $previous, $zone ) : '',
			'doctor_name'      => MFK_Appointments::user_name( $doctor_id ),
			'patient_name'     => MFK_Appointments::user_name( $patient_id ),
			'clinic_name'      => MFK_Appointments::clinic_name( (int) $appointment['clinic_id'] ),
			'site_name'        => wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
		);
	}

	/**
	 * Date in the appointment's zone, in the site's date format.
	 *
	 * @param DateTimeImmutable $instant Instant.
	 * @param DateTimeZone      $zone    Zone.
	 */
	public static function date( DateTimeImmutable $instant, DateTimeZone $zone ): string {
		return (string) wp_date( (string) get_option( 'date_format', 'F j, Y' ), $instant->getTimestamp(), $zone );
	}

	/**
	 * Time in the appointment's zone with the zone's abbreviation (e.g. "10:00 EST"),
	 * so patients in another zone are not misled.
	 *
	 * @param DateTimeImmutable $instant Instant.
	 * @param DateTimeZone      $zone    Zone.
	 */
	public static function time( DateTimeImmutable $instant, DateTimeZone $zone ): string {
		$time = (string) wp_date( (string) get_option( 'time_format', 'g:i a' ), $instant->getTimestamp(), $zone );
		return $time . ' ' . self::zone_label( $instant, $zone );
	}

	/**
	 * The zone of a time as people read it: its abbreviation at that instant ("EST", "AEDT"),
	 * or, for zones without one (an offset like "+05"), the zone's name.
	 *
	 * @param DateTimeImmutable $instant Instant.
	 * @param DateTimeZone      $zone    Zone.
	 */
	public static function zone_label( DateTimeImmutable $instant, DateTimeZone $zone ): string {
		$abbr = $instant->setTimezone( $zone )->format( 'T' );
		return preg_match( '/^[A-Z]{2,5}$/', $abbr ) ? $abbr : str_replace( '_', ' ', $zone->getName() );
	}

	/**
	 * Renders and sends one e-mail. HTML when the template contains markup, plain text
	 * otherwise; placeholder values are escaped for the format used.
	 *
	 * @param string              $to      Recipient.
	 * @param string              $subject Subject template.
	 * @param string              $body    Body template.
	 * @param array<string,mixed> $data    Placeholder values.
	 */
	public static function send( string $to, string $subject, string $body, array $data ): bool {
		if ( ! is_email( $to ) ) {
			return false;
		}
		$html    = (bool) preg_match( '/<[a-z][^>]*>/i', $body );
		$values  = self::placeholders( $data );
		$subject = wp_strip_all_tags( strtr( $subject, $values ) );
		if ( $html ) {
			$escaped = array();
			foreach ( $values as $key => $value ) {
				$escaped[ $key ] = '{meet_link}' === $key ? esc_url( $value ) : esc_html( $value );
			}
			$message = wpautop( strtr( $body, $escaped ) );
			$headers = array( 'Content-Type: text/html; charset=UTF-8' );
		} else {
			$message = strtr( $body, $values );
			$headers = array( 'Content-Type: text/plain; charset=UTF-8' );
		}
		/**
		 * Filters a Meet for KiviCare notification e-mail before it is sent.
		 *
		 * @param array $mail `to`, `subject`, `message`, `headers`.
		 * @param array $data Placeholder values.
		 */
		$mail = (array) apply_filters(
			'mfk_notification_email',
			array(
				'to'      => $to,
				'subject' => $subject,
				'message' => $message,
				'headers' => $headers,
			),
			$data
		);
		if ( empty( $mail['to'] ) ) {
			return false;
		}
		return (bool) wp_mail( $mail['to'], (string) $mail['subject'], (string) $mail['message'], $mail['headers'] ?? array() );
	}

	/**
	 * `{placeholder}` => value.
	 *
	 * @param array<string,mixed> $data Values.
	 * @return array<string,string>
	 */
	private static function placeholders( array $data ): array {
		$out = array();
		foreach ( array_unique( array_merge( MFK_Settings_Schema::MAIL_PLACEHOLDERS, MFK_Settings_Schema::RESCHEDULE_PLACEHOLDERS ) ) as $placeholder ) {
			$out[ $placeholder ] = (string) ( $data[ trim( $placeholder, '{}' ) ] ?? '' );
		}
		return $out;
	}

	/**
	 * Short message for SMS gateways.
	 *
	 * @param string              $kind `ready` or `moved`.
	 * @param array<string,mixed> $data Values.
	 */
	private static function sms_text( string $kind, array $data ): string {
		if ( 'moved' === $kind ) {
			/* translators: 1: date, 2: time, 3: Meet link. */
			return sprintf( __( 'Your video consultation moved to %1$s at %2$s. Same link: %3$s', 'meet-for-kivicare' ), $data['appointment_date'], $data['appointment_time'], $data['meet_link'] );
		}
		/* translators: 1: date, 2: time, 3: Meet link. */
		return sprintf( __( 'Video consultation on %1$s at %2$s: %3$s', 'meet-for-kivicare' ), $data['appointment_date'], $data['appointment_time'], $data['meet_link'] );
	}

	/**
	 * Whether KiviCare Pro (which adds SMS and WhatsApp templates) is active.
	 */
	public static function kivicare_pro_active(): bool {
		if ( defined( 'KIVI_CARE_PRO_VERSION' ) ) {
			return true;
		}
		return function_exists( 'isKiviCareProActive' ) && (bool) call_user_func( 'isKiviCareProActive' );
	}

	/**
	 * `kivicare_template_dynamic_keys`: with KiviCare Pro, offers `{{meet_link}}` and
	 * `{{meet_event_link}}` in its appointment templates (mail, SMS and WhatsApp share
	 * the key lists).
	 *
	 * @param mixed $keys Template => keys.
	 * @return mixed
	 */
	public static function filter_dynamic_keys( $keys ) {
		if ( ! is_array( $keys ) || ! self::kivicare_pro_active() ) {
			return $keys;
		}
		foreach ( self::KIVICARE_APPOINTMENT_TEMPLATES as $template ) {
			$current           = isset( $keys[ $template ] ) && is_array( $keys[ $template ] ) ? $keys[ $template ] : array();
			$keys[ $template ] = array_values( array_unique( array_merge( $current, array( '{{meet_link}}', '{{meet_event_link}}' ) ) ) );
		}
		return $keys;
	}

	/**
	 * `kivicare_custom_email_key_value`: fills `meet_link` / `meet_event_link` when a
	 * KiviCare Pro template (SMS, WhatsApp, reminders) is rendered without them. Core's
	 * own appointment mails always carry both keys, so this only answers where they are
	 * missing.
	 *
	 * @param mixed               $value Value so far (null when nobody answered).
	 * @param mixed               $key   Key without braces.
	 * @param array<string,mixed> $data  Template data.
	 * @return mixed
	 */
	public static function filter_key_value( $value, $key = '', $data = array() ) {
		if ( null !== $value || ! in_array( $key, array( 'meet_link', 'meet_event_link' ), true ) || ! self::kivicare_pro_active() ) {
			return $value;
		}
		$appointment_id = self::appointment_id_of( is_array( $data ) ? $data : array() );
		if ( $appointment_id <= 0 ) {
			return $value;
		}
		$row  = MFK_Mappings::get_by_appointment( $appointment_id );
		$link = MFK_Mappings::link_url( $row ); // The last good link, also after a failed change.
		if ( '' === $link ) {
			return $value;
		}
		return esc_url_raw( 'meet_link' === $key ? $link : (string) $row['event_url'] );
	}

	/**
	 * Appointment id in KiviCare's template data (flat or nested).
	 *
	 * @param array<string,mixed> $data Template data.
	 */
	public static function appointment_id_of( array $data ): int {
		if ( isset( $data['appointment_id'] ) && is_numeric( $data['appointment_id'] ) ) {
			return (int) $data['appointment_id'];
		}
		if ( isset( $data['appointment'] ) && is_array( $data['appointment'] ) && isset( $data['appointment']['id'] ) && is_numeric( $data['appointment']['id'] ) ) {
			return (int) $data['appointment']['id'];
		}
		if ( isset( $data['id'] ) && is_numeric( $data['id'] ) && isset( $data['appointment_start_date'] ) ) {
			return (int) $data['id'];
		}
		return 0;
	}
}
