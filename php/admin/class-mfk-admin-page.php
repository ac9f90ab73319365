<?php
/**
 * wp-admin screens: the settings page (administrators; under KiviCare's menu when it exists,
 * else under Settings), the doctors' Google connection page, and the Google Meet section of
 * user profiles. Each screen prints a root element that the admin bundle
 * (build/admin/index.js) mounts a React screen into; all data goes through the plugin's REST API.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Admin pages and profile sections.
 */
final class MFK_Admin_Page {

	/** Settings page slug. */
	const SETTINGS_SLUG = 'meet-for-kivicare';

	/** Doctors' connection page slug. */
	const CONNECTION_SLUG = 'mfk-google-connection';

	/** Clinic staff's page of their doctors' connections. */
	const CLINIC_SLUG = 'mfk-clinic-doctors';

	/** The video visits report (administrators and clinic admins). */
	const REPORT_SLUG = 'mfk-video-visits';

	/** KiviCare's top-level menu slug. */
	const KIVICARE_MENU = 'kivicare';

	/**
	 * Hook suffixes of the pages added in this request.
	 *
	 * @var array<int,string>
	 */
	private static $hooks = array();

	/**
	 * Parent menu of the plugin's pages: KiviCare's when present.
	 */
	private static function kivicare_menu_present(): bool {
		global $admin_page_hooks;
		/**
		 * Filters whether the plugin's pages go under KiviCare's menu.
		 *
		 * @param bool $present Whether KiviCare's menu exists.
		 */
		return (bool) apply_filters( 'mfk_under_kivicare_menu', is_array( $admin_page_hooks ) && isset( $admin_page_hooks[ self::KIVICARE_MENU ] ) );
	}

	/**
	 * The settings page's name, in the menu and as its title: "Google Meet" among KiviCare's
	 * entries, the plugin's name under Settings.
	 */
	public static function settings_title(): string {
		return self::kivicare_menu_present() ? __( 'Google Meet', 'meet-for-kivicare' ) : __( 'Meet for KiviCare', 'meet-for-kivicare' );
	}

	/**
	 * Adds the settings page (administrators) and the connection page (doctors).
	 */
	public static function add_pages(): void {
		// One name for the menu entry and the page it opens.
		$settings_title = self::settings_title();
		self::$hooks[]  = (string) ( self::kivicare_menu_present()
			? add_submenu_page( self::KIVICARE_MENU, $settings_title, $settings_title, 'manage_options', self::SETTINGS_SLUG, array( __CLASS__, 'render_settings' ) )
			: add_options_page( $settings_title, $settings_title, 'manage_options', self::SETTINGS_SLUG, array( __CLASS__, 'render_settings' ) ) );

		$user_id = get_current_user_id();
		if ( MFK_Dashboard_Widget::is_doctor( $user_id ) ) {
			self::$hooks[] = (string) add_submenu_page(
				self::connection_parent( $user_id ),
				__( 'Google Meet connection', 'meet-for-kivicare' ),
				__( 'Google Meet', 'meet-for-kivicare' ),
				'read',
				self::CONNECTION_SLUG,
				array( __CLASS__, 'render_connection' )
			);
		} elseif ( ! current_user_can( 'manage_options' ) && MFK_Clinic_Staff::is_staff( $user_id ) ) {
			self::$hooks[] = (string) add_submenu_page(
				self::kivicare_menu_present() && user_can( $user_id, 'kiviCare_appointment_list' ) ? self::KIVICARE_MENU : 'index.php',
				__( 'Google Meet', 'meet-for-kivicare' ),
				__( 'Google Meet', 'meet-for-kivicare' ),
				'read',
				self::CLINIC_SLUG,
				array( __CLASS__, 'render_clinic' )
			);
		}
		if ( MFK_Visits_Report::can_view( $user_id ) ) {
			$report_parent = self::kivicare_menu_present() && ( current_user_can( 'manage_options' ) || user_can( $user_id, 'kiviCare_appointment_list' ) ) ? self::KIVICARE_MENU : 'index.php';
			self::$hooks[] = (string) add_submenu_page(
				$report_parent,
				__( 'Video visits', 'meet-for-kivicare' ),
				__( 'Video visits', 'meet-for-kivicare' ),
				'read',
				self::REPORT_SLUG,
				array( __CLASS__, 'render_report' )
			);
		}
	}

