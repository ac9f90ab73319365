<?php
/**
 * Site Health (Tools → Site Health): tests for the sidecar, the configuration, the
 * queue and doctors' connections, and a section in the Info tab. No secret is shown.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Site Health tests.
 */
final class MFK_Site_Health {

	/** Pending meetings older than this (seconds) make the queue test "recommended". */
	const QUEUE_WARN_AGE = 10 * MINUTE_IN_SECONDS;

	/** … and older than this "critical". */
	const QUEUE_CRITICAL_AGE = 2 * HOUR_IN_SECONDS;

	/**
	 * Adds the plugin's direct tests.
	 *
	 * @param array<string,array<string,mixed>> $tests Tests.
	 * @return array<string,array<string,mixed>>
	 */
	public static function add_tests( $tests ): array {
		$tests           = is_array( $tests ) ? $tests : array();
		$tests['direct'] = isset( $tests['direct'] ) && is_array( $tests['direct'] ) ? $tests['direct'] : array();
		$tests['direct']['mfk_configuration'] = array(
			'label' => __( 'Meet for KiviCare configuration', 'meet-for-kivicare' ),
			'test'  => array( __CLASS__, 'test_configuration' ),
		);
		$tests['direct']['mfk_sidecar']       = array(
			'label' => __( 'Meet for KiviCare sidecar', 'meet-for-kivicare' ),
			'test'  => array( __CLASS__, 'test_sidecar' ),
		);
		$tests['direct']['mfk_queue']         = array(
			'label' => __( 'Meet for KiviCare queue', 'meet-for-kivicare' ),
			'test'  => array( __CLASS__, 'test_queue' ),
		);
		$tests['direct']['mfk_background']    = array(
			'label' => __( 'Meet for KiviCare background links', 'meet-for-kivicare' ),
			'test'  => array( __CLASS__, 'test_background' ),
		);
		$tests['direct']['mfk_doctors']       = array(
			'label' => __( 'Meet for KiviCare doctor connections', 'meet-for-kivicare' ),
			'test'  => array( __CLASS__, 'test_doctors' ),
		);
		$tests['direct']['mfk_sealing']       = array(
			'label' => __( 'Meet for KiviCare sealing key', 'meet-for-kivicare' ),
			'test'  => array( __CLASS__, 'test_sealing' ),
		);
		return $tests;
	}

	/**
	 * One result in Site Health's format.
	 *
	 * @param string $test        Test id.
	 * @param string $status      good, recommended or critical.
	 * @param string $label       Headline.
	 * @param string $description Plain-text explanation.
	 * @param string $action      Plain-text next step ('' for none).
	 * @return array<string,mixed>
	 */
	private static function result( string $test, string $status, string $label, string $description, string $action = '' ): array {
		$actions = '';
		if ( '' !== $action ) {
			$actions = sprintf( '<p>%s</p>', esc_html( $action ) );
		}
		/**
		 * Filters the URL of the plugin's settings screen, linked from Site Health.
		 *
		 * @param string $url Settings screen.
		 */
		$settings = (string) apply_filters( 'mfk_settings_page_url', class_exists( 'MFK_Admin_Page' ) ? MFK_Admin_Page::settings_url() : admin_url( 'options-general.php' ) );
		return array(
			'label'       => $label,
			'status'      => $status,
			'badge'       => array(
				'label' => __( 'Meet for KiviCare', 'meet-for-kivicare' ),
				'color' => 'good' === $status ? 'blue' : ( 'critical' === $status ? 'red' : 'orange' ),
			),
			'description' => sprintf( '<p>%s</p>', esc_html( $description ) ),
			'actions'     => $actions . ( 'good' === $status ? '' : sprintf( '<p><a href="%s">%s</a></p>', esc_url( $settings ), esc_html__( 'Open the Meet for KiviCare settings', 'meet-for-kivicare' ) ) ),
			'test'        => $test,
		);
	}

	/**
	 * OAuth client and shared secret configured.
	 *
	 * @return array<string,mixed>
	 */
	public static function test_configuration(): array {
		$missing = MFK_Health::missing_configuration();
		if ( ! $missing ) {
			return self::result(
				'mfk_configuration',
				'good',
				__( 'Meet for KiviCare is configured', 'meet-for-kivicare' ),
				__( 'The Google OAuth client and the sidecar\'s shared secret are set.', 'meet-for-kivicare' )
			);
		}
		return self::result(
			'mfk_configuration',
			'critical',
			__( 'Meet for KiviCare is not fully configured', 'meet-for-kivicare' ),
			implode( ' ', $missing ) . ' ' . __( 'Until this is fixed, doctors cannot connect Google and no Meet links are created.', 'meet-for-kivicare' ),
			/* translators: %s: redirect URI. */
			sprintf( __( 'Create an OAuth client of type "Web application" in the Google Cloud console with the redirect URI %s, and enter its ID and secret in the settings.', 'meet-for-kivicare' ), MFK_OAuth::redirect_uri() )
		);
	}

