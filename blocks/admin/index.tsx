/**
 * Admin bundle (build/admin/index.js, script handle `meet-for-kivicare-admin`): the settings
 * page, the doctors' Google connection panel, the clinic staff's table of their doctors, and the
 * video visits report.
 */
import domReady from '@wordpress/dom-ready';
import ConnectionPanel from './components/connection-panel';
import DoctorsTable from './components/doctors-table';
import SettingsScreen from './components/settings-screen';
import VisitsReport, { type Option } from './components/visits-report';
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

/** A JSON list of `{ id, name }` in a data attribute ([] when missing or invalid). */
function options( json: string | undefined ): Option[] {
	try {
		const value: unknown = JSON.parse( json ?? '[]' );
		return Array.isArray( value ) ? ( value as Option[] ) : [];
	} catch {
		return [];
	}
}

// Administrators and clinic admins: the video visits report.
registerScreen( 'visits', ( { root } ) => (
	<VisitsReport
		clinics={ options( root.dataset.mfkClinics ) }
		doctors={ options( root.dataset.mfkDoctors ) }
		csvUrl={ root.dataset.mfkCsvUrl ?? '' }
	/>
) );

domReady( () => mountScreens() );
