<?php
/**
 * KiviCare's own Google Meet endpoints (`kivicare/v1/settings/googlemeet*`). KiviCare's
 * dashboard calls them when a Google Meet add-on is active; core does not register
 * them (contract §5). They answer in KiviCare's envelope `{status, message, data}` and
 * are backed by the same settings and connection code as the plugin's own screens.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * KiviCare settings and doctor-connection routes.
 */
final class MFK_KiviCare_Settings_API {

	/** KiviCare's namespace. */
	const NAMESPACE = 'kivicare/v1';

	/**
	 * Registers the routes (only while the KiviCare integration runs).
	 */
	public static function register_routes(): void {
		register_rest_route(
			self::NAMESPACE,
			'/settings/googlemeet',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( __CLASS__, 'get_settings' ),
					'permission_callback' => array( 'MFK_REST', 'can_manage' ),
					'args'                => array(),
				),
				array(
					'methods'             => 'PUT, POST',
					'callback'            => array( __CLASS__, 'save_settings' ),
					'permission_callback' => array( 'MFK_REST', 'can_manage' ),
					'args'                => array(
						'google_meet_config'         => array(
							'description' => __( 'KiviCare\'s Google Meet configuration: enableCal, client_id, client_secret, app_name.', 'meet-for-kivicare' ),
							'type'        => 'object',
							'properties'  => array(
								'enableCal'     => array( 'type' => array( 'string', 'boolean' ) ),
								'client_id'     => array(
									'type'      => 'string',
									'maxLength' => 255,
								),
								'client_secret' => array(
									'type'      => 'string',
									'maxLength' => 512,
								),
								'app_name'      => array(
									'type'      => 'string',
									'maxLength' => 200,
								),
							),
						),
						'google_meet_event_template' => array(
							'description' => __( 'Calendar event template: post_title (event title), post_content (not used: events carry no description).', 'meet-for-kivicare' ),
							'type'        => 'object',
							'properties'  => array(
								'post_title'   => array(
									'type'      => 'string',
									'maxLength' => 200,
								),
								'post_content' => array(
									'type'      => 'string',
									'maxLength' => 20000,
								),
							),
						),
					),
				),
			)
		);
		$doctor_route = static function ( string $route, string $callback ): void {
			register_rest_route(
				self::NAMESPACE,
				$route,
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( __CLASS__, $callback ),
					'permission_callback' => array( 'MFK_REST_Connection', 'is_doctor' ),
					'args'                => array(),
				)
			);
		};
		$doctor_route( '/settings/googlemeet/doctor-config', 'doctor_config' );
		$doctor_route( '/settings/googlemeet/authorize', 'authorize' );
		$doctor_route( '/settings/googlemeet/disconnect', 'disconnect' );
	}

	/**
	 * KiviCare's envelope.
	 *
	 * @param bool   $status  Success.
	 * @param string $message Message.
	 * @param mixed  $data    Data.
	 * @param int    $http    HTTP status.
	 */
	private static function envelope( bool $status, string $message, $data = array(), int $http = 200 ): WP_REST_Response {
		return new WP_REST_Response(
			array(
				'status'  => $status,
				'message' => $message,
				'data'    => $data,
			),
			$http
		);
	}

	/**
	 * The data KiviCare's settings screen reads.
	 *
	 * @return array<string,mixed>
	 */
	private static function settings_data(): array {
		$kivicare = get_option( MFK_KiviCare_Options::KIVICARE_OPTION, array() );
		$kivicare = is_array( $kivicare ) ? $kivicare : array();
		return array(
			'data'            => array(
				'post_title'   => self::to_kivicare_placeholders( (string) MFK_Settings::get( 'event_title_template' ) ),
				'post_content' => '',
			),
			'config'          => array(
				'data' => array(
					'enableCal'     => MFK_Settings::is_configured() ? 'Yes' : 'No',
					'client_id'     => (string) MFK_Settings::get( 'google_client_id' ),
					'client_secret' => '', // Write-only: never sent back.
					'app_name'      => (string) ( $kivicare['app_name'] ?? wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ) ),
				),
			),
			'redirection_url' => MFK_OAuth::redirect_uri(),
		);
	}

	/**
	 * `GET settings/googlemeet` (administrators).
	 */
	public static function get_settings(): WP_REST_Response {
		return self::envelope( true, __( 'Google Meet settings', 'meet-for-kivicare' ), self::settings_data() );
	}

	/**
	 * `PUT settings/googlemeet` (administrators): client id/secret, app name and the
	 * event title, through MFK_Settings (same validation as the plugin's screen).
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function save_settings( WP_REST_Request $request ): WP_REST_Response {
		$config   = (array) $request->get_param( 'google_meet_config' );
		$template = (array) $request->get_param( 'google_meet_event_template' );
		$input    = array();

		if ( array_key_exists( 'enableCal', $config ) && ! self::truthy( $config['enableCal'] ) ) {
			return self::envelope(
				false,
				__( 'Google Meet cannot be switched off here while Meet for KiviCare is active. Deactivate the Meet for KiviCare plugin to stop creating Meet links.', 'meet-for-kivicare' ),
				array( 'params' => array( 'enableCal' => __( 'Google Meet stays on while Meet for KiviCare is active.', 'meet-for-kivicare' ) ) ),
				400
			);
		}
		if ( isset( $config['client_id'] ) ) {
			$input['google_client_id'] = (string) $config['client_id'];
		}
		if ( isset( $config['client_secret'] ) && '' !== trim( (string) $config['client_secret'] ) ) {
			$input['google_client_secret'] = (string) $config['client_secret'];
		}
		if ( isset( $template['post_title'] ) && '' !== trim( (string) $template['post_title'] ) ) {
			$input['event_title_template'] = self::from_kivicare_placeholders( (string) $template['post_title'] );
		}

		$saved = MFK_Settings::update( $input );
		if ( is_wp_error( $saved ) ) {
			$error = MFK_REST::error( $saved );
			return self::envelope( false, $error->get_error_message(), array( 'params' => self::kivicare_params( (array) ( $error->get_error_data()['params'] ?? array() ) ) ), (int) $error->get_error_data()['status'] );
		}
		if ( isset( $config['app_name'] ) ) {
			$kivicare             = get_option( MFK_KiviCare_Options::KIVICARE_OPTION, array() );
			$kivicare             = is_array( $kivicare ) ? $kivicare : array();
			$kivicare['app_name'] = sanitize_text_field( (string) $config['app_name'] );
			update_option( MFK_KiviCare_Options::KIVICARE_OPTION, $kivicare );
		}
		MFK_KiviCare_Options::sync();
		return self::envelope( true, __( 'Google Meet settings saved.', 'meet-for-kivicare' ), self::settings_data() );
	}

	/**
	 * `GET settings/googlemeet/doctor-config` (doctors): whether the current doctor is
	 * connected.
	 */
	public static function doctor_config(): WP_REST_Response {
		$connection = MFK_Doctor_Connection::get( get_current_user_id() );
		return self::envelope(
			true,
			__( 'Google Meet connection', 'meet-for-kivicare' ),
			array(
				'is_connected'      => MFK_Doctor_Connection::STATUS_DISCONNECTED !== $connection['status'],
				'is_zoom_connected' => false,
				'status'            => $connection['status'],
				'email'             => $connection['email'],
				'reason_code'       => $connection['code'],
			)
		);
	}

	/**
	 * `GET settings/googlemeet/authorize` (doctors): the Google consent URL. Google
	 * comes back to the redirect URI, which returns to the KiviCare page the doctor
	 * started from with `google_meet_connected=1`.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function authorize( WP_REST_Request $request ): WP_REST_Response {
		$url = MFK_OAuth::start( get_current_user_id(), (string) $request->get_header( 'referer' ), MFK_OAuth::FLOW_KIVICARE );
		if ( is_wp_error( $url ) ) {
			$error = MFK_REST::error( $url );
			return self::envelope( false, $error->get_error_message(), array( 'code' => $error->get_error_code() ), (int) $error->get_error_data()['status'] );
		}
		return self::envelope( true, __( 'Continue at Google to connect your account.', 'meet-for-kivicare' ), array( 'redirect_url' => $url ) );
	}

	/**
	 * `GET settings/googlemeet/disconnect` (doctors): disconnects the current doctor.
	 */
	public static function disconnect(): WP_REST_Response {
		$result = MFK_Doctor_Connection::disconnect( get_current_user_id() );
		return self::envelope(
			true,
			is_wp_error( $result )
				? __( 'Google Meet disconnected here; Google could not be told to revoke the access. You can remove it in your Google account settings.', 'meet-for-kivicare' )
				: __( 'Google Meet disconnected.', 'meet-for-kivicare' )
		);
	}

	/**
	 * KiviCare's field names for errors of the plugin's settings.
	 *
	 * @param array<string,string> $params Plugin field => message.
	 * @return array<string,string>
	 */
	private static function kivicare_params( array $params ): array {
		$names = array(
			'google_client_id'     => 'client_id',
			'google_client_secret' => 'client_secret',
			'event_title_template' => 'post_title',
		);
		$out   = array();
		foreach ( $params as $field => $message ) {
			$out[ $names[ $field ] ?? $field ] = $message;
		}
		return $out;
	}

	/**
	 * KiviCare's templates write placeholders as `{{name}}`; the plugin as `{name}`.
	 *
	 * @param string $title Title from KiviCare.
	 */
	private static function from_kivicare_placeholders( string $title ): string {
		return (string) preg_replace( '/\{\{\s*([a-z_]+)\s*\}\}/', '{$1}', $title );
	}

	/**
	 * The plugin's `{name}` placeholders in KiviCare's `{{name}}` form.
	 *
	 * @param string $title Plugin title template.
	 */
	private static function to_kivicare_placeholders( string $title ): string {
		return (string) preg_replace( '/(?<!\{)\{([a-z_]+)\}(?!\})/', '{{$1}}', $title );
	}

	/**
	 * KiviCare's yes/no values ('Yes', 'on', true, …).
	 *
	 * @param mixed $value Value.
	 */
	private static function truthy( $value ): bool {
		if ( is_bool( $value ) ) {
			return $value;
		}
		return in_array( strtolower( trim( (string) $value ) ), array( 'yes', 'on', 'true', '1' ), true );
	}
}
