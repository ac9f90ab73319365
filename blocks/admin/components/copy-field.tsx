/**
 * A read-only value with a Copy button (the OAuth redirect URI to paste into Google Cloud).
 */
import { speak } from '@wordpress/a11y';
import { Button, TextControl } from '@wordpress/components';
import { useEffect, useRef, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import type { FocusEvent } from 'react';
import { copyText } from '../clipboard';

export interface CopyFieldProps {
	id: string;
	label: string;
	value: string;
	help?: string;
}

export default function CopyField( {
	id,
	label,
	value,
	help,
}: CopyFieldProps ) {
	const [ copied, setCopied ] = useState( false );
	const timer = useRef< ReturnType< typeof setTimeout > >();
	useEffect( () => () => clearTimeout( timer.current ), [] );

	const copy = async () => {
		const field = document.getElementById( id ) as HTMLInputElement | null;
		const ok = await copyText( value, field );
		if ( ok ) {
			setCopied( true );
			speak( __( 'Copied to the clipboard.', 'meet-for-kivicare' ) );
			clearTimeout( timer.current );
			timer.current = setTimeout( () => setCopied( false ), 3000 );
		} else {
			field?.focus();
			field?.select();
			speak(
				__(
					'Copying is not allowed here. The address is selected: press Control+C (Command+C on a Mac) to copy it.',
					'meet-for-kivicare'
				),
				'assertive'
			);
		}
	};

	return (
		<div className="mfk-copy-field">
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				id={ id }
				label={ label }
				help={ help }
				value={ value }
				readOnly
				onChange={ () => undefined }
				onFocus={ ( event: FocusEvent< HTMLInputElement > ) =>
					event.currentTarget.select()
				}
			/>
			<Button __next40pxDefaultSize variant="secondary" onClick={ copy }>
				{ __( 'Copy', 'meet-for-kivicare' ) }
			</Button>
			<span className="mfk-copy-field__done" hidden={ ! copied }>
				{ __( 'Copied', 'meet-for-kivicare' ) }
			</span>
		</div>
	);
}
