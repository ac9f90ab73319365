<?php
/**
 * Whether the sidecar can still open the site's sealed blobs (doctors' credentials, the OAuth
 * client secret). When its sealing key was replaced or lost, every call answers
 * `seal_key_unknown`: this class turns that into one site-wide finding (how many doctors, and
 * whether the client secret is concerned) for Site Health and one admin notice, instead of a
 * failure per meeting and a reconnect request per doctor, and notices when the previous key is
 * back (or a doctor reconnected) to replay what waited.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Site-wide state of the sealed blobs.
 */
final class MFK_Sealing_Status {

	/** Option: `doctors` (id => hash of the credential that did not open), `client_secret` (bool), `kids` (key ids named by what did not open), `checked_at`. */
	const OPTION = 'mfk_sealing_status';

	/** The sidecar's code for a blob its keys do not open. */
	const CODE = 'seal_key_unknown';

	/** How often a known problem is looked at again (queue ticks), in seconds. */
	const RECHECK_SECONDS = 5 * MINUTE_IN_SECONDS;

	/** After a failure, a full count is not repeated sooner than this, in seconds. */
	const COUNT_AFTER_SECONDS = MINUTE_IN_SECONDS;

	/** Credentials per sidecar call (the sidecar's limit). */
	const CHUNK = 200;

	/**
	 * Whether a check is running (the check's own call must not start another).
	 *
	 * @var bool
	 */
	private static $checking = false;

	/**
	 * The stored finding.
	 *
	 * @return array{doctors:array<int,string>,client_secret:bool,kids:array<int,string>,checked_at:int}
	 */
	public static function get(): array {
		$raw = get_option( self::OPTION, array() );
		$raw = is_array( $raw ) ? $raw : array();
		return array(
			'doctors'       => array_map( 'strval', (array) ( $raw['doctors'] ?? array() ) ),
			'client_secret' => ! empty( $raw['client_secret'] ),
			'kids'          => array_values( array_map( 'strval', (array) ( $raw['kids'] ?? array() ) ) ),
			'checked_at'    => (int) ( $raw['checked_at'] ?? 0 ),
		);
	}

	/**
	 * What to tell administrators: doctors whose stored credential still does not open, and
	 * whether the client secret does not either. Doctors who reconnected since are not counted.
	 *
	 * @return array{doctors:array<int,int>,client_secret:bool,kids:array<int,string>}
	 */
	public static function problem(): array {
		$status  = self::get();
		$doctors = array();
		foreach ( $status['doctors'] as $doctor_id => $hash ) {
			$credential = MFK_Doctor_Connection::credential( (int) $doctor_id );
			if ( '' !== $credential && self::hash( $credential ) === $hash ) {
				$doctors[] = (int) $doctor_id;
			}
		}
		return array(
			'doctors'       => $doctors,
			'client_secret' => $status['client_secret'],
			'kids'          => $status['kids'],
		);
	}

	/**
	 * Whether there is anything to say.
	 */
	public static function has_problem(): bool {
		$problem = self::problem();
		return $problem['client_secret'] || $problem['doctors'];
	}

	/**
	 * Called by the sidecar client for every error answer: a `seal_key_unknown` records the
	 * blob concerned and, at most once a minute, counts every doctor at once.
	 *
	 * @param WP_Error $error     The sidecar's error.
	 * @param int      $doctor_id Doctor whose credential the call carried (0: none).
	 */
	public static function note_error( WP_Error $error, int $doctor_id ): void {
		if ( self::CODE !== $error->get_error_code() || self::$checking ) {
			return;
		}
		$data   = (array) $error->get_error_data();
		$status = self::get();
		if ( 'client_secret' === ( $data['sealed'] ?? '' ) ) {
			$status['client_secret'] = true;
		} elseif ( $doctor_id > 0 ) {
			$status['doctors'][ $doctor_id ] = self::hash( MFK_Doctor_Connection::credential( $doctor_id ) );
		}
		if ( isset( $data['kid'] ) && is_string( $data['kid'] ) && ! in_array( $data['kid'], $status['kids'], true ) ) {
			$status['kids'][] = sanitize_key( $data['kid'] );
		}
		self::save( $status );
		if ( time() - $status['checked_at'] >= self::COUNT_AFTER_SECONDS ) {
			self::check();
		}
	}

	/**
	 * Asks the sidecar which of the site's sealed blobs open (the client secret and every
	 * connected doctor's credential; no call to Google), stores the finding, and replays the
	 * meetings that waited for blobs that open again.
	 *
	 * @return bool Whether the sidecar answered.
	 */
	public static function check(): bool {
		if ( self::$checking ) {
			return false;
		}
		self::$checking = true;
		try {
			return self::run_check();
		} finally {
			self::$checking = false;
		}
	}

	/**
	 * `mfk_queue_tick`: looks again, every few minutes, while a problem is recorded, so that
	 * restoring the previous key heals without anyone opening a screen.
	 */
	public static function maybe_recheck(): void {
		$status = self::get();
		if ( ( $status['client_secret'] || $status['doctors'] ) && time() - $status['checked_at'] >= self::RECHECK_SECONDS ) {
			self::check();
		}
	}

