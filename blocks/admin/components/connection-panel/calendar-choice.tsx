/**
 * "Calendar for video consultations" on the doctor's connection panel: where new consultations
 * go, and the choice between the primary calendar, another calendar of theirs (writable, Google
 * Meet allowed) or a new "Video consultations" calendar made for them. Reading the calendar list
 * needs a permission Google asks for only when the doctor opens the choice; without it the
 * doctor keeps the primary calendar.
 */
import { Button, Notice, RadioControl, Spinner } from '@wordpress/components';
import { useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import useCalendarChoice, {
	NEW_CALENDAR,
} from '../../hooks/use-calendar-choice';
import type { CalendarChoices } from '../../types';

export const CALENDAR_ANCHOR = 'mfk-calendar';

export interface CalendarChoiceProps {
	/** Name of the calendar in use (from `GET /connection`). */
	calendarName: string;
	/** The signed-in doctor's own panel (else a read-only line for an administrator). */
	own: boolean;
	navigate: ( url: string ) => void;
}

function options( choices: CalendarChoices ) {
	const list = choices.calendars.map( ( c ) => ( {
		value: c.primary ? 'primary' : c.id,
		label: c.primary
			? sprintf(
					/* translators: %s: calendar name (the Google account). */
					__( '%s (your primary calendar)', 'meet-for-kivicare' ),
					c.summary
				)
			: c.summary,
	} ) );
	if (
		choices.access.create &&
		! choices.calendars.some( ( c ) => c.consultations )
	) {
		list.push( {
			value: NEW_CALENDAR,
			label: __(
				'A new “Video consultations” calendar, made for you in your Google account',
				'meet-for-kivicare'
			),
		} );
	}
	return list;
}

export default function CalendarChoice( {
	calendarName,
	own,
	navigate,
}: CalendarChoiceProps ) {
	const state = useCalendarChoice( navigate );
	const { choices, loading, busy, notice, open, allow, save } = state;
	const [ opened, setOpened ] = useState( false );
	const [ value, setValue ] = useState( '' );
	const [ name, setName ] = useState( calendarName );
	const headingRef = useRef< HTMLHeadingElement >( null );

	const start = () => {
		setOpened( true );
		open();
	};

	// Back from Google's consent page (…#mfk-calendar): open the choice at once.
	useEffect( () => {
		if ( own && window.location.hash === `#${ CALENDAR_ANCHOR }` ) {
			start();
			headingRef.current?.focus();
		}
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ own ] );

	useEffect( () => {
		if ( choices ) {
			setValue(
				choices.current.primary ? 'primary' : choices.current.id
			);
			setName( choices.current.summary );
		}
	}, [ choices ] );

	const onSave = async () => {
		const current = await save( value );
		if ( current ) {
			setName( current.summary );
		}
	};

	return (
		<div className="mfk-calendar-choice" id={ CALENDAR_ANCHOR }>
			<h3 ref={ headingRef } tabIndex={ -1 }>
				{ __(
					'Calendar for video consultations',
					'meet-for-kivicare'
				) }
			</h3>
			<p className="mfk-calendar-choice__current">
				{ own
					? sprintf(
							/* translators: %s: calendar name. */
							__(
								'Your video consultations go to: %s.',
								'meet-for-kivicare'
							),
							name
						)
					: sprintf(
							/* translators: %s: calendar name. */
							__(
								'Video consultations go to: %s.',
								'meet-for-kivicare'
							),
							name
						) }
			</p>
			{ notice && (
				<Notice
					status={ notice.status }
					onRemove={ state.dismissNotice }
				>
					{ notice.text }
				</Notice>
			) }
			{ own && ! opened && (
				<Button
					__next40pxDefaultSize
					variant="secondary"
					onClick={ start }
				>
					{ __( 'Choose another calendar', 'meet-for-kivicare' ) }
				</Button>
			) }
			{ own && opened && loading && ! choices && <Spinner /> }
			{ own && opened && choices && ! choices.access.list && (
				<div className="mfk-calendar-choice__access">
					<p>
						{ __(
							'To offer your calendars, Google asks your permission to see the list of your calendars and to make a calendar for your consultations. It does not give access to your other calendars’ settings. Without it, consultations go to your primary calendar.',
							'meet-for-kivicare'
						) }
					</p>
					<Button
						__next40pxDefaultSize
						variant="primary"
						onClick={ allow }
						isBusy={ busy === 'access' }
						aria-disabled={ busy !== null }
					>
						{ __( 'Allow in Google', 'meet-for-kivicare' ) }
					</Button>
				</div>
			) }
			{ own && opened && choices && choices.access.list && (
				<div className="mfk-calendar-choice__form">
					<RadioControl
						label={ __(
							'Where should new video consultations go?',
							'meet-for-kivicare'
						) }
						help={ __(
							'Only calendars you can add events to and where Google Meet is allowed are listed. Consultations already booked stay in the calendar they are in.',
							'meet-for-kivicare'
						) }
						selected={ value }
						options={ options( choices ) }
						onChange={ setValue }
					/>
					<Button
						__next40pxDefaultSize
						variant="primary"
						onClick={ onSave }
						isBusy={ busy === 'save' }
						aria-disabled={ busy !== null || value === '' }
					>
						{ value === NEW_CALENDAR
							? __(
									'Make the calendar and use it',
									'meet-for-kivicare'
								)
							: __( 'Use this calendar', 'meet-for-kivicare' ) }
					</Button>
				</div>
			) }
		</div>
	);
}
