/**
 * The e-mails Meet for KiviCare sends itself: "link ready" to the patient and to the doctor,
 * and "new time" when a video consultation moves.
 */
import { __ } from '@wordpress/i18n';
import type { SettingsForm } from '../../hooks/use-settings';
import type { FieldName } from '../../settings-form';
import { TextField, TextareaField } from './fields';
import Section from './section';

const MEET_PLACEHOLDERS = __(
	'Must contain {meet_link}. Also available: {appointment_date}, {appointment_time}, {doctor_name}, {patient_name}, {clinic_name}, {site_name}.',
	'meet-for-kivicare'
);

const RESCHEDULE_PLACEHOLDERS = __(
	'Must contain {appointment_time}. Also available: {meet_link}, {appointment_date}, {previous_date}, {previous_time}, {doctor_name}, {patient_name}, {clinic_name}, {site_name}.',
	'meet-for-kivicare'
);

interface TemplateProps {
	form: SettingsForm;
	subject: FieldName;
	body: FieldName;
	legend: string;
	placeholders: string;
}

/** One e-mail: subject and message, in a fieldset named after it. */
function Template( {
	form,
	subject,
	body,
	legend,
	placeholders,
}: TemplateProps ) {
	return (
		<fieldset className="mfk-template">
			<legend className="mfk-template__legend">{ legend }</legend>
			<TextField
				form={ form }
				name={ subject }
				label={ __( 'Subject', 'meet-for-kivicare' ) }
			/>
			<TextareaField
				form={ form }
				name={ body }
				label={ __( 'Message', 'meet-for-kivicare' ) }
				help={ placeholders }
			/>
		</fieldset>
	);
}

export default function EmailsPanel( { form }: { form: SettingsForm } ) {
	return (
		<Section id="mfk-email" title={ __( 'E-mails', 'meet-for-kivicare' ) }>
			<p className="mfk-card__intro">
				{ __(
					'Meet for KiviCare sends these when a link is created after the booking e-mails went out, and when a video consultation moves to a new time.',
					'meet-for-kivicare'
				) }
			</p>
			<p>
				{ __(
					'KiviCare sends a patient no booking e-mail for a video consultation whose link does not exist yet (or that waits for its online payment). Meet for KiviCare then confirms the booking to the patient, in the site’s language: when the link will come (as soon as it is ready, or once the appointment is paid) and where it will appear (by e-mail, and with a Join button on their dashboard).',
					'meet-for-kivicare'
				) }
			</p>
			<Template
				form={ form }
				subject="link_ready_email_subject"
				body="link_ready_email_body"
				legend={ __(
					'“Link ready”, to the patient',
					'meet-for-kivicare'
				) }
				placeholders={ MEET_PLACEHOLDERS }
			/>
			<Template
				form={ form }
				subject="link_ready_doctor_email_subject"
				body="link_ready_doctor_email_body"
				legend={ __(
					'“Link ready”, to the doctor',
					'meet-for-kivicare'
				) }
				placeholders={ MEET_PLACEHOLDERS }
			/>
			<Template
				form={ form }
				subject="reschedule_email_subject"
				body="reschedule_email_body"
				legend={ __(
					'“New time”, to the patient and the doctor',
					'meet-for-kivicare'
				) }
				placeholders={ RESCHEDULE_PLACEHOLDERS }
			/>
		</Section>
	);
}