	/**
	 * `mfk_doctor_connected`: a doctor whose credential did not open connected again; their
	 * waiting meetings are replayed.
	 *
	 * @param int $doctor_id Doctor.
	 */
	public static function on_doctor_connected( $doctor_id ): void {
		$doctor_id = (int) $doctor_id;
		$status    = self::get();
		if ( ! isset( $status['doctors'][ $doctor_id ] ) ) {
			return;
		}
		unset( $status['doctors'][ $doctor_id ] );
		self::save( $status );
		self::replay( array( $doctor_id ), false );
	}

	/**
	 * The check itself.
	 */
	private static function run_check(): bool {
		$client = MFK_Settings::client();
		$secret = is_wp_error( $client ) ? '' : (string) $client['clientSecret'];
		$ids    = array_map(
			'intval',
			get_users(
				array(
					'meta_key'     => MFK_Doctor_Connection::META_CREDENTIAL, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_key
					'meta_compare' => 'EXISTS',
					'fields'       => 'ID',
					'number'       => -1,
				)
			)
		);
		$failing      = array();
		$kids         = array();
		$secret_fails = false;
		foreach ( array_chunk( $ids, self::CHUNK ) ?: array( array() ) as $index => $chunk ) {
			$credentials = array();
			foreach ( $chunk as $doctor_id ) {
				$credentials[ $doctor_id ] = MFK_Doctor_Connection::credential( $doctor_id );
			}
			$credentials = array_filter( $credentials );
			$body        = array(
				'siteId'      => MFK_Site::id(),
				'credentials' => array_values( $credentials ),
			);
			if ( 0 === $index && '' !== $secret ) {
				$body['clientSecret'] = $secret;
			}
			$answer = MFK_Sidecar_Client::instance()->post( '/v1/sealed/check', $body, array( 'timeout' => 5 ) );
			if ( is_wp_error( $answer ) || ! isset( $answer['credentials'] ) || ! is_array( $answer['credentials'] ) ) {
				return false; // Unknown: keep what is known.
			}
			$results = array_values( $answer['credentials'] );
			foreach ( array_keys( $credentials ) as $position => $doctor_id ) {
				$result = is_array( $results[ $position ] ?? null ) ? $results[ $position ] : array();
				if ( empty( $result['ok'] ) && self::CODE === ( $result['code'] ?? '' ) ) {
					$failing[ $doctor_id ] = self::hash( $credentials[ $doctor_id ] );
					$kids[]                = sanitize_key( (string) ( $result['kid'] ?? '' ) );
				}
			}
			$check = is_array( $answer['clientSecret'] ?? null ) ? $answer['clientSecret'] : array();
			if ( 0 === $index && empty( $check['ok'] ) && self::CODE === ( $check['code'] ?? '' ) ) {
				$secret_fails = true;
				$kids[]       = sanitize_key( (string) ( $check['kid'] ?? '' ) );
			}
		}

		$before = self::get();
		$healed = array_keys( array_diff_key( $before['doctors'], $failing ) );
		$status = array(
			'doctors'       => $failing,
			'client_secret' => $secret_fails,
			'kids'          => array_values( array_unique( array_filter( $kids ) ) ),
			'checked_at'    => time(),
		);
		self::save( $status );
		if ( ! $secret_fails && ( $healed || $before['client_secret'] ) ) {
			// The previous key is back (or the secret was entered again): what waited for it runs now.
			self::replay( $healed, $before['client_secret'], array_keys( $failing ) );
		}
		return true;
	}

	/**
	 * Makes the meetings that failed with `seal_key_unknown` due now: those of $doctors, or all
	 * of them (except $still_failing's) when the client secret opens again.
	 *
	 * @param array<int,int> $doctors       Doctors whose credential opens again.
	 * @param bool           $all           Every such meeting.
	 * @param array<int,int> $still_failing Doctors whose credential still does not open.
	 */
	private static function replay( array $doctors, bool $all, array $still_failing = array() ): void {
		global $wpdb;
		$table = MFK_Schema::table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		if ( $all ) {
			$which = $still_failing ? 'AND doctor_id NOT IN (' . implode( ',', array_map( 'intval', $still_failing ) ) . ')' : '';
		} elseif ( $doctors ) {
			$which = 'AND doctor_id IN (' . implode( ',', array_map( 'intval', $doctors ) ) . ')';
		} else {
			return;
		}
		$replayed = (int) $wpdb->query(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and a list of integers.
				"UPDATE `{$table}` SET state = 'pending', sync_state = 'pending', next_attempt_at = %s, intent_at = %s, attempts = 0, updated_at = %s
				 WHERE state = 'failed' AND last_error_code = %s {$which}
				   AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())",
				$now,
				$now,
				$now,
				self::CODE
			)
		);
		if ( $replayed > 0 ) {
			MFK_Queue::schedule_immediate_run();
		}
	}

	/**
	 * Stores the finding (autoloaded: the queue's tick reads it).
	 *
	 * @param array<string,mixed> $status Finding.
	 */
	private static function save( array $status ): void {
		if ( ! $status['client_secret'] && ! $status['doctors'] ) {
			delete_option( self::OPTION );
			return;
		}
		update_option( self::OPTION, $status, true );
	}

	/**
	 * Short fingerprint of a sealed blob (to notice that a doctor reconnected since).
	 *
	 * @param string $blob Sealed blob.
	 */
	private static function hash( string $blob ): string {
		return substr( hash( 'sha256', $blob ), 0, 16 );
	}
}
