/**
 * How meetings are made: the calendar event's title and guests, Google's own invitations, when
 * the join buttons open, how long a booking waits for the link, and which calendar.
 */
import { SelectControl } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import type { MeetAccessType, SendUpdates, Settings } from '../../types';
import { fieldLabel } from './field-labels';
import { Field, TextField, ToggleField, helpFor, invalid } from './fields';
import Section from './section';

type GoogleDeletedEvent = NonNullable< Settings[ 'google_deleted_event' ] >;

export default function MeetingsPanel( { form }: { form: SettingsForm } ) {
	return (
		<Section
			id="mfk-meetings"
			title={ __( 'Meetings', 'meet-for-kivicare' ) }
		>
			<TextField
				form={ form }
				name="event_title_template"
				label={ fieldLabel( 'event_title_template' ) }
				help={ __(
					'Placeholders: {clinic_name}, {doctor_name}, {site_name}. Anyone who sees the doctor’s calendar sees this title, so it never carries clinical details.',
					'meet-for-kivicare'
				) }
			/>
			<Field form={ form } name="send_updates">
				<SelectControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ fieldLabel( 'send_updates' ) }
					help={ helpFor(
						form,
						'send_updates',
						__(
							'The clinic sends its own messages, so Google usually sends none.',
							'meet-for-kivicare'
						)
					) }
					value={ form.values.send_updates as SendUpdates }
					onChange={ ( value: SendUpdates ) =>
						form.set( 'send_updates', value )
					}
					aria-invalid={ invalid( form, 'send_updates' ) }
					options={ [
						{
							value: 'none',
							label: __( 'None', 'meet-for-kivicare' ),
						},
						{
							value: 'externalOnly',
							label: __(
								'Only to guests outside the doctor’s organisation',
								'meet-for-kivicare'
							),
						},
						{
							value: 'all',
							label: __( 'To all guests', 'meet-for-kivicare' ),
						},
					] }
				/>
			</Field>
			<Field form={ form } name="meet_access_type">
				<SelectControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ fieldLabel( 'meet_access_type' ) }
					help={ helpFor(
						form,
						'meet_access_type',
						__(
							'Everyone else asks to join and the doctor admits them, so a patient signed in with another Google account still gets in. Set on each consultation’s Meet once its link exists; doctors connected before are asked once to allow it.',
							'meet-for-kivicare'
						)
					) }
					value={ form.values.meet_access_type as MeetAccessType }
					onChange={ ( value: MeetAccessType ) =>
						form.set( 'meet_access_type', value )
					}
					aria-invalid={ invalid( form, 'meet_access_type' ) }
					options={ [
						{
							value: 'RESTRICTED',
							label: __(
								'Only invited people',
								'meet-for-kivicare'
							),
						},
						{
							value: 'TRUSTED',
							label: __(
								'Invited people and the doctor’s organisation',
								'meet-for-kivicare'
							),
						},
						{
							value: 'OPEN',
							label: __(
								'Anyone with the link',
								'meet-for-kivicare'
							),
						},
					] }
				/>
			</Field>
			{ form.values.meet_access_type === 'OPEN' ? (
				<ToggleField
					form={ form }
					name="add_patient_as_attendee"
					label={ __(
						'Add the patient to the calendar event as a guest',
						'meet-for-kivicare'
					) }
					help={ __(
						'Off: the patient’s e-mail address stays out of Google Calendar; they get the link from the clinic.',
						'meet-for-kivicare'
					) }
				/>
			) : (
				<p
					className="mfk-field-note"
					data-testid="mfk-patient-guest-note"
				>
					{ __(
						'The patient is always a guest of the calendar event: “invited” means a guest of the event, so that is how they join without asking. Google sends them its own invitation only if “Invitations sent by Google” says so.',
						'meet-for-kivicare'
					) }
				</p>
			) }
			<TextField
				form={ form }
				name="attendance_retention_days"
				label={ __( 'Keep attendance (days)', 'meet-for-kivicare' ) }
				help={ __(
					'After each video consultation the plugin records who joined (names as Meet shows them, times) for the appointment’s staff. Older records are deleted; 0 keeps them until a patient’s data is erased (Tools → Erase Personal Data).',
					'meet-for-kivicare'
				) }
				inputProps={ {
					type: 'number',
					min: 0,
					max: 3650,
					inputMode: 'numeric',
				} }
			/>
			<TextField
				form={ form }
				name="join_window_minutes"
				label={ __(
					'Join window (minutes before the start)',
					'meet-for-kivicare'
				) }
				help={ __(
					'The Start and Join buttons become active this many minutes before the appointment (0 to 120).',
					'meet-for-kivicare'
				) }
				inputProps={ {
					type: 'number',
					min: 0,
					max: 120,
					inputMode: 'numeric',
				} }
			/>
			<TextField
				form={ form }
				name="sync_budget_ms"
				label={ __(
					'Time allowed at booking (milliseconds)',
					'meet-for-kivicare'
				) }
				help={ __(
					'0 (recommended): bookings never wait for Google, and the link follows within seconds in KiviCare’s Meet e-mail; a budget (up to 10000) puts the link into KiviCare’s booking e-mails but makes every booking wait for Google up to that long.',
					'meet-for-kivicare'
				) }
				inputProps={ {
					type: 'number',
					min: 0,
					max: 10000,
					step: 100,
					inputMode: 'numeric',
				} }
			/>
			<TextField
				form={ form }
				name="calendar_id"
				label={ fieldLabel( 'calendar_id' ) }
				help={ __(
					'“primary” is each doctor’s main calendar. Doctors who choose another calendar on their Google connection page use theirs.',
					'meet-for-kivicare'
				) }
				inputProps={ { spellCheck: false } }
			/>
			<Field form={ form } name="google_deleted_event">
				<SelectControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ fieldLabel( 'google_deleted_event' ) }
					help={ helpFor(
						form,
						'google_deleted_event',
						__(
							'When a doctor deletes a consultation’s event in their Google Calendar, KiviCare still has the appointment. Restoring brings the same event and link back at the next calendar sync; leaving it shows the appointment to staff as deleted in Google, and Try again on its Meet panel restores it.',
							'meet-for-kivicare'
						)
					) }
					value={
						form.values.google_deleted_event as GoogleDeletedEvent
					}
					onChange={ ( value: GoogleDeletedEvent ) =>
						form.set( 'google_deleted_event', value )
					}
					aria-invalid={ invalid( form, 'google_deleted_event' ) }
					options={ [
						{
							value: 'restore',
							label: __(
								'Restore it (same link)',
								'meet-for-kivicare'
							),
						},
						{
							value: 'flag',
							label: __(
								'Leave it deleted and tell staff',
								'meet-for-kivicare'
							),
						},
					] }
				/>
			</Field>
			<ToggleField
				form={ form }
				name="busy_blocks_default"
				label={ fieldLabel( 'busy_blocks_default' ) }
				help={ __(
					'Patients are not offered times when the doctor is busy in Google Calendar (only busy or free is read, never what the time is for). Each doctor allows it once on their Google connection page and may switch it off there.',
					'meet-for-kivicare'
				) }
			/>
		</Section>
	);
}
