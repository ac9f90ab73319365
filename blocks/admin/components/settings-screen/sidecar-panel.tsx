/**
 * Where the sidecar is and the secret WordPress signs its calls with; both read-only when
 * wp-config.php sets them.
 */
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import { fieldLabel } from './field-labels';
import { SecretField, TextField } from './fields';
import Section from './section';

export default function SidecarPanel( { form }: { form: SettingsForm } ) {
	const { settings, locked } = form;
	return (
		<Section
			id="mfk-sidecar"
			title={ __( 'Sidecar', 'meet-for-kivicare' ) }
		>
			<p className="mfk-card__intro">
				{ __(
					'The sidecar is the small service that alone talks to Google. WordPress signs every call to it with the shared secret.',
					'meet-for-kivicare'
				) }
			</p>
			{ locked.has( 'sidecar_url' ) ? (
				<TextField
					form={ form }
					name="sidecar_url"
					label={ fieldLabel( 'sidecar_url' ) }
					help={ __(
						'Set in wp-config.php (MFK_SIDECAR_URL).',
						'meet-for-kivicare'
					) }
					inputProps={ { readOnly: true } }
				/>
			) : (
				<TextField
					form={ form }
					name="sidecar_url"
					label={ fieldLabel( 'sidecar_url' ) }
					help={ __(
						'For example http://127.0.0.1:8787.',
						'meet-for-kivicare'
					) }
					inputProps={ { type: 'url', spellCheck: false } }
				/>
			) }
			{ locked.has( 'sidecar_secret' ) ? (
				<p className="mfk-field mfk-field--static">
					<strong>{ fieldLabel( 'sidecar_secret' ) }: </strong>
					{ settings.sidecar_secret_set
						? __(
								'set in wp-config.php (MFK_SIDECAR_SECRET).',
								'meet-for-kivicare'
							)
						: __(
								'MFK_SIDECAR_SECRET in wp-config.php is empty.',
								'meet-for-kivicare'
							) }
				</p>
			) : (
				<SecretField
					form={ form }
					name="sidecar_secret"
					label={ fieldLabel( 'sidecar_secret' ) }
					isSet={ settings.sidecar_secret_set }
					help={
						settings.sidecar_secret_set
							? __(
									'A shared secret is saved and is never shown again. Type a new one (32 characters or more) only to replace it; the sidecar must get the same value.',
									'meet-for-kivicare'
								)
							: __(
									'Not set: the same value (32 characters or more) as MFK_SHARED_SECRET in the sidecar’s environment.',
									'meet-for-kivicare'
								)
					}
				/>
			) }
		</Section>
	);
}
