/**
 * The settings page: health and connection test, the Google OAuth client, the sidecar, meeting
 * defaults, the "link ready" e-mail, and the doctors' connections. Saving sends the changed
 * fields in one request that the server validates and stores as a whole; field errors come
 * back in `data.params` and are shown at their fields and in a summary that takes focus.
 */
import { speak } from '@wordpress/a11y';
import {
	Button,
	Card,
	CardBody,
	CardHeader,
	Notice,
	SelectControl,
	Spinner,
	TextControl,
	TextareaControl,
	ToggleControl,
} from '@wordpress/components';
import { useEffect, useMemo, useRef, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import { request, type ApiError } from '../api';
import {
	buildPayload,
	fieldId,
	isDirty,
	lockedFields,
	orderedErrors,
	valuesFromSettings,
	type FieldName,
	type FormValues,
} from '../settings-form';
import type { SendUpdates, Settings } from '../types';
import CopyField from './copy-field';
import DoctorsTable from './doctors-table';
import HealthPanel from './health-panel';
import TestConnection from './test-connection';

const DOCTORS_ANCHOR = 'mfk-doctors';

const MEET_PLACEHOLDERS = __(
	'Must contain {meet_link}. Also available: {appointment_date}, {appointment_time}, {doctor_name}, {patient_name}, {clinic_name}, {site_name}.',
	'meet-for-kivicare'
);

const RESCHEDULE_PLACEHOLDERS = __(
	'Must contain {appointment_time}. Also available: {meet_link}, {appointment_date}, {previous_date}, {previous_time}, {doctor_name}, {patient_name}, {clinic_name}, {site_name}.',
	'meet-for-kivicare'
);

/** Field labels, also used by the error summary. */
export function fieldLabel( name: string ): string {
	const labels: Record< string, string > = {
		google_client_id: __( 'Client ID', 'meet-for-kivicare' ),
		google_client_secret: __( 'Client secret', 'meet-for-kivicare' ),
		sidecar_url: __( 'Sidecar address', 'meet-for-kivicare' ),
		sidecar_secret: __( 'Shared secret', 'meet-for-kivicare' ),
		sync_budget_ms: __( 'Time allowed at booking', 'meet-for-kivicare' ),
		event_title_template: __( 'Event title', 'meet-for-kivicare' ),
		send_updates: __( 'Invitations sent by Google', 'meet-for-kivicare' ),
		add_patient_as_attendee: __( 'Patient as guest', 'meet-for-kivicare' ),
		join_window_minutes: __( 'Join window', 'meet-for-kivicare' ),
		calendar_id: __( 'Calendar', 'meet-for-kivicare' ),
		link_ready_email_subject: __(
			'“Link ready” to the patient: subject',
			'meet-for-kivicare'
		),
		link_ready_email_body: __(
			'“Link ready” to the patient: message',
			'meet-for-kivicare'
		),
		link_ready_doctor_email_subject: __(
			'“Link ready” to the doctor: subject',
			'meet-for-kivicare'
		),
		link_ready_doctor_email_body: __(
			'“Link ready” to the doctor: message',
			'meet-for-kivicare'
		),
		reschedule_email_subject: __(
			'“New time”: subject',
			'meet-for-kivicare'
		),
		reschedule_email_body: __( '“New time”: message', 'meet-for-kivicare' ),
		keep_data_on_uninstall: __(
			'Keep data on uninstall',
			'meet-for-kivicare'
		),
	};
	return labels[ name ] ?? name;
}

function Section( {
	id,
	title,
	children,
}: {
	id: string;
	title: string;
	children: ReactNode;
} ) {
	return (
		<Card className="mfk-card" id={ id }>
			<CardHeader>
				<h2 className="mfk-card__title">{ title }</h2>
			</CardHeader>
			<CardBody>{ children }</CardBody>
		</Card>
	);
}

export default function SettingsScreen() {
	const [ settings, setSettings ] = useState< Settings | null >( null );
	const [ initial, setInitial ] = useState< FormValues | null >( null );
	const [ values, setValues ] = useState< FormValues | null >( null );
	const [ errors, setErrors ] = useState< Record< string, string > >( {} );
	const [ saveError, setSaveError ] = useState< ApiError | null >( null );
	const [ message, setMessage ] = useState< string | null >( null );
	const [ saving, setSaving ] = useState( false );
	const [ savedCount, setSavedCount ] = useState( 0 );
	const [ loadError, setLoadError ] = useState< ApiError | null >( null );
	const summaryRef = useRef< HTMLDivElement >( null );

	useEffect( () => {
		request< Settings >( '/settings' )
			.then( ( answer ) => {
				setSettings( answer );
				setInitial( valuesFromSettings( answer ) );
				setValues( valuesFromSettings( answer ) );
			} )
			.catch( ( e: ApiError ) => setLoadError( e ) );
	}, [] );

	const locked = useMemo(
		() => ( settings ? lockedFields( settings ) : new Set< FieldName >() ),
		[ settings ]
	);
	const dirty = !! initial && !! values && isDirty( initial, values, locked );

	// Leaving with unsaved changes asks first.
	useEffect( () => {
		if ( ! dirty ) {
			return undefined;
		}
		const warn = ( event: BeforeUnloadEvent ) => {
			event.preventDefault();
			event.returnValue = '';
		};
		window.addEventListener( 'beforeunload', warn );
		return () => window.removeEventListener( 'beforeunload', warn );
	}, [ dirty ] );

	// A failed save moves focus to the summary, which links to each field.
	useEffect( () => {
		if ( saveError ) {
			summaryRef.current?.focus();
		}
	}, [ saveError ] );

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
	if ( ! settings || ! initial || ! values ) {
		return <Spinner />;
	}

	const set = ( name: FieldName, value: string | boolean ) => {
		setValues( { ...values, [ name ]: value } );
		setMessage( null );
		if ( errors[ name ] ) {
			const rest = { ...errors };
			delete rest[ name ];
			setErrors( rest );
		}
	};

	const save = async ( event: { preventDefault: () => void } ) => {
		event.preventDefault();
		if ( saving ) {
			return;
		}
		const payload = buildPayload( initial, values, locked );
		if ( Object.keys( payload ).length === 0 ) {
			const text = __(
				'There are no changes to save.',
				'meet-for-kivicare'
			);
			setMessage( text );
			speak( text );
			return;
		}
		setSaving( true );
		setMessage( null );
		try {
			const answer = await request< Settings >( '/settings', {
				method: 'POST',
				data: payload,
			} );
			setSettings( answer );
			setInitial( valuesFromSettings( answer ) );
			setValues( valuesFromSettings( answer ) );
			setErrors( {} );
			setSaveError( null );
			setSavedCount( ( count ) => count + 1 );
			const text = __( 'Settings saved.', 'meet-for-kivicare' );
			setMessage( text );
			speak( text );
		} catch ( e ) {
			const error = e as ApiError;
			setErrors( error.params );
			setSaveError( error );
		} finally {
			setSaving( false );
		}
	};

	/** Help text, preceded by the field's error when it has one. */
	const helpFor = ( name: FieldName, help?: ReactNode ): ReactNode =>
		errors[ name ] ? (
			<>
				<span className="mfk-field__error">
					{ sprintf(
						/* translators: %s: error message. */
						__( 'Error: %s', 'meet-for-kivicare' ),
						errors[ name ]
					) }
				</span>
				{ help ? <> { help }</> : null }
			</>
		) : (
			help
		);

	const wrap = ( name: FieldName, control: ReactNode ) => (
		<div
			id={ fieldId( name ) }
			className={ errors[ name ] ? 'mfk-field is-invalid' : 'mfk-field' }
		>
			{ control }
		</div>
	);

	const text = (
		name: FieldName,
		label: string,
		help?: ReactNode,
		extra: Record< string, unknown > = {}
	) =>
		wrap(
			name,
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				label={ label }
				help={ helpFor( name, help ) }
				value={ String( values[ name ] ) }
				onChange={ ( value ) => set( name, value ) }
				aria-invalid={ errors[ name ] ? true : undefined }
				{ ...extra }
			/>
		);

	const secret = (
		name: FieldName,
		label: string,
		isSet: boolean,
		help: string
	) =>
		text( name, label, help, {
			type: 'password',
			autoComplete: 'new-password',
			spellCheck: false,
			// Masked stand-in for a stored secret; the secret itself never reaches the browser.
			placeholder: isSet ? '••••••••••••' : '',
		} );

	/** One e-mail: subject and message, in a fieldset named after it. */
	const template = (
		subject: FieldName,
		body: FieldName,
		legend: string,
		placeholders: string
	) => (
		<fieldset className="mfk-template">
			<legend className="mfk-template__legend">{ legend }</legend>
			{ text( subject, __( 'Subject', 'meet-for-kivicare' ) ) }
			{ wrap(
				body,
				<TextareaControl
					__nextHasNoMarginBottom
					label={ __( 'Message', 'meet-for-kivicare' ) }
					help={ helpFor( body, placeholders ) }
					rows={ 7 }
					value={ String( values[ body ] ) }
					onChange={ ( value: string ) => set( body, value ) }
					aria-invalid={ errors[ body ] ? true : undefined }
				/>
			) }
		</fieldset>
	);

	const errorList = orderedErrors( errors );

	return (
		<div className="mfk-settings">
			<Section
				id="mfk-status"
				title={ __( 'Status', 'meet-for-kivicare' ) }
			>
				<HealthPanel
					doctorsAnchor={ DOCTORS_ANCHOR }
					reloadKey={ savedCount }
				/>
				<h3>{ __( 'Test connection', 'meet-for-kivicare' ) }</h3>
				<TestConnection dirty={ dirty } />
			</Section>

			<form className="mfk-settings__form" onSubmit={ save } noValidate>
				{ saveError && (
					<div
						className="mfk-error-summary"
						ref={ summaryRef }
						tabIndex={ -1 }
						role="alert"
						aria-labelledby="mfk-error-summary-title"
					>
						<Notice status="error" isDismissible={ false }>
							<p
								id="mfk-error-summary-title"
								className="mfk-error-summary__title"
							>
								{ errorList.length > 0
									? sprintf(
											/* translators: %d: number of fields with errors. */
											_n(
												'Nothing was saved: %d field needs your attention.',
												'Nothing was saved: %d fields need your attention.',
												errorList.length,
												'meet-for-kivicare'
											),
											errorList.length
										)
									: sprintf(
											/* translators: %s: error message. */
											__(
												'Nothing was saved: %s',
												'meet-for-kivicare'
											),
											saveError.message
										) }
							</p>
							{ errorList.length > 0 && (
								<ul>
									{ errorList.map( ( [ name, error ] ) => (
										<li key={ name }>
											<a
												href={ `#${ fieldId( name ) }` }
												onClick={ ( event ) => {
													const field = document
														.getElementById(
															fieldId( name )
														)
														?.querySelector< HTMLElement >(
															'input, select, textarea'
														);
													if ( field ) {
														event.preventDefault();
														field.focus();
													}
												} }
											>
												{ fieldLabel( name ) }:{ ' ' }
												{ error }
											</a>
										</li>
									) ) }
								</ul>
							) }
						</Notice>
					</div>
				) }

				<Section
					id="mfk-google"
					title={ __( 'Google OAuth client', 'meet-for-kivicare' ) }
				>
					<p className="mfk-card__intro">
						{ __(
							'Create an OAuth client of type “Web application” in Google Cloud Console (APIs & Services → Credentials), with the Google Calendar API enabled, and copy its ID and secret here.',
							'meet-for-kivicare'
						) }
					</p>
					{ text(
						'google_client_id',
						fieldLabel( 'google_client_id' ),
						__(
							'Ends in .apps.googleusercontent.com.',
							'meet-for-kivicare'
						),
						{ spellCheck: false, autoComplete: 'off' }
					) }
					{ secret(
						'google_client_secret',
						fieldLabel( 'google_client_secret' ),
						settings.google_client_secret_set,
						settings.google_client_secret_set
							? __(
									'A secret is saved and is never shown again. Type a new one only to replace it.',
									'meet-for-kivicare'
								)
							: __( 'No secret saved yet.', 'meet-for-kivicare' )
					) }
					<CopyField
						id="mfk-redirect-uri"
						label={ __( 'Redirect URI', 'meet-for-kivicare' ) }
						value={ settings.redirect_uri }
						help={ __(
							'Add this exact address under “Authorized redirect URIs” of the OAuth client in Google Cloud Console.',
							'meet-for-kivicare'
						) }
					/>
				</Section>

				<Section
					id="mfk-sidecar"
					title={ __( 'Sidecar', 'meet-for-kivicare' ) }
				>
					<p className="mfk-card__intro">
						{ __(
							'The sidecar is the small service that alone talks to Google. WordPress signs every call to it with the shared secret.',
							'meet-for-kivicare'
						) }
					</p>
					{ locked.has( 'sidecar_url' )
						? text(
								'sidecar_url',
								fieldLabel( 'sidecar_url' ),
								__(
									'Set in wp-config.php (MFK_SIDECAR_URL).',
									'meet-for-kivicare'
								),
								{ readOnly: true }
							)
						: text(
								'sidecar_url',
								fieldLabel( 'sidecar_url' ),
								__(
									'For example http://127.0.0.1:8787.',
									'meet-for-kivicare'
								),
								{ type: 'url', spellCheck: false }
							) }
					{ locked.has( 'sidecar_secret' ) ? (
						<p className="mfk-field mfk-field--static">
							<strong>
								{ fieldLabel( 'sidecar_secret' ) }:{ ' ' }
							</strong>
							{ settings.sidecar_secret_set
								? __(
										'set in wp-config.php (MFK_SIDECAR_SECRET).',
										'meet-for-kivicare'
									)
								: __(
										'MFK_SIDECAR_SECRET in wp-config.php is empty.',
										'meet-for-kivicare'
									) }
						</p>
					) : (
						secret(
							'sidecar_secret',
							fieldLabel( 'sidecar_secret' ),
							settings.sidecar_secret_set,
							settings.sidecar_secret_set
								? __(
										'A shared secret is saved and is never shown again. Type a new one (32 characters or more) only to replace it; the sidecar must get the same value.',
										'meet-for-kivicare'
									)
								: __(
										'Not set: the same value (32 characters or more) as MFK_SHARED_SECRET in the sidecar’s environment.',
										'meet-for-kivicare'
									)
						)
					) }
				</Section>

				<Section
					id="mfk-meetings"
					title={ __( 'Meetings', 'meet-for-kivicare' ) }
				>
					{ text(
						'event_title_template',
						fieldLabel( 'event_title_template' ),
						__(
							'Placeholders: {clinic_name}, {doctor_name}, {site_name}. Anyone who sees the doctor’s calendar sees this title, so it never carries clinical details.',
							'meet-for-kivicare'
						)
					) }
					{ wrap(
						'send_updates',
						<SelectControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							label={ fieldLabel( 'send_updates' ) }
							help={ helpFor(
								'send_updates',
								__(
									'The clinic sends its own messages, so Google usually sends none.',
									'meet-for-kivicare'
								)
							) }
							value={ values.send_updates as SendUpdates }
							onChange={ ( value: SendUpdates ) =>
								set( 'send_updates', value )
							}
							aria-invalid={
								errors.send_updates ? true : undefined
							}
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
									label: __(
										'To all guests',
										'meet-for-kivicare'
									),
								},
							] }
						/>
					) }
					{ wrap(
						'add_patient_as_attendee',
						<ToggleControl
							__nextHasNoMarginBottom
							label={ __(
								'Add the patient to the calendar event as a guest',
								'meet-for-kivicare'
							) }
							help={ helpFor(
								'add_patient_as_attendee',
								__(
									'Off: the patient’s e-mail address stays out of Google Calendar; they get the link from the clinic.',
									'meet-for-kivicare'
								)
							) }
							checked={ !! values.add_patient_as_attendee }
							onChange={ ( value: boolean ) =>
								set( 'add_patient_as_attendee', value )
							}
						/>
					) }
					{ text(
						'join_window_minutes',
						__(
							'Join window (minutes before the start)',
							'meet-for-kivicare'
						),
						__(
							'The Start and Join buttons become active this many minutes before the appointment (0 to 120).',
							'meet-for-kivicare'
						),
						{
							type: 'number',
							min: 0,
							max: 120,
							inputMode: 'numeric',
						}
					) }
					{ text(
						'sync_budget_ms',
						__(
							'Time allowed at booking (milliseconds)',
							'meet-for-kivicare'
						),
						__(
							'How long a booking waits for Google so that the link is in the confirmation e-mail (0 to 10000; 0 = always in the background). The rest happens in the background.',
							'meet-for-kivicare'
						),
						{
							type: 'number',
							min: 0,
							max: 10000,
							step: 100,
							inputMode: 'numeric',
						}
					) }
					{ text(
						'calendar_id',
						fieldLabel( 'calendar_id' ),
						__(
							'“primary” is each doctor’s main calendar; a doctor may choose another one.',
							'meet-for-kivicare'
						),
						{ spellCheck: false }
					) }
				</Section>

				<Section
					id="mfk-email"
					title={ __( 'E-mails', 'meet-for-kivicare' ) }
				>
					<p className="mfk-card__intro">
						{ __(
							'Meet for KiviCare sends these when a link is created after the booking e-mails went out, and when a video consultation moves to a new time.',
							'meet-for-kivicare'
						) }
					</p>
					{ template(
						'link_ready_email_subject',
						'link_ready_email_body',
						__(
							'“Link ready”, to the patient',
							'meet-for-kivicare'
						),
						MEET_PLACEHOLDERS
					) }
					{ template(
						'link_ready_doctor_email_subject',
						'link_ready_doctor_email_body',
						__(
							'“Link ready”, to the doctor',
							'meet-for-kivicare'
						),
						MEET_PLACEHOLDERS
					) }
					{ template(
						'reschedule_email_subject',
						'reschedule_email_body',
						__(
							'“New time”, to the patient and the doctor',
							'meet-for-kivicare'
						),
						RESCHEDULE_PLACEHOLDERS
					) }
				</Section>

				<Section
					id="mfk-data"
					title={ __( 'Data', 'meet-for-kivicare' ) }
				>
					{ wrap(
						'keep_data_on_uninstall',
						<ToggleControl
							__nextHasNoMarginBottom
							label={ __(
								'Keep the meeting data and settings when the plugin is deleted',
								'meet-for-kivicare'
							) }
							help={ helpFor( 'keep_data_on_uninstall' ) }
							checked={ !! values.keep_data_on_uninstall }
							onChange={ ( value: boolean ) =>
								set( 'keep_data_on_uninstall', value )
							}
						/>
					) }
				</Section>

				<div className="mfk-settings__save">
					<Button
						__next40pxDefaultSize
						variant="primary"
						type="submit"
						isBusy={ saving }
						aria-disabled={ saving }
					>
						{ saving
							? __( 'Saving…', 'meet-for-kivicare' )
							: __( 'Save settings', 'meet-for-kivicare' ) }
					</Button>
					<span className="mfk-settings__state">
						{ message ??
							( dirty
								? __( 'Unsaved changes', 'meet-for-kivicare' )
								: '' ) }
					</span>
				</div>
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
