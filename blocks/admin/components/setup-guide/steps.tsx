/**
 * The setup guide's steps: what to do in the Google Cloud console, with the page to open and
 * what the administrator should see there. Steps 4 to 6 are checked by Google through this site.
 */
import { ExternalLink } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import CopyField from '../copy-field';
import { fieldLabel } from '../settings-screen/field-labels';
import { SecretField, TextField } from '../settings-screen/fields';
import GoogleErrors from './google-errors';
import { CONSOLE, SCOPE_ROWS } from './scopes';

export function ProjectStep() {
	return (
		<>
			<ol className="mfk-guide__todo">
				<li>
					{ __(
						'Create a Google Cloud project for the clinic (or choose an existing one) in the project picker at the top of the console.',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.project }>
						{ __( 'Create a project', 'meet-for-kivicare' ) }
					</ExternalLink>
				</li>
				<li>
					{ __(
						'With that project selected, open the Google Calendar API and press Enable. You should then see “API enabled” and a Manage button.',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.calendarApi }>
						{ __(
							'Open the Google Calendar API',
							'meet-for-kivicare'
						) }
					</ExternalLink>
				</li>
			</ol>
			<p className="mfk-guide__note">
				{ __(
					'Meet links are made through the Calendar API; Google confirms it is enabled in step 6, when a test meeting is created. Enable the Google Meet REST API in the same project too: it sets who may join each consultation without asking and reads who came.',
					'meet-for-kivicare'
				) }{ ' ' }
				<ExternalLink href={ CONSOLE.meetApi }>
					{ __(
						'Open the Google Meet REST API',
						'meet-for-kivicare'
					) }
				</ExternalLink>
			</p>
		</>
	);
}

export function ConsentStep() {
	return (
		<>
			<ol className="mfk-guide__todo">
				<li>
					{ __(
						'Branding: enter the app name doctors will see (for example your clinic’s name), a support e-mail and your contact e-mail.',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.branding }>
						{ __( 'Open Branding', 'meet-for-kivicare' ) }
					</ExternalLink>
				</li>
				<li>
					{ __(
						'Audience: choose External (any Google account), or Internal when every doctor has an account in your own Google Workspace organisation (then there are no test users, no verification and no 7-day limit).',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.audience }>
						{ __( 'Open Audience', 'meet-for-kivicare' ) }
					</ExternalLink>
				</li>
				<li>
					{ __(
						'Data access: add exactly these scopes (the product asks for nothing else):',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.dataAccess }>
						{ __( 'Open Data access', 'meet-for-kivicare' ) }
					</ExternalLink>
					<ul className="mfk-guide__scopes">
						{ SCOPE_ROWS.map( ( row ) => (
							<li key={ row.scope }>
								<code>{ row.scope }</code>
								{ row.sensitive
									? ' ' +
										__(
											'(a sensitive scope: doctors see it as “View and edit events on all your calendars”)',
											'meet-for-kivicare'
										)
									: '' }
							</li>
						) ) }
					</ul>
				</li>
			</ol>
			<div className="mfk-guide__callout">
				<p>
					<strong>
						{ __(
							'Testing or In production?',
							'meet-for-kivicare'
						) }
					</strong>{ ' ' }
					{ __(
						'A new External app is in Testing: only the Google accounts listed under Audience → Test users can connect, and Google ends every connection 7 days after it was made, so doctors would have to reconnect every week. Add your doctors as test users to try the setup, then press “Publish app” (In production).',
						'meet-for-kivicare'
					) }
				</p>
				<p>
					{ __(
						'Calendar access is a sensitive scope: until Google verifies the app, doctors see “Google hasn’t verified this app” and continue with Advanced → “Go to … (unsafe)”, and the app serves at most 100 Google accounts. To remove the warning, submit the app for verification under Verification centre (Google asks for a privacy policy on a domain you own).',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.verification }>
						{ __(
							'When verification is needed',
							'meet-for-kivicare'
						) }
					</ExternalLink>
				</p>
			</div>
		</>
	);
}

export function ClientStep( { redirectUri }: { redirectUri: string } ) {
	return (
		<>
			<ol className="mfk-guide__todo">
				<li>
					{ __(
						'Clients → Create client. Application type: Web application. Name: anything you recognise, for example “Meet for KiviCare”.',
						'meet-for-kivicare'
					) }{ ' ' }
					<ExternalLink href={ CONSOLE.clients }>
						{ __( 'Open Clients', 'meet-for-kivicare' ) }
					</ExternalLink>
				</li>
				<li>
					{ __(
						'Under “Authorized redirect URIs” press Add URI and paste this exact address (no JavaScript origin is needed). Press Create: Google shows the client ID and secret.',
						'meet-for-kivicare'
					) }
				</li>
			</ol>
			<CopyField
				id="mfk-redirect-uri"
				label={ __( 'Redirect URI', 'meet-for-kivicare' ) }
				value={ redirectUri }
				help={ __(
					'Character for character: the same scheme (https), host, path and query. Google may take a few minutes to use a new address.',
					'meet-for-kivicare'
				) }
			/>
			<GoogleErrors
				ids={ [ 'redirect_uri_mismatch' ] }
				redirectUri={ redirectUri }
			/>
		</>
	);
}

export function CredentialsStep( { form }: { form: SettingsForm } ) {
	const { settings } = form;
	return (
		<>
			<TextField
				form={ form }
				name="google_client_id"
				label={ fieldLabel( 'google_client_id' ) }
				help={ __(
					'Ends in .apps.googleusercontent.com.',
					'meet-for-kivicare'
				) }
				inputProps={ { spellCheck: false, autoComplete: 'off' } }
			/>
			<SecretField
				form={ form }
				name="google_client_secret"
				label={ fieldLabel( 'google_client_secret' ) }
				isSet={ settings.google_client_secret_set }
				help={
					settings.google_client_secret_set
						? __(
								'A secret is saved and is never shown again. Type a new one only to replace it.',
								'meet-for-kivicare'
							)
						: __(
								'No secret saved yet. It starts with GOCSPX-.',
								'meet-for-kivicare'
							)
				}
			/>
		</>
	);
}

export function DoctorStep( { connected }: { connected: string[] } ) {
	return (
		<>
			<p>
				{ __(
					'Each doctor connects their own Google account: signed in to WordPress, they open KiviCare → Google Meet (or their profile), press Connect Google, choose the account whose calendar should hold the consultations and allow access to calendar events. If you are a doctor too, connect from your own Google Meet page now.',
					'meet-for-kivicare'
				) }
			</p>
			<p>
				{ __(
					'To ask a doctor to connect, open the Doctors tab and press “E-mail a connection link” on their row: the link takes them, once they have signed in to WordPress as usual, straight to Google’s page with their e-mail address filled in.',
					'meet-for-kivicare'
				) }{ ' ' }
				<a href="#doctors">
					{ __( 'Open the Doctors tab', 'meet-for-kivicare' ) }
				</a>
			</p>
			{ connected.length > 0 && (
				<p className="mfk-guide__seen">
					{ sprintf(
						/* translators: %s: list of doctors. */
						__( 'Connected: %s', 'meet-for-kivicare' ),
						connected.join( ', ' )
					) }
				</p>
			) }
		</>
	);
}
