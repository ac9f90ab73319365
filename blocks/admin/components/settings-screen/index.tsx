/**
 * The settings page in wp-admin's own tabs: Status (health and the connection test), Google
 * (the setup guide with the OAuth client), Meetings, E-mails, Doctors, and Advanced (the
 * sidecar and data on uninstall). The form's tabs share one state (hooks/use-settings): a save
 * sends the changed fields of every tab in one request; field errors come back in
 * `data.params`, are shown at their fields and in a summary that takes focus, and a link of the
 * summary opens the field's tab. A site whose Google client is not set up opens on the guide.
 */
import { Notice, Spinner } from '@wordpress/components';
import { useEffect, useRef } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import useSettings from '../../hooks/use-settings';
import useTab, {
	tabOfHash,
	TAB_NAMES,
	type TabName,
} from '../../hooks/use-tab';
import DoctorsTable from '../doctors-table';
import SetupGuide from '../setup-guide';
import BusyTimesPanel from './busy-times-panel';
import DataPanel from './data-panel';
import EmailsPanel from './emails-panel';
import ErrorSummary from './error-summary';
import MeetingsPanel from './meetings-panel';
import SaveBar from './save-bar';
import Section from './section';
import SidecarPanel from './sidecar-panel';
import StatusPanel from './status-panel';
import Tabs, { FIELD_TABS } from './tabs';

const DOCTORS_ANCHOR = 'mfk-doctors';
const FORM_TABS: readonly TabName[] = [
	'google',
	'meetings',
	'emails',
	'advanced',
];

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
	const [ tab, selectTab, tabsOpened ] = useTab( 'status' );

	// A site without its Google client opens on the setup guide (unless a tab was asked for).
	const opened = useRef( false );
	useEffect( () => {
		if ( form && ! opened.current ) {
			opened.current = true;
			const configured =
				form.settings.google_client_id !== '' &&
				form.settings.google_client_secret_set;
			if ( ! configured && ! tabOfHash( window.location.hash ) ) {
				selectTab( 'google' );
			}
		}
	}, [ form, selectTab ] );

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

	const shown = ( name: TabName ) => ( {
		id: `mfk-tab-${ name }`,
		hidden: tab !== name,
	} );
	return (
		<div className="mfk-settings">
			<Tabs tabs={ TAB_NAMES } current={ tab } onSelect={ selectTab } />
			<div { ...shown( 'status' ) }>
				<StatusPanel
					doctorsAnchor={ DOCTORS_ANCHOR }
					reloadKey={ savedCount }
					dirty={ dirty }
					doctorsKey={ tabsOpened }
					configured={
						form.settings.google_client_id !== '' &&
						form.settings.google_client_secret_set
					}
				/>
			</div>
			<form className="mfk-settings__form" onSubmit={ save } noValidate>
				{ saveError && (
					<ErrorSummary
						error={ saveError }
						errors={ form.errors }
						reveal={ ( name ) => selectTab( FIELD_TABS[ name ] ) }
					/>
				) }
				<div { ...shown( 'google' ) }>
					<Section
						id="mfk-google"
						title={ __( 'Set up Google', 'meet-for-kivicare' ) }
					>
						<SetupGuide
							form={ form }
							dirty={ dirty }
							saving={ saving }
							savedCount={ savedCount }
							tabsOpened={ tabsOpened }
						/>
					</Section>
				</div>
				<div { ...shown( 'meetings' ) }>
					<MeetingsPanel form={ form } />
				</div>
				<div { ...shown( 'emails' ) }>
					<EmailsPanel form={ form } />
				</div>
				<div { ...shown( 'advanced' ) }>
					<SidecarPanel form={ form } />
					<BusyTimesPanel form={ form } />
					<DataPanel form={ form } />
				</div>
				<div hidden={ ! FORM_TABS.includes( tab ) }>
					<SaveBar
						saving={ saving }
						dirty={ dirty }
						message={ message }
					/>
				</div>
			</form>
			<div { ...shown( 'doctors' ) }>
				<Section
					id={ DOCTORS_ANCHOR }
					title={ __( 'Doctors', 'meet-for-kivicare' ) }
				>
					<DoctorsTable />
				</Section>
			</div>
		</div>
	);
}
