<?php
/**
 * Action Scheduler as KiviCare 4.3 bundles it (`vendor/woocommerce/action-scheduler`, ^3.9),
 * reduced to what KiviCare and its add-ons touch: `as_enqueue_async_action()` /
 * `as_schedule_single_action()` storing actions in `{prefix}actionscheduler_actions` (inside
 * the caller's transaction, as the real store writes through $wpdb), the
 * `action_scheduler_stored_action` action, `ActionScheduler::store()` /
 * `ActionScheduler::runner()`, `process_action()` (skips an action that is no longer
 * pending), `run()` (claims due actions in batches of 25), WP-Cron's
 * `action_scheduler_run_queue` every minute, and the async runner of
 * `ActionScheduler_QueueRunner::maybe_dispatch_async_request()`: only on admin requests and
 * at most once a minute (lock `async-request-runner`). No logs, schedules or admin screen.
 *
 * Test-only: option `kc_standin_action_scheduler` = `off` leaves it out, as a site whose
 * KiviCare runs without Action Scheduler.
 *
 * @package KiviCareStandIn
 */

defined( 'ABSPATH' ) || exit;

/**
 * One stored action.
 */
class ActionScheduler_Action {

	/**
	 * Hook, arguments.
	 *
	 * @param string $hook Hook.
	 * @param array  $args Arguments.
	 */
	public function __construct( private string $hook, private array $args ) {}

	/**
	 * Hook.
	 */
	public function get_hook(): string {
		return $this->hook;
	}

	/**
	 * Arguments.
	 */
	public function get_args(): array {
		return $this->args;
	}

	/**
	 * Runs the hook with the arguments.
	 */
	public function execute(): void {
		do_action_ref_array( $this->hook, array_values( $this->args ) );
	}
}

/**
 * The actions table.
 */
class ActionScheduler_Store {

	const STATUS_PENDING  = 'pending';
	const STATUS_RUNNING  = 'in-progress';
	const STATUS_COMPLETE = 'complete';
	const STATUS_FAILED   = 'failed';
	const STATUS_CANCELED = 'canceled';

