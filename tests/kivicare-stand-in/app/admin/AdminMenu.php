<?php
/**
 * wp-admin "KiviCare → Appointments": the current user's appointments, built
 * from the same list item (and the same `kc_is_video_consultation` /
 * `kc_appointment_list_item` filters) as `GET kivicare/v1/appointments`.
 *
 * @package KiviCareStandIn
 */

namespace App\admin;

use App\baseClasses\KCBase;
use App\controllers\api\AppointmentsController;
use App\services\KCAppointmentService as Appointments;

defined( 'ABSPATH' ) || exit;

/**
 * Admin menu.
 */
class AdminMenu {

	const CAPABILITY = 'kiviCare_appointment_list';

	/**
	 * Hooks.
	 */
	public static function register() {
		add_action( 'admin_menu', array( __CLASS__, 'add_menu' ) );
	}

	/**
	 * Menu entries.
	 */
	public static function add_menu() {
		add_menu_page( __( 'KiviCare', 'kc-lang' ), __( 'KiviCare', 'kc-lang' ), self::CAPABILITY, 'kivicare', array( __CLASS__, 'render' ), 'dashicons-calendar-alt', 30 );
		add_submenu_page( 'kivicare', __( 'Appointments', 'kc-lang' ), __( 'Appointments', 'kc-lang' ), self::CAPABILITY, 'kivicare', array( __CLASS__, 'render' ) );
	}

	/**
	 * Status labels.
	 *
	 * @return array<int,string>
	 */
	public static function status_labels() {
		return array(
			0 => __( 'Cancelled', 'kc-lang' ),
			1 => __( 'Booked', 'kc-lang' ),
			2 => __( 'Pending', 'kc-lang' ),
			3 => __( 'Check-out', 'kc-lang' ),
			4 => __( 'Check-in', 'kc-lang' ),
		);
	}

	/**
	 * Screen.
	 */
	public static function render() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to view appointments.', 'kc-lang' ) );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only filters.
		$status     = isset( $_GET['status'] ) && '' !== $_GET['status'] ? sanitize_text_field( wp_unslash( $_GET['status'] ) ) : 'all';
		$time_frame = isset( $_GET['timeFrame'] ) ? sanitize_key( wp_unslash( $_GET['timeFrame'] ) ) : 'all';
		$page_no    = isset( $_GET['paged'] ) ? max( 1, absint( $_GET['paged'] ) ) : 1;
		// phpcs:enable
		$labels = self::status_labels();
		if ( 'all' !== $status && ! isset( $labels[ (int) $status ] ) ) {
			$status = 'all';
		}
		if ( ! in_array( $time_frame, array( 'all', 'upcoming', 'past', 'today' ), true ) ) {
			$time_frame = 'all';
		}

