/**
 * Controls of the settings form. Each sits in a wrapper the error summary links to, and shows
 * the server's error for its field before its help text.
 */
import {
	TextControl,
	TextareaControl,
	ToggleControl,
} from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import type { SettingsForm } from '../../hooks/use-settings';
import { fieldId, type FieldName } from '../../settings-form';

interface FieldProps {
	form: SettingsForm;
	name: FieldName;
}

/** Help text, preceded by the field's error when it has one. */
export function helpFor(
	{ errors }: SettingsForm,
	name: FieldName,
	help?: ReactNode
): ReactNode {
	if ( ! errors[ name ] ) {
		return help;
	}
	return (
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
	);
}

/** `aria-invalid` of a field's control. */
export function invalid( { errors }: SettingsForm, name: FieldName ) {
	return errors[ name ] ? true : undefined;
}

export function Field( {
	form,
	name,
	children,
}: FieldProps & { children: ReactNode } ) {
	return (
		<div
			id={ fieldId( name ) }
			className={
				form.errors[ name ] ? 'mfk-field is-invalid' : 'mfk-field'
			}
		>
			{ children }
		</div>
	);
}

export interface TextFieldProps extends FieldProps {
	label: string;
	help?: ReactNode;
	/** More attributes of the input (type, min, readOnly…). */
	inputProps?: Record< string, unknown >;
}

export function TextField( {
	form,
	name,
	label,
	help,
	inputProps = {},
}: TextFieldProps ) {
	return (
		<Field form={ form } name={ name }>
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				label={ label }
				help={ helpFor( form, name, help ) }
				value={ String( form.values[ name ] ) }
				onChange={ ( value ) => form.set( name, value ) }
				aria-invalid={ invalid( form, name ) }
				{ ...inputProps }
			/>
		</Field>
	);
}

/** A write-only field: a stored secret never reaches the browser, only whether one is set. */
export function SecretField( {
	form,
	name,
	label,
	isSet,
	help,
}: FieldProps & { label: string; isSet: boolean; help: string } ) {
	return (
		<TextField
			form={ form }
			name={ name }
			label={ label }
			help={ help }
			inputProps={ {
				type: 'password',
				autoComplete: 'new-password',
				spellCheck: false,
				// Masked stand-in for a stored secret.
				placeholder: isSet ? '••••••••••••' : '',
			} }
		/>
	);
}

export function TextareaField( {
	form,
	name,
	label,
	help,
}: FieldProps & { label: string; help?: ReactNode } ) {
	return (
		<Field form={ form } name={ name }>
			<TextareaControl
				__nextHasNoMarginBottom
				label={ label }
				help={ helpFor( form, name, help ) }
				rows={ 7 }
				value={ String( form.values[ name ] ) }
				onChange={ ( value: string ) => form.set( name, value ) }
				aria-invalid={ invalid( form, name ) }
			/>
		</Field>
	);
}

export function ToggleField( {
	form,
	name,
	label,
	help,
}: FieldProps & { label: string; help?: ReactNode } ) {
	return (
		<Field form={ form } name={ name }>
			<ToggleControl
				__nextHasNoMarginBottom
				label={ label }
				help={ helpFor( form, name, help ) }
				checked={ !! form.values[ name ] }
				onChange={ ( value: boolean ) => form.set( name, value ) }
			/>
		</Field>
	);
}
