<?php
/**
 * The baseline of "vs a PHP-only add-on": a KiviCare `googlemeet` provider that does what an
 * add-on without a sidecar does. Inside KiviCare's booking it calls Google's Calendar API itself
 * with `wp_remote_post` (events.insert with a Meet conference request, refreshing the doctor's
 * access token first when it has expired), then saves the link through KiviCare's mapping model.
 * No queue, no idempotency, no retries: the least work a working integration can do.
 *
 * The same file has the baseline of the booking figures: NullTelemedProvider, which answers
 * KiviCare at once without doing anything (a telemedicine booking needs some provider).
 * MFK_BENCH_PROVIDER (`php-only` or `none`, set by bench-hooks.php) picks which one is registered.
 *
 * Configuration: option `mfk_bench_php_only` (`api_root`, `token_url`, `client_id`,
 * `client_secret`); a doctor's tokens in user meta `mfk_bench_php_only_token` (`access_token`,
 * `refresh_token`, `expires_at`). Test-only (see bench-hooks.php).
 *
 * @package MeetForKiviCare
 */

namespace MFKBench;

defined( 'ABSPATH' ) || exit;

if ( ! defined( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION' ) ) {
	define( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION', '0.0.0-bench' );
}

/**
 * Google Meet through direct Calendar API calls from PHP.
 */
class PhpOnlyGoogleMeet extends \App\abstracts\KCAbstractTelemedProvider {

	/** User meta with the doctor's tokens. */
	const TOKEN_META = 'mfk_bench_php_only_token';

	/**
	 * @return array
	 */
	protected function get_default_config() {
		return array(
			'enabled'   => true,
			'auth_type' => 'oauth',
		);
	}

	/**
	 * @return string
	 */
	public function get_provider_id() {
		return 'googlemeet';
	}

	/**
	 * @return string
	 */
	public function get_provider_name() {
		return 'Google Meet (PHP only)';
	}

	/**
	 * @return bool
	 */
	public function is_configured() {
		return true;
	}

	/**
	 * Settings.
	 *
	 * @return array
	 */
	private static function settings(): array {
		return (array) get_option( 'mfk_bench_php_only', array() );
	}

	/**
	 * A valid access token for the doctor (refreshed when expired).
	 *
	 * @param int $doctor_id Doctor.
	 * @return string
	 */
	private function token( int $doctor_id ): string {
		$tokens = (array) get_user_meta( $doctor_id, self::TOKEN_META, true );
		if ( ! empty( $tokens['access_token'] ) && (int) ( $tokens['expires_at'] ?? 0 ) > time() + 60 ) {
			return (string) $tokens['access_token'];
		}
		$s        = self::settings();
		$response = wp_remote_post(
			$s['token_url'],
			array(
				'timeout' => 10,
				'body'    => array(
					'grant_type'    => 'refresh_token',
					'refresh_token' => $tokens['refresh_token'] ?? '',
					'client_id'     => $s['client_id'],
					'client_secret' => $s['client_secret'],
				),
			)
		);
		$answer = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( empty( $answer['access_token'] ) ) {
			return '';
		}
		$tokens['access_token'] = $answer['access_token'];
		$tokens['expires_at']   = time() + (int) ( $answer['expires_in'] ?? 3600 );
		update_user_meta( $doctor_id, self::TOKEN_META, $tokens );
		return (string) $answer['access_token'];
	}

	/**
	 * Creates the event with its Meet conference and saves the link.
	 *
	 * @param array $meeting_data KiviCare's meeting data.
	 * @return array|\WP_Error
	 */
	public function create_meeting( $meeting_data = array() ) {
		$doctor_id = (int) ( $meeting_data['doctor_id'] ?? 0 );
		$zone      = (string) ( $meeting_data['timezone'] ?? 'UTC' );
		try {
			$start = new \DateTimeImmutable( (string) $meeting_data['start_time'], new \DateTimeZone( '' !== $zone ? $zone : 'UTC' ) );
		} catch ( \Exception $e ) {
			return new \WP_Error( 'bench_bad_time', $e->getMessage() );
		}
		$end = $start->modify( '+' . max( 1, (int) ( $meeting_data['duration'] ?? 30 ) ) . ' minutes' );
		// Google wants an IANA name; a site set to a fixed offset ("+00:00") has none.
		$name  = $start->getTimezone()->getName();
		$named = in_array( $name, timezone_identifiers_list(), true ) ? array( 'timeZone' => $name ) : array();
		$body  = array(
			'summary'        => (string) ( $meeting_data['topic'] ?? 'Video consultation' ),
			'start'          => array( 'dateTime' => $start->format( DATE_RFC3339 ) ) + $named,
			'end'            => array( 'dateTime' => $end->format( DATE_RFC3339 ) ) + $named,
			'conferenceData' => array(
				'createRequest' => array(
					'requestId'             => wp_generate_uuid4(),
					'conferenceSolutionKey' => array( 'type' => 'hangoutsMeet' ),
				),
			),
		);
		$response = wp_remote_post(
			self::settings()['api_root'] . 'calendar/v3/calendars/primary/events?conferenceDataVersion=1&sendUpdates=none',
			array(
				'timeout' => 10,
				'headers' => array(
					'Authorization' => 'Bearer ' . $this->token( $doctor_id ),
					'Content-Type'  => 'application/json',
				),
				'body'    => wp_json_encode( $body ),
			)
		);
		$event = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( 200 !== (int) wp_remote_retrieve_response_code( $response ) || empty( $event['id'] ) ) {
			return new \WP_Error( 'bench_google_error', (string) wp_remote_retrieve_body( $response ) );
		}
		$meeting = array(
			'id'             => (string) $event['id'],
			'appointment_id' => (int) ( $meeting_data['appointment_id'] ?? 0 ),
			'join_url'       => (string) ( $event['hangoutLink'] ?? '' ),
			'event_url'      => (string) ( $event['htmlLink'] ?? '' ),
			'password'       => '',
		);
		$this->save_meeting_record( $meeting );
		return $meeting;
	}

	/**
	 * @param string $meeting_id   Event id.
	 * @param array  $meeting_data Data.
	 * @return array
	 */
	public function update_meeting( $meeting_id, $meeting_data = array() ) {
		return array( 'id' => $meeting_id );
	}

	/**
	 * @param string $meeting_id Event id.
	 * @return bool
	 */
	public function delete_meeting( $meeting_id ) {
		return true;
	}

	/**
	 * @param string $meeting_id Event id.
	 * @return array
	 */
	public function get_meeting( $meeting_id ) {
		return array( 'id' => $meeting_id );
	}

	/**
	 * @param array $data      Data.
	 * @param int   $doctor_id Doctor.
	 * @return array
	 */
	public function test_connection( $data = array(), $doctor_id = 0 ) {
		return array( 'status' => true );
	}

	/**
	 * @param int   $doctor_id Doctor.
	 * @param array $config    Config.
	 * @return bool
	 */
	public function update_doctor_config( int $doctor_id, array $config ): bool {
		return true;
	}

	/**
	 * @param int $doctor_id Doctor.
	 * @return string
	 */
	public function get_authorization_url( $doctor_id ): string {
		return '';
	}

	/**
	 * @param array $meeting_data Data.
	 * @return int|false
	 */
	protected function save_zoom_meeting_record( $meeting_data ) {
		return false;
	}

	/**
	 * @param string $meeting_id Event id.
	 * @return bool
	 */
	protected function delete_meeting_record( $meeting_id ) {
		return true;
	}

	/**
	 * @param int $appointment_id Appointment.
	 * @return object|null
	 */
	public function get_meeting_by_appointment( $appointment_id ) {
		return \KCGMApp\models\KCGMAppointmentGoogleMeetMapping::query()->where( 'appointmentId', (int) $appointment_id )->first();
	}

	/**
	 * @param int $appointment_id Appointment.
	 * @return bool
	 */
	public function cancel_meeting_by_appointment( $appointment_id ) {
		return true;
	}

	/**
	 * @param int $doctor_id Doctor.
	 * @return string|null
	 */
	public function get_doctor_access_token( $doctor_id ) {
		$tokens = get_user_meta( (int) $doctor_id, self::TOKEN_META, true );
		return is_array( $tokens ) && ! empty( $tokens['refresh_token'] ) ? (string) $tokens['refresh_token'] : null;
	}

	/**
	 * @return bool
	 */
	public function is_doctor_telemed_connected(): bool {
		return null !== $this->get_doctor_access_token( get_current_user_id() );
	}
}

/**
 * A provider that does nothing: KiviCare's booking path for a telemedicine service with no
 * provider work at all.
 */
class NullTelemedProvider extends PhpOnlyGoogleMeet {

	/**
	 * @param array $meeting_data KiviCare's meeting data.
	 * @return array
	 */
	public function create_meeting( $meeting_data = array() ) {
		return array( 'id' => 'none' );
	}
}

add_filter(
	'kc_telemed_providers',
	static function ( $providers ) {
		$providers               = is_array( $providers ) ? $providers : array();
		$providers['googlemeet'] = array(
			'class'        => 'none' === MFK_BENCH_PROVIDER ? NullTelemedProvider::class : PhpOnlyGoogleMeet::class,
			'settings_key' => 'mfk_bench_php_only_provider',
			'description'  => 'Google Meet (PHP only, benchmark baseline)',
		);
		return $providers;
	},
	99
);

// KiviCare's mapping model, as the add-on ships it (the stand-in's copy, with its own table).
add_action(
	'plugins_loaded',
	static function () {
		if ( ! class_exists( '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping' ) ) {
			require_once WP_PLUGIN_DIR . '/kivicare-clinic-management-system/test-support/fake-meet-mapping.php';
			if ( '1' !== get_option( 'mfk_bench_php_only_table' ) ) {
				\KCGMApp\models\KCGMAppointmentGoogleMeetMapping::install();
				update_option( 'mfk_bench_php_only_table', '1' );
			}
		}
	},
	100
);
