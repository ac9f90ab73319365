<?php
/**
 * Test-only fake telemed provider for the stand-in's own tests. Loaded only
 * when the constant KC_STANDIN_FAKE_PROVIDER is true or the option
 * `kc_standin_fake_provider` has `enabled` set. Its behaviour is driven by
 * that option (see README.md) and every call is appended, with the database
 * context it ran in, to a JSON-lines file outside the database (so calls made
 * inside a rolled-back transaction are still visible to tests).
 *
 * @package KiviCareStandIn
 */

namespace KCStandinTest;

use App\abstracts\KCAbstractTelemedProvider;

defined( 'ABSPATH' ) || exit;

/**
 * Options with defaults.
 *
 * @return array
 */
function options() {
	$stored = get_option( 'kc_standin_fake_provider', array() );
	return array_merge(
		array(
			'enabled'                 => false,
			'id'                      => 'googlemeet',
			'auth_type'               => 'oauth',
			'create'                  => 'record',
			'update'                  => 'record',
			'cancel'                  => 'ok',
			'define_model'            => true,
			'throw_after_create_hook' => false,
			'define_gate'             => true,
			'inject_video_url'        => false,
		),
		is_array( $stored ) ? $stored : array()
	);
}

/**
 * Path of the call log.
 *
 * @return string
 */
function calls_file() {
	return WP_CONTENT_DIR . '/kc-standin-fake-calls.jsonl';
}

/**
 * Appends one call with its database context.
 *
 * @param string $method Method.
 * @param array  $args   Arguments.
 */
