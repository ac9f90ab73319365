/**
 * Where the sidecar is and how WordPress signs its calls: with the enrolment key a hosted
 * sidecar's operator gave this site (two fields: address and key), or with the shared secret of
 * the site's own sidecar. Values set in wp-config.php are read-only here.
 */
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import CopyField from '../copy-field';
import { fieldLabel } from './field-labels';
import { SecretField, TextField } from './fields';
import Section from './section';

function Locked( { label, text }: { label: string; text: string } ) {
	return (
		<p className="mfk-field mfk-field--static">
			<strong>{ label }: </strong>
			{ text }
		</p>
	);
}

export default function SidecarPanel( { form }: { form: SettingsForm } ) {
	const { settings, locked } = form;
	const hosted = !! settings.sidecar_enrolment_key_set;
	return (
		<Section
			id="mfk-sidecar"
			title={ __( 'Sidecar', 'meet-for-kivicare' ) }
		>
			<p className="mfk-card__intro">
				{ __(
					'The sidecar is the small service that alone talks to Google. It runs on this server (own sidecar, with a shared secret), or is hosted for many sites by your provider: then enter its https:// address and the enrolment key they gave you.',
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
						'A hosted sidecar: https://sidecar.example.com. Your own sidecar on this server: http://127.0.0.1:8787 (plain http is accepted only on this server).',
						'meet-for-kivicare'
					) }
					inputProps={ { type: 'url', spellCheck: false } }
				/>
			) }
			{ locked.has( 'sidecar_enrolment_key' ) ? (
				<Locked
					label={ fieldLabel( 'sidecar_enrolment_key' ) }
					text={ __(
						'set in wp-config.php (MFK_SIDECAR_ENROLMENT_KEY).',
						'meet-for-kivicare'
					) }
				/>
			) : (
				<SecretField
					form={ form }
					name="sidecar_enrolment_key"
					label={ fieldLabel( 'sidecar_enrolment_key' ) }
					isSet={ hosted }
					help={
						hosted
							? __(
									'An enrolment key is saved and is never shown again: calls go to the hosted sidecar. Paste a new one only to replace it.',
									'meet-for-kivicare'
								)
							: __(
									'Hosted sidecar only: paste the key (mfke1.…) its operator made for the site id below. Leave empty for your own sidecar.',
									'meet-for-kivicare'
								)
					}
				/>
			) }
			{ settings.site_id ? (
				<CopyField
					id="mfk-site-id"
					label={ __( 'Site id', 'meet-for-kivicare' ) }
					value={ settings.site_id }
					help={ __(
						'Give this to a hosted sidecar’s operator: they make the enrolment key for it.',
						'meet-for-kivicare'
					) }
				/>
			) : null }
			{ locked.has( 'sidecar_secret' ) ? (
				<Locked
					label={ fieldLabel( 'sidecar_secret' ) }
					text={
						settings.sidecar_secret_set
							? __(
									'set in wp-config.php (MFK_SIDECAR_SECRET).',
									'meet-for-kivicare'
								)
							: __(
									'MFK_SIDECAR_SECRET in wp-config.php is empty.',
									'meet-for-kivicare'
								)
					}
				/>
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
									'Own sidecar only: the same value (32 characters or more) as MFK_SHARED_SECRET in the sidecar’s environment.',
									'meet-for-kivicare'
								)
					}
				/>
			) }
		</Section>
	);
}
