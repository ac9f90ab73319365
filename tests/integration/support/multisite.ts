/**
 * Turns a throwaway single-site instance into a path-based network, as Tools > Network Setup
 * does (the plugin deactivated first, to be network-activated by the test).
 */
import { writeFileSync } from 'node:fs';
import type { Instance } from '../../harness/instances';
import { wpJsonIn } from '../../harness/wp-eval';

export async function makeNetwork(
	site: Instance,
	extraConfig = ''
): Promise< void > {
	const host = new URL( site.urls.wordpress ).host;
	await wpJsonIn(
		site,
		`require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		require_once ABSPATH . 'wp-admin/includes/network.php';
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( 'meet-for-kivicare/plugin.php', true );
		global $wpdb;
		foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed_table ) {
			$wpdb->$table = $prefixed_table;
		}
		install_network();
		$r = populate_network( 1, $args['host'], get_option( 'admin_email' ), 'Network', '/', false );
		if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
		return true;`,
		{ host }
	);
	writeFileSync(
		site.paths.localConfig,
		`<?php
define( 'WP_ALLOW_MULTISITE', true );
define( 'MULTISITE', true );
define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', '${ host }' );
define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 );
define( 'BLOG_ID_CURRENT_SITE', 1 );
${ extraConfig }`
	);
}
