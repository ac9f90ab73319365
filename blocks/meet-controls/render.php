<?php
/**
 * Server rendering of the Meet controls block, for each viewer.
 *
 * The markup comes from the `mfk_render_meet_controls` filter, so the part of the plugin that
 * knows the viewer's appointments draws it; until something provides it, guests are asked to
 * sign in and signed-in users see nothing.
 *
 * @package MeetForKiviCare
 *
 * @var array    $attributes Block attributes.
 * @var string   $content    Inner content (unused: the block has no inner blocks).
 * @var WP_Block $block      The block instance.
 */

defined( 'ABSPATH' ) || exit;

$mfk_appointment_id = isset( $attributes['appointmentId'] ) ? absint( $attributes['appointmentId'] ) : 0;

if ( ! is_user_logged_in() ) {
	$mfk_inner = sprintf(
		'<p><a href="%1$s">%2$s</a></p>',
		esc_url( wp_login_url( get_permalink() ? get_permalink() : home_url( '/' ) ) ),
		esc_html__( 'Sign in to join your video consultation.', 'meet-for-kivicare' )
	);
} else {
	/**
	 * Filters the inner HTML of the Meet controls block for the current viewer.
	 *
	 * @param string $html           Inner HTML (escaped by the provider of the filter).
	 * @param int    $appointment_id Appointment chosen in the block, or 0 for the viewer's upcoming ones.
	 * @param int    $user_id        Current user.
	 */
	$mfk_inner = (string) apply_filters( 'mfk_render_meet_controls', '', $mfk_appointment_id, get_current_user_id() );
}

if ( '' === $mfk_inner ) {
	return;
}

printf(
	'<div %1$s>%2$s</div>',
	get_block_wrapper_attributes(), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by core.
	$mfk_inner // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above or by the filter's provider.
);
