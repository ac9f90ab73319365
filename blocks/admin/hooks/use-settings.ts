/**
 * The settings form's state for the panels of the settings screen: the stored settings
 * (`GET /settings`), the values being edited, the server's field errors, and saving. Saving
 * sends the changed fields in one request that the server validates and stores as a whole.
 */
import { speak } from '@wordpress/a11y';
import { useEffect, useMemo, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { request, type ApiError } from '../api';
import {
	buildPayload,
	isDirty,
	lockedFields,
	valuesFromSettings,
	type FieldName,
	type FormValues,
} from '../settings-form';
import type { Settings } from '../types';

/** What a panel needs to show and edit its fields. */
export interface SettingsForm {
	settings: Settings;
	values: FormValues;
	/** Field => the server's message, from the last failed save. */
	errors: Record< string, string >;
	/** Fields set in wp-config.php, shown read-only. */
	locked: Set< FieldName >;
	set: ( name: FieldName, value: string | boolean ) => void;
}

export interface SettingsState {
	/** Null until the settings are loaded (or when loading failed). */
	form: SettingsForm | null;
	loadError: ApiError | null;
	saveError: ApiError | null;
	/** The outcome of the last save, for the save bar. */
	message: string | null;
	saving: boolean;
	/** Counts successful saves, so figures that depend on the settings can reload. */
	savedCount: number;
	dirty: boolean;
	save: ( event: { preventDefault: () => void } ) => Promise< void >;
}

export default function useSettings(): SettingsState {
	const [ settings, setSettings ] = useState< Settings | null >( null );
	const [ initial, setInitial ] = useState< FormValues | null >( null );
	const [ values, setValues ] = useState< FormValues | null >( null );
	const [ errors, setErrors ] = useState< Record< string, string > >( {} );
	const [ saveError, setSaveError ] = useState< ApiError | null >( null );
	const [ message, setMessage ] = useState< string | null >( null );
	const [ saving, setSaving ] = useState( false );
	const [ savedCount, setSavedCount ] = useState( 0 );
	const [ loadError, setLoadError ] = useState< ApiError | null >( null );

	const show = ( answer: Settings ) => {
		setSettings( answer );
		setInitial( valuesFromSettings( answer ) );
		setValues( valuesFromSettings( answer ) );
	};

	useEffect( () => {
		request< Settings >( '/settings' )
			.then( show )
			.catch( ( e: ApiError ) => setLoadError( e ) );
	}, [] );

	const locked = useMemo(
		() => ( settings ? lockedFields( settings ) : new Set< FieldName >() ),
		[ settings ]
	);
	const dirty = !! initial && !! values && isDirty( initial, values, locked );

	useLeaveWarning( dirty );

	const set = ( name: FieldName, value: string | boolean ) => {
		if ( ! values ) {
			return;
		}
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
		if ( saving || ! initial || ! values ) {
			return;
		}
		const payload = buildPayload( initial, values, locked );
		if ( Object.keys( payload ).length === 0 ) {
			announce(
				setMessage,
				__( 'There are no changes to save.', 'meet-for-kivicare' )
			);
			return;
		}
		setSaving( true );
		setMessage( null );
		try {
			show(
				await request< Settings >( '/settings', {
					method: 'POST',
					data: payload,
				} )
			);
			setErrors( {} );
			setSaveError( null );
			setSavedCount( ( count ) => count + 1 );
			announce(
				setMessage,
				__( 'Settings saved.', 'meet-for-kivicare' )
			);
		} catch ( e ) {
			const error = e as ApiError;
			setErrors( error.params );
			setSaveError( error );
		} finally {
			setSaving( false );
		}
	};

	return {
		form:
			settings && values
				? { settings, values, errors, locked, set }
				: null,
		loadError,
		saveError,
		message,
		saving,
		savedCount,
		dirty,
		save,
	};
}

function announce( show: ( text: string ) => void, text: string ) {
	show( text );
	speak( text );
}

/** Leaving the page with unsaved changes asks first. */
function useLeaveWarning( dirty: boolean ) {
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
}
