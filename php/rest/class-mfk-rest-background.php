<?php
/**
 * REST: `POST /background`, the site's own signed loopback kick (MFK_Loopback_Kick). It
 * has no user: the signature is its permission, and anything forged, expired or replayed
 * is refused with 403. It only makes the queue work on the named appointments' due rows.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * The background kick route.
 */
final class MFK_REST_Background {

	/**
	 * Registers the route.
	 */
	public static function register_routes(): void {
		register_rest_route(
			MFK_REST::NAMESPACE,
			MFK_Loopback_Kick::ROUTE,
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'run' ),
				'permission_callback' => array( __CLASS__, 'verify' ),
				'args'                => array(
					'ids'       => array(
						'description' => __( 'Appointment ids, comma-separated (none for a probe).', 'meet-for-kivicare' ),
						'type'        => 'string',
						'pattern'     => '^([0-9]{1,20}(,[0-9]{1,20}){0,99})?$',
						'default'     => '',
					),
					'expires'   => array(
						'description' => __( 'Unix time after which the request is refused.', 'meet-for-kivicare' ),
						'type'        => 'integer',
						'required'    => true,
					),
					'nonce'     => array(
						'description' => __( 'Single-use random value.', 'meet-for-kivicare' ),
						'type'        => 'string',
						'pattern'     => '^[a-f0-9]{32}$',
						'required'    => true,
					),
					'signature' => array(
						'description' => __( 'HMAC-SHA256 of the other arguments.', 'meet-for-kivicare' ),
						'type'        => 'string',
						'pattern'     => '^[a-fA-F0-9]{64}$',
						'required'    => true,
					),
				),
			)
		);
	}

	/**
	 * Permission: a valid, unexpired, unused signature.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error
	 */
	public static function verify( WP_REST_Request $request ) {
		// Checked before the arguments' types are: anything but plain values is refused too.
		$text = static function ( $value ): string {
			return is_scalar( $value ) ? (string) $value : '';
		};
		return MFK_Loopback_Kick::verify(
			$text( $request->get_param( 'ids' ) ),
			(int) $text( $request->get_param( 'expires' ) ),
			$text( $request->get_param( 'nonce' ) ),
			$text( $request->get_param( 'signature' ) )
		);
	}

	/**
	 * Works on the appointments' due rows (the sender does not wait for this answer).
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function run( WP_REST_Request $request ): WP_REST_Response {
		$ids    = array_filter( array_map( 'intval', explode( ',', (string) $request->get_param( 'ids' ) ) ) );
		$states = $ids ? MFK_Background_Sync::run( $ids ) : array();
		return new WP_REST_Response( array( 'processed' => count( $states ) ), 200 );
	}
}
