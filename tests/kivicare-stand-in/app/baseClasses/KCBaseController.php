<?php
/**
 * Base of the REST controllers: namespace `kivicare/v1` and the
 * `{status, message, data}` envelope (KiviCare `app/baseClasses/KCBaseController.php`).
 *
 * Permission callbacks return booleans, so refusals use WordPress's own error
 * shape (`rest_forbidden`, 401 when logged out, 403 otherwise), as in core.
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

use WP_REST_Response;

defined( 'ABSPATH' ) || exit;

/**
 * REST base controller.
 */
abstract class KCBaseController {

	const API_NAMESPACE = 'kivicare/v1';

	/**
	 * Registers the controller's routes.
	 */
	abstract public function register_routes();

	/**
	 * `register_rest_route` in the KiviCare namespace.
	 *
	 * @param string $route Route.
	 * @param array  $args  Endpoints.
	 */
	protected function route( $route, array $args ) {
		register_rest_route( self::API_NAMESPACE, $route, $args );
	}

	/**
	 * Success envelope.
	 *
	 * @param mixed  $data    Data.
	 * @param string $message Message.
	 * @param int    $code    HTTP status.
	 * @return WP_REST_Response
	 */
	protected function response( $data, $message = '', $code = 200 ) {
		return new WP_REST_Response(
			array(
				'status'  => true,
				'message' => $message,
				'data'    => $data,
			),
			$code
		);
	}

	/**
	 * Error envelope.
	 *
	 * @param string $message Message.
	 * @param int    $code    HTTP status.
	 * @param mixed  $data    Data.
	 * @return WP_REST_Response
	 */
	protected function error( $message, $code = 400, $data = null ) {
		return new WP_REST_Response(
			array(
				'status'  => false,
				'message' => $message,
				'data'    => $data,
			),
			$code
		);
	}

	/**
	 * Permission callback checking the static role map.
	 *
	 * @param string $action Action key.
	 * @return callable
	 */
	protected function can( $action ) {
		return static function () use ( $action ) {
			return is_user_logged_in() && KCPermissions::can_user_perform_action( $action );
		};
	}

	/**
	 * Permission callback: any logged-in user.
	 *
	 * @return bool
	 */
	public function logged_in() {
		return is_user_logged_in();
	}

	/**
	 * Schema for a positive integer route/body argument.
	 *
	 * @param bool $required Required.
	 * @return array
	 */
	protected function int_arg( $required = false ) {
		return array(
			'required'          => $required,
			'validate_callback' => static function ( $value ) {
				return ( is_int( $value ) || ( is_string( $value ) && ctype_digit( $value ) && strlen( $value ) < 19 ) ) && (int) $value > 0;
			},
			'sanitize_callback' => 'absint',
		);
	}
}
