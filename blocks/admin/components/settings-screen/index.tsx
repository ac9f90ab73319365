/**
 * The settings page, one panel per card: status and connection test, the Google OAuth client,
 * the sidecar, meeting defaults, the e-mails, data on uninstall, and the doctors' connections.
 * The form's panels share one state (hooks/use-settings): a save sends the changed fields in
 * one request; field errors come back in `data.params` and are shown at their fields and in a
 * summary that takes focus.
 */
import { Notice, Spinner } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import useSettings from '../../hooks/use-settings';
import DoctorsTable from '../doctors-table';
import DataPanel from './data-panel';
import EmailsPanel from './emails-panel';
import ErrorSummary from './error-summary';
import GoogleClientPanel from './google-client-panel';
import MeetingsPanel from './meetings-panel';
import SaveBar from './save-bar';
import Section from './section';
import SidecarPanel from './sidecar-panel';
import StatusPanel from './status-panel';

const DOCTORS_ANCHOR = 'mfk-doctors';

export default function SettingsScreen() {
	const {
		form,
		loadError,
		saveError,
		message,
		saving,
		savedCount,
		dirty,
		save,
	} = useSettings();

	if ( loadError ) {
		return (
			<Notice status="error" isDismissible={ false }>
				{ sprintf(
					/* translators: %s: error message. */
					__(
						'The settings could not be loaded: %s',
						'meet-for-kivicare'
					),
					loadError.message
				) }
			</Notice>
		);
	}
	if ( ! form ) {
		return <Spinner />;
	}

	return (
		<div className="mfk-settings">
			<StatusPanel
				doctorsAnchor={ DOCTORS_ANCHOR }
				reloadKey={ savedCount }
				dirty={ dirty }
			/>
			<form className="mfk-settings__form" onSubmit={ save } noValidate>
				{ saveError && (
					<ErrorSummary error={ saveError } errors={ form.errors } />
				) }
				<GoogleClientPanel form={ form } />
				<SidecarPanel form={ form } />
				<MeetingsPanel form={ form } />
				<EmailsPanel form={ form } />
				<DataPanel form={ form } />
				<SaveBar
					saving={ saving }
					dirty={ dirty }
					message={ message }
				/>
			</form>
			<Section
				id={ DOCTORS_ANCHOR }
				title={ __( 'Doctors', 'meet-for-kivicare' ) }
			>
				<DoctorsTable />
			</Section>
		</div>
	);
}