	/**
	 * The video visits report: administrators see every clinic, a clinic admin their own; the
	 * filters offer the clinics and doctors the viewer may see, the rows come from
	 * `GET /reports/visits` (which applies the same limits).
	 */
	public static function render_report(): void {
		global $wpdb;
		$user_id = get_current_user_id();
		if ( ! MFK_Visits_Report::can_view( $user_id ) ) {
			wp_die( esc_html__( 'Only administrators and clinic admins can open this page.', 'meet-for-kivicare' ), 403 );
		}
		$clinic_ids = MFK_Visits_Report::clinics_of( $user_id );
		$clinics    = array();
		if ( MFK_Appointments::has_table( 'kc_clinics' ) ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- filter options.
			$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT id, name FROM %i ORDER BY name', MFK_Appointments::table( 'kc_clinics' ) ), ARRAY_A );
			foreach ( (array) $rows as $row ) {
				if ( null === $clinic_ids || in_array( (int) $row['id'], $clinic_ids, true ) ) {
					$clinics[] = array(
						'id'   => (int) $row['id'],
						'name' => (string) $row['name'],
					);
				}
			}
		}
		$doctor_ids = null === $clinic_ids
			? array_map( 'intval', get_users( array( 'role' => 'kiviCare_doctor', 'fields' => 'ID' ) ) )
			: MFK_Clinic_Staff::doctors( $user_id, true );
		$doctors    = array();
		foreach ( $doctor_ids as $doctor_id ) {
			$doctors[] = array(
				'id'   => $doctor_id,
				'name' => MFK_Appointments::user_name( $doctor_id ),
			);
		}
		usort( $doctors, static fn( $a, $b ) => strcasecmp( $a['name'], $b['name'] ) );
		echo '<div class="wrap mfk-admin">';
		echo '<h1>' . esc_html__( 'Video visits', 'meet-for-kivicare' ) . '</h1>';
		echo '<hr class="wp-header-end">';
		echo '<p class="mfk-admin__intro">' . esc_html__( 'Past video consultations and whether they took place, from Google Meet\'s attendance records. "Not yet known" means the attendance has not been read yet, or could not be.', 'meet-for-kivicare' ) . '</p>';
		self::root(
			'visits',
			array(
				'clinics' => (string) wp_json_encode( $clinics ),
				'doctors' => (string) wp_json_encode( $doctors ),
				'csv-url' => add_query_arg( '_wpnonce', wp_create_nonce( 'wp_rest' ), rest_url( MFK_REST::NAMESPACE . MFK_REST_Reports::ROUTE ) ),
			)
		);
		echo '</div>';
	}

	/**
	 * The page of clinic admins and receptionists: the Google connection of their clinics'
	 * doctors (the REST route answers with those doctors only).
	 */
	public static function render_clinic(): void {
		if ( ! MFK_Clinic_Staff::is_staff( get_current_user_id() ) ) {
			wp_die( esc_html__( 'Only the staff of a clinic can open this page.', 'meet-for-kivicare' ), 403 );
		}
		echo '<div class="wrap mfk-admin">';
		echo '<h1>' . esc_html__( 'Google Meet', 'meet-for-kivicare' ) . '</h1>';
		echo '<hr class="wp-header-end">';
		echo '<p class="mfk-admin__intro">' . esc_html__( 'Whether the doctors of your clinic have connected the Google account their video consultations need. A doctor who is not connected gets no Google Meet links until they connect.', 'meet-for-kivicare' ) . '</p>';
		self::root( 'doctors' );
		echo '</div>';
	}

	/**
	 * Where a doctor finds their connection page: KiviCare's menu when it is there and they
	 * can open it, else their profile's menu.
	 *
	 * @param int $user_id Doctor.
	 */
	private static function connection_parent( int $user_id ): string {
		return self::kivicare_menu_present() && user_can( $user_id, 'kiviCare_appointment_list' ) ? self::KIVICARE_MENU : 'profile.php';
	}

	/**
	 * URL of the current user's Google connection page (usable outside wp-admin too, where
	 * the admin menu is not built: KiviCare's menu is assumed whenever KiviCare runs).
	 */
	public static function connection_url(): string {
		if ( ! MFK_Dashboard_Widget::is_doctor( get_current_user_id() ) ) {
			return admin_url( 'profile.php' );
		}
		$registered = self::registered_url( self::CONNECTION_SLUG );
		if ( '' !== $registered ) {
			return $registered;
		}
		$base = MFK_Compat::integration_active() && current_user_can( 'kiviCare_appointment_list' ) ? 'admin.php' : 'profile.php';
		return add_query_arg( 'page', self::CONNECTION_SLUG, admin_url( $base ) );
	}

	/**
	 * URL of the settings page.
	 */
	public static function settings_url(): string {
		$registered = self::registered_url( self::SETTINGS_SLUG );
		return '' !== $registered ? $registered : add_query_arg( 'page', self::SETTINGS_SLUG, admin_url( 'admin.php' ) );
	}

	/**
	 * URL of a page of this plugin as the admin menu registered it ('' before the menu is
	 * built, outside wp-admin, or when the user cannot open it).
	 *
	 * @param string $slug Page slug.
	 */
	private static function registered_url( string $slug ): string {
		if ( ! did_action( 'admin_menu' ) || ! function_exists( 'menu_page_url' ) ) {
			return '';
		}
		return html_entity_decode( (string) menu_page_url( $slug, false ), ENT_QUOTES );
	}

