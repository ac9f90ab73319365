/**
 * Admin bundle (build/admin/index.js, script handle `meet-for-kivicare-admin`): the settings
 * page, the doctors' Google connection panel, and the clinic staff's table of their doctors.
 */
import domReady from '@wordpress/dom-ready';
import ConnectionPanel from './components/connection-panel';
import DoctorsTable from './components/doctors-table';
import SettingsScreen from './components/settings-screen';
import { mountScreens, registerScreen } from './screens';
import './index.scss';

export { mountScreens, registerScreen };

registerScreen( 'settings', () => <SettingsScreen /> );

registerScreen( 'connection', ( { root } ) => {
	const doctorId = Number( root.dataset.mfkDoctorId ?? 0 );
	return (
		<ConnectionPanel
			doctorId={ doctorId > 0 ? doctorId : undefined }
			canConnect={ root.dataset.mfkCanConnect === '1' }
		/>
	);
} );

// Clinic admins and receptionists: their clinics' doctors.
registerScreen( 'doctors', () => <DoctorsTable /> );

domReady( () => mountScreens() );
