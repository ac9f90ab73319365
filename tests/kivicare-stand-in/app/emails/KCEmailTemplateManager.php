<?php
/**
 * E-mail templates stored as posts (KiviCare `app/emails/KCEmailTemplateManager.php`):
 * post type `kiviCare_mail_tmp`, post_name = template key, post_title = subject,
 * post_content = body; a published post is an enabled template.
 *
 * @package KiviCareStandIn
 */

namespace App\emails;

defined( 'ABSPATH' ) || exit;

/**
 * Template storage.
 */
class KCEmailTemplateManager {

	const MAIL_POST_TYPE  = 'kiviCare_mail_tmp';
	const GMEET_POST_TYPE = 'kiviCare_gmeet_tmp';

	/**
	 * Registers the two private post types.
	 */
	public static function register_post_types() {
		foreach ( array( self::MAIL_POST_TYPE, self::GMEET_POST_TYPE ) as $type ) {
			if ( ! post_type_exists( $type ) ) {
				register_post_type(
					$type,
					array(
						'public'       => false,
						'show_ui'      => false,
						'show_in_rest' => false,
						'rewrite'      => false,
						'supports'     => array( 'title', 'editor' ),
					)
				);
			}
		}
	}

	/**
	 * Default templates: key => [subject, body, post type].
	 *
	 * @return array<string,array{0:string,1:string,2:string}>
	 */
	public static function defaults() {
		$details = '<p>' . __( 'Date: {{appointment_date}}<br>Time: {{appointment_time}} ({{appointment_timezone}})<br>Doctor: {{doctor_name}}<br>Clinic: {{clinic_name}}<br>Service: {{service_name}}', 'kc-lang' ) . '</p>';
		return array(
			'kiviCare_book_appointment'           => array(
				__( 'Appointment booked', 'kc-lang' ),
				'<p>' . __( 'Dear {{patient_name}}, your appointment is booked.', 'kc-lang' ) . '</p>' . $details,
				self::MAIL_POST_TYPE,
			),
			'kiviCare_doctor_book_appointment'    => array(
				__( 'New appointment', 'kc-lang' ),
				'<p>' . __( 'Dear {{doctor_name}}, {{patient_name}} booked an appointment.', 'kc-lang' ) . '</p>' . $details,
				self::MAIL_POST_TYPE,
			),
			'kiviCare_clinic_book_appointment'    => array(
				__( 'New appointment at {{clinic_name}}', 'kc-lang' ),
				'<p>' . __( '{{patient_name}} booked an appointment with {{doctor_name}}.', 'kc-lang' ) . '</p>' . $details,
				self::MAIL_POST_TYPE,
			),
			'kiviCare_meet_link'                  => array(
				__( 'Your video consultation link', 'kc-lang' ),
				'<p>' . __( 'Dear {{patient_name}}, join your video consultation with {{doctor_name}} on {{appointment_date}} at {{appointment_time}}.', 'kc-lang' ) . '</p><p><a href="{{meet_link}}">{{meet_link}}</a></p><p>' . __( 'Calendar event:', 'kc-lang' ) . ' <a href="{{meet_event_link}}">{{meet_event_link}}</a></p>',
				self::MAIL_POST_TYPE,
			),
			'kiviCare_add_doctor_meet_link'       => array(
				__( 'Video consultation link for {{patient_name}}', 'kc-lang' ),
				'<p>' . __( 'Dear {{doctor_name}}, start the video consultation with {{patient_name}} on {{appointment_date}} at {{appointment_time}}.', 'kc-lang' ) . '</p><p><a href="{{meet_link}}">{{meet_link}}</a></p><p>' . __( 'Calendar event:', 'kc-lang' ) . ' <a href="{{meet_event_link}}">{{meet_event_link}}</a></p>',
				self::MAIL_POST_TYPE,
			),
			'kiviCare_doctor_gm_event_template'   => array(
				'{{service_name}} - {{patient_name}}',
				'{{appointment_desc}}',
				self::GMEET_POST_TYPE,
			),
		);
	}

	/**
	 * Inserts missing default templates (never overwrites edited ones).
	 */
	public static function install_default_templates() {
		foreach ( self::defaults() as $key => list( $subject, $body, $type ) ) {
			if ( self::get_template_post( $key, $type ) ) {
				continue;
			}
			wp_insert_post(
				array(
					'post_type'    => $type,
					'post_name'    => $key,
					'post_title'   => $subject,
					'post_content' => $body,
					'post_status'  => 'publish',
				)
			);
		}
	}

	/**
	 * Template post by key (any status).
	 *
	 * @param string $key  Template key.
	 * @param string $type Post type.
	 * @return \WP_Post|null
	 */
	public static function get_template_post( $key, $type = self::MAIL_POST_TYPE ) {
		global $wpdb;
		$id = $wpdb->get_var( $wpdb->prepare( "SELECT ID FROM {$wpdb->posts} WHERE post_type = %s AND post_name = %s ORDER BY ID ASC LIMIT 1", $type, sanitize_title( $key ) ) );
		return $id ? get_post( (int) $id ) : null;
	}

	/**
	 * Enabled (published) template: subject and body.
	 *
	 * @param string $key Template key.
	 * @return array{subject:string, body:string}|null
	 */
	public static function get_enabled_template( $key ) {
		$post = self::get_template_post( $key );
		if ( ! $post || 'publish' !== $post->post_status ) {
			return null;
		}
		return array(
			'subject' => (string) $post->post_title,
			'body'    => (string) $post->post_content,
		);
	}
}
