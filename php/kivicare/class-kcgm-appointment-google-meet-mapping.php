<?php
/**
 * The mapping model KiviCare core looks for by name
 * (`\KCGMApp\models\KCGMAppointmentGoogleMeetMapping`). Self-contained: it does
 * not extend KiviCare's base model, and offers only what core calls —
 * `create()`, `query()->where()->select()->first()`, instance `update()`, and the
 * properties `eventId`, `url`, `eventUrl`.
 *
 * @package MeetForKiviCare
 */

namespace KCGMApp\models;

defined( 'ABSPATH' ) || exit;

/**
 * One row of `{prefix}kc_appointment_google_meet_mappings`.
 */
class KCGMAppointmentGoogleMeetMapping {

	/** Property => column. */
	const COLUMNS = array(
		'id'            => 'id',
		'appointmentId' => 'appointment_id',
		'eventId'       => 'event_id',
		'url'           => 'url',
		'password'      => 'password',
		'eventUrl'      => 'event_url',
		'createdAt'     => 'created_at',
		'extra'         => 'extra',
		'state'         => 'state',
	);

	/** @var int */
	public $id = 0;
	/** @var int */
	public $appointmentId = 0; // phpcs:ignore WordPress.NamingConventions.ValidVariableName -- KiviCare's property name.
	/** @var string */
	public $eventId = ''; // phpcs:ignore WordPress.NamingConventions.ValidVariableName
	/** @var string Join link: the last good one, also while a later change failed; empty while none exists or once cancelled. */
	public $url = '';
	/** @var string */
	public $password = '';
	/** @var string */
	public $eventUrl = ''; // phpcs:ignore WordPress.NamingConventions.ValidVariableName
	/** @var string|null */
	public $createdAt = null; // phpcs:ignore WordPress.NamingConventions.ValidVariableName
	/** @var string|null */
	public $extra = null;
	/** @var string Provisioning state (pending, ready, cancelled, failed, legacy). */
	public $state = '';

	/**
	 * New query.
	 */
	public static function query(): KCGMMappingQuery {
		return new KCGMMappingQuery();
	}

	/**
	 * Row by id.
	 *
	 * @param int $id Row id.
	 */
	public static function find( $id ): ?self {
		return self::query()->where( 'id', (int) $id )->first();
	}

	/**
	 * Stores a link for an appointment (KiviCare's `save_google_meet_record`). One row
	 * per appointment: an existing row is updated instead of duplicated. Rows written
	 * this way point at events this plugin did not create, so they are kept as
	 * "legacy" (shown, never touched at Google).
	 *
	 * @param array<string,mixed> $data Properties (eventId, appointmentId, url, password, eventUrl).
	 * @return int|false Row id.
	 */
	public static function create( array $data ) {
		global $wpdb;
		$appointment_id = (int) ( $data['appointmentId'] ?? $data['appointment_id'] ?? 0 );
		if ( $appointment_id <= 0 ) {
			return false;
		}
		$existing = self::query()->where( 'appointmentId', $appointment_id )->first();
		if ( $existing ) {
			return $existing->update( $data ) ? $existing->id : false;
		}
		$now = gmdate( 'Y-m-d H:i:s' );
		$ok  = $wpdb->insert(
			\MFK_Schema::table(),
			array(
				'appointment_id' => $appointment_id,
				'event_id'       => (string) ( $data['eventId'] ?? $data['event_id'] ?? '' ),
				'url'            => esc_url_raw( (string) ( $data['url'] ?? $data['join_url'] ?? '' ) ),
				'password'       => (string) ( $data['password'] ?? '' ),
				'event_url'      => esc_url_raw( (string) ( $data['eventUrl'] ?? $data['event_url'] ?? '' ) ),
				'created_at'     => $now,
				'updated_at'     => $now,
				'state'          => 'legacy',
				'desired'        => 'active',
				'link_state'     => '' !== (string) ( $data['url'] ?? $data['join_url'] ?? '' ) ? 'ready' : 'none',
				'sync_state'     => 'in_step',
			),
			array( '%d', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s' )
		);
		return $ok ? (int) $wpdb->insert_id : false;
	}

	/**
	 * Updates the link fields KiviCare's `update_google_meet_record` passes (url,
	 * password, eventUrl). Provisioning columns are the queue's and are not writable
	 * here.
	 *
	 * @param array<string,mixed> $data Properties.
	 */
	public function update( array $data ): bool {
		global $wpdb;
		$set = array();
		if ( isset( $data['url'] ) || isset( $data['join_url'] ) ) {
			$set['url']        = esc_url_raw( (string) ( $data['url'] ?? $data['join_url'] ) );
			$set['link_state'] = '' !== $set['url'] ? 'ready' : 'none';
		}
		if ( isset( $data['password'] ) ) {
			$set['password'] = (string) $data['password'];
		}
		if ( isset( $data['eventUrl'] ) || isset( $data['event_url'] ) ) {
			$set['event_url'] = esc_url_raw( (string) ( $data['eventUrl'] ?? $data['event_url'] ) );
		}
		if ( $this->id <= 0 ) {
			return false;
		}
		if ( ! $set ) {
			return true;
		}
		$set['updated_at'] = gmdate( 'Y-m-d H:i:s' );
		$done              = $wpdb->update( \MFK_Schema::table(), $set, array( 'id' => $this->id ) );
		if ( false === $done ) {
			return false;
		}
		foreach ( array( 'url' => 'url', 'password' => 'password', 'event_url' => 'eventUrl' ) as $column => $property ) {
			if ( isset( $set[ $column ] ) ) {
				$this->{$property} = $set[ $column ];
			}
		}
		return true;
	}

	/**
	 * Model from a database row.
	 *
	 * @param array<string,mixed> $row Row.
	 */
	public static function from_row( array $row ): self {
		$model = new self();
		foreach ( self::COLUMNS as $property => $column ) {
			if ( array_key_exists( $column, $row ) ) {
				$model->{$property} = in_array( $property, array( 'id', 'appointmentId' ), true ) ? (int) $row[ $column ] : ( null === $row[ $column ] ? ( in_array( $property, array( 'createdAt', 'extra' ), true ) ? null : '' ) : (string) $row[ $column ] );
			}
		}
		// KiviCare's mails and lists get the link readers show: the last good one while the
		// meeting is wanted (also when a later change failed), none once cancelled or gone.
		if ( isset( $row['desired'], $row['link_state'] ) && '' === \MFK_Mappings::link_url( $row ) ) {
			$model->url      = '';
			$model->eventUrl = ''; // phpcs:ignore WordPress.NamingConventions.ValidVariableName
		}
		return $model;
	}

	/**
	 * Properties as an array.
	 *
	 * @return array<string,mixed>
	 */
	public function toArray(): array { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName -- KiviCare model API.
		$out = array();
		foreach ( array_keys( self::COLUMNS ) as $property ) {
			$out[ $property ] = $this->{$property};
		}
		return $out;
	}
}