	/**
	 * "Settings" link on the Plugins screen.
	 *
	 * @param array<int|string,string> $links Links.
	 * @return array<int|string,string>
	 */
	public static function action_links( $links ): array {
		$links = is_array( $links ) ? $links : array();
		if ( current_user_can( 'manage_options' ) ) {
			array_unshift( $links, sprintf( '<a href="%1$s">%2$s</a>', esc_url( self::settings_url() ), esc_html__( 'Settings', 'meet-for-kivicare' ) ) );
		}
		return $links;
	}

	/**
	 * Loads the admin bundle on the plugin's pages and on profile screens that show the section.
	 *
	 * @param string $hook_suffix Current screen.
	 */
	public static function enqueue( $hook_suffix ): void {
		$on_page    = in_array( (string) $hook_suffix, self::$hooks, true );
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- which profile is shown, read-only.
		$edited     = isset( $_GET['user_id'] ) ? absint( $_GET['user_id'] ) : 0;
		$on_profile = ( 'profile.php' === $hook_suffix && MFK_Dashboard_Widget::is_doctor( get_current_user_id() ) )
			|| ( 'user-edit.php' === $hook_suffix && current_user_can( 'manage_options' ) && MFK_Dashboard_Widget::is_doctor( $edited ) );
		if ( ! $on_page && ! $on_profile ) {
			return;
		}
		wp_enqueue_script( MFK_Admin_Script::HANDLE );
		wp_enqueue_style( MFK_Admin_Script::HANDLE );
		// The components' own styles (wp-components) come in as a dependency of ours.
		wp_enqueue_style( 'wp-components' );
	}

	/**
	 * The settings page.
	 */
	public static function render_settings(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You are not allowed to change these settings.', 'meet-for-kivicare' ), 403 );
		}
		echo '<div class="wrap mfk-admin">';
		echo '<h1>' . esc_html( self::settings_title() ) . '</h1>';
		echo '<hr class="wp-header-end">';
		self::root(
			'settings',
			array(
				'kivicare' => MFK_Compat::integration_active() ? '1' : '0',
			)
		);
		echo '</div>';
	}

	/**
	 * The doctor's connection page.
	 */
	public static function render_connection(): void {
		echo '<div class="wrap mfk-admin">';
		echo '<h1>' . esc_html__( 'Google Meet connection', 'meet-for-kivicare' ) . '</h1>';
		echo '<hr class="wp-header-end">';
		echo '<p class="mfk-admin__intro">' . esc_html__( 'Connect the Google account whose calendar holds your video consultations. Every telemedicine appointment then gets its own Google Meet link, kept in step when the appointment moves or is cancelled.', 'meet-for-kivicare' ) . '</p>';
		self::root( 'connection', array( 'can-connect' => '1' ) );
		echo '</div>';
	}

	/**
	 * Google Meet section on a doctor's own profile.
	 *
	 * @param WP_User $user Profile owner (the current user).
	 */
	public static function own_profile_section( $user ): void {
		if ( ! $user instanceof WP_User || ! MFK_Dashboard_Widget::is_doctor( (int) $user->ID ) ) {
			return;
		}
		echo '<h2 id="mfk-google-meet">' . esc_html__( 'Google Meet', 'meet-for-kivicare' ) . '</h2>';
		self::root( 'connection', array( 'can-connect' => '1' ) );
	}

	/**
	 * Google Meet section when an administrator edits a doctor: status and Disconnect (only
	 * the doctor can connect their own account).
	 *
	 * @param WP_User $user Profile being edited.
	 */
	public static function other_profile_section( $user ): void {
		if ( ! $user instanceof WP_User || ! current_user_can( 'manage_options' ) || ! MFK_Dashboard_Widget::is_doctor( (int) $user->ID ) ) {
			return;
		}
		echo '<h2 id="mfk-google-meet">' . esc_html__( 'Google Meet', 'meet-for-kivicare' ) . '</h2>';
		self::root(
			'connection',
			array(
				'doctor-id'   => (string) $user->ID,
				'can-connect' => '0',
			)
		);
	}

	/**
	 * The element a React screen mounts into, with a fallback for browsers without JavaScript.
	 *
	 * @param string               $screen Screen name registered by the admin bundle.
	 * @param array<string,string> $data   Extra data-mfk-* attributes.
	 */
	private static function root( string $screen, array $data = array() ): void {
		$attributes = '';
		foreach ( $data as $name => $value ) {
			$attributes .= sprintf( ' data-mfk-%1$s="%2$s"', esc_attr( sanitize_key( $name ) ), esc_attr( $value ) );
		}
		printf(
			'<div class="mfk-admin-root" data-mfk-screen="%1$s"%2$s><p class="mfk-admin__loading">%3$s</p><noscript><p>%4$s</p></noscript></div>',
			esc_attr( $screen ),
			$attributes, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
			esc_html__( 'Loading…', 'meet-for-kivicare' ),
			esc_html__( 'This screen needs JavaScript. Turn it on in your browser to use it.', 'meet-for-kivicare' )
		);
	}
}
