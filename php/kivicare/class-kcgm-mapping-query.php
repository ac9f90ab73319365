<?php
/**
 * The query chain KiviCare core calls on the mapping model
 * (`KCGMAppointmentGoogleMeetMapping::query()->where()->select()->first()`).
 *
 * @package MeetForKiviCare
 */

namespace KCGMApp\models;

defined( 'ABSPATH' ) || exit;

/**
 * Minimal query builder with the chain KiviCare core uses.
 */
class KCGMMappingQuery {

	/**
	 * Conditions: [column, operator, value].
	 *
	 * @var array<int,array{0:string,1:string,2:mixed}>
	 */
	private $wheres = array();

	/**
	 * ORDER BY column and direction.
	 *
	 * @var array{0:string,1:string}
	 */
	private $order = array( 'id', 'DESC' );

	/**
	 * A row the plugin holds while KiviCare builds an e-mail about it (hold()).
	 *
	 * @var array<string,mixed>
	 */
	private static $held = array();

	/**
	 * While the plugin has KiviCare send an e-mail about a mapping row it has just read
	 * (MFK_KiviCare_Mail), KiviCare's lookups of that appointment's row (`where('appointmentId',
	 * …)->first()`, several per e-mail) are answered from it instead of the database. An empty
	 * array ends that.
	 *
	 * @param array<string,mixed> $row Mapping row (MFK_Mappings::normalize()), or none.
	 */
	public static function hold( array $row ): void {
		self::$held = isset( $row['appointment_id'], $row['id'] ) ? $row : array();
	}

	/**
	 * `where('appointmentId', 5)` or `where('appointmentId', '=', 5)`. Unknown
	 * properties match nothing.
	 *
	 * @param string $property Property or column name.
	 * @param mixed  $operator Operator, or the value when only two arguments are given.
	 * @param mixed  $value    Value.
	 */
	public function where( $property, $operator = null, $value = null ): self {
		if ( 2 === func_num_args() ) {
			$value    = $operator;
			$operator = '=';
		}
		$operator = in_array( strtoupper( (string) $operator ), array( '=', '!=', '<>', '>', '<', '>=', '<=' ), true ) ? strtoupper( (string) $operator ) : '=';
		$column   = self::column( (string) $property );
		$this->wheres[] = array( null === $column ? '' : $column, $operator, $value );
		return $this;
	}

	/**
	 * Accepted for API compatibility; rows are always loaded whole (they are small).
	 *
	 * @param mixed $columns Columns.
	 */
	public function select( $columns = array() ): self {
		unset( $columns );
		return $this;
	}

	/**
	 * ORDER BY.
	 *
	 * @param string $property  Property or column.
	 * @param string $direction ASC or DESC.
	 */
	public function orderBy( $property, $direction = 'ASC' ): self { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName -- KiviCare query API.
		$column = self::column( (string) $property );
		if ( null !== $column ) {
			$this->order = array( $column, 'DESC' === strtoupper( (string) $direction ) ? 'DESC' : 'ASC' );
		}
		return $this;
	}

	/**
	 * First matching row, or null.
	 */
	public function first(): ?KCGMAppointmentGoogleMeetMapping {
		$rows = $this->fetch( 1 );
		return $rows[0] ?? null;
	}

	/**
	 * All matching rows.
	 *
	 * @return KCGMAppointmentGoogleMeetMapping[]
	 */
	public function get(): array {
		return $this->fetch( 1000 );
	}

	/**
	 * Runs the query.
	 *
	 * @param int $limit Max rows.
	 * @return KCGMAppointmentGoogleMeetMapping[]
	 */
	private function fetch( int $limit ): array {
		global $wpdb;
		if ( self::$held && 1 === count( $this->wheres ) && array( 'appointment_id', '=' ) === array_slice( $this->wheres[0], 0, 2 )
			&& (int) $this->wheres[0][2] === (int) self::$held['appointment_id'] ) {
			// One row per appointment (MFK_Schema's unique key): the held row is the answer.
			return array( KCGMAppointmentGoogleMeetMapping::from_row( self::$held ) );
		}
		$table  = \MFK_Schema::table();
		$sql    = array();
		$values = array();
		foreach ( $this->wheres as list( $column, $operator, $value ) ) {
			if ( '' === $column ) {
				return array();
			}
			$sql[]    = "`{$column}` {$operator} " . ( is_int( $value ) || in_array( $column, array( 'id', 'appointment_id' ), true ) ? '%d' : '%s' );
			$values[] = in_array( $column, array( 'id', 'appointment_id' ), true ) ? (int) $value : (string) $value;
		}
		$where     = $sql ? 'WHERE ' . implode( ' AND ', $sql ) : '';
		$values[]  = $limit;
		list( $order_column, $direction ) = $this->order;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- columns come from a fixed map.
		$rows = (array) $wpdb->get_results( $wpdb->prepare( "SELECT * FROM `{$table}` {$where} ORDER BY `{$order_column}` {$direction} LIMIT %d", $values ), ARRAY_A );
		return array_map( array( KCGMAppointmentGoogleMeetMapping::class, 'from_row' ), $rows );
	}

	/**
	 * Column for a property or column name; null when unknown.
	 *
	 * @param string $property Name.
	 */
	private static function column( string $property ): ?string {
		if ( isset( KCGMAppointmentGoogleMeetMapping::COLUMNS[ $property ] ) ) {
			return KCGMAppointmentGoogleMeetMapping::COLUMNS[ $property ];
		}
		return in_array( $property, KCGMAppointmentGoogleMeetMapping::COLUMNS, true ) ? $property : null;
	}
}
