<?php
/**
 * REST: a doctor's Google connection. `GET /connection`, `POST /connection/connect`,
 * `POST /connection/disconnect` (doctor: own; admin: any), `GET /connections` (admin: every
 * doctor; clinic admins and receptionists: the doctors of their clinics), `POST
 * /connections/{doctor_id}/invite` (admin; a clinic admin for their clinics' doctors).
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Connection routes, on top of MFK_Doctor_Connection and MFK_OAuth.
 */
final class MFK_REST_Connection {

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$doctor_id = array(
			'description' => __( 'Doctor (WordPress user id); administrators only. Defaults to the current user.', 'meet-for-kivicare' ),
			'type'        => 'integer',
			'minimum'     => 1,
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_connection' ),
				'permission_callback' => array( __CLASS__, 'can_see_doctor' ),
				'args'                => array( 'doctor_id' => $doctor_id ),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/connect',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'connect' ),
				'permission_callback' => array( __CLASS__, 'is_doctor' ),
				'args'                => array(
					'return_to' => array(
						'description' => __( 'Local page to come back to after Google (defaults to the page that called the route).', 'meet-for-kivicare' ),
						'type'        => 'string',
						'maxLength'   => 2048,
					),
				),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connection/disconnect',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'disconnect' ),
				'permission_callback' => array( __CLASS__, 'can_see_doctor' ),
				'args'                => array( 'doctor_id' => $doctor_id ),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connections',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'list_connections' ),
				'permission_callback' => array( __CLASS__, 'can_list' ),
				'args'                => array(),
			)
		);
		register_rest_route(
			MFK_REST::NAMESPACE,
			'/connections/(?P<doctor_id>\\d+)/invite',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'invite' ),
				'permission_callback' => array( __CLASS__, 'can_invite' ),
				'args'                => array( 'doctor_id' => array_merge( $doctor_id, array( 'required' => true ) ) ),
			)
		);
	}

	/**
	 * Permission: administrators, and clinic admins or receptionists (their clinics' doctors).
	 */
	public static function can_list(): bool {
		return MFK_REST::can_manage() || MFK_Clinic_Staff::is_staff( get_current_user_id() );
	}

	/**
	 * Permission: may e-mail this doctor a connection link.
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function can_invite( WP_REST_Request $request ): bool {
		return MFK_Connection_Invite::can_invite( get_current_user_id(), (int) $request->get_param( 'doctor_id' ) );
	}

	/**
	 * `POST /connections/{doctor_id}/invite`: e-mails the doctor a link to connect Google.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function invite( WP_REST_Request $request ) {
		$sent = MFK_Connection_Invite::send( (int) $request->get_param( 'doctor_id' ), get_current_user_id() );
		return is_wp_error( $sent ) ? MFK_REST::error( $sent ) : rest_ensure_response( $sent );
	}

	/**
	 * Permission: a doctor acting on themselves, or an administrator (on anyone).
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public static function can_see_doctor( WP_REST_Request $request ): bool {
		$user_id = get_current_user_id();
		if ( $user_id <= 0 ) {
			return false;
		}
		if ( MFK_REST::can_manage() ) {
			return true;
		}
		$asked = (int) $request->get_param( 'doctor_id' );
		return MFK_OAuth::is_doctor( $user_id ) && ( 0 === $asked || $asked === $user_id );
	}

	/**
	 * Permission: the current user is a doctor.
	 */
	public static function is_doctor(): bool {
		return MFK_OAuth::is_doctor( get_current_user_id() );
	}

	/**
	 * The doctor a request is about, checked.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return int|WP_Error
	 */
	private static function doctor_of( WP_REST_Request $request ) {
		$asked     = (int) $request->get_param( 'doctor_id' );
		$doctor_id = $asked > 0 ? $asked : get_current_user_id();
		if ( ! MFK_OAuth::is_doctor( $doctor_id ) ) {
			return new WP_Error(
				'invalid_param',
				__( 'This user is not a KiviCare doctor.', 'meet-for-kivicare' ),
				array(
					'status' => 400,
					'params' => array( 'doctor_id' => __( 'This user is not a KiviCare doctor.', 'meet-for-kivicare' ) ),
				)
			);
		}
		return $doctor_id;
	}

	/**
	 * Public view of a connection (no credential).
	 *
	 * @param int $doctor_id Doctor.
	 * @return array<string,mixed>
	 */
	public static function view( int $doctor_id ): array {
		$connection = MFK_Doctor_Connection::get( $doctor_id );
		return array(
			'doctor_id'      => $doctor_id,
			'status'         => $connection['status'],
			'email'          => '' !== $connection['email'] ? $connection['email'] : null,
			'reason_code'    => '' !== $connection['code'] ? $connection['code'] : null,
			'reason_message' => '' !== $connection['message'] ? $connection['message'] : null,
			'connected_at'   => MFK_REST::iso( $connection['connected_at'] ),
			'calendar_id'    => $connection['calendar_id'],
			'calendar_name'  => MFK_Doctor_Calendar::current( $doctor_id )['summary'],
			'meet_access'    => MFK_Meet_Access::doctor_state( $doctor_id ),
		);
	}

	/**
	 * `GET /connection`.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function get_connection( WP_REST_Request $request ) {
		$doctor_id = self::doctor_of( $request );
		if ( is_wp_error( $doctor_id ) ) {
			return $doctor_id;
		}
		return rest_ensure_response( self::view( $doctor_id ) );
	}

	/**
	 * `POST /connection/connect`: the consent URL for the current doctor.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function connect( WP_REST_Request $request ) {
		$return_to = (string) $request->get_param( 'return_to' );
		if ( '' === $return_to ) {
			$return_to = (string) $request->get_header( 'referer' );
		}
		$url = MFK_OAuth::start( get_current_user_id(), $return_to, MFK_OAuth::FLOW_PLUGIN );
		if ( is_wp_error( $url ) ) {
			return MFK_REST::error( $url );
		}
		return rest_ensure_response( array( 'url' => $url ) );
	}

	/**
	 * `POST /connection/disconnect`: revokes at Google (best effort), forgets the grant.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function disconnect( WP_REST_Request $request ) {
		$doctor_id = self::doctor_of( $request );
		if ( is_wp_error( $doctor_id ) ) {
			return $doctor_id;
		}
		$result = MFK_Doctor_Connection::disconnect( $doctor_id );
		$out    = array(
			'doctor_id' => $doctor_id,
			'status'    => MFK_Doctor_Connection::STATUS_DISCONNECTED,
			'revoked'   => ! is_wp_error( $result ),
		);
		if ( is_wp_error( $result ) ) {
			$out['warning'] = __( 'The connection was removed here, but Google could not be told to revoke it. You can remove the access in your Google account settings.', 'meet-for-kivicare' );
		}
		return rest_ensure_response( $out );
	}

	/**
	 * `GET /connections`: every doctor, with their meetings waiting or failed.
	 */
	public static function list_connections(): WP_REST_Response {
		global $wpdb;
		$user_id = get_current_user_id();
		$admin   = MFK_REST::can_manage();
		$query   = array(
			'role'    => 'kiviCare_doctor',
			'orderby' => 'display_name',
			'order'   => 'ASC',
			'fields'  => array( 'ID', 'display_name' ),
			'number'  => 1000,
		);
		if ( ! $admin ) {
			// Clinic staff see the doctors of their own clinics only.
			$query['include'] = array_merge( array( 0 ), MFK_Clinic_Staff::doctors( $user_id ) );
		}
		$doctors = get_users( $query );
		$table  = MFK_Schema::table();
		$counts = array();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		foreach ( (array) $wpdb->get_results( "SELECT doctor_id, state, COUNT(*) AS n FROM `{$table}` WHERE state IN ('pending','failed') AND desired = 'active' GROUP BY doctor_id, state", ARRAY_A ) as $row ) {
			$counts[ (int) $row['doctor_id'] ][ (string) $row['state'] ] = (int) $row['n'];
		}
		$out = array();
		foreach ( $doctors as $doctor ) {
			$id    = (int) $doctor->ID;
			$view     = self::view( $id );
			$calendar = MFK_Doctor_Calendar::current( $id );
			$out[]    = array(
				'doctor_id'        => $id,
				'name'             => (string) $doctor->display_name,
				'status'           => $view['status'],
				'email'            => $view['email'],
				'reason_code'      => $view['reason_code'],
				'reason_message'   => $view['reason_message'],
				'connected_at'     => $view['connected_at'],
				// The calendar that receives the doctor's meetings: primary, or the one they chose.
				'calendar_primary' => $calendar['primary'],
				'calendar_name'    => $calendar['primary'] ? null : $calendar['summary'],
				'meet_access'      => $view['meet_access'],
				'pending_meetings' => $counts[ $id ]['pending'] ?? 0,
				'failed_meetings'  => $counts[ $id ]['failed'] ?? 0,
				'invite_until'     => MFK_REST::iso( MFK_Connection_Invite::pending_until( $id ) ),
				'can_invite'       => MFK_Connection_Invite::can_invite( $user_id, $id ),
				'can_disconnect'   => $admin,
			);
		}
		return rest_ensure_response( array( 'doctors' => $out ) );
	}
}
