<?php
/**
 * Health figures shared by the REST API, Site Health and WP-CLI: is the sidecar
 * reachable and does it accept our signature, how is the queue doing, which errors
 * happened last, which doctors must reconnect.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Read-only health service. Nothing here returns or logs a secret.
 */
final class MFK_Health {

	/**
	 * Sidecar: `GET /healthz` (reachable, version) then the signed `POST /v1/ping`
	 * (shared secret accepted).
	 *
	 * @param float $timeout Seconds per call.
	 * `mode` is what the sidecar says it is (`single-site` or `hosted`), `hosted` whether
	 * this site is configured for a hosted one (an enrolment key); `cause`, `reason` and
	 * `server_time` tell why a call failed (MFK_Sidecar_Diagnosis words them).
	 *
	 * @return array{reachable:bool,signed:bool,version:string,latency_ms:int|null,code:string,message:string,mode:string,hosted:bool,cause:string,reason:string,server_time:int|null}
	 */
	public static function sidecar( float $timeout = 2.0 ): array {
		$client  = MFK_Sidecar_Client::instance();
		$started = microtime( true );
		$health  = $client->probe( '/healthz', $timeout );
		$latency = (int) round( ( microtime( true ) - $started ) * 1000 );
		$out     = array(
			'reachable'   => false,
			'signed'      => false,
			'version'     => '',
			'latency_ms'  => null,
			'code'        => '',
			'message'     => '',
			'mode'        => '',
			'hosted'      => $client->is_hosted(),
			'cause'       => '',
			'reason'      => '',
			'server_time' => null,
		);
		$failed  = static function ( WP_Error $error ) use ( &$out ): array {
			$data               = (array) $error->get_error_data();
			$out['code']        = (string) $error->get_error_code();
			$out['message']     = $error->get_error_message();
			$out['cause']       = isset( $data['cause'] ) ? sanitize_key( (string) $data['cause'] ) : '';
			$out['reason']      = isset( $data['reason'] ) ? sanitize_key( (string) $data['reason'] ) : '';
			$out['server_time'] = isset( $data['serverTime'] ) ? (int) $data['serverTime'] : null;
			return $out;
		};
		if ( is_wp_error( $health ) ) {
			return $failed( $health );
		}
		$out['reachable']  = true;
		$out['latency_ms'] = $latency;
		$out['version']    = isset( $health['version'] ) && is_string( $health['version'] ) ? sanitize_text_field( $health['version'] ) : '';
		$out['mode']       = isset( $health['mode'] ) && is_string( $health['mode'] ) ? sanitize_key( $health['mode'] ) : '';

		// A non-empty array so the body is a JSON object (an empty PHP array encodes as []).
		$ping = $client->post( '/v1/ping', array( 'siteId' => MFK_Site::id() ), array( 'timeout' => $timeout ) );
		if ( is_wp_error( $ping ) ) {
			return $failed( $ping );
		}
		$out['signed'] = ! empty( $ping['ok'] );
		if ( '' === $out['version'] && isset( $ping['version'] ) && is_string( $ping['version'] ) ) {
			$out['version'] = sanitize_text_field( $ping['version'] );
		}
		return $out;
	}

	/**
	 * Queue figures.
	 *
	 * `failed` counts meetings whose latest change failed; `failed_with_link` those of them that
	 * keep a working link.
	 *
	 * @return array{pending:int,due:int,ready:int,failed:int,failed_with_link:int,cancelled:int,oldest_pending_age_seconds:int,last_run_at:string|null,failed_by_code:array<string,int>}
	 */
	public static function queue(): array {
		$stats = MFK_Queue_Stats::figures();
		$last  = MFK_Queue::last_run();
		return array(
			'pending'                    => (int) ( $stats['states'][ MFK_Mappings::STATE_PENDING ] ?? 0 ),
			'due'                        => (int) $stats['due'],
			'ready'                      => (int) ( $stats['states'][ MFK_Mappings::STATE_READY ] ?? 0 ),
			'failed'                     => (int) ( $stats['states'][ MFK_Mappings::STATE_FAILED ] ?? 0 ),
			'failed_with_link'           => (int) $stats['failed_with_link'],
			'cancelled'                  => (int) ( $stats['states'][ MFK_Mappings::STATE_CANCELLED ] ?? 0 ),
			'oldest_pending_age_seconds' => max( 0, (int) $stats['oldest_pending_seconds'] ),
			'last_run_at'                => $last > 0 ? gmdate( 'c', $last ) : null,
			'failed_by_code'             => $stats['failed_by_code'],
		);
	}