		$per_page   = 20;
		$result     = Appointments::list_for_user(
			get_current_user_id(),
			array(
				'status'    => $status,
				'timeFrame' => $time_frame,
				'orderby'   => 'start',
				'order'     => 'desc',
				'page'      => $page_no,
				'perPage'   => $per_page,
			)
		);
		$is_patient = KCBase::PATIENT === KCBase::get_user_role();
		$frames     = array(
			'all'      => __( 'All', 'kc-lang' ),
			'upcoming' => __( 'Upcoming', 'kc-lang' ),
			'past'     => __( 'Past', 'kc-lang' ),
			'today'    => __( 'Today', 'kc-lang' ),
		);
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Appointments', 'kc-lang' ); ?></h1>
			<form method="get" class="kc-appointment-filters">
				<input type="hidden" name="page" value="kivicare" />
				<label for="kc-filter-status"><?php esc_html_e( 'Status', 'kc-lang' ); ?></label>
				<select id="kc-filter-status" name="status">
					<option value="all" <?php selected( $status, 'all' ); ?>><?php esc_html_e( 'All', 'kc-lang' ); ?></option>
					<?php foreach ( $labels as $value => $label ) : ?>
						<option value="<?php echo esc_attr( (string) $value ); ?>" <?php selected( $status, (string) $value ); ?>><?php echo esc_html( $label ); ?></option>
					<?php endforeach; ?>
				</select>
				<label for="kc-filter-timeframe"><?php esc_html_e( 'When', 'kc-lang' ); ?></label>
				<select id="kc-filter-timeframe" name="timeFrame">
					<?php foreach ( $frames as $value => $label ) : ?>
						<option value="<?php echo esc_attr( $value ); ?>" <?php selected( $time_frame, $value ); ?>><?php echo esc_html( $label ); ?></option>
					<?php endforeach; ?>
				</select>
				<?php submit_button( __( 'Filter', 'kc-lang' ), 'secondary', '', false ); ?>
			</form>
			<table class="wp-list-table widefat fixed striped kc-appointments">
				<caption class="screen-reader-text"><?php esc_html_e( 'Appointments', 'kc-lang' ); ?></caption>
				<thead>
					<tr>
						<th scope="col"><?php esc_html_e( 'ID', 'kc-lang' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Date and time', 'kc-lang' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Doctor', 'kc-lang' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Patient', 'kc-lang' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Services', 'kc-lang' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Status', 'kc-lang' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Video', 'kc-lang' ); ?></th>
					</tr>
				</thead>
				<tbody>
				<?php if ( ! $result['rows'] ) : ?>
					<tr><td colspan="7"><?php esc_html_e( 'No appointments found.', 'kc-lang' ); ?></td></tr>
				<?php endif; ?>
				<?php
				foreach ( $result['rows'] as $row ) :
					$item = AppointmentsController::list_item( $row );
					?>
					<tr data-appointment-id="<?php echo esc_attr( (string) $item['id'] ); ?>">
						<td><?php echo esc_html( (string) $item['id'] ); ?></td>
						<td><?php echo esc_html( $item['appointment_start_date'] . ' ' . $item['appointment_start_time'] . ' (' . $item['appointment_timezone'] . ')' ); ?></td>
						<td><?php echo esc_html( $item['doctor_name'] ); ?></td>
						<td><?php echo esc_html( $item['patient_name'] ); ?></td>
						<td><?php echo esc_html( implode( ', ', wp_list_pluck( $item['services'], 'name' ) ) ); ?></td>
						<td class="kc-status"><?php echo esc_html( $labels[ (int) $item['status'] ] ?? (string) $item['status'] ); ?></td>
						<td class="kc-video">
							<?php if ( ! empty( $item['video_url'] ) && is_string( $item['video_url'] ) ) : ?>
								<a class="button kc-video-link" href="<?php echo esc_url( $item['video_url'] ); ?>" target="_blank" rel="noopener noreferrer">
									<?php echo $is_patient ? esc_html__( 'Join Video Conference', 'kc-lang' ) : esc_html__( 'Start Video Conference', 'kc-lang' ); ?>
								</a>
							<?php elseif ( ! empty( $item['video_consultation'] ) ) : ?>
								<span class="kc-telemed-badge"><?php esc_html_e( 'Telemed', 'kc-lang' ); ?></span>
							<?php endif; ?>
						</td>
					</tr>
				<?php endforeach; ?>
				</tbody>
			</table>
			<?php
			$pages = (int) ceil( $result['total'] / $per_page );
			if ( $pages > 1 ) {
				echo '<nav class="tablenav" aria-label="' . esc_attr__( 'Appointments pages', 'kc-lang' ) . '"><div class="tablenav-pages">';
				echo wp_kses_post(
					paginate_links(
						array(
							'base'    => add_query_arg( 'paged', '%#%' ),
							'format'  => '',
							'current' => $page_no,
							'total'   => $pages,
						)
					)
				);
				echo '</div></nav>';
			}
			?>
		</div>
		<?php
	}
}
