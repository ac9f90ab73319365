<?php
/**
 * What the e-mails around a video consultation must not carry, and what they must.
 *
 * - No Google Calendar event link to anyone but a doctor: the link opens the doctor's own
 *   calendar, which a patient cannot open, and its `eid` encodes the doctor's Google account
 *   address. KiviCare's Meet link templates offer `{{meet_event_link}}` to both recipients, so
 *   every e-mail WordPress sends is checked on its way out (`wp_mail`), whoever wrote it.
 * - The time with its zone: KiviCare's `{{appointment_time}}` is wall time without a zone
 *   ("at 01:00"); in a telemedicine appointment's e-mails it gets the zone's abbreviation at
 *   that instant ("at 01:00 AEDT") unless the template already says the zone.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Privacy and clarity of appointment e-mails.
 */
final class MFK_Mail_Privacy {

	/** A Google Calendar event address (web or app links, any query). */
	const EVENT_LINK = '~https?://(?:www\.|calendar\.)?google\.com/calendar/(?:u/\d+/)?(?:r/)?event\?[^\s"\'<>]*~i';

	/**
	 * `wp_mail`: removes Google Calendar event links from messages to anyone who is not a doctor.
	 *
	 * @param mixed $args wp_mail() arguments.
	 * @return mixed
	 */
	public static function filter_wp_mail( $args ) {
		if ( ! is_array( $args ) || ! isset( $args['message'] ) || ! is_string( $args['message'] ) || ! preg_match( self::EVENT_LINK, $args['message'] ) ) {
			return $args;
		}
		if ( self::only_doctors( $args['to'] ?? '' ) ) {
			return $args;
		}
		$args['message'] = self::without_event_links( $args['message'] );
		return $args;
	}

	/**
	 * Whether every recipient is a doctor's account.
	 *
	 * @param string|array<int,string> $to Recipients.
	 */
	private static function only_doctors( $to ): bool {
		$list = is_array( $to ) ? $to : explode( ',', (string) $to );
		foreach ( $list as $address ) {
			// "Name <address>" or a bare address.
			$email = preg_match( '/<([^>]+)>/', (string) $address, $m ) ? $m[1] : (string) $address;
			$user  = get_user_by( 'email', trim( $email ) );
			if ( ! $user || ! MFK_OAuth::is_doctor( (int) $user->ID ) ) {
				return false;
			}
		}
		return array() !== $list;
	}

	/**
	 * The message without event links: links with their text, bare addresses, and the label
	 * that introduced them at the start of a line or paragraph ("Calendar event:").
	 *
	 * @param string $message Message (HTML or text).
	 */
	public static function without_event_links( string $message ): string {
		$link    = substr( self::EVENT_LINK, 1, -2 );
		$label   = '(?:(?:(?<=[>\n])|^)[^\S\n]*[^<>:\n]{1,40}:[^\S\n]*)?';
		$message = (string) preg_replace( '~' . $label . '<a\b[^>]*href=["\']?' . $link . '["\']?[^>]*>.*?</a>~ism', '', $message );
		$message = (string) preg_replace( '~' . $label . $link . '~im', '', $message );
		return (string) preg_replace( '~<p>\s*</p>~', '', $message );
	}

	/**
	 * `kivicare_process_email_template`: adds the zone to the appointment's time in the e-mails
	 * of a telemedicine appointment.
	 *
	 * @param mixed $html Rendered template.
	 * @param mixed $data Template data.
	 * @return mixed
	 */
	public static function filter_kivicare_template( $html, $data = array() ) {
		if ( ! is_string( $html ) || ! is_array( $data ) ) {
			return $html;
		}
		$time = isset( $data['appointment_time'] ) ? (string) $data['appointment_time'] : '';
		$id   = MFK_Notifications::appointment_id_of( $data );
		$row  = MFK_KiviCare_Mail::held_row( $id ) ?? MFK_Mappings::get_by_appointment( $id );
		if ( null === $row || ! preg_match( '/^\d{1,2}:\d{2}/', $time ) || empty( $row['start_utc'] ) ) {
			return $html;
		}
		$zone_name = (string) ( $data['appointment_timezone'] ?? '' );
		if ( '' === MFK_Appointments::valid_zone( $zone_name ) ) {
			$zone_name = '' !== MFK_Appointments::valid_zone( (string) $row['timezone'] ) ? (string) $row['timezone'] : MFK_Appointments::site_zone();
		}
		$instant = DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', (string) $row['start_utc'], new DateTimeZone( 'UTC' ) );
		if ( false === $instant ) {
			return $html;
		}
		$label = MFK_Notifications::zone_label( $instant, new DateTimeZone( $zone_name ) );
		// The time, unless the zone already follows it ("01:00 (Australia/Sydney)", "01:00 AEDT").
		$pattern = '/(?<![\d:])' . preg_quote( esc_html( $time ), '/' ) . '(?![\d:])(?!\s*(?:\(|[A-Z]{2,5}\b|[+-]\d|UTC|GMT))/';
		return (string) preg_replace( $pattern, esc_html( $time ) . ' ' . esc_html( $label ), $html );
	}
}
