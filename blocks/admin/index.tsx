/**
 * Admin bundle (build/admin/index.js, script handle `meet-for-kivicare-admin`): the settings
 * page and the doctors' Google connection panel.
 */
import domReady from '@wordpress/dom-ready';
import ConnectionPanel from './components/connection-panel';
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

domReady( () => mountScreens() );
