/**
 * What happens to the plugin's data when it is deleted.
 */
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import { ToggleField } from './fields';
import Section from './section';

export default function DataPanel( { form }: { form: SettingsForm } ) {
	return (
		<Section id="mfk-data" title={ __( 'Data', 'meet-for-kivicare' ) }>
			<ToggleField
				form={ form }
				name="keep_data_on_uninstall"
				label={ __(
					'Keep the meeting data and settings when the plugin is deleted',
					'meet-for-kivicare'
				) }
			/>
		</Section>
	);
}
