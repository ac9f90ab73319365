/**
 * Editor view of the Meet controls block. The block is rendered on the server for each
 * visitor (render.php), so the editor shows what it will do rather than the editor user's
 * own appointments, and lets the author choose one appointment or the visitor's list.
 */
import { InspectorControls, useBlockProps } from '@wordpress/block-editor';
import {
	PanelBody,
	Placeholder,
	RangeControl,
	SelectControl,
	TextControl,
} from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';

export type Scope = 'upcoming' | 'today';

// A type alias (not an interface) so it satisfies @wordpress/blocks' Record constraint.
export type MeetControlsAttributes = {
	appointmentId: number;
	scope: Scope;
	limit: number;
};

export interface EditProps {
	attributes: MeetControlsAttributes;
	setAttributes: ( attributes: Partial< MeetControlsAttributes > ) => void;
}

export const MAX_LIMIT = 20;

/** The appointment field: a positive integer, anything else means "the visitor's list". */
export function parseAppointmentId( value: string ): number {
	const id = Number( value );
	return Number.isInteger( id ) && id > 0 ? id : 0;
}

/** How many appointments the list shows: 1 to MAX_LIMIT, 5 when unset. */
export function parseLimit( value: number | undefined ): number {
	if ( value === undefined || ! Number.isFinite( value ) ) {
		return 5;
	}
	return Math.min( MAX_LIMIT, Math.max( 1, Math.round( value ) ) );
}

/** What the block will show visitors, in one sentence. */
export function describe( attributes: MeetControlsAttributes ): string {
	if ( attributes.appointmentId > 0 ) {
		return sprintf(
			/* translators: %d: appointment ID. */
			__(
				'Shows the Start Google Meet button of appointment #%d to its doctor and the Join Google Meet button to its patient. Anyone else sees nothing.',
				'meet-for-kivicare'
			),
			attributes.appointmentId
		);
	}
	const limit = parseLimit( attributes.limit );
	return attributes.scope === 'today'
		? sprintf(
				/* translators: %d: maximum number of appointments. */
				__(
					'Shows each signed-in visitor up to %d of today’s video consultations with their Start or Join Google Meet button.',
					'meet-for-kivicare'
				),
				limit
			)
		: sprintf(
				/* translators: %d: maximum number of appointments. */
				__(
					'Shows each signed-in visitor their next %d video consultations with their Start or Join Google Meet button.',
					'meet-for-kivicare'
				),
				limit
			);
}

export default function Edit( { attributes, setAttributes }: EditProps ) {
	const { appointmentId, scope } = attributes;
	const isList = appointmentId === 0;
	return (
		<div { ...useBlockProps() }>
			<InspectorControls>
				<PanelBody title={ __( 'Appointments', 'meet-for-kivicare' ) }>
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="number"
						min={ 0 }
						label={ __( 'Appointment ID', 'meet-for-kivicare' ) }
						help={ __(
							'Leave at 0 to list the visitor’s own video consultations.',
							'meet-for-kivicare'
						) }
						value={ String( appointmentId ) }
						onChange={ ( value ) =>
							setAttributes( {
								appointmentId: parseAppointmentId( value ),
							} )
						}
					/>
					{ isList && (
						<>
							<SelectControl
								__next40pxDefaultSize
								__nextHasNoMarginBottom
								label={ __( 'Which', 'meet-for-kivicare' ) }
								value={ scope }
								options={ [
									{
										value: 'upcoming',
										label: __(
											'Upcoming',
											'meet-for-kivicare'
										),
									},
									{
										value: 'today',
										label: __(
											'Today',
											'meet-for-kivicare'
										),
									},
								] }
								onChange={ ( value: string ) =>
									setAttributes( {
										scope:
											value === 'today'
												? 'today'
												: 'upcoming',
									} )
								}
							/>
							<RangeControl
								__next40pxDefaultSize
								__nextHasNoMarginBottom
								label={ __(
									'Most appointments shown',
									'meet-for-kivicare'
								) }
								min={ 1 }
								max={ MAX_LIMIT }
								value={ parseLimit( attributes.limit ) }
								onChange={ ( value ) =>
									setAttributes( {
										limit: parseLimit( value ),
									} )
								}
							/>
						</>
					) }
				</PanelBody>
			</InspectorControls>
			<Placeholder
				icon="video-alt2"
				label={ __( 'Meet controls', 'meet-for-kivicare' ) }
				instructions={ describe( attributes ) }
			/>
		</div>
	);
}
