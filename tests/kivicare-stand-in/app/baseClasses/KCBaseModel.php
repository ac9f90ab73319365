<?php
/**
 * Minimal active-record base model (KiviCare `app/baseClasses/KCBaseModel.php`):
 * `initSchema()` maps properties to columns, `create()` returns the insert id,
 * `query()` returns a small query builder, instances have `update()`/`save()`.
 *
 * @package KiviCareStandIn
 */

namespace App\baseClasses;

defined( 'ABSPATH' ) || exit;

/**
 * Base model.
 */
abstract class KCBaseModel {

	/**
	 * Table name without the WordPress prefix.
	 *
	 * @var string
	 */
	protected static $table = '';

	/**
	 * Column values of this row.
	 *
	 * @var array<string,mixed>
	 */
	protected $attributes = array();

	/**
	 * Whether the row exists in the database.
	 *
	 * @var bool
	 */
	protected $exists = false;

	/**
	 * Property name → column name.
	 *
	 * @return array<string,string>
	 */
	abstract protected function initSchema();

	/**
	 * Cached schema per class.
	 *
	 * @return array<string,string>
	 */
	public static function schema() {
		static $cache = array();
		$class = static::class;
		if ( ! isset( $cache[ $class ] ) ) {
			$cache[ $class ] = ( new static() )->initSchema();
		}
		return $cache[ $class ];
	}

	/**
	 * Prefixed table name.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . static::$table;
	}

	/**
	 * Column for a property or column name; null when unknown.
	 *
	 * @param string $key Property or column.
	 * @return string|null
	 */
	public static function column( $key ) {
		$schema = static::schema();
		if ( isset( $schema[ $key ] ) ) {
			return $schema[ $key ];
		}
		return in_array( $key, $schema, true ) ? $key : null;
	}

	/**
	 * Inserts a row; returns the insert id or false.
	 *
	 * @param array $data Properties or columns.
	 * @return int|false
	 */
	public static function create( array $data ) {
		$model = new static();
		$model->fill( $data );
		return $model->save() ? (int) $model->attributes['id'] : false;
	}

	/**
	 * Row by primary key.
	 *
	 * @param int $id Id.
	 * @return static|null
	 */
	public static function find( $id ) {
		return static::query()->where( 'id', (int) $id )->first();
	}

	/**
	 * Query builder for this model.
	 *
	 * @return KCQueryBuilder
	 */
	public static function query() {
		return new KCQueryBuilder( static::class );
	}

	/**
	 * Model from a database row.
	 *
	 * @param array $row Column values.
	 * @return static
	 */
	public static function hydrate( array $row ) {
		$model             = new static();
		$model->attributes = $row;
		$model->exists     = true;
		return $model;
	}

	/**
	 * Sets properties/columns (unknown keys are ignored).
	 *
	 * @param array $data Values.
	 * @return $this
	 */
	public function fill( array $data ) {
		foreach ( $data as $key => $value ) {
			$column = static::column( (string) $key );
			if ( null !== $column ) {
				$this->attributes[ $column ] = $value;
			}
		}
		return $this;
	}

	/**
	 * Hook for subclasses to derive columns before writing.
	 */
	protected function beforeSave() {
	}

	/**
	 * Inserts or updates the row.
	 *
	 * @return bool
	 */
	public function save() {
		global $wpdb;
		$this->beforeSave();
		$data = $this->attributes;
		unset( $data['id'] );
		if ( $this->exists ) {
			$ok = false !== $wpdb->update( static::table(), $data, array( 'id' => (int) $this->attributes['id'] ) );
			return $ok;
		}
		if ( false === $wpdb->insert( static::table(), $data ) ) {
			return false;
		}
		$this->attributes['id'] = (int) $wpdb->insert_id;
		$this->exists           = true;
		return true;
	}

	/**
	 * Updates properties/columns and saves.
	 *
	 * @param array $data Values.
	 * @return bool
	 */
	public function update( array $data ) {
		return $this->fill( $data )->save();
	}

	/**
	 * Deletes the row.
	 *
	 * @return bool
	 */
	public function delete() {
		global $wpdb;
		if ( ! $this->exists ) {
			return false;
		}
		$this->exists = false;
		return (bool) $wpdb->delete( static::table(), array( 'id' => (int) $this->attributes['id'] ) );
	}

	/**
	 * Column values.
	 *
	 * @return array<string,mixed>
	 */
	public function toArray() {
		return $this->attributes;
	}

	/**
	 * Reads by property or column name.
	 *
	 * @param string $name Name.
	 * @return mixed
	 */
	public function __get( $name ) {
		$column = static::column( $name );
		$column = null === $column ? $name : $column;
		return $this->attributes[ $column ] ?? null;
	}

	/**
	 * Writes by property or column name.
	 *
	 * @param string $name  Name.
	 * @param mixed  $value Value.
	 */
	public function __set( $name, $value ) {
		$column = static::column( $name );
		if ( null !== $column ) {
			$this->attributes[ $column ] = $value;
		}
	}

	/**
	 * Isset by property or column name.
	 *
	 * @param string $name Name.
	 * @return bool
	 */
	public function __isset( $name ) {
		$column = static::column( $name );
		$column = null === $column ? $name : $column;
		return isset( $this->attributes[ $column ] );
	}
}
