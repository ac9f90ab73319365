/**
 * The Google OAuth client: its ID, its write-only secret and the redirect URI to register.
 */
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import CopyField from '../copy-field';
import { fieldLabel } from './field-labels';
import { SecretField, TextField } from './fields';
import Section from './section';

export default function GoogleClientPanel( { form }: { form: SettingsForm } ) {
	const { settings } = form;
	return (
		<Section
			id="mfk-google"
			title={ __( 'Google OAuth client', 'meet-for-kivicare' ) }
		>
			<p className="mfk-card__intro">
				{ __(
					'Create an OAuth client of type “Web application” in Google Cloud Console (APIs & Services → Credentials), with the Google Calendar API enabled, and copy its ID and secret here.',
					'meet-for-kivicare'
				) }
			</p>
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
						: __( 'No secret saved yet.', 'meet-for-kivicare' )
				}
			/>
			<CopyField
				id="mfk-redirect-uri"
				label={ __( 'Redirect URI', 'meet-for-kivicare' ) }
				value={ settings.redirect_uri }
				help={ __(
					'Add this exact address under “Authorized redirect URIs” of the OAuth client in Google Cloud Console.',
					'meet-for-kivicare'
				) }
			/>
		</Section>
	);
}
