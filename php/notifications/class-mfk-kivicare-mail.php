<?php
/**
 * KiviCare's own "Google Meet Link" e-mails for a link that arrives after the booking.
 *
 * KiviCare 4.3 sends a telemedicine patient no booking e-mail unless the Meet link exists
 * while the booking runs; then it queues its templates `kiviCare_meet_link` (patient) and
 * `kiviCare_add_doctor_meet_link` (doctor), the ones the clinic edits in KiviCare, through
 * `KCEmailSender::sendVideoConferenceLink()` into Action Scheduler
 * (`kivicare_send_scheduled_email`). For a later link the plugin calls that same path, then
 * has Action Scheduler run just those actions at once, so the e-mail leaves within seconds
 * instead of at the next WP-Cron run.
 *
 * Without Action Scheduler KiviCare hands its mails to the filter
 * `kivicare_send_email_from_context`, which core does not handle: unless another plugin
 * does, nothing would be sent, so KiviCare's path counts as unavailable and the plugin's
 * own "link ready" template goes out instead (MFK_Notifications).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * KiviCare's Meet link templates, sent through KiviCare.
 */
final class MFK_KiviCare_Mail {

	/** KiviCare's sender. */
	const SENDER = 'App\\emails\\KCEmailSender';

	/** KiviCare's booking notification listener (builds the e-mail data). */
	const LISTENER = 'App\\emails\\listeners\\KCAppointmentNotificationListener';

	/** KiviCare's e-mail templates: post type and the Meet link template per recipient. */
	const TEMPLATE_POST_TYPE = 'kiviCare_mail_tmp';
	const TEMPLATES          = array(
		'patient' => 'kiviCare_meet_link',
		'doctor'  => 'kiviCare_add_doctor_meet_link',
	);

	/** The Action Scheduler hook KiviCare's queued e-mails run on. */
	const ACTION_HOOK = 'kivicare_send_scheduled_email';

	/**
	 * Action Scheduler actions queued by the current send, to be run at once.
	 *
	 * @var int[]
	 */
	private static $queued = array();

	/**
	 * Whether KiviCare can send its Meet link template to this recipient: its sending
	 * path exists, its mails can be delivered (Action Scheduler, or a plugin handling
	 * its fallback filter), and the clinic has the template enabled (published).
	 *
	 * @param string $recipient `patient` or `doctor`.
	 */
	public static function available( string $recipient ): bool {
		if ( ! isset( self::TEMPLATES[ $recipient ] ) || ! method_exists( self::SENDER, 'sendVideoConferenceLink' ) || ! method_exists( self::LISTENER, 'getAppointmentDataForEmail' ) ) {
			return false;
		}
		$deliverable = function_exists( 'as_enqueue_async_action' ) || function_exists( 'as_schedule_single_action' ) || has_filter( 'kivicare_send_email_from_context' );
		return $deliverable && self::template_enabled( self::TEMPLATES[ $recipient ] );
	}

	/**
	 * Whether a KiviCare e-mail template is enabled (its post is published).
	 *
	 * @param string $key Template key.
	 */
	private static function template_enabled( string $key ): bool {
		global $wpdb;
		$status = $wpdb->get_var( $wpdb->prepare( "SELECT post_status FROM {$wpdb->posts} WHERE post_type = %s AND post_name = %s ORDER BY ID ASC LIMIT 1", self::TEMPLATE_POST_TYPE, sanitize_title( $key ) ) );
		return 'publish' === $status;
	}

	/**
	 * Queues KiviCare's Meet link e-mail for one recipient through KiviCare's own path.
	 *
	 * @param int    $appointment_id Appointment.
	 * @param string $recipient      `patient` or `doctor`.
	 * @param string $url            The Meet link.
	 * @return bool Whether KiviCare took it.
	 */
	public static function queue( int $appointment_id, string $recipient, string $url ): bool {
		try {
			$listener = new ReflectionMethod( self::LISTENER, 'getAppointmentDataForEmail' );
			$sender   = new ReflectionMethod( self::SENDER, 'sendVideoConferenceLink' );
			if ( ! $listener->isPublic() || ! $sender->isPublic() ) {
				return false;
			}
			$listener_class = self::LISTENER;
			$data           = $listener->isStatic() ? $listener->invoke( null, $appointment_id ) : $listener->invoke( new $listener_class(), $appointment_id );
			if ( ! is_array( $data ) ) {
				return false;
			}
			$data['meet_link'] = $url;
			add_action( 'action_scheduler_stored_action', array( __CLASS__, 'collect' ) );
			try {
				$sender_class = self::SENDER;
				$result       = $sender->isStatic()
					? $sender->invoke( null, 'meet', $data, $url, $recipient )
					: $sender->invoke( method_exists( $sender_class, 'get_instance' ) ? $sender_class::get_instance() : new $sender_class(), 'meet', $data, $url, $recipient );
			} finally {
				remove_action( 'action_scheduler_stored_action', array( __CLASS__, 'collect' ) );
			}
			return false !== $result;
		} catch ( Throwable $e ) {
			return false;
		}
	}

	/**
	 * `action_scheduler_stored_action` while KiviCare queues: remembers the action.
	 *
	 * @param int $action_id Action Scheduler action id.
	 */
	public static function collect( $action_id ): void {
		self::$queued[] = (int) $action_id;
	}

	/**
	 * Has Action Scheduler run the e-mails just queued, now (Action Scheduler's own
	 * runner would reach them only at the next WP-Cron run). An action another runner
	 * already started is skipped by Action Scheduler itself.
	 */
	public static function deliver(): void {
		$ids          = self::$queued;
		self::$queued = array();
		if ( ! $ids || ! class_exists( 'ActionScheduler' ) || ! is_callable( array( 'ActionScheduler', 'runner' ) ) ) {
			return;
		}
		$store  = ActionScheduler::store();
		$runner = ActionScheduler::runner();
		foreach ( $ids as $id ) {
			try {
				if ( self::ACTION_HOOK === $store->fetch_action( $id )->get_hook() ) {
					$runner->process_action( $id, 'Meet for KiviCare' );
				}
			} catch ( Throwable $e ) {
				// Left to Action Scheduler's own runner, which retries it.
				continue;
			}
		}
	}
}