	/**
	 * Links made right after a booking: where PHP-FPM cannot end the response early, the
	 * site must reach itself (a signed loopback request); otherwise links wait for cron.
	 *
	 * @return array<string,mixed>
	 */
	public static function test_background(): array {
		// From WP-CLI the web server's PHP is unknown: the loopback is what is checked then.
		$strategy = MFK_Background_Sync::strategy(
			array(
				'sapi'      => 'cli' === PHP_SAPI ? 'unknown' : PHP_SAPI,
				'functions' => array_values( array_filter( array( 'fastcgi_finish_request', 'litespeed_finish_request' ), 'function_exists' ) ),
			)
		);
		if ( 'finish_request' === $strategy ) {
			return self::result( 'mfk_background', 'good', __( 'Meet links are made right after each booking', 'meet-for-kivicare' ), __( 'The server sends the answer first and then makes the link in the same process.', 'meet-for-kivicare' ) );
		}
		if ( 'off' === $strategy ) {
			return self::result( 'mfk_background', 'recommended', __( 'Meet links wait for the queue\'s next run', 'meet-for-kivicare' ), __( 'Making links right after a booking is switched off on this site (mfk_background_sync filter), so each link waits for WP-Cron or system cron.', 'meet-for-kivicare' ) );
		}
		$probe = MFK_Loopback_Kick::probe();
		if ( true === $probe ) {
			return self::result( 'mfk_background', 'good', __( 'Meet links are made right after each booking', 'meet-for-kivicare' ), __( 'The site reaches itself with a signed request after each booking, so links follow within seconds.', 'meet-for-kivicare' ) );
		}
		return self::result(
			'mfk_background',
			'recommended',
			__( 'The site cannot reach itself, so Meet links wait for cron', 'meet-for-kivicare' ),
			/* translators: 1: address, 2: error message. */
			sprintf( __( 'After a booking the site asks itself at %1$s to make the link, and that failed: %2$s. Links are still made, but only when WP-Cron or system cron next runs the queue.', 'meet-for-kivicare' ), MFK_Loopback_Kick::url(), $probe->get_error_message() ),
			__( 'Allow the server to connect to its own address (firewall, hosts file, basic authentication), or give it one it can reach with the mfk_background_url filter; with PHP-FPM no loopback is needed. Meanwhile, run the queue from system cron every minute.', 'meet-for-kivicare' )
		);
	}

	/**
	 * Sidecar reachable and signed calls accepted.
	 *
	 * @return array<string,mixed>
	 */
	public static function test_sidecar(): array {
		$sidecar   = MFK_Health::sidecar( 2.0 );
		$diagnosis = MFK_Sidecar_Diagnosis::explain( $sidecar );
		if ( ! $sidecar['reachable'] ) {
			return self::result(
				'mfk_sidecar',
				'critical',
				__( 'The Meet for KiviCare sidecar cannot be reached', 'meet-for-kivicare' ),
				/* translators: 1: sidecar URL, 2: what went wrong. */
				sprintf( __( 'WordPress could not reach the sidecar at %1$s: %2$s New Meet links wait in the queue until it is back; bookings keep working.', 'meet-for-kivicare' ), MFK_Settings::sidecar_url(), $diagnosis['message'] ),
				$diagnosis['hint']
			);
		}
		if ( ! $sidecar['signed'] ) {
			return self::result(
				'mfk_sidecar',
				'critical',
				__( 'The Meet for KiviCare sidecar refuses WordPress\'s requests', 'meet-for-kivicare' ),
				/* translators: %s: what went wrong. */
				sprintf( __( 'The sidecar answers but refuses signed requests: %s', 'meet-for-kivicare' ), $diagnosis['message'] ),
				$diagnosis['hint']
			);
		}
		return self::result(
			'mfk_sidecar',
			'good',
			__( 'The Meet for KiviCare sidecar is reachable', 'meet-for-kivicare' ),
			/* translators: 1: version, 2: milliseconds. */
			sprintf( __( 'The sidecar (version %1$s) answered in %2$d ms and accepts WordPress\'s signed requests.', 'meet-for-kivicare' ), '' !== $sidecar['version'] ? $sidecar['version'] : '?', (int) $sidecar['latency_ms'] )
		);
	}

