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
	 * Template statuses read so far (template key => enabled), until forget().
	 *
	 * @var array<string,bool>
	 */
	private static $templates = array();

	/**
	 * KiviCare's e-mail data of the appointment being notified: [appointment id, link, data],
	 * built once for both recipients, until deliver().
	 *
	 * @var array{0:int,1:string,2:array<string,mixed>}|null
	 */
	private static $data = null;

	/**
	 * The mapping row KiviCare is sending an e-mail about (hold()).
	 *
	 * @var array<string,mixed>
	 */
	private static $held = array();

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
		if ( ! isset( self::$templates[ $key ] ) ) {
			$status                 = $wpdb->get_var( $wpdb->prepare( "SELECT post_status FROM {$wpdb->posts} WHERE post_type = %s AND post_name = %s ORDER BY ID ASC LIMIT 1", self::TEMPLATE_POST_TYPE, sanitize_title( $key ) ) );
			self::$templates[ $key ] = 'publish' === $status;
		}
		return self::$templates[ $key ];
	}

	/**
	 * Reads the templates' statuses again from now on (the queue worker calls this per batch,
	 * so a batch reads them once).
	 */
	public static function forget(): void {
		self::$templates = array();
	}

	/**
	 * Queues KiviCare's Meet link e-mail for one recipient through KiviCare's own path.
	 *
	 * @param int    $appointment_id Appointment.
	 * @param string $recipient      `patient` or `doctor`.
	 * @param string $url            The Meet link.
	 * @param array  $row            The mapping row the link is from: KiviCare's reads of it meanwhile
	 *                               are answered from it (KCGMMappingQuery::hold()).
	 * @return bool Whether KiviCare took it.
	 */
	public static function queue( int $appointment_id, string $recipient, string $url, array $row = array() ): bool {
		try {
			$listener = new ReflectionMethod( self::LISTENER, 'getAppointmentDataForEmail' );
			$sender   = new ReflectionMethod( self::SENDER, 'sendVideoConferenceLink' );
			if ( ! $listener->isPublic() || ! $sender->isPublic() ) {
				return false;
			}
			self::hold( $row );
			if ( null === self::$data || self::$data[0] !== $appointment_id || self::$data[1] !== $url ) {
				// Built once for both recipients of this notice.
				$listener_class = self::LISTENER;
				$data           = $listener->isStatic() ? $listener->invoke( null, $appointment_id ) : $listener->invoke( new $listener_class(), $appointment_id );
				if ( ! is_array( $data ) ) {
					return false;
				}
				$data['meet_link'] = $url;
				self::$data        = array( $appointment_id, $url, $data );
			}
			$data = self::$data[2];
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
		} finally {
			self::hold( array() );
		}
	}

	/**
	 * Has KiviCare's reads of the mapping row answered from $row (none: from the database again),
	 * when the mapping model is this plugin's (not the original add-on's).
	 *
	 * @param array<string,mixed> $row Mapping row, or none.
	 */
	private static function hold( array $row ): void {
		self::$held = $row;
		if ( MFK_Compat::integration_active() && is_callable( array( 'KCGMApp\models\KCGMMappingQuery', 'hold' ) ) ) {
			KCGMApp\models\KCGMMappingQuery::hold( $row );
		}
	}

	/**
	 * The mapping row of this appointment while KiviCare builds or sends an e-mail about it for
	 * the plugin (read just before; the e-mail filters need not read it again), else null.
	 *
	 * @param int $appointment_id Appointment.
	 * @return array<string,mixed>|null
	 */
	public static function held_row( int $appointment_id ): ?array {
		return $appointment_id > 0 && (int) ( self::$held['appointment_id'] ?? 0 ) === $appointment_id ? self::$held : null;
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
	 *
	 * @param array $row The mapping row the link is from (as for queue()).
	 */
	public static function deliver( array $row = array() ): void {
		$ids          = self::$queued;
		self::$queued = array();
		self::$data   = null;
		if ( ! $ids || ! class_exists( 'ActionScheduler' ) || ! is_callable( array( 'ActionScheduler', 'runner' ) ) ) {
			return;
		}
		$store  = ActionScheduler::store();
		$runner = ActionScheduler::runner();
		self::hold( $row );
		try {
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
		} finally {
			self::hold( array() );
		}
	}
}