	/**
	 * Table name.
	 */
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . 'actionscheduler_actions';
	}

	/**
	 * Creates the table once per schema version.
	 */
	public static function install(): void {
		global $wpdb;
		if ( '1' === get_option( 'kc_standin_actionscheduler_db' ) ) {
			return;
		}
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table = self::table();
		dbDelta(
			"CREATE TABLE {$table} (
  action_id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  hook varchar(191) NOT NULL,
  status varchar(20) NOT NULL,
  scheduled_date_gmt datetime NULL,
  args varchar(8000) NULL,
  group_slug varchar(191) NOT NULL DEFAULT '',
  attempts int(11) NOT NULL DEFAULT 0,
  last_attempt_gmt datetime NULL,
  claim_id bigint(20) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (action_id),
  KEY hook_status_scheduled (hook,status,scheduled_date_gmt),
  KEY claim_id (claim_id)
) {$wpdb->get_charset_collate()};"
		);
		update_option( 'kc_standin_actionscheduler_db', '1', true );
	}

	/**
	 * Stores a pending action; fires `action_scheduler_stored_action`.
	 *
	 * @param string $hook      Hook.
	 * @param array  $args      Arguments.
	 * @param int    $timestamp When it is due.
	 * @param string $group     Group.
	 * @return int Action id (0 on failure).
	 */
	public function save_action( string $hook, array $args, int $timestamp, string $group = '' ): int {
		global $wpdb;
		$done = $wpdb->insert(
			self::table(),
			array(
				'hook'               => $hook,
				'status'             => self::STATUS_PENDING,
				'scheduled_date_gmt' => gmdate( 'Y-m-d H:i:s', $timestamp ),
				'args'               => wp_json_encode( $args ),
				'group_slug'         => $group,
			)
		);
		if ( ! $done ) {
			return 0;
		}
		$id = (int) $wpdb->insert_id;
		do_action( 'action_scheduler_stored_action', $id );
		return $id;
	}

	/**
	 * Row of an action.
	 *
	 * @param int $action_id Action id.
	 * @return object|null
	 */
	private function row( int $action_id ) {
		global $wpdb;
		$table = self::table();
		return $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE action_id = %d", $action_id ) );
	}

	/**
	 * Status of an action.
	 *
	 * @param int $action_id Action id.
	 * @throws InvalidArgumentException Unknown action.
	 */
	public function get_status( $action_id ): string {
		$row = $this->row( (int) $action_id );
		if ( ! $row ) {
			throw new InvalidArgumentException( 'Unidentified action ' . (int) $action_id );
		}
		return (string) $row->status;
	}

	/**
	 * The action.
	 *
	 * @param int $action_id Action id.
	 * @throws InvalidArgumentException Unknown action.
	 */
	public function fetch_action( $action_id ): ActionScheduler_Action {
		$row = $this->row( (int) $action_id );
		if ( ! $row ) {
			throw new InvalidArgumentException( 'Unidentified action ' . (int) $action_id );
		}
		return new ActionScheduler_Action( (string) $row->hook, (array) json_decode( (string) $row->args, true ) );
	}

	/**
	 * Marks an action as started.
	 *
	 * @param int $action_id Action id.
	 */
	public function log_execution( $action_id ): void {
		global $wpdb;
		$table = self::table();
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s, attempts = attempts + 1, last_attempt_gmt = %s WHERE action_id = %d", self::STATUS_RUNNING, gmdate( 'Y-m-d H:i:s' ), (int) $action_id ) );
	}

	/**
	 * Final status of an action.
	 *
	 * @param int    $action_id Action id.
	 * @param string $status    Status.
	 */
	public function finish( $action_id, string $status ): void {
		global $wpdb;
		$wpdb->update( self::table(), array( 'status' => $status ), array( 'action_id' => (int) $action_id ) );
	}

	/**
	 * Claims up to $limit due pending actions for one runner.
	 *
	 * @param int $limit Batch size.
	 * @return int[] Claimed action ids.
	 */
	public function stake_claim( int $limit ): array {
		global $wpdb;
		$table = self::table();
		$claim = random_int( 1, PHP_INT_MAX );
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET claim_id = %d WHERE claim_id = 0 AND status = %s AND scheduled_date_gmt <= %s ORDER BY action_id LIMIT %d", $claim, self::STATUS_PENDING, gmdate( 'Y-m-d H:i:s' ), $limit ) );
		return array_map( 'intval', (array) $wpdb->get_col( $wpdb->prepare( "SELECT action_id FROM {$table} WHERE claim_id = %d ORDER BY action_id", $claim ) ) );
	}

	/**
	 * Releases a claim.
	 *
	 * @param int[] $ids Claimed ids.
	 */
	public function release( array $ids ): void {
		global $wpdb;
		$table = self::table();
		if ( $ids ) {
			$wpdb->query( "UPDATE {$table} SET claim_id = 0 WHERE action_id IN (" . implode( ',', array_map( 'intval', $ids ) ) . ')' ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- integers only.
		}
	}
}

/**
 * The queue runner.
 */
class ActionScheduler_QueueRunner {

	/**
	 * Store.
	 *
	 * @param ActionScheduler_Store $store Store.
	 */
	public function __construct( private ActionScheduler_Store $store ) {}

	/**
	 * Runs one action unless it is no longer pending (as ActionScheduler_Abstract_QueueRunner).
	 *
	 * @param int    $action_id Action id.
	 * @param string $context   Who runs it.
	 */
	public function process_action( $action_id, $context = '' ): void {
		do_action( 'action_scheduler_before_execute', $action_id, $context );
		if ( ActionScheduler_Store::STATUS_PENDING !== $this->store->get_status( $action_id ) ) {
			do_action( 'action_scheduler_execution_ignored', $action_id, $context );
			return;
		}
		$action = $this->store->fetch_action( $action_id );
		$this->store->log_execution( $action_id );
		try {
			$action->execute();
			$this->store->finish( $action_id, ActionScheduler_Store::STATUS_COMPLETE );
			do_action( 'action_scheduler_after_execute', $action_id, $action, $context );
		} catch ( Throwable $e ) {
			$this->store->finish( $action_id, ActionScheduler_Store::STATUS_FAILED );
			do_action( 'action_scheduler_failed_execution', $action_id, $e, $context );
		}
	}

