<?php
/**
 * `[kivicareBookAppointment]`: a small booking form for logged-in patients
 * (doctor → service → date → time), booking through `POST kivicare/v1/appointments`.
 *
 * @package KiviCareStandIn
 */

namespace App\frontend;

use App\baseClasses\KCBase;

defined( 'ABSPATH' ) || exit;

/**
 * Booking shortcode.
 */
class KCBookAppointmentShortcode {

	/**
	 * Hooks.
	 */
	public static function register() {
		add_shortcode( 'kivicareBookAppointment', array( __CLASS__, 'render' ) );
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'register_assets' ) );
	}

	/**
	 * Registers the script (enqueued only where the shortcode renders).
	 */
	public static function register_assets() {
		wp_register_script( 'kc-book-appointment', KIVI_CARE_DIR_URI . 'assets/js/book-appointment.js', array(), KIVICARE_VERSION, true );
	}

	/**
	 * Shortcode output.
	 *
	 * @return string
	 */
	public static function render() {
		if ( ! is_user_logged_in() || KCBase::PATIENT !== KCBase::get_user_role() ) {
			return '<p class="kc-book-appointment-login">' . esc_html__( 'Please log in as a patient to book an appointment.', 'kc-lang' ) . '</p>';
		}
		if ( ! wp_script_is( 'kc-book-appointment', 'registered' ) ) {
			self::register_assets();
		}
		wp_enqueue_script( 'kc-book-appointment' );

		ob_start();
		?>
		<form class="kc-book-appointment" novalidate
			data-rest-url="<?php echo esc_url( rest_url( 'kivicare/v1/' ) ); ?>"
			data-nonce="<?php echo esc_attr( wp_create_nonce( 'wp_rest' ) ); ?>"
			data-msg-booked="<?php echo esc_attr__( 'Appointment booked. Reference #%s.', 'kc-lang' ); ?>"
			data-msg-no-slots="<?php echo esc_attr__( 'No free time on this day.', 'kc-lang' ); ?>"
			data-msg-choose="<?php echo esc_attr__( 'Choose…', 'kc-lang' ); ?>"
			data-msg-telemed="<?php echo esc_attr__( 'video consultation', 'kc-lang' ); ?>"
			data-msg-timezone="<?php echo esc_attr__( 'Times are in %s.', 'kc-lang' ); ?>"
			data-msg-error="<?php echo esc_attr__( 'Something went wrong. Please try again.', 'kc-lang' ); ?>">
			<h2><?php esc_html_e( 'Book an appointment', 'kc-lang' ); ?></h2>
			<p>
				<label for="kc-book-doctor"><?php esc_html_e( 'Doctor', 'kc-lang' ); ?></label><br />
				<select id="kc-book-doctor" name="doctorId" required></select>
			</p>
			<p>
				<label for="kc-book-service"><?php esc_html_e( 'Service', 'kc-lang' ); ?></label><br />
				<select id="kc-book-service" name="serviceId" required disabled></select>
			</p>
			<p>
				<label for="kc-book-date"><?php esc_html_e( 'Date', 'kc-lang' ); ?></label><br />
				<input type="date" id="kc-book-date" name="appointmentStartDate" required />
			</p>
			<p>
				<label for="kc-book-time"><?php esc_html_e( 'Time', 'kc-lang' ); ?></label><br />
				<select id="kc-book-time" name="appointmentStartTime" required disabled aria-describedby="kc-book-timezone"></select>
				<small id="kc-book-timezone"></small>
			</p>
			<p>
				<label for="kc-book-description"><?php esc_html_e( 'Reason for the visit (optional)', 'kc-lang' ); ?></label><br />
				<textarea id="kc-book-description" name="description" rows="3" maxlength="1000"></textarea>
			</p>
			<p><button type="submit" class="kc-book-submit"><?php esc_html_e( 'Book appointment', 'kc-lang' ); ?></button></p>
			<div class="kc-book-message" role="status" aria-live="polite"></div>
		</form>
		<?php
		return (string) ob_get_clean();
	}
}