function record_call( $method, array $args ) {
	global $wpdb;
	$appointment_id = 0;
	foreach ( $args as $arg ) {
		if ( is_array( $arg ) && isset( $arg['appointment_id'] ) ) {
			$appointment_id = (int) $arg['appointment_id'];
		} elseif ( is_int( $arg ) || ( is_string( $arg ) && ctype_digit( $arg ) ) ) {
			$appointment_id = $appointment_id ? $appointment_id : (int) $arg;
		}
	}
	$row        = $appointment_id ? $wpdb->get_row( $wpdb->prepare( "SELECT status, appointment_start_utc, description FROM {$wpdb->prefix}kc_appointments WHERE id = %d", $appointment_id ) ) : null;
	$suppressed = $wpdb->suppress_errors( true );
	$in_tx      = $wpdb->get_var( 'SELECT @@in_transaction' );
	$wpdb->suppress_errors( $suppressed );
	$line = array(
		'method'             => $method,
		'args'               => $args,
		'in_transaction'     => null === $in_tx ? null : (int) $in_tx,
		'appointment_status' => $row ? (int) $row->status : null,
		'appointment_start'  => $row ? (string) $row->appointment_start_utc : null,
		'appointment_desc'   => $row ? (string) $row->description : null,
		'wp_timezone'        => wp_timezone_string(),
		'time'               => gmdate( 'c' ),
	);
	file_put_contents( calls_file(), wp_json_encode( $line ) . "\n", FILE_APPEND | LOCK_EX ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
}

/**
 * Calls recorded so far.
 *
 * @return array[]
 */
function calls() {
	$file = calls_file();
	if ( ! is_readable( $file ) ) {
		return array();
	}
	$out = array();
	foreach ( file( $file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
		$decoded = json_decode( $line, true );
		if ( is_array( $decoded ) ) {
			$out[] = $decoded;
		}
	}
	return $out;
}

/**
 * Forgets recorded calls.
 */
function reset_calls() {
	$file = calls_file();
	if ( file_exists( $file ) ) {
		unlink( $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions.unlink_unlink
	}
}

/**
 * The fake provider.
 */
class FakeTelemedProvider extends KCAbstractTelemedProvider {

	/**
	 * @return array
	 */
	protected function get_default_config() {
		return array(
			'enabled'   => true,
			'auth_type' => options()['auth_type'],
		);
	}

	/**
	 * @return string
	 */
	public function get_provider_id() {
		return (string) options()['id'];
	}

	/**
	 * @return string
	 */
	public function get_provider_name() {
		return 'Fake telemed provider (tests)';
	}

	/**
	 * @return bool
	 */
	public function is_configured() {
		return true;
	}

	/**
	 * Behaviour per option `create`: record (save_meeting_record + array),
	 * array, false, empty (empty array), wp_error, throw.
	 *
	 * @param array $meeting_data Meeting data.
	 * @return array|\WP_Error|false
	 */
	public function create_meeting( $meeting_data = array() ) {
		record_call( 'create_meeting', array( $meeting_data ) );
		$appointment_id = (int) ( $meeting_data['appointment_id'] ?? 0 );
		switch ( options()['create'] ) {
			case 'false':
				return false;
			case 'empty':
				return array();
			case 'wp_error':
				return new \WP_Error( 'fake_failure', 'Fake provider failure' );
			case 'throw':
				throw new \RuntimeException( 'Fake provider exception' );
			case 'array':
				return array( 'id' => 'fake-' . $appointment_id );
			default:
				$meeting = array(
					'id'             => 'fake-evt-' . $appointment_id . '-' . wp_generate_password( 6, false ),
					'appointment_id' => $appointment_id,
					'join_url'       => 'https://meet.example.test/fake-' . $appointment_id,
					'event_url'      => 'https://calendar.example.test/event?eid=fake-' . $appointment_id,
					'password'       => '',
				);
				$saved   = $this->save_meeting_record( $meeting );
				return $saved ? $meeting : false;
		}
	}

	/**
	 * Behaviour per option `update`: record (update_meeting_record, with core's
	 * print_r echo), array, false.
	 *
	 * @param string $meeting_id   Meeting id.
	 * @param array  $meeting_data Meeting data.
	 * @return array|false
	 */
	public function update_meeting( $meeting_id, $meeting_data = array() ) {
		record_call( 'update_meeting', array( $meeting_id, $meeting_data ) );
		switch ( options()['update'] ) {
			case 'false':
				return false;
			case 'array':
				return array( 'id' => $meeting_id );
			default:
				$ok = $this->update_meeting_record(
					$meeting_id,
					array(
						'join_url'  => 'https://meet.example.test/moved-' . (int) ( $meeting_data['appointment_id'] ?? 0 ),
						'event_url' => 'https://calendar.example.test/event?eid=' . rawurlencode( (string) $meeting_id ),
					)
				);
				return $ok ? array( 'id' => $meeting_id ) : false;
		}
	}

	/**
	 * @param string $meeting_id Meeting id.
	 * @return bool
	 */
	public function delete_meeting( $meeting_id ) {
		record_call( 'delete_meeting', array( $meeting_id ) );
		return $this->delete_meeting_record( $meeting_id );
	}

	/**
	 * @param string $meeting_id Meeting id.
	 * @return array|false
	 */
	public function get_meeting( $meeting_id ) {
		return array( 'id' => $meeting_id );
	}

	/**
	 * @param array $data      Data.
	 * @param int   $doctor_id Doctor id.
	 * @return array
	 */
	public function test_connection( $data = array(), $doctor_id = 0 ) {
		return array(
			'success' => true,
			'message' => 'ok',
		);
	}

	/**
	 * @param int   $doctor_id Doctor id.
	 * @param array $config    Config.
	 * @return bool
	 */
	public function update_doctor_config( int $doctor_id, array $config ): bool {
		return (bool) update_user_meta( $doctor_id, 'kc_standin_fake_token', (string) ( $config['token'] ?? '' ) );
	}

	/**
	 * @param int $doctor_id Doctor id.
	 * @return string
	 */
	public function get_authorization_url( $doctor_id ): string {
		return home_url( '/?kc-standin-fake-authorize=' . (int) $doctor_id );
	}

	/**
	 * @param array $meeting_data Meeting data.
	 * @return int|false
	 */
	protected function save_zoom_meeting_record( $meeting_data ) {
		return false;
	}

	/**
	 * @param string $meeting_id Meeting id.
	 * @return bool
	 */
	protected function delete_meeting_record( $meeting_id ) {
		$model = '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';
		if ( ! class_exists( $model ) ) {
			return false;
		}
		$row = $model::query()->where( 'eventId', (string) $meeting_id )->first();
		return $row ? $row->delete() : false;
	}

	/**
	 * @param int $appointment_id Appointment id.
	 * @return object|null
	 */
	public function get_meeting_by_appointment( $appointment_id ) {
		$model = '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';
		return class_exists( $model ) ? $model::query()->where( 'appointmentId', (int) $appointment_id )->first() : null;
	}

	/**
	 * Option `cancel`: ok | throw.
	 *
	 * @param int $appointment_id Appointment id.
	 * @return bool
	 */
	public function cancel_meeting_by_appointment( $appointment_id ) {
		record_call( 'cancel_meeting_by_appointment', array( (int) $appointment_id ) );
		if ( 'throw' === options()['cancel'] ) {
			throw new \RuntimeException( 'Fake cancel exception' );
		}
		return true;
	}

	/**
	 * Doctor meta `kc_standin_fake_token`; null when empty.
	 *
	 * @param int $doctor_id Doctor id.
	 * @return string|null
	 */
	public function get_doctor_access_token( $doctor_id ) {
		$token = get_user_meta( (int) $doctor_id, 'kc_standin_fake_token', true );
		return is_string( $token ) && '' !== $token ? $token : null;
	}

	/**
	 * @return bool
	 */
	public function is_doctor_telemed_connected(): bool {
		return null !== $this->get_doctor_access_token( get_current_user_id() );
	}
}

add_filter(
	'kc_telemed_providers',
	static function ( $providers ) {
		$id                 = (string) options()['id'];
		$providers          = is_array( $providers ) ? $providers : array();
		$providers[ $id ]   = array(
			'class'        => FakeTelemedProvider::class,
			'settings_key' => 'kc_standin_fake_provider_settings',
			'description'  => 'Fake telemed provider (tests)',
		);
		return $providers;
	},
	99
);

// After every plugin has loaded: supply the mapping model unless an add-on does.
add_action(
	'plugins_loaded',
	static function () {
		if ( options()['define_model'] && ! class_exists( '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping' ) ) {
			require_once __DIR__ . '/fake-meet-mapping.php';
			if ( get_option( 'kc_standin_fake_table' ) !== '1' ) {
				\KCGMApp\models\KCGMAppointmentGoogleMeetMapping::install();
				update_option( 'kc_standin_fake_table', '1' );
			}
		}
	},
	100
);

add_action(
	'kc_after_create_appointment',
	static function () {
		if ( options()['throw_after_create_hook'] ) {
			throw new \RuntimeException( 'Fake failure after kc_after_create_appointment' );
		}
	},
	99
);

if ( options()['define_gate'] && ! defined( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION' ) ) {
	define( 'KIVICARE_GOOGLE_MEET_ADDON_VERSION', '0.0.0-fake' );
}

// Hook firings are recorded like calls, so tests can check arguments and timing.
foreach ( array(
	'kc_after_create_appointment'      => 3,
	'kc_appointment_updated'           => 2,
	'kc_appointment_cancelled'         => 1,
	'kc_appointment_status_update'     => 3,
	'kc_appointment_payment_completed' => 2,
) as $kc_standin_hook => $kc_standin_args ) {
	add_action(
		$kc_standin_hook,
		static function ( ...$args ) use ( $kc_standin_hook ) {
			$plain = array();
			foreach ( $args as $arg ) {
				if ( $arg instanceof \WP_REST_Request ) {
					$plain[] = array( 'request' => $arg->get_route() );
				} elseif ( $arg instanceof \App\baseClasses\KCBaseModel ) {
					$plain[] = array( 'model' => get_class( $arg ), 'attributes' => $arg->toArray() );
				} else {
					$plain[] = $arg;
				}
			}
			record_call( 'hook:' . $kc_standin_hook, $plain );
		},
		50,
		$kc_standin_args
	);
}
unset( $kc_standin_hook, $kc_standin_args );

/*
 * What an add-on does to show the link: video_consultation true and video_url
 * from the mapping, for everyone who can see the appointment (the stand-in's
 * own tests only; real add-ons decide per viewer).
 */
if ( options()['inject_video_url'] ) {
	$kc_standin_link = static function ( $appointment_id ) {
		$model = '\\KCGMApp\\models\\KCGMAppointmentGoogleMeetMapping';
		if ( ! class_exists( $model ) ) {
			return '';
		}
		$row = $model::query()->where( 'appointmentId', (int) $appointment_id )->first();
		return $row && $row->url ? (string) $row->url : '';
	};
	add_filter(
		'kc_is_video_consultation',
		static function ( $value, $appointment_id ) use ( $kc_standin_link ) {
			return '' !== $kc_standin_link( $appointment_id ) ? true : $value;
		},
		10,
		2
	);
	$kc_standin_add = static function ( $data, $appointment_id ) use ( $kc_standin_link ) {
		$url = $kc_standin_link( $appointment_id );
		if ( '' !== $url ) {
			$data['video_url'] = $url;
		}
		return $data;
	};
	add_filter( 'kc_appointment_list_item', static fn( $item, $row ) => $kc_standin_add( $item, (int) $row->id ), 10, 2 );
	add_filter( 'kc_appointment_data', static fn( $data, $id ) => $kc_standin_add( $data, (int) $id ), 10, 2 );
	add_filter( 'kc_appointment_details_data', static fn( $data, $appt ) => $kc_standin_add( $data, (int) $appt->id ), 10, 2 );
	add_filter( 'kc_get_upcoming_appointment_data', static fn( $data, $appt ) => $kc_standin_add( $data, (int) $appt->id ), 10, 2 );
	unset( $kc_standin_link, $kc_standin_add );
}