	/**
	 * Queue backlog, oldest waiting meeting, failed meetings.
	 *
	 * @return array<string,mixed>
	 */
	public static function test_queue(): array {
		$queue = MFK_Health::queue();
		$age   = $queue['oldest_pending_age_seconds'];
		// A replaced sealing key has a test of its own (test_sealing): said once, there.
		$queue['failed'] -= (int) ( $queue['failed_by_code'][ MFK_Sealing_Status::CODE ] ?? 0 );
		unset( $queue['failed_by_code'][ MFK_Sealing_Status::CODE ] );
		/* translators: 1: pending meetings, 2: age of the oldest one (e.g. "5 mins"), 3: failed meetings. */
		$figures = sprintf( __( '%1$d meeting(s) waiting (oldest since %2$s), %3$d failed.', 'meet-for-kivicare' ), $queue['pending'], $queue['pending'] > 0 ? human_time_diff( time() - $age, time() ) : '-', $queue['failed'] );
		if ( $queue['pending'] > 0 && $age >= self::QUEUE_CRITICAL_AGE ) {
			return self::result(
				'mfk_queue',
				'critical',
				__( 'Meet links are not being created', 'meet-for-kivicare' ),
				$figures . ' ' . __( 'Meetings have been waiting for hours.', 'meet-for-kivicare' ),
				__( 'Check that the sidecar runs and that WP-Cron or the system cron job (php/cli/run-queue.php) runs every minute. "wp mfk status" shows the causes.', 'meet-for-kivicare' )
			);
		}
		if ( ( $queue['pending'] > 0 && $age >= self::QUEUE_WARN_AGE ) || $queue['failed'] > 0 ) {
			$causes = array();
			foreach ( $queue['failed_by_code'] as $code => $count ) {
				$causes[] = sprintf( '%s (%d)', MFK_Admin_Notices::describe( (string) $code ), (int) $count );
			}
			return self::result(
				'mfk_queue',
				'recommended',
				__( 'Some Meet links are late or failed', 'meet-for-kivicare' ),
				$figures . ( $causes ? ' ' . sprintf( /* translators: %s: causes. */ __( 'Causes: %s.', 'meet-for-kivicare' ), implode( '; ', $causes ) ) : '' ),
				__( 'Fix the cause (a doctor reconnecting replays their meetings), then retry with "wp mfk retry --failed" or from the appointment.', 'meet-for-kivicare' )
			);
		}
		return self::result(
			'mfk_queue',
			'good',
			__( 'Meet links are created without delay', 'meet-for-kivicare' ),
			$figures
		);
	}

	/**
	 * Doctors who must reconnect Google.
	 *
	 * @return array<string,mixed>
	 */
	public static function test_doctors(): array {
		$doctors = MFK_Health::doctors_needing_reconnect();
		if ( ! $doctors ) {
			return self::result(
				'mfk_doctors',
				'good',
				__( 'Doctors\' Google connections work', 'meet-for-kivicare' ),
				__( 'No doctor needs to reconnect their Google account.', 'meet-for-kivicare' )
			);
		}
		return self::result(
			'mfk_doctors',
			'recommended',
			/* translators: %d: number of doctors. */
			sprintf( _n( '%d doctor must reconnect Google', '%d doctors must reconnect Google', count( $doctors ), 'meet-for-kivicare' ), count( $doctors ) ),
			/* translators: %s: doctor names. */
			sprintf( __( 'Google no longer accepts the connection of: %s. Their meetings wait until they reconnect.', 'meet-for-kivicare' ), implode( ', ', wp_list_pluck( $doctors, 'name' ) ) ),
			__( 'Ask them to reconnect their Google account on their profile; their waiting meetings are then created automatically.', 'meet-for-kivicare' )
		);
	}

