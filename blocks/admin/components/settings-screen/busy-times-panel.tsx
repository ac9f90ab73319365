/**
 * How Google busy times are read for slot views and bookings: how long they are reused and how
 * long a view waits for Google before it uses the last known ones.
 */
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import { fieldLabel } from './field-labels';
import { TextField } from './fields';
import Section from './section';

export default function BusyTimesPanel( { form }: { form: SettingsForm } ) {
	return (
		<Section
			id="mfk-busy-times"
			title={ __( 'Google busy times', 'meet-for-kivicare' ) }
		>
			<TextField
				form={ form }
				name="busy_cache_seconds"
				label={ `${ fieldLabel( 'busy_cache_seconds' ) } ${ __(
					'(seconds)',
					'meet-for-kivicare'
				) }` }
				help={ __(
					'Slot views reuse the busy times read from Google for this long (10 to 3600). Bookings always read them again.',
					'meet-for-kivicare'
				) }
				inputProps={ {
					type: 'number',
					min: 10,
					max: 3600,
					inputMode: 'numeric',
				} }
			/>
			<TextField
				form={ form }
				name="busy_budget_ms"
				label={ `${ fieldLabel( 'busy_budget_ms' ) } ${ __(
					'(milliseconds)',
					'meet-for-kivicare'
				) }` }
				help={ __(
					'How long a slot view or booking waits for Google (200 to 10000). When Google is slower or down, the last known busy times (or none) are used and Status says so.',
					'meet-for-kivicare'
				) }
				inputProps={ {
					type: 'number',
					min: 200,
					max: 10000,
					step: 100,
					inputMode: 'numeric',
				} }
			/>
		</Section>
	);
}
