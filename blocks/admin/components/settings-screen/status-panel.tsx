/**
 * The integration's live health and the connection test, at the top of the settings page.
 */
import { Notice } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import HealthPanel from '../health-panel';
import TestConnection from '../test-connection';
import Section from './section';

export interface StatusPanelProps {
	/** Where the doctors' table is, for the "must reconnect" figure. */
	doctorsAnchor: string;
	/** Changes after each save, so the health figures reload at once. */
	reloadKey: number;
	/** The form has unsaved changes (the test uses the saved settings). */
	dirty: boolean;
	/** Changes each time the tab is opened, so the doctors to test as are current. */
	doctorsKey?: number;
	/** The Google OAuth client is saved (else the page points to the setup guide). */
	configured?: boolean;
}

export default function StatusPanel( {
	doctorsAnchor,
	reloadKey,
	dirty,
	doctorsKey = 0,
	configured = true,
}: StatusPanelProps ) {
	return (
		<Section id="mfk-status" title={ __( 'Status', 'meet-for-kivicare' ) }>
			{ ! configured && (
				<Notice status="warning" isDismissible={ false }>
					{ __(
						'Google is not set up yet, so no Meet link can be made.',
						'meet-for-kivicare'
					) }{ ' ' }
					<a href="#google">
						{ __( 'Open the setup guide', 'meet-for-kivicare' ) }
					</a>
				</Notice>
			) }
			<HealthPanel
				doctorsAnchor={ doctorsAnchor }
				reloadKey={ reloadKey }
			/>
			<h3>{ __( 'Test connection', 'meet-for-kivicare' ) }</h3>
			<TestConnection dirty={ dirty } reloadKey={ doctorsKey } />
		</Section>
	);
}
