/**
 * Editor view of the Meet controls block: what the block does, and which appointment it shows
 * (0 = the viewer's upcoming telemedicine appointments).
 */
import { InspectorControls, useBlockProps } from '@wordpress/block-editor';
import { PanelBody, Placeholder, TextControl } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';

// A type alias (not an interface) so it satisfies @wordpress/blocks' Record constraint.
export type MeetControlsAttributes = {
	appointmentId: number;
};

export interface EditProps {
	attributes: MeetControlsAttributes;
	setAttributes: ( attributes: Partial< MeetControlsAttributes > ) => void;
}

/** Parses the appointment field: a positive integer, anything else means "all upcoming". */
export function parseAppointmentId( value: string ): number {
	const id = Number( value );
	return Number.isInteger( id ) && id > 0 ? id : 0;
}

export default function Edit( { attributes, setAttributes }: EditProps ) {
	const { appointmentId } = attributes;
	return (
		<div { ...useBlockProps() }>
			<InspectorControls>
				<PanelBody title={ __( 'Appointment', 'meet-for-kivicare' ) }>
					<TextControl
						__next40pxDefaultSize
						type="number"
						min={ 0 }
						label={ __( 'Appointment ID', 'meet-for-kivicare' ) }
						help={ __(
							'Leave at 0 to list the viewer’s upcoming video consultations.',
							'meet-for-kivicare'
						) }
						value={ String( appointmentId ) }
						onChange={ ( value ) =>
							setAttributes( {
								appointmentId: parseAppointmentId( value ),
							} )
						}
					/>
				</PanelBody>
			</InspectorControls>
			<Placeholder
				icon="video-alt2"
				label={ __( 'Meet controls', 'meet-for-kivicare' ) }
				instructions={
					appointmentId > 0
						? sprintf(
								/* translators: %d: appointment ID. */
								__(
									'Shows the Start or Join Google Meet button of appointment #%d to its doctor and patient.',
									'meet-for-kivicare'
								),
								appointmentId
							)
						: __(
								'Shows each visitor the Start or Join Google Meet button of their upcoming video consultations.',
								'meet-for-kivicare'
							)
				}
			/>
		</div>
	);
}
