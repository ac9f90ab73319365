<?php
/**
 * `POST auth/login` and `POST auth/logout` (KiviCare `app/controllers/api/AuthController.php`).
 *
 * @package KiviCareStandIn
 */

namespace App\controllers\api;

use App\baseClasses\KCBase;
use App\baseClasses\KCBaseController;
use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Login for KiviCare users.
 */
class AuthController extends KCBaseController {

	/**
	 * LOGGED_IN cookie value set during this request, so the nonce returned
	 * below is bound to the new session and validates on later requests.
	 *
	 * @var string
	 */
	private $logged_in_cookie = '';

	/**
	 * Routes.
	 */
	public function register_routes() {
		$this->route(
			'/auth/login',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'login' ),
				'permission_callback' => '__return_true',
				'args'                => array(
					'username' => array(
						'required'          => true,
						'validate_callback' => static function ( $v ) {
							return is_string( $v ) && '' !== $v && strlen( $v ) <= 200;
						},
					),
					'password' => array(
						'required'          => true,
						'validate_callback' => static function ( $v ) {
							return is_string( $v ) && '' !== $v && strlen( $v ) <= 4096;
						},
					),
					'remember' => array(
						'required' => false,
						'type'     => 'boolean',
					),
				),
			)
		);
		$this->route(
			'/auth/logout',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'logout' ),
				'permission_callback' => array( $this, 'logged_in' ),
			)
		);
	}

	/**
	 * `wp_signon`; administrators are refused (403) and their cookie cleared.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public function login( WP_REST_Request $request ) {
		add_action( 'set_logged_in_cookie', array( $this, 'capture_cookie' ), 10, 1 );
		$user = wp_signon(
			array(
				'user_login'    => (string) $request['username'],
				'user_password' => (string) $request['password'],
				'remember'      => (bool) $request['remember'],
			),
			is_ssl()
		);
		remove_action( 'set_logged_in_cookie', array( $this, 'capture_cookie' ), 10 );

		if ( is_wp_error( $user ) ) {
			return $this->error( __( 'Invalid username or password.', 'kc-lang' ), 401 );
		}
		$role = KCBase::get_user_role( $user->ID );
		if ( KCBase::ADMIN === $role || '' === $role ) {
			wp_clear_auth_cookie();
			return $this->error( __( 'Please use the WordPress login for this account.', 'kc-lang' ), 403 );
		}

		if ( '' !== $this->logged_in_cookie ) {
			$_COOKIE[ LOGGED_IN_COOKIE ] = $this->logged_in_cookie;
		}
		wp_set_current_user( $user->ID );

		return $this->response(
			array(
				'user_id'      => (int) $user->ID,
				'role'         => $role,
				'display_name' => $user->display_name,
				'nonce'        => wp_create_nonce( 'wp_rest' ),
			),
			__( 'Logged in successfully', 'kc-lang' )
		);
	}

	/**
	 * Remembers the LOGGED_IN cookie set by wp_signon.
	 *
	 * @param string $cookie Cookie value.
	 */
	public function capture_cookie( $cookie ) {
		$this->logged_in_cookie = (string) $cookie;
	}

	/**
	 * Logs out.
	 *
	 * @return \WP_REST_Response
	 */
	public function logout() {
		wp_logout();
		return $this->response( null, __( 'Logged out successfully', 'kc-lang' ) );
	}
}
