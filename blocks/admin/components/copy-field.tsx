/**
 * A read-only value with a Copy button beside it (the OAuth redirect URI to paste into Google
 * Cloud).
 */
import { speak } from '@wordpress/a11y';
import { BaseControl, Button } from '@wordpress/components';
import { useEffect, useRef, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
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
	const input = useRef< HTMLInputElement >( null );
	const timer = useRef< ReturnType< typeof setTimeout > >();
	useEffect( () => () => clearTimeout( timer.current ), [] );

	const copy = async () => {
		const ok = await copyText( value, input.current );
		if ( ok ) {
			setCopied( true );
			speak( __( 'Copied to the clipboard.', 'meet-for-kivicare' ) );
			clearTimeout( timer.current );
			timer.current = setTimeout( () => setCopied( false ), 3000 );
		} else {
			input.current?.focus();
			input.current?.select();
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
		<BaseControl
			__nextHasNoMarginBottom
			id={ id }
			label={ label }
			help={ help }
			className="mfk-copy-field"
		>
			<div className="mfk-copy-field__row">
				<input
					ref={ input }
					id={ id }
					className="components-text-control__input mfk-copy-field__input"
					type="text"
					value={ value }
					readOnly
					aria-describedby={ help ? `${ id }__help` : undefined }
					onFocus={ ( event ) => event.currentTarget.select() }
				/>
				<Button
					__next40pxDefaultSize
					variant="secondary"
					onClick={ copy }
				>
					{ copied
						? __( 'Copied', 'meet-for-kivicare' )
						: __( 'Copy', 'meet-for-kivicare' ) }
				</Button>
			</div>
		</BaseControl>
	);
}
