<?php
/**
 * Base class of telemed providers (KiviCare 4.3 `app/abstracts/KCAbstractTelemedProvider.php`).
 * Abstract method signatures are exactly those of 4.3 (docblock types only,
 * except the three methods that declare them), so a provider that loads here
 * loads against the real plugin.
 *
 * @package KiviCareStandIn
 */

namespace App\abstracts;

defined( 'ABSPATH' ) || exit;

/**
 * Telemed provider base.
 */
abstract class KCAbstractTelemedProvider {

	/**
	 * Name of the wp_options entry holding this provider's config.
	 *
	 * @var string
	 */
	protected $settings_key;

	/**
	 * Effective config: stored option over the defaults.
	 *
	 * @var array
	 */
	protected $config = array();

	/**
	 * @param string $settings_key Option name given in the `kc_telemed_providers` registration.
	 */
	public function __construct( $settings_key ) {
		$this->settings_key = $settings_key;
		$this->load_config();
		$this->init();
	}

	/**
	 * config = get_option(settings_key) over get_default_config().
	 */
	protected function load_config() {
		$stored       = $this->settings_key ? get_option( $this->settings_key, array() ) : array();
		$this->config = array_merge( (array) $this->get_default_config(), is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Provider-specific initialisation; called by the constructor.
	 */
	protected function init() {
	}

	/**
	 * Registers the provider's AJAX endpoints. Called by the factory on every
	 * instance it builds.
	 */
	public function init_hook() {
		$id = $this->get_provider_id();
		add_action( 'wp_ajax_kc_test_' . $id . '_connection', array( $this, 'test_connection_ajax' ) );
		add_action( 'wp_ajax_kc_' . $id . '_webhook', array( $this, 'handle_webhook' ) );
		add_action( 'wp_ajax_nopriv_kc_' . $id . '_webhook', array( $this, 'handle_webhook' ) );
	}

	/**
	 * @return array
	 */
	abstract protected function get_default_config();

	/**
	 * @return string
	 */
	abstract public function get_provider_id();

	/**
	 * @return string
	 */
	abstract public function get_provider_name();

	/**
	 * Enabled flag set AND configured.
	 *
	 * @return bool
	 */
	public function is_enabled() {
		return ! empty( $this->config['enabled'] ) && $this->is_configured();
	}

	/**
	 * @return bool
	 */
	abstract public function is_configured();

	/**
	 * @param array $meeting_data Meeting data.
	 * @return array|\WP_Error
	 */
	abstract public function create_meeting( $meeting_data = array() );

	/**
	 * @param string $meeting_id   Meeting id.
	 * @param array  $meeting_data Meeting data.
	 * @return array|false
	 */
	abstract public function update_meeting( $meeting_id, $meeting_data = array() );

	/**
	 * @param string $meeting_id Meeting id.
	 * @return bool
	 */
	abstract public function delete_meeting( $meeting_id );

	/**
	 * @param string $meeting_id Meeting id.
	 * @return array|false
	 */
	abstract public function get_meeting( $meeting_id );

	/**
	 * @param array $data      Data.
	 * @param int   $doctor_id Doctor id.
	 * @return array
	 */
	abstract public function test_connection( $data = array(), $doctor_id = 0 );

	/**
	 * @param int   $doctor_id Doctor id.
	 * @param array $config    Config.
	 * @return bool
	 */
	abstract public function update_doctor_config( int $doctor_id, array $config ): bool;

	/**
	 * @param int $doctor_id Doctor id.
	 * @return string
	 */
	abstract public function get_authorization_url( $doctor_id ): string;

	/**
	 * @param int $doctor_id Doctor id.
	 * @return bool
	 */
	public function disconnect_doctor( int $doctor_id ): bool {
		return false;
	}

	/**
	 * @return bool
	 */
	public function supports_recording() {
		return false;
	}

	/**
	 * @return bool
	 */
	public function supports_waiting_room() {
		return false;
	}

	/**
	 * @return bool
	 */
	public function supports_password() {
		return false;
	}

	/**
	 * @return string[]
	 */
	public function get_supported_meeting_types() {
		return array( 'instant', 'scheduled' );
	}

	/**
	 * @return int 0 = unlimited.
	 */
	public function get_max_duration() {
		return 0;
	}

	/**
	 * @return int 0 = unlimited.
	 */
	public function get_max_participants() {
		return 0;
	}

	/**
	 * The effective config.
	 *
	 * @return array
	 */
	public function get_config() {
		return $this->config;
	}

	/**
	 * Fills the usual keys of a meeting request.
	 *
	 * @param array $data Meeting data.
	 * @return array
	 */
	protected function format_meeting_data( $data ) {
		$defaults = array(
			'topic'             => __( 'Telemed Appointment', 'kc-lang' ),
			'type'              => 'scheduled',
			'start_time'        => current_time( 'mysql' ),
			'duration'          => 30,
			'timezone'          => wp_timezone_string(),
			'password'          => '',
			'agenda'            => '',
			'waiting_room'      => false,
			'auto_recording'    => false,
			'host_video'        => true,
			'participant_video' => true,
			'mute_upon_entry'   => true,
		);
		return array_merge( $defaults, is_array( $data ) ? $data : array() );
	}

	/**
	 * Saves the provider's meeting record: dispatches by provider id.
	 *
	 * @param array $meeting_data Meeting data as returned by the provider API.
	 * @return int|false
	 */
	protected function save_meeting_record( $meeting_data ) {
		switch ( $this->get_provider_id() ) {
			case 'googlemeet':
				return $this->save_google_meet_record( $meeting_data );
			case 'zoom':
				return $this->save_zoom_meeting_record( $meeting_data );
			default:
				return false;
		}
	}

	/**
	 * Inserts a row through the add-on's mapping model. Always inserts.
	 *
	 * @param array $meeting_data Meeting data.
	 * @return int|false
	 */
	protected function save_google_meet_record( $meeting_data ) {
		$model = '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';
		if ( ! class_exists( $model ) ) {
			return false;
		}
		$result = $model::create(
			array(
				'eventId'       => $meeting_data['id'] ?? ( $meeting_data['event_id'] ?? '' ),
				'appointmentId' => $meeting_data['appointment_id'] ?? 0,
				'url'           => $meeting_data['join_url'] ?? ( $meeting_data['url'] ?? '' ),
				'password'      => $meeting_data['password'] ?? '',
				'eventUrl'      => $meeting_data['event_url'] ?? '',
			)
		);
		return $result ? $result : false;
	}

	/**
	 * @param array $meeting_data Meeting data.
	 * @return int|false
	 */
	abstract protected function save_zoom_meeting_record( $meeting_data );

	/**
	 * Updates the provider's meeting record. Reproduces core's debugging
	 * leftover: `print_r()` without the return flag echoes the data into
	 * whatever response is being produced.
	 *
	 * @param string $meeting_id   Meeting id.
	 * @param array  $meeting_data Meeting data.
	 * @return bool
	 */
	protected function update_meeting_record( $meeting_id, $meeting_data ) {
		print_r( $meeting_data ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_print_r -- faithful to KiviCare 4.3.
		switch ( $this->get_provider_id() ) {
			case 'googlemeet':
				return $this->update_google_meet_record( $meeting_id, $meeting_data );
			case 'zoom':
				return $this->update_zoom_meeting_record( $meeting_id, $meeting_data );
			default:
				return false;
		}
	}

	/**
	 * Zoom records are not modelled by the stand-in.
	 *
	 * @param string $meeting_id   Meeting id.
	 * @param array  $meeting_data Meeting data.
	 * @return bool
	 */
	protected function update_zoom_meeting_record( $meeting_id, $meeting_data ) {
		return false;
	}

	/**
	 * Updates url / password / eventUrl of the mapping row found by eventId.
	 *
	 * @param string $meetingId Event id.
	 * @param array  $data      Meeting data.
	 * @return bool False when no row has that event id.
	 */
	protected function update_google_meet_record( $meetingId, $data ) {
		$model = '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';
		if ( ! class_exists( $model ) ) {
			return false;
		}
		$row = $model::query()->where( 'eventId', $meetingId )->first();
		if ( ! $row ) {
			return false;
		}
		$update = array();
		if ( isset( $data['url'] ) || isset( $data['join_url'] ) ) {
			$update['url'] = $data['url'] ?? $data['join_url'];
		}
		if ( isset( $data['password'] ) ) {
			$update['password'] = $data['password'];
		}
		if ( isset( $data['event_url'] ) ) {
			$update['eventUrl'] = $data['event_url'];
		}
		if ( $update ) {
			$row->update( $update );
		}
		return true;
	}

	/**
	 * @param string $meeting_id Meeting id.
	 * @return bool
	 */
	abstract protected function delete_meeting_record( $meeting_id );

	/**
	 * @param int $appointment_id Appointment id.
	 * @return object|null
	 */
	abstract public function get_meeting_by_appointment( $appointment_id );

	/**
	 * AJAX "test connection" (nonce `kc_telemed_test_connection`, `manage_options`).
	 */
	public function test_connection_ajax() {
		$nonce = isset( $_REQUEST['_ajax_nonce'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['_ajax_nonce'] ) ) : '';
		if ( ! wp_verify_nonce( $nonce, 'kc_telemed_test_connection' ) ) {
			wp_send_json_error( array( 'message' => __( 'Invalid nonce', 'kc-lang' ) ), 403 );
		}
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_send_json_error( array( 'message' => __( 'Permission denied', 'kc-lang' ) ), 403 );
		}
		$data   = isset( $_POST['data'] ) && is_array( $_POST['data'] ) ? map_deep( wp_unslash( $_POST['data'] ), 'sanitize_text_field' ) : array();
		$result = $this->test_connection( $data );
		if ( ! empty( $result['success'] ) ) {
			wp_send_json_success( $result );
		}
		wp_send_json_error( $result );
	}

	/**
	 * Webhook endpoint; providers override.
	 */
	public function handle_webhook() {
		wp_send_json_success( array( 'message' => __( 'Webhook received', 'kc-lang' ) ) );
	}

	/**
	 * Merges and stores config.
	 *
	 * @param array $config New values.
	 * @return bool
	 */
	public function update_config( $config ) {
		$this->config = array_merge( $this->config, (array) $config );
		return update_option( $this->settings_key, $this->config );
	}

	/**
	 * What this provider supports.
	 *
	 * @return array
	 */
	public function get_capabilities() {
		return array(
			'recording'       => $this->supports_recording(),
			'waiting_room'    => $this->supports_waiting_room(),
			'password'        => $this->supports_password(),
			'meeting_types'   => $this->get_supported_meeting_types(),
			'max_duration'    => $this->get_max_duration(),
			'max_participants' => $this->get_max_participants(),
		);
	}

	/**
	 * @param string $message Message.
	 * @param string $level   Level.
	 */
	protected function log( $message, $level = 'info' ) {
		kcLog( '[' . $this->get_provider_id() . '][' . $level . '] ' . $message );
	}

	/**
	 * @param string $key     Key.
	 * @param mixed  $default Default.
	 * @return mixed
	 */
	protected function get_config_value( $key, $default = null ) {
		return array_key_exists( $key, $this->config ) ? $this->config[ $key ] : $default;
	}

	/**
	 * @param int $appointment_id Appointment id.
	 * @return bool
	 */
	abstract public function cancel_meeting_by_appointment( $appointment_id );

	/**
	 * @param int $doctor_id Doctor id.
	 * @return string|null
	 */
	abstract public function get_doctor_access_token( $doctor_id );

	/**
	 * @return bool
	 */
	abstract public function is_doctor_telemed_connected(): bool;
}