	/**
	 * The most recent errors recorded on meetings (failed, or still retrying).
	 *
	 * @param int $limit Rows.
	 * @return array<int,array{appointment_id:int,state:string,code:string,message:string,at:string|null}>
	 */
	public static function last_errors( int $limit = 10 ): array {
		global $wpdb;
		$table = MFK_Schema::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = (array) $wpdb->get_results( $wpdb->prepare( "SELECT appointment_id, state, last_error_code, last_error_message, updated_at FROM `{$table}` WHERE last_error_code <> '' AND state IN ('pending','failed') ORDER BY updated_at DESC, id DESC LIMIT %d", max( 1, min( 100, $limit ) ) ), ARRAY_A );
		return array_map(
			static function ( $row ) {
				return array(
					'appointment_id' => (int) $row['appointment_id'],
					'state'          => (string) $row['state'],
					'code'           => (string) $row['last_error_code'],
					'message'        => (string) $row['last_error_message'],
					'at'             => empty( $row['updated_at'] ) ? null : gmdate( 'c', (int) strtotime( $row['updated_at'] . ' UTC' ) ),
				);
			},
			$rows
		);
	}

	/**
	 * Doctors whose Google grant stopped working.
	 *
	 * @return array<int,array{doctor_id:int,name:string,code:string}>
	 */
	public static function doctors_needing_reconnect(): array {
		$users = get_users(
			array(
				'meta_key'   => MFK_Doctor_Connection::META_STATUS, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_key
				'meta_value' => MFK_Doctor_Connection::STATUS_RECONNECT, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_value
				'fields'     => array( 'ID', 'display_name' ),
				'number'     => 200,
			)
		);
		$out = array();
		foreach ( $users as $user ) {
			$id = (int) $user->ID;
			if ( MFK_Doctor_Connection::STATUS_RECONNECT !== MFK_Doctor_Connection::get( $id )['status'] ) {
				continue;
			}
			$out[] = array(
				'doctor_id' => $id,
				'name'      => (string) $user->display_name,
				'code'      => (string) get_user_meta( $id, MFK_Doctor_Connection::META_ERROR_CODE, true ),
			);
		}
		return $out;
	}

	/**
	 * What is missing from the configuration, as field => plain-words message.
	 *
	 * @return array<string,string>
	 */
	public static function missing_configuration(): array {
		$missing = array();
		if ( '' === (string) MFK_Settings::get( 'google_client_id' ) ) {
			$missing['google_client_id'] = __( 'The Google OAuth client ID is not set.', 'meet-for-kivicare' );
		}
		if ( '' === (string) MFK_Settings::get( 'google_client_secret' ) ) {
			$missing['google_client_secret'] = __( 'The Google OAuth client secret is not set.', 'meet-for-kivicare' );
		}
		if ( '' === MFK_Settings::sidecar_url() ) {
			$missing['sidecar_url'] = __( 'The sidecar address is not set.', 'meet-for-kivicare' );
		}
		if ( '' === MFK_Settings::sidecar_secret() && '' === MFK_Settings::sidecar_enrolment_key() ) {
			$missing['sidecar_secret'] = __( 'Neither the sidecar shared secret (MFK_SIDECAR_SECRET in wp-config.php or the settings page) nor the enrolment key of a hosted sidecar is set.', 'meet-for-kivicare' );
		}
		return $missing;
	}

	/**
	 * Everything for `GET /health`.
	 *
	 * @return array<string,mixed>
	 */
	public static function report(): array {
		$sidecar = self::sidecar();
		$queue   = self::queue();
		unset( $queue['failed_by_code'] );
		return array(
			'sidecar'                   => $sidecar,
			'configured'                => MFK_Settings::is_configured(),
			'queue'                     => $queue,
			'last_errors'               => self::last_errors(),
			'doctors_needing_reconnect' => count( self::doctors_needing_reconnect() ),
			'calendar_sync'             => MFK_Calendar_Sync::health(),
			'busy_times_failure'        => self::busy_times_failure(),
		);
	}

	/**
	 * The last time Google busy times could not be read (slot views then used the last known
	 * ones, or none), or null.
	 *
	 * @return array{code:string,at:string}|null
	 */
	public static function busy_times_failure(): ?array {
		$failure = MFK_Busy_Times::last_failure();
		if ( ! $failure ) {
			return null;
		}
		return array(
			'code' => (string) ( $failure['code'] ?? '' ),
			'at'   => gmdate( 'c', (int) ( $failure['at'] ?? 0 ) ),
		);
	}
}
