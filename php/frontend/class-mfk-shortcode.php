<?php
/**
 * The `[mfk_meet_controls]` shortcode: the Meet controls block's output for classic themes and
 * page builders.
 *
 *     [mfk_meet_controls]                       the visitor's upcoming video consultations
 *     [mfk_meet_controls appointment_id="12"]   one appointment (nothing for anyone without a right to it)
 *     [mfk_meet_controls scope="today" limit="3"]
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Shortcode registration and rendering.
 */
final class MFK_Shortcode {

	const TAG = 'mfk_meet_controls';

	/**
	 * Registers the shortcode.
	 */
	public static function add(): void {
		add_shortcode( self::TAG, array( __CLASS__, 'render' ) );
	}

	/**
	 * Puts the style in the page head when the main post uses the shortcode (rendering enqueues
	 * it too, which covers widgets and builders, but only in the footer).
	 */
	public static function enqueue_early(): void {
		$post = get_post();
		if ( $post instanceof WP_Post && has_shortcode( (string) $post->post_content, self::TAG ) ) {
			MFK_Meet_View::enqueue_assets();
		}
	}

	/**
	 * Shortcode callback.
	 *
	 * @param array<string,string>|string $atts Attributes.
	 */
	public static function render( $atts ): string {
		$atts  = shortcode_atts(
			array(
				'appointment_id' => '0',
				'scope'          => 'upcoming',
				'limit'          => '5',
			),
			is_array( $atts ) ? $atts : array(),
			self::TAG
		);
		$inner = MFK_Meet_View::render( $atts );
		if ( '' === $inner ) {
			return '';
		}
		MFK_Meet_View::enqueue_assets();
		return '<div class="mfk-meet mfk-meet--shortcode">' . $inner . '</div>';
	}
}
