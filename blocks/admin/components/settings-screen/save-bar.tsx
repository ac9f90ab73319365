/**
 * The form's submit button and its state: saving, saved, nothing to save, unsaved changes.
 */
import { Button } from '@wordpress/components';
import { __ } from '@wordpress/i18n';

export interface SaveBarProps {
	saving: boolean;
	dirty: boolean;
	message: string | null;
}

export default function SaveBar( { saving, dirty, message }: SaveBarProps ) {
	return (
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
	);
}
