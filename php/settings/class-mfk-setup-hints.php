<?php
/**
 * What to do next, in plain words, for each failure the connection test and the setup
 * guide can meet: the sidecar, the OAuth client, the Google Cloud project and the
 * consent screen, a doctor's grant, the calendar.
 *
 * @package MeetForKiviCare
 */

defined( 'ABSPATH' ) || exit;

/**
 * Next steps per error code or check id.
 */
final class MFK_Setup_Hints {

	/** Google Cloud console pages the hints and the setup guide send the administrator to. */
	const CONSOLE = array(
		'project'        => 'https://console.cloud.google.com/projectcreate',
		'calendar_api'   => 'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com',
		'consent_screen' => 'https://console.cloud.google.com/auth/branding',
		'audience'       => 'https://console.cloud.google.com/auth/audience',
		'data_access'    => 'https://console.cloud.google.com/auth/scopes',
		'clients'        => 'https://console.cloud.google.com/auth/clients',
		'verification'   => 'https://support.google.com/cloud/answer/13463073',
	);

	/**
	 * The next step for a code or check id.
	 *
	 * @param string $code Code.
	 */
	public static function hint( string $code ): string {
		$hints = array(
			'sidecar_unavailable'    => __( 'Start the sidecar and check its address (MFK_SIDECAR_URL).', 'meet-for-kivicare' ),
			'unauthorized'           => __( 'Give WordPress (MFK_SIDECAR_SECRET) and the sidecar (MFK_SHARED_SECRET) the same shared secret, and check that both clocks are correct.', 'meet-for-kivicare' ),
			'sidecar_misconfigured'  => __( 'Give WordPress (MFK_SIDECAR_SECRET) and the sidecar (MFK_SHARED_SECRET) the same shared secret, and check that both clocks are correct.', 'meet-for-kivicare' ),
			'not_configured'         => __( 'Configure the sidecar: it needs MFK_SHARED_SECRET and MFK_SEAL_KEYS.', 'meet-for-kivicare' ),
			'client_invalid'         => __( 'Google does not know this client ID, or the secret does not belong to it. In Google Cloud console → Google Auth Platform → Clients, open your Web application client and copy its Client ID and Client secret again into the Google tab.', 'meet-for-kivicare' ),
			'client'                 => __( 'Google does not know this client ID, or the secret does not belong to it. In Google Cloud console → Google Auth Platform → Clients, open your Web application client and copy its Client ID and Client secret again into the Google tab.', 'meet-for-kivicare' ),
			'api_disabled'           => __( 'The Google Calendar API is turned off in the Google Cloud project of this OAuth client. Open the link, make sure the project named at the top is the one of your OAuth client, and press Enable. Then test again (Google may take a few minutes).', 'meet-for-kivicare' ),
			'testing_app_expired'    => __( 'Your Google app is in “Testing”: Google ends every connection it gives 7 days after consent. In Google Cloud console → Google Auth Platform → Audience, press “Publish app” (status “In production”), then ask the doctor to reconnect once. Connections made after publishing do not expire.', 'meet-for-kivicare' ),
			'token_revoked'          => __( 'Google no longer accepts this connection (access was removed in the Google account, its password changed, or the app was in Testing for more than 7 days). The doctor reconnects Google from their Google Meet page.', 'meet-for-kivicare' ),
			'credential_invalid'     => __( 'The stored Google grant cannot be opened (the sidecar\'s keys changed): the doctor connects their Google account again.', 'meet-for-kivicare' ),
			'seal_key_unknown'       => __( 'The sidecar\'s sealing key changed, so it cannot open the stored Google grant: an administrator restores the previous key (MFK_SEAL_KEYS), or the doctor connects their Google account again.', 'meet-for-kivicare' ),
			'token'                  => __( 'The doctor disconnects and connects their Google account again.', 'meet-for-kivicare' ),
			'insufficient_scope'     => __( 'The doctor connects again and leaves “View and edit events on all your calendars” ticked.', 'meet-for-kivicare' ),
			'calendar_not_found'     => __( 'Choose another calendar on your Google connection page, or check the calendar ID in the Meetings tab ("primary" always works).', 'meet-for-kivicare' ),
			'calendar'               => __( 'Check the calendar ID in the Meetings tab, or use "primary".', 'meet-for-kivicare' ),
			'conference_not_allowed' => __( 'Google Meet is not allowed for this calendar: ask your Google Workspace administrator to allow Meet, or use another calendar.', 'meet-for-kivicare' ),
			'meet'                   => __( 'Google Meet is not allowed for this calendar: ask your Google Workspace administrator to allow Meet, or use another calendar.', 'meet-for-kivicare' ),
			'probe'                  => __( 'Google could not create a test event with Meet: try again later, and check the Google Workspace settings for Meet.', 'meet-for-kivicare' ),
			'rate_limited'           => __( 'Google is rate limiting requests: try again in a minute.', 'meet-for-kivicare' ),
			'quota_exceeded'         => __( 'The Google project\'s quota is used up: wait a few hours or raise the quota in the Google Cloud console.', 'meet-for-kivicare' ),
			'google_unavailable'     => __( 'Google is not reachable from the sidecar: check its network access and try again.', 'meet-for-kivicare' ),
		);
		return $hints[ $code ] ?? __( 'Check the sidecar\'s log for details.', 'meet-for-kivicare' );
	}

	/**
	 * Where the fix is made, for the codes fixed in the Google Cloud console.
	 *
	 * @param string              $code Code.
	 * @param array<string,mixed> $data Error data from the sidecar (api_disabled: activationUrl).
	 * @return array{url:string,label:string}|null
	 */
	public static function link( string $code, array $data = array() ): ?array {
		switch ( $code ) {
			case 'api_disabled':
				$url = isset( $data['activationUrl'] ) && is_string( $data['activationUrl'] ) ? $data['activationUrl'] : self::CONSOLE['calendar_api'];
				return array(
					'url'   => self::console_url( $url ),
					'label' => __( 'Enable the Google Calendar API', 'meet-for-kivicare' ),
				);
			case 'client_invalid':
			case 'client':
				return array(
					'url'   => self::CONSOLE['clients'],
					'label' => __( 'Open the OAuth clients', 'meet-for-kivicare' ),
				);
			case 'testing_app_expired':
				return array(
					'url'   => self::CONSOLE['audience'],
					'label' => __( 'Open Audience to publish the app', 'meet-for-kivicare' ),
				);
		}
		return null;
	}

	/**
	 * A Google Cloud console address, or the Calendar API's page when it is anything else.
	 *
	 * @param string $url Address given by Google's error.
	 */
	private static function console_url( string $url ): string {
		$host = (string) wp_parse_url( $url, PHP_URL_HOST );
		return 'https' === wp_parse_url( $url, PHP_URL_SCHEME ) && in_array( $host, array( 'console.cloud.google.com', 'console.developers.google.com' ), true )
			? esc_url_raw( $url )
			: self::CONSOLE['calendar_api'];
	}
}
