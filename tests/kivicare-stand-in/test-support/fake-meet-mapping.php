<?php
/**
 * Test-only stand-in for the add-on's mapping model
 * `\KCGMApp\models\KCGMAppointmentGoogleMeetMapping`, declared by the fake
 * provider only when no real add-on supplies the class. Backed by its own
 * table so it never touches a real add-on's schema.
 *
 * @package KiviCareStandIn
 */

namespace KCGMApp\models;

use App\baseClasses\KCBaseModel;

defined( 'ABSPATH' ) || exit;

/**
 * Mapping model (eventId, appointmentId, url, password, eventUrl).
 */
class KCGMAppointmentGoogleMeetMapping extends KCBaseModel {

	/** @var string */
	protected static $table = 'kc_standin_fake_meet_mappings';

	/**
	 * Property → column.
	 *
	 * @return array<string,string>
	 */
	protected function initSchema() {
		return array(
			'id'            => 'id',
			'eventId'       => 'event_id',
			'appointmentId' => 'appointment_id',
			'url'           => 'url',
			'password'      => 'password',
			'eventUrl'      => 'event_url',
			'createdAt'     => 'created_at',
		);
	}

	/**
	 * Sets created_at on insert.
	 */
	protected function beforeSave() {
		if ( empty( $this->attributes['created_at'] ) ) {
			$this->attributes['created_at'] = current_time( 'mysql' );
		}
	}

	/**
	 * Creates the backing table (never inside a transaction: DDL commits).
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$c = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$wpdb->prefix}kc_standin_fake_meet_mappings (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				event_id varchar(191) NULL,
				appointment_id bigint(20) unsigned NOT NULL DEFAULT 0,
				url varchar(512) NULL,
				password varchar(191) NULL,
				event_url varchar(512) NULL,
				created_at datetime NULL,
				PRIMARY KEY  (id),
				KEY appointment_id (appointment_id),
				KEY event_id (event_id)
			) $c;"
		);
	}
}