	/**
	 * The sidecar can open the site's sealed blobs (asked afresh: no call to Google). When its
	 * sealing key was replaced or lost, one critical result counts the doctors concerned.
	 *
	 * @return array<string,mixed>
	 */
	public static function test_sealing(): array {
		MFK_Sealing_Status::check();
		$problem = MFK_Sealing_Status::problem();
		if ( ! $problem['doctors'] && ! $problem['client_secret'] ) {
			return self::result(
				'mfk_sealing',
				'good',
				__( 'The sidecar opens every stored Google connection', 'meet-for-kivicare' ),
				__( 'Doctors\' Google connections and the OAuth client secret are sealed with a key the sidecar holds (MFK_SEAL_KEYS).', 'meet-for-kivicare' )
			);
		}
		return self::result(
			'mfk_sealing',
			'critical',
			__( 'The sidecar\'s sealing key changed', 'meet-for-kivicare' ),
			MFK_Admin_Notices::sealing_message( $problem ) . ' '
				/* translators: %s: key ids, for example "k1". */
				. ( $problem['kids'] ? sprintf( __( 'What no longer opens was sealed under the key id %s.', 'meet-for-kivicare' ), implode( ', ', $problem['kids'] ) ) . ' ' : '' )
				. __( 'Meetings keep their working links, but new links and changes wait until this is fixed.', 'meet-for-kivicare' ),
			__( 'Put the previous key back into the sidecar\'s MFK_SEAL_KEYS after the current one (for example "k2:<new>,k1:<previous>") and restart it: everything waiting is replayed within minutes and nobody reconnects. Without the previous key, each doctor connects their Google account again (and the OAuth client secret is entered again in the settings).', 'meet-for-kivicare' )
		);
	}

	/**
	 * Site Health → Info: a "Meet for KiviCare" section (secrets only as set/not set).
	 *
	 * @param array<string,mixed> $info Sections.
	 * @return array<string,mixed>
	 */
	public static function debug_information( $info ): array {
		$info     = is_array( $info ) ? $info : array();
		$settings = MFK_Settings::for_display();
		$queue    = MFK_Health::queue();
		$yes      = __( 'Yes', 'meet-for-kivicare' );
		$no       = __( 'No', 'meet-for-kivicare' );

		$info['meet-for-kivicare'] = array(
			'label'  => __( 'Meet for KiviCare', 'meet-for-kivicare' ),
			'fields' => array(
				'version'         => array(
					'label' => __( 'Version', 'meet-for-kivicare' ),
					'value' => MFK_VERSION,
				),
				'site_id'         => array(
					'label' => __( 'Site id', 'meet-for-kivicare' ),
					'value' => MFK_Site::id(),
				),
				'sidecar_url'     => array(
					'label' => __( 'Sidecar address', 'meet-for-kivicare' ),
					'value' => $settings['sidecar_url'],
				),
				'sidecar_secret'  => array(
					'label'   => __( 'Shared secret set', 'meet-for-kivicare' ),
					'value'   => $settings['sidecar_secret_set'] ? $yes : $no,
					'private' => true,
				),
				'sidecar_hosted'  => array(
					'label' => __( 'Hosted sidecar (enrolment key set)', 'meet-for-kivicare' ),
					'value' => $settings['sidecar_enrolment_key_set'] ? $yes : $no,
				),
				'client_id'       => array(
					'label' => __( 'Google OAuth client ID', 'meet-for-kivicare' ),
					'value' => '' !== $settings['google_client_id'] ? $settings['google_client_id'] : $no,
				),
				'client_secret'   => array(
					'label' => __( 'Google OAuth client secret set', 'meet-for-kivicare' ),
					'value' => $settings['google_client_secret_set'] ? $yes : $no,
				),
				'sync_budget_ms'  => array(
					'label' => __( 'Sync time budget (ms)', 'meet-for-kivicare' ),
					'value' => (int) $settings['sync_budget_ms'],
				),
				'queue_pending'   => array(
					'label' => __( 'Meetings waiting', 'meet-for-kivicare' ),
					'value' => $queue['pending'],
				),
				'queue_failed'    => array(
					'label' => __( 'Meetings failed', 'meet-for-kivicare' ),
					'value' => $queue['failed'],
				),
				'queue_last_run'  => array(
					'label' => __( 'Last queue run', 'meet-for-kivicare' ),
					'value' => null !== $queue['last_run_at'] ? $queue['last_run_at'] : __( 'never', 'meet-for-kivicare' ),
				),
				'wp_cron_enabled' => array(
					'label' => __( 'WP-Cron runs the queue', 'meet-for-kivicare' ),
					'value' => defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON ? __( 'No (DISABLE_WP_CRON): a system cron job must run php/cli/run-queue.php', 'meet-for-kivicare' ) : $yes,
				),
			),
		);
		return $info;
	}
}
