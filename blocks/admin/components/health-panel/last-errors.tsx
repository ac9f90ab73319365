/**
 * The latest provisioning errors, one line per appointment, in plain words.
 */
import { __, sprintf } from '@wordpress/i18n';
import { describeCode, formatDateTime } from '../../format';
import type { Health } from '../../types';

export default function LastErrors( {
	errors,
}: {
	errors: Health[ 'last_errors' ];
} ) {
	if ( errors.length === 0 ) {
		return <p>{ __( 'No recent errors.', 'meet-for-kivicare' ) }</p>;
	}
	return (
		<ul className="mfk-health__errors">
			{ errors.map( ( item, index ) => (
				<li key={ `${ item.appointment_id }-${ index }` }>
					<strong>
						{ sprintf(
							/* translators: %d: appointment ID. */
							__( 'Appointment #%d', 'meet-for-kivicare' ),
							item.appointment_id
						) }
					</strong>
					{ ': ' }
					{ describeCode( item.code ) }
					{ item.message && item.message !== item.code && (
						<span className="mfk-health__note">
							{ ' ' }
							({ item.message })
						</span>
					) }
					{ item.at && (
						<span className="mfk-health__note">
							{ ' — ' }
							{ formatDateTime( item.at ) }
						</span>
					) }
				</li>
			) ) }
		</ul>
	);
}
