<?php
/**
 * A very small query builder for KCBaseModel (where / whereIn / select /
 * orderBy / limit / first / get / count). `first()` adds no ORDER BY, as core's.
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

defined( 'ABSPATH' ) || exit;

/**
 * Query builder.
 */
class KCQueryBuilder {

	/** @var string Model class. */
	private $model;

	/** @var string[] SQL fragments (already prepared). */
	private $wheres = array();

	/** @var string[] Selected columns. */
	private $columns = array( '*' );

	/** @var string ORDER BY clause. */
	private $order = '';

	/** @var int LIMIT (0 = none). */
	private $limit = 0;

	/**
	 * @param string $model Model class name.
	 */
	public function __construct( $model ) {
		$this->model = $model;
	}

	/**
	 * Column name checked against the model schema.
	 *
	 * @param string $key Property or column.
	 * @return string
	 * @throws \InvalidArgumentException For unknown columns.
	 */
	private function col( $key ) {
		$model  = $this->model;
		$column = $model::column( (string) $key );
		if ( null === $column ) {
			throw new \InvalidArgumentException( 'Unknown column ' . esc_html( (string) $key ) );
		}
		return $column;
	}

	/**
	 * `where(col, value)` or `where(col, operator, value)`.
	 *
	 * @param string $key      Column.
	 * @param mixed  $operator Operator or value.
	 * @param mixed  $value    Value.
	 * @return $this
	 */
	public function where( $key, $operator, $value = null ) {
		global $wpdb;
		if ( func_num_args() < 3 ) {
			$value    = $operator;
			$operator = '=';
		}
		$allowed = array( '=', '!=', '<>', '<', '<=', '>', '>=', 'LIKE' );
		if ( ! in_array( strtoupper( (string) $operator ), $allowed, true ) ) {
			throw new \InvalidArgumentException( 'Unsupported operator' );
		}
		$placeholder    = is_int( $value ) ? '%d' : '%s';
		$this->wheres[] = $wpdb->prepare( '`' . $this->col( $key ) . '` ' . $operator . ' ' . $placeholder, $value );
		return $this;
	}

	/**
	 * `whereIn(col, values)`.
	 *
	 * @param string $key    Column.
	 * @param array  $values Values.
	 * @return $this
	 */
	public function whereIn( $key, array $values ) {
		global $wpdb;
		if ( empty( $values ) ) {
			$this->wheres[] = '1 = 0';
			return $this;
		}
		$placeholders   = implode( ',', array_fill( 0, count( $values ), '%s' ) );
		$this->wheres[] = $wpdb->prepare( '`' . $this->col( $key ) . "` IN ($placeholders)", array_values( $values ) );
		return $this;
	}

	/**
	 * Columns to select.
	 *
	 * @param array $columns Columns.
	 * @return $this
	 */
	public function select( array $columns ) {
		$this->columns = array();
		foreach ( $columns as $column ) {
			$this->columns[] = '`' . $this->col( $column ) . '`';
		}
		if ( ! in_array( '`id`', $this->columns, true ) ) {
			$this->columns[] = '`id`';
		}
		return $this;
	}

	/**
	 * ORDER BY.
	 *
	 * @param string $key       Column.
	 * @param string $direction ASC|DESC.
	 * @return $this
	 */
	public function orderBy( $key, $direction = 'ASC' ) {
		$direction   = 'DESC' === strtoupper( (string) $direction ) ? 'DESC' : 'ASC';
		$this->order = ' ORDER BY `' . $this->col( $key ) . '` ' . $direction;
		return $this;
	}

	/**
	 * LIMIT.
	 *
	 * @param int $limit Rows.
	 * @return $this
	 */
	public function limit( $limit ) {
		$this->limit = max( 0, (int) $limit );
		return $this;
	}

	/**
	 * SQL for the current state.
	 *
	 * @return string
	 */
	private function sql() {
		$model = $this->model;
		$sql   = 'SELECT ' . implode( ', ', $this->columns ) . ' FROM `' . $model::table() . '`';
		if ( $this->wheres ) {
			$sql .= ' WHERE ' . implode( ' AND ', $this->wheres );
		}
		$sql .= $this->order;
		if ( $this->limit > 0 ) {
			$sql .= ' LIMIT ' . $this->limit;
		}
		return $sql;
	}

	/**
	 * All matching rows as models.
	 *
	 * @return array
	 */
	public function get() {
		global $wpdb;
		$model = $this->model;
		$rows  = $wpdb->get_results( $this->sql(), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- fragments prepared above.
		return array_map( array( $model, 'hydrate' ), (array) $rows );
	}

	/**
	 * First matching row (no implicit ORDER BY).
	 *
	 * @return object|null
	 */
	public function first() {
		$this->limit = 1;
		$rows        = $this->get();
		return $rows ? $rows[0] : null;
	}

	/**
	 * Number of matching rows.
	 *
	 * @return int
	 */
	public function count() {
		global $wpdb;
		$model = $this->model;
		$sql   = 'SELECT COUNT(*) FROM `' . $model::table() . '`' . ( $this->wheres ? ' WHERE ' . implode( ' AND ', $this->wheres ) : '' );
		return (int) $wpdb->get_var( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
	}
}
