<?php
/**
 * The mapping table (which is also the provisioning queue), its upgrades, and the
 * per-site bits created on activation.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Database schema management.
 */
final class MFK_Schema {

	/** Bump whenever the CREATE TABLE statement changes. */
	const VERSION = '8';

	/**
	 * Data upgrades: version => method, run once (in order) on a table that existed at a lower
	 * version, after dbDelta() added the new columns.
	 */
	const UPGRADES = array(
		'3' => 'upgrade_split_link_and_sync',
		'4' => 'upgrade_known_event',
		'5' => 'upgrade_meet_access',
	);

	/** Option holding the installed schema version (per site). */
	const VERSION_OPTION = 'mfk_db_version';

	/** Table name without prefix; the original add-on's name, kept for compatibility. */
	const TABLE = 'kc_appointment_google_meet_mappings';

	/**
	 * Full table name for the current site.
	 */
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . self::TABLE;
	}

	/**
	 * Activation: installs on this site, or on every site when network-wide.
	 *
	 * @param bool $network_wide Network activation.
	 */
	public static function activate( bool $network_wide ): void {
		self::for_each_site(
			$network_wide,
			static function (): void {
				self::install();
				MFK_Queue::schedule();
			}
		);
	}

	/**
	 * Runs $callback on the current site, or on every site of the network.
	 *
	 * @param bool     $network_wide Whether to visit all sites.
	 * @param callable $callback     Called with no arguments inside each site.
	 */
	public static function for_each_site( bool $network_wide, callable $callback ): void {
		if ( ! $network_wide || ! is_multisite() ) {
			$callback();
			return;
		}
		$site_ids = get_sites(
			array(
				'fields'     => 'ids',
				'number'     => 0,
				'network_id' => get_current_network_id(),
			)
		);
		foreach ( $site_ids as $site_id ) {
			switch_to_blog( (int) $site_id );
			try {
				$callback();
			} finally {
				restore_current_blog();
			}
		}
	}

	/**
	 * A site created while the plugin is network-active gets its table right away.
	 *
	 * @param WP_Site $site New site.
	 */
	public static function initialize_site( $site ): void {
		if ( ! function_exists( 'is_plugin_active_for_network' ) ) {
			require_once ABSPATH . 'wp-admin/includes/plugin.php';
		}
		if ( ! is_plugin_active_for_network( plugin_basename( MFK_PLUGIN_FILE ) ) ) {
			return;
		}
		switch_to_blog( (int) $site->blog_id );
		try {
			self::install();
			MFK_Queue::schedule();
		} finally {
			restore_current_blog();
		}
	}

	/**
	 * Deleting a site drops its mapping table too.
	 *
	 * @param string[] $tables  Tables WordPress is about to drop.
	 * @param int      $site_id Site being deleted.
	 * @return string[]
	 */
	public static function drop_tables_with_site( $tables, $site_id ): array {
		global $wpdb;
		$tables   = (array) $tables;
		$tables[] = $wpdb->get_blog_prefix( (int) $site_id ) . self::TABLE;
		$tables[] = $wpdb->get_blog_prefix( (int) $site_id ) . 'mfk_meet_access';
		$tables[] = $wpdb->get_blog_prefix( (int) $site_id ) . 'mfk_meet_attendance';
		return $tables;
	}

	/**
	 * Upgrades in place when the stored schema version differs. One autoloaded
	 * option read per request when nothing changed.
	 */
	public static function maybe_upgrade(): void {
		if ( self::VERSION === get_option( self::VERSION_OPTION ) ) {
			return;
		}
		self::install();
	}

	/**
	 * Creates or upgrades the table on the current site, keeping rows written by the
	 * original add-on working.
	 */
	public static function install(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';

		$table   = self::table();
		$from    = (string) get_option( self::VERSION_OPTION, '' );
		$existed = self::table_exists( $table );
		$legacy  = $existed && ! self::column_exists( $table, 'state' );

		if ( $legacy ) {
			self::prepare_legacy_table( $table );
		}

		dbDelta( self::create_table_sql( $table, $wpdb->get_charset_collate() ) );
		if ( ! $existed || $legacy ) {
			MFK_Meet_Access::install();
		}

		if ( $legacy ) {
			// Rows from the original add-on: keep their links visible, never touch their
			// (foreign) Google events. A reschedule or cancel turns them into managed rows.
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$wpdb->query( "UPDATE `{$table}` SET state = 'legacy', desired = 'active', next_attempt_at = NULL, sync_state = 'in_step', link_state = IF(url <> '', 'ready', 'none')" );
		}
		if ( $existed && ! $legacy ) {
			foreach ( self::UPGRADES as $version => $method ) {
				if ( version_compare( '' !== $from ? $from : '0', $version, '<' ) ) {
					self::$method( $table );
				}
			}
		}

		MFK_Site::id();
		MFK_KiviCare_Options::import_original_client_id();
		MFK_KiviCare_Options::sync();
		update_option( self::VERSION_OPTION, self::VERSION, true );
	}

	/**
	 * The table definition (dbDelta format: one column per line, two spaces after
	 * PRIMARY KEY).
	 *
	 * @param string $table           Full table name.
	 * @param string $charset_collate Charset clause.
	 */
	public static function create_table_sql( string $table, string $charset_collate ): string {
		return "CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  appointment_id bigint(20) unsigned NOT NULL,
  event_id varchar(191) NULL,
  url text NULL,
  password varchar(255) NULL,
  event_url text NULL,
  created_at datetime NULL,
  extra longtext NULL,
  state varchar(20) NOT NULL DEFAULT 'pending',
  link_state varchar(10) NOT NULL DEFAULT 'none',
  sync_state varchar(10) NOT NULL DEFAULT 'pending',
  desired varchar(20) NOT NULL DEFAULT 'active',
  intent_seq int(10) unsigned NOT NULL DEFAULT 0,
  intent_at datetime NULL,
  start_utc datetime NULL,
  end_utc datetime NULL,
  timezone varchar(64) NOT NULL DEFAULT '',
  doctor_id bigint(20) unsigned NOT NULL DEFAULT 0,
  calendar_id varchar(255) NOT NULL DEFAULT '',
  guests varchar(64) NOT NULL DEFAULT '',
  revision int(10) unsigned NOT NULL DEFAULT 0,
  synced_status varchar(20) NOT NULL DEFAULT '',
  synced_start_utc datetime NULL,
  synced_end_utc datetime NULL,
  synced_doctor_id bigint(20) unsigned NOT NULL DEFAULT 0,
  synced_calendar_id varchar(255) NOT NULL DEFAULT '',
  synced_revision int(10) unsigned NULL,
  etag varchar(255) NOT NULL DEFAULT '',
  attempts int(10) unsigned NOT NULL DEFAULT 0,
  next_attempt_at datetime NULL,
  lease_token varchar(40) NULL,
  lease_until datetime NULL,
  last_error_code varchar(64) NOT NULL DEFAULT '',
  last_error_message varchar(500) NOT NULL DEFAULT '',
  link_in_booking_mail tinyint(1) NOT NULL DEFAULT 0,
  ready_notified_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY appointment_id (appointment_id),
  KEY state_next_attempt (state,next_attempt_at),
  KEY doctor_state (doctor_id,state),
  KEY doctor_end (doctor_id,end_utc),
  KEY synced_doctor_end (synced_doctor_id,synced_end_utc),
  KEY end_utc (end_utc),
  KEY event_id (event_id),
  KEY lease_token (lease_token)
) {$charset_collate};";
	}

	/**
	 * Version 5: the Meet space access state and the attendance of each appointment, in tables of
	 * their own.
	 *
	 * @param string $table Full name of the mapping table (unused).
	 */
	private static function upgrade_meet_access( string $table ): void {
		unset( $table );
		MFK_Meet_Access::install();
	}

	/**
	 * Version 3: what a row says is split into the link (none / ready, the last good URL staying
	 * in `url`) and the sync of the latest change (in step / pending / failed, its reason in
	 * `last_error_code`). Rows of version 2 lose no link: a failed or pending row with a URL
	 * keeps it as a ready link; only a cancelled row's link is gone (its event was removed).
	 *
	 * @param string $table Full table name.
	 */
	private static function upgrade_split_link_and_sync( string $table ): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query(
			"UPDATE `{$table}` SET
				link_state = IF(url <> '' AND state <> 'cancelled', 'ready', 'none'),
				sync_state = CASE state WHEN 'pending' THEN 'pending' WHEN 'failed' THEN 'failed' ELSE 'in_step' END"
		);
	}

	/**
	 * Version 4: the event's etag and the conference revision in effect at the last success, which
	 * let a change to a known event be one conditional call. Only rows in step know their revision
	 * for sure; the others (and every row's etag) are learnt at their next success.
	 *
	 * @param string $table Full table name.
	 */
	private static function upgrade_known_event( string $table ): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( "UPDATE `{$table}` SET synced_revision = revision WHERE state = 'ready' AND synced_status = 'active' AND synced_revision IS NULL" );
	}

	/**
	 * A table from the original add-on may hold several rows per appointment; the
	 * unique key needs one, so keep the newest.
	 *
	 * @param string $table Full table name.
	 */
	private static function prepare_legacy_table( string $table ): void {
		global $wpdb;
		if ( ! self::column_exists( $table, 'appointment_id' ) ) {
			return;
		}
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query(
			"DELETE older FROM `{$table}` older
			 JOIN `{$table}` newer ON newer.appointment_id = older.appointment_id AND newer.id > older.id"
		);
		// phpcs:enable
	}

	/**
	 * Whether a table exists.
	 *
	 * @param string $table Full table name.
	 */
	public static function table_exists( string $table ): bool {
		global $wpdb;
		return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
	}

	/**
	 * Whether a column exists.
	 *
	 * @param string $table  Full table name.
	 * @param string $column Column name.
	 */
	public static function column_exists( string $table, string $column ): bool {
		global $wpdb;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return null !== $wpdb->get_var( $wpdb->prepare( "SHOW COLUMNS FROM `{$table}` LIKE %s", $column ) );
	}

	/**
	 * Drops the table and per-site options of the current site (uninstall).
	 */
	public static function uninstall_site(): void {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.DirectDatabaseQuery.SchemaChange -- table name only.
		$wpdb->query( "DROP TABLE IF EXISTS `{$table}`" );
		MFK_Meet_Access::uninstall();
		MFK_Queue::unschedule();
		foreach ( array( self::VERSION_OPTION, MFK_Site::OPTION, MFK_Settings::OPTION, MFK_KiviCare_Options::PROVIDER_OPTION, 'mfk_queue_last_run', MFK_Sealing_Status::OPTION, MFK_Calendar_Sync::OPTION_NEXT ) as $option ) {
			delete_option( $option );
		}
		// Short-lived markers: used background kick nonces, confirmations left to the background.
		foreach ( array( MFK_Loopback_Kick::NONCE_PREFIX, MFK_Booking_Confirmation::MARKER_PREFIX ) as $prefix ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- uninstall, never cached.
			$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( $prefix ) . '%' ) );
		}
		$kivicare = get_option( MFK_KiviCare_Options::KIVICARE_OPTION );
		$original = get_option( MFK_KiviCare_Options::KIVICARE_BACKUP_OPTION );
		if ( is_array( $original ) ) {
			update_option( MFK_KiviCare_Options::KIVICARE_OPTION, $original );
		} elseif ( is_array( $kivicare ) && ! empty( $kivicare['mfk_managed'] ) ) {
			delete_option( MFK_KiviCare_Options::KIVICARE_OPTION );
		}
		delete_option( MFK_KiviCare_Options::KIVICARE_BACKUP_OPTION );
	}
}
