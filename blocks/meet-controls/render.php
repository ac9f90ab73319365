<?php
/**
 * Server rendering of the Meet controls block for the current visitor (see MFK_Meet_View):
 * a sign-in prompt for guests, Start / Join Google Meet and the states around it for the
 * appointment's doctor, patient and clinic staff, and nothing at all for anyone else.
 *
 * @package MeetForKiviCare
 *
 * @var array    $attributes Block attributes.
 * @var string   $content    Inner content (unused: the block has no inner blocks).
 * @var WP_Block $block      The block instance.
 */

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( 'MFK_Meet_View' ) ) {
	return;
}

$mfk_inner = MFK_Meet_View::render(
	array(
		'appointment_id' => $attributes['appointmentId'] ?? 0,
		'scope'          => $attributes['scope'] ?? 'upcoming',
		'limit'          => $attributes['limit'] ?? 5,
	)
);

if ( '' === $mfk_inner ) {
	return;
}

printf(
	'<div %1$s>%2$s</div>',
	get_block_wrapper_attributes( array( 'class' => 'mfk-meet' ) ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by core.
	$mfk_inner // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by MFK_Meet_View.
);
