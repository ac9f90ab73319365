/**
 * What Google shows on its own pages when part of the setup is wrong, and the fix for each:
 * these errors never reach this site (Google stops the doctor on its page), so the guide names
 * them where the doctor or the administrator meets them.
 */
import { ExternalLink } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import { CONSOLE } from './scopes';

export type GoogleErrorId =
	| 'redirect_uri_mismatch'
	| 'invalid_client'
	| 'access_denied'
	| 'org_internal'
	| 'api_disabled'
	| 'testing_app_expired';

interface Explained {
	/** What Google shows. */
	shown: string;
	fix: string;
	link?: { url: string; label: string };
}

export function explainGoogleError(
	id: GoogleErrorId,
	redirectUri: string
): Explained {
	switch ( id ) {
		case 'redirect_uri_mismatch':
			return {
				shown: __(
					'“Access blocked: authorization error — Error 400: redirect_uri_mismatch”',
					'meet-for-kivicare'
				),
				fix: sprintf(
					/* translators: %s: the redirect URI. */
					__(
						'The OAuth client does not list this site’s redirect URI, character for character. Open the client, add %s under “Authorized redirect URIs” (Copy it from step 3), press Save, wait a minute and connect again.',
						'meet-for-kivicare'
					),
					redirectUri
				),
				link: {
					url: CONSOLE.clients,
					label: __( 'Open the OAuth clients', 'meet-for-kivicare' ),
				},
			};
		case 'invalid_client':
			return {
				shown: __(
					'“Error 401: invalid_client — The OAuth client was not found.” or Test connection: OAuth client failed',
					'meet-for-kivicare'
				),
				fix: __(
					'The client ID or secret saved here is not the one of your Web application client. Copy both again from the client’s page and save.',
					'meet-for-kivicare'
				),
				link: {
					url: CONSOLE.clients,
					label: __( 'Open the OAuth clients', 'meet-for-kivicare' ),
				},
			};
		case 'access_denied':
			return {
				shown: __(
					'“Error 403: access_denied — The app is currently being tested, and can only be accessed by developer-approved testers.”',
					'meet-for-kivicare'
				),
				fix: __(
					'The app is in Testing and this Google account is not a test user. Add the doctor’s Google address under Audience → Test users (or publish the app), then connect again.',
					'meet-for-kivicare'
				),
				link: {
					url: CONSOLE.audience,
					label: __( 'Open Audience', 'meet-for-kivicare' ),
				},
			};
		case 'org_internal':
			return {
				shown: __(
					'“Error 403: org_internal — This client is restricted to users within its organization.”',
					'meet-for-kivicare'
				),
				fix: __(
					'The app’s user type is Internal, so only accounts of your Google Workspace organisation can connect. Connect with an organisation account, or make the app External under Audience.',
					'meet-for-kivicare'
				),
				link: {
					url: CONSOLE.audience,
					label: __( 'Open Audience', 'meet-for-kivicare' ),
				},
			};
		case 'api_disabled':
			return {
				shown: __(
					'Test connection: “The Google Calendar API is not enabled in the Google Cloud project of this OAuth client”',
					'meet-for-kivicare'
				),
				fix: __(
					'Enable the Google Calendar API in the same project as the OAuth client (check the project name at the top of the console), then test again after a minute.',
					'meet-for-kivicare'
				),
				link: {
					url: CONSOLE.calendarApi,
					label: __(
						'Open the Google Calendar API',
						'meet-for-kivicare'
					),
				},
			};
		case 'testing_app_expired':
			return {
				shown: __(
					'Every doctor shows “Reconnect needed” about a week after connecting',
					'meet-for-kivicare'
				),
				fix: __(
					'The app is still in Testing, where Google ends connections 7 days after consent. Press “Publish app” under Audience, then ask each doctor to reconnect once.',
					'meet-for-kivicare'
				),
				link: {
					url: CONSOLE.audience,
					label: __( 'Open Audience', 'meet-for-kivicare' ),
				},
			};
	}
}

export default function GoogleErrors( {
	ids,
	redirectUri,
}: {
	ids: GoogleErrorId[];
	redirectUri: string;
} ) {
	return (
		<div className="mfk-guide__errors">
			<h4>{ __( 'If Google shows an error', 'meet-for-kivicare' ) }</h4>
			<dl>
				{ ids.map( ( id ) => {
					const e = explainGoogleError( id, redirectUri );
					return (
						<div key={ id } data-google-error={ id }>
							<dt>{ e.shown }</dt>
							<dd>
								{ e.fix }{ ' ' }
								{ e.link && (
									<ExternalLink href={ e.link.url }>
										{ e.link.label }
									</ExternalLink>
								) }
							</dd>
						</div>
					);
				} ) }
			</dl>
		</div>
	);
}
