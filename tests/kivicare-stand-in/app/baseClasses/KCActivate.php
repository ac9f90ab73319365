<?php
/**
 * Activation: tables (contract §7), roles (§9) and e-mail templates (§6).
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

use App\emails\KCEmailTemplateManager;

defined( 'ABSPATH' ) || exit;

/**
 * Installs and upgrades the stand-in's schema. Idempotent.
 */
class KCActivate {

	/** Bumped whenever the schema below changes. */
	const DB_VERSION = '4.3.0-standin-1';

	/**
	 * Activation hook.
	 */
	public static function activate() {
		self::install();
	}

	/**
	 * Re-runs the install when the stored schema version differs (e.g. the
	 * folder was symlinked into a site that already had an older copy).
	 */
	public static function maybe_upgrade() {
		if ( get_option( 'kc_standin_db_version' ) !== self::DB_VERSION ) {
			self::install();
		}
	}

	/**
	 * Creates tables, roles and default mail templates.
	 */
	public static function install() {
		self::create_tables();
		KCPermissions::create_roles();
		KCEmailTemplateManager::register_post_types();
		KCEmailTemplateManager::install_default_templates();
		update_option( 'kc_standin_db_version', self::DB_VERSION );
	}

	/**
	 * The tables KiviCare 4.3 has (the subset the telemed contract touches).
	 */
	public static function create_tables() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';

		$c = $wpdb->get_charset_collate();
		$p = $wpdb->prefix;

		$tables = array(
			"CREATE TABLE {$p}kc_appointments (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				appointment_start_date date NOT NULL,
				appointment_start_time time NOT NULL,
				appointment_end_date date NULL,
				appointment_end_time time NULL,
				visit_type varchar(191) NULL,
				clinic_id bigint(20) unsigned NOT NULL DEFAULT 0,
				doctor_id bigint(20) unsigned NOT NULL DEFAULT 0,
				patient_id bigint(20) unsigned NOT NULL DEFAULT 0,
				description text NULL,
				status tinyint(1) NOT NULL DEFAULT 0,
				created_at datetime NULL,
				appointment_report longtext NULL,
				appointment_start_utc datetime NULL,
				appointment_end_utc datetime NULL,
				created_at_utc datetime NULL,
				appointment_timezone varchar(64) NOT NULL DEFAULT 'UTC',
				PRIMARY KEY  (id),
				KEY doctor_id (doctor_id),
				KEY patient_id (patient_id),
				KEY clinic_id (clinic_id),
				KEY idx_appointment_start_utc (appointment_start_utc)
			) $c;",
			"CREATE TABLE {$p}kc_appointment_service_mapping (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				appointment_id bigint(20) unsigned NOT NULL,
				service_id bigint(20) unsigned NOT NULL,
				status tinyint(1) NOT NULL DEFAULT 1,
				created_at datetime NULL,
				PRIMARY KEY  (id),
				KEY appointment_id (appointment_id)
			) $c;",
			"CREATE TABLE {$p}kc_services (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				type varchar(191) NULL,
				name varchar(191) NOT NULL,
				price varchar(50) NULL,
				status tinyint(1) NOT NULL DEFAULT 1,
				created_at datetime NULL,
				PRIMARY KEY  (id)
			) $c;",
			"CREATE TABLE {$p}kc_service_doctor_mapping (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				service_id bigint(20) unsigned NOT NULL,
				doctor_id bigint(20) unsigned NOT NULL,
				clinic_id bigint(20) unsigned NOT NULL,
				charges varchar(50) NULL,
				extra longtext NULL,
				telemed_service varchar(10) NOT NULL DEFAULT 'no',
				service_name_alias varchar(191) NULL,
				multiple varchar(10) NULL,
				image bigint(20) unsigned NULL,
				status tinyint(1) NOT NULL DEFAULT 1,
				created_at datetime NULL,
				duration int(11) NULL,
				PRIMARY KEY  (id),
				KEY doctor_id (doctor_id),
				KEY service_id (service_id)
			) $c;",
			"CREATE TABLE {$p}kc_clinics (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				name varchar(191) NOT NULL,
				email varchar(191) NULL,
				telephone_no varchar(191) NULL,
				specialties longtext NULL,
				address text NULL,
				city varchar(191) NULL,
				state varchar(191) NULL,
				country varchar(191) NULL,
				postal_code varchar(191) NULL,
				status tinyint(1) NOT NULL DEFAULT 1,
				clinic_admin_id bigint(20) unsigned NULL,
				clinic_logo bigint(20) unsigned NULL,
				profile_image bigint(20) unsigned NULL,
				extra longtext NULL,
				created_at datetime NULL,
				PRIMARY KEY  (id)
			) $c;",
			"CREATE TABLE {$p}kc_doctor_clinic_mappings (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				doctor_id bigint(20) unsigned NOT NULL,
				clinic_id bigint(20) unsigned NOT NULL,
				owner tinyint(1) NOT NULL DEFAULT 0,
				created_at datetime NULL,
				PRIMARY KEY  (id),
				KEY doctor_id (doctor_id)
			) $c;",
			"CREATE TABLE {$p}kc_patient_clinic_mappings (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				patient_id bigint(20) unsigned NOT NULL,
				clinic_id bigint(20) unsigned NOT NULL,
				created_at datetime NULL,
				PRIMARY KEY  (id),
				KEY patient_id (patient_id)
			) $c;",
			"CREATE TABLE {$p}kc_receptionist_clinic_mappings (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				receptionist_id bigint(20) unsigned NOT NULL,
				clinic_id bigint(20) unsigned NOT NULL,
				created_at datetime NULL,
				PRIMARY KEY  (id),
				KEY receptionist_id (receptionist_id)
			) $c;",
			"CREATE TABLE {$p}kc_patient_encounters (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				encounter_date date NULL,
				clinic_id bigint(20) unsigned NOT NULL DEFAULT 0,
				doctor_id bigint(20) unsigned NOT NULL DEFAULT 0,
				patient_id bigint(20) unsigned NOT NULL DEFAULT 0,
				appointment_id bigint(20) unsigned NULL,
				description text NULL,
				status tinyint(1) NOT NULL DEFAULT 1,
				added_by bigint(20) unsigned NULL,
				created_at datetime NULL,
				template_id bigint(20) unsigned NULL,
				PRIMARY KEY  (id),
				KEY appointment_id (appointment_id)
			) $c;",
			"CREATE TABLE {$p}kc_payments_appointment_mappings (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				appointment_id bigint(20) unsigned NOT NULL,
				payment_mode varchar(191) NULL,
				payment_id varchar(191) NULL,
				payment_status varchar(50) NULL,
				amount varchar(50) NULL,
				currency varchar(10) NULL,
				created_at datetime NULL,
				updated_at datetime NULL,
				PRIMARY KEY  (id),
				KEY appointment_id (appointment_id)
			) $c;",
		);

		foreach ( $tables as $sql ) {
			dbDelta( $sql );
		}
	}
}