	/**
	 * Processes due actions in batches of 25 until none is due (WP-Cron, WP-CLI).
	 *
	 * @param string $context Who runs it.
	 * @return int Actions processed.
	 */
	public function run( $context = 'WP Cron' ): int {
		$count = 0;
		for ( $batch = 0; $batch < 20; $batch++ ) {
			$ids = $this->store->stake_claim( 25 );
			if ( ! $ids ) {
				break;
			}
			foreach ( $ids as $id ) {
				$this->process_action( $id, $context );
				++$count;
			}
			$this->store->release( $ids );
		}
		return $count;
	}

	/**
	 * `shutdown`: the async runner, only for admin requests and at most once a minute.
	 */
	public function maybe_dispatch_async_request(): void {
		if ( ! is_admin() || get_transient( 'action_scheduler_lock_async-request-runner' ) ) {
			return;
		}
		set_transient( 'action_scheduler_lock_async-request-runner', time(), MINUTE_IN_SECONDS );
		wp_remote_post(
			admin_url( 'admin-ajax.php' ),
			array(
				'timeout'   => 0.01,
				'blocking'  => false,
				'sslverify' => false,
				'body'      => array(
					'action' => 'as_async_request_queue_runner',
					'nonce'  => wp_create_nonce( 'as_async_request_queue_runner' ),
				),
				'cookies'   => $_COOKIE, // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- handed back to the site itself, as WP_Async_Request does.
			)
		);
	}

	/**
	 * The async request's handler.
	 */
	public function handle_async_request(): void {
		check_ajax_referer( 'as_async_request_queue_runner', 'nonce' );
		$this->run( 'Async Request' );
		wp_die();
	}
}

/**
 * Entry points.
 */
class ActionScheduler {

	/**
	 * Store.
	 *
	 * @var ActionScheduler_Store|null
	 */
	private static $store = null;

	/**
	 * Runner.
	 *
	 * @var ActionScheduler_QueueRunner|null
	 */
	private static $runner = null;

	/**
	 * The store.
	 */
	public static function store(): ActionScheduler_Store {
		self::$store = self::$store ?? new ActionScheduler_Store();
		return self::$store;
	}

	/**
	 * The runner.
	 */
	public static function runner(): ActionScheduler_QueueRunner {
		self::$runner = self::$runner ?? new ActionScheduler_QueueRunner( self::store() );
		return self::$runner;
	}

	/**
	 * Wiring (plugins_loaded, priority 1, as initialize_latest_version).
	 */
	public static function init(): void {
		ActionScheduler_Store::install();
		add_filter(
			'cron_schedules',
			static function ( $schedules ) {
				$schedules['every_minute'] = array(
					'interval' => 60,
					'display'  => 'Every minute',
				);
				return $schedules;
			}
		);
		add_action(
			'init',
			static function () {
				if ( ! wp_next_scheduled( 'action_scheduler_run_queue' ) ) {
					wp_schedule_event( time(), 'every_minute', 'action_scheduler_run_queue', array( 'WP Cron' ) );
				}
			}
		);
		add_action( 'action_scheduler_run_queue', array( self::runner(), 'run' ) );
		add_action( 'shutdown', array( self::runner(), 'maybe_dispatch_async_request' ) );
		add_action( 'wp_ajax_as_async_request_queue_runner', array( self::runner(), 'handle_async_request' ) );
	}
}

/**
 * Queues an action to run as soon as possible.
 *
 * @param string $hook   Hook.
 * @param array  $args   Arguments.
 * @param string $group  Group.
 * @return int Action id.
 */
function as_enqueue_async_action( $hook, $args = array(), $group = '' ) {
	return ActionScheduler::store()->save_action( (string) $hook, (array) $args, time(), (string) $group );
}

/**
 * Queues an action for a time.
 *
 * @param int    $timestamp When.
 * @param string $hook      Hook.
 * @param array  $args      Arguments.
 * @param string $group     Group.
 * @return int Action id.
 */
function as_schedule_single_action( $timestamp, $hook, $args = array(), $group = '' ) {
	return ActionScheduler::store()->save_action( (string) $hook, (array) $args, (int) $timestamp, (string) $group );
}

add_action( 'plugins_loaded', array( 'ActionScheduler', 'init' ), 1 );
