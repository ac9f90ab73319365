<?php
/**
 * Renders a template with dynamic keys and sends it with wp_mail (KiviCare
 * `app/emails/KCEmailSender.php` + `KCEmailTemplateProcessor.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\emails;

defined( 'ABSPATH' ) || exit;

/**
 * Mail sender.
 */
class KCEmailSender {

	/** Keys whose values are URLs. */
	const URL_KEYS = array( 'meet_link', 'meet_event_link', 'site_url' );

	/**
	 * Replaces `{{key}}` placeholders. Keys present in $data are used (escaped
	 * for HTML); absent keys go through `kivicare_custom_email_key_value`
	 * and become '' when nobody answers. Shortcodes run, then
	 * `kivicare_process_email_template` post-processes.
	 *
	 * @param string $template Template text.
	 * @param array  $data     Dynamic keys.
	 * @param bool   $html     Escape for HTML (body) or plain text (subject).
	 * @return string
	 */
	public static function render( $template, array $data, $html = true ) {
		$out = preg_replace_callback(
			'/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/',
			static function ( $m ) use ( $data, $html ) {
				$key = $m[1];
				if ( isset( $data[ $key ] ) ) {
					$value = (string) $data[ $key ];
				} else {
					$custom = apply_filters( 'kivicare_custom_email_key_value', null, $key, $data );
					$value  = null === $custom ? '' : (string) $custom;
				}
				if ( ! $html ) {
					return wp_strip_all_tags( $value );
				}
				return in_array( $key, self::URL_KEYS, true ) ? esc_url( $value ) : esc_html( $value );
			},
			$template
		);
		if ( $html ) {
			$out = do_shortcode( $out );
			$out = (string) apply_filters( 'kivicare_process_email_template', $out, $data );
		}
		return $out;
	}

	/** Video conference link templates per provider and recipient (KCEmailSender 326-328). */
	const VIDEO_TEMPLATES = array(
		'meet' => array(
			'patient' => 'kiviCare_meet_link',
			'doctor'  => 'kiviCare_add_doctor_meet_link',
		),
	);

	/**
	 * Queues the video conference link template for the patient or the doctor: context
	 * with module `appointment`, the appointment as entity, the template, the recipient
	 * and `custom_data.meet_link` (the rest is rebuilt when the mail is sent).
	 *
	 * @param string $type      Provider: `meet`.
	 * @param array  $data      E-mail data of the appointment (listener).
	 * @param string $link      The link.
	 * @param string $recipient `patient` or `doctor`.
	 * @return bool Whether it was queued.
	 */
	public static function sendVideoConferenceLink( $type, array $data, $link, $recipient ) {
		$template = self::VIDEO_TEMPLATES[ $type ][ $recipient ] ?? null;
		$to       = 'doctor' === $recipient ? ( $data['doctor_email'] ?? '' ) : ( $data['patient_email'] ?? '' );
		if ( null === $template || '' === (string) $link || '' === (string) $to ) {
			return false;
		}
		return self::queue(
			array(
				'module'      => 'appointment',
				'entity_id'   => (int) ( $data['appointment_id'] ?? 0 ),
				'template'    => $template,
				'to'          => (string) $to,
				'custom_data' => array(
					'meet_link'       => (string) $link,
					'meet_event_link' => (string) ( $data['meet_event_link'] ?? '' ),
				),
			)
		);
	}

	/**
	 * Queues one e-mail: through Action Scheduler (`kivicare_send_scheduled_email`), or,
	 * without it, to the filter `kivicare_send_email_from_context`, which core does not
	 * handle (no mail unless another plugin does) (KCEmailSender 122-128).
	 *
	 * @param array $context Module, entity id, template, recipient, custom data.
	 * @return bool
	 */
	public static function queue( array $context ) {
		if ( function_exists( 'as_enqueue_async_action' ) ) {
			return (bool) as_enqueue_async_action( 'kivicare_send_scheduled_email', array( $context ), 'kivicare' );
		}
		return (bool) apply_filters( 'kivicare_send_email_from_context', false, $context );
	}

	/**
	 * Sends an enabled template to one address.
	 *
	 * @param string $template_key Template key.
	 * @param string $to           Recipient.
	 * @param array  $data         Dynamic keys.
	 * @return bool
	 */
	public static function send( $template_key, $to, array $data ) {
		$template = KCEmailTemplateManager::get_enabled_template( $template_key );
		if ( ! $template || ! is_email( $to ) ) {
			return false;
		}
		return wp_mail(
			$to,
			self::render( $template['subject'], $data, false ),
			self::render( $template['body'], $data, true ),
			array( 'Content-Type: text/html; charset=UTF-8' )
		);
	}
}
