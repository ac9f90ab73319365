<?php
/**
 * Plugin Name:       Meet for KiviCare – Google Meet telemedicine
 * Plugin URI:        https://github.com/meet-for-kivicare/meet-for-kivicare
 * Description:       Google Meet video consultations for KiviCare appointments: a Meet link for every telemedicine booking, kept in step with reschedules and cancellations.
 * Version:           0.1.0
 * Requires at least: 6.5
 * Requires PHP:      8.1
 * Author:            Meet for KiviCare
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       meet-for-kivicare
 * Domain Path:       /languages
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

define( 'MFK_VERSION', '0.1.0' );
define( 'MFK_PLUGIN_FILE', __FILE__ );
define( 'MFK_PLUGIN_DIR', plugin_dir_path( __FILE__ ) );
define( 'MFK_PLUGIN_URL', plugin_dir_url( __FILE__ ) );

require_once MFK_PLUGIN_DIR . 'php/load.php';

register_activation_hook( __FILE__, array( 'MFK_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'MFK_Plugin', 'deactivate' ) );

require_once MFK_PLUGIN_DIR . 'php/plugin/hooks.php';
