<?php
/**
 * Sends the e-mails KiviCare queued in Action Scheduler (KiviCare
 * `app/emails/KCEmailNotificationInit.php`, 156-215): on `kivicare_send_scheduled_email`
 * the appointment's data is rebuilt, the queued custom data merged over it, and the
 * template sent. An appointment that no longer exists gets no mail.
 *
 * @package KiviCareStandIn
 */

namespace App\emails;

use App\emails\listeners\KCAppointmentNotificationListener;

defined( 'ABSPATH' ) || exit;

/**
 * Scheduled e-mail runner.
 */
class KCEmailNotificationInit {

	/**
	 * Hooks the Action Scheduler action.
	 */
	public static function register() {
		add_action( 'kivicare_send_scheduled_email', array( self::class, 'execute_scheduled_email' ), 10, 1 );
	}

	/**
	 * Sends one queued e-mail.
	 *
	 * @param array $context Module, entity id, template, recipient, custom data.
	 */
	public static function execute_scheduled_email( $context ) {
		if ( ! is_array( $context ) || 'appointment' !== ( $context['module'] ?? '' ) ) {
			return;
		}
		$data = ( new KCAppointmentNotificationListener() )->getAppointmentDataForEmail( (int) ( $context['entity_id'] ?? 0 ) );
		if ( ! $data ) {
			return;
		}
		foreach ( (array) ( $context['custom_data'] ?? array() ) as $key => $value ) {
			if ( '' !== (string) $value ) {
				$data[ $key ] = $value;
			}
		}
		KCEmailSender::send( (string) ( $context['template'] ?? '' ), (string) ( $context['to'] ?? '' ), $data );
	}
}
