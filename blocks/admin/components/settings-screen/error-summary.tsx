/**
 * Why a save failed: a summary that takes focus and links to each field with an error, in the
 * order of the form (or the server's message when no field is to blame).
 */
import { Notice } from '@wordpress/components';
import { useEffect, useRef } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import type { MouseEvent } from 'react';
import type { ApiError } from '../../api';
import { fieldId, orderedErrors, type FieldName } from '../../settings-form';
import { fieldLabel } from './field-labels';

/** Moves focus to the field's control itself when there is one, after opening its tab. */
function focusField(
	event: MouseEvent,
	name: string,
	reveal?: ( name: FieldName ) => void
) {
	const field = document
		.getElementById( fieldId( name ) )
		?.querySelector< HTMLElement >( 'input, select, textarea' );
	if ( field ) {
		event.preventDefault();
		reveal?.( name as FieldName );
		// The tab is shown by the next render; focus once it is.
		window.setTimeout( () => field.focus(), 0 );
	}
}

export interface ErrorSummaryProps {
	/** The failed save. */
	error: ApiError;
	/** Its field errors still standing (fixing a field removes its line). */
	errors: Record< string, string >;
	/** Opens the part of the page a field is on. */
	reveal?: ( name: FieldName ) => void;
}

export default function ErrorSummary( {
	error,
	errors,
	reveal,
}: ErrorSummaryProps ) {
	const summaryRef = useRef< HTMLDivElement >( null );
	useEffect( () => {
		summaryRef.current?.focus();
	}, [ error ] );

	const errorList = orderedErrors( errors );
	return (
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
								error.message
							) }
				</p>
				{ errorList.length > 0 && (
					<ul>
						{ errorList.map( ( [ name, message ] ) => (
							<li key={ name }>
								<a
									href={ `#${ fieldId( name ) }` }
									onClick={ ( event ) =>
										focusField( event, name, reveal )
									}
								>
									{ fieldLabel( name ) }: { message }
								</a>
							</li>
						) ) }
					</ul>
				) }
			</Notice>
		</div>
	);
}
