/**
 * The calendar that receives the doctor's consultations: the calendars they may choose (read
 * from Google when the choice is opened), the permission Google must give first (incremental
 * consent), the choice saved, and the "Video consultations" calendar made on request.
 */
import { speak } from '@wordpress/a11y';
import { useCallback, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { request, type ApiError } from '../api';
import { withoutReturnArgs } from '../oauth-return';
import type { CalendarChoices, CurrentCalendar } from '../types';

/** The value of the "make a new calendar" option. */
export const NEW_CALENDAR = 'new';

export interface CalendarChoiceNotice {
	status: 'success' | 'error' | 'info';
	text: string;
}

export interface CalendarChoiceState {
	choices: CalendarChoices | null;
	loading: boolean;
	busy: 'save' | 'access' | null;
	notice: CalendarChoiceNotice | null;
	dismissNotice: () => void;
	/** Reads the choices from Google (opening the choice). */
	open: () => Promise< void >;
	/** Sends the doctor to Google to allow the calendar choice. */
	allow: () => Promise< void >;
	/** Saves a calendar id, "primary", or NEW_CALENDAR. */
	save: ( value: string ) => Promise< CurrentCalendar | null >;
}

function chosenText( current: CurrentCalendar ): string {
	const text = sprintf(
		/* translators: %s: calendar name. */
		__(
			'New video consultations will go to “%s”. Consultations already booked stay in their calendar.',
			'meet-for-kivicare'
		),
		current.summary
	);
	if ( ! current.moved ) {
		return text;
	}
	return `${ text } ${ sprintf(
		/* translators: %d: number of meetings. */
		_n(
			'%d meeting whose calendar had disappeared is being created there now.',
			'%d meetings whose calendar had disappeared are being created there now.',
			current.moved,
			'meet-for-kivicare'
		),
		current.moved
	) }`;
}

export default function useCalendarChoice(
	navigate: ( url: string ) => void
): CalendarChoiceState {
	const [ choices, setChoices ] = useState< CalendarChoices | null >( null );
	const [ loading, setLoading ] = useState( false );
	const [ busy, setBusy ] = useState< CalendarChoiceState[ 'busy' ] >( null );
	const [ notice, setNotice ] = useState< CalendarChoiceNotice | null >(
		null
	);

	const fail = ( text: string ) => {
		setNotice( { status: 'error', text } );
		speak( text, 'assertive' );
	};
	const reason = ( e: unknown ) => ( e as ApiError ).message;

	const open = useCallback( async () => {
		setLoading( true );
		try {
			setChoices(
				await request< CalendarChoices >( '/connection/calendars' )
			);
		} catch ( e ) {
			fail(
				sprintf(
					/* translators: %s: error message. */
					__(
						'Your calendars could not be read: %s',
						'meet-for-kivicare'
					),
					reason( e )
				)
			);
		} finally {
			setLoading( false );
		}
	}, [] );

	const allow = async () => {
		if ( busy ) {
			return;
		}
		setBusy( 'access' );
		try {
			const answer = await request< { url: string } >(
				'/connection/calendar/access',
				{
					method: 'POST',
					// Back to this page, with the choice open.
					data: {
						return_to: `${
							withoutReturnArgs( window.location.href ).split(
								'#'
							)[ 0 ]
						}#mfk-calendar`,
					},
				}
			);
			speak(
				__( 'Opening Google’s consent page…', 'meet-for-kivicare' )
			);
			navigate( answer.url );
		} catch ( e ) {
			fail(
				sprintf(
					/* translators: %s: error message. */
					__( 'Google could not be opened: %s', 'meet-for-kivicare' ),
					reason( e )
				)
			);
			setBusy( null );
		}
	};

	const save = async ( value: string ) => {
		if ( busy ) {
			return null;
		}
		setBusy( 'save' );
		setNotice( null );
		try {
			const answer =
				value === NEW_CALENDAR
					? await request< { current: CurrentCalendar } >(
							'/connection/calendar/consultations',
							{ method: 'POST' }
						)
					: await request< { current: CurrentCalendar } >(
							'/connection/calendar',
							{ method: 'POST', data: { calendar_id: value } }
						);
			const text = chosenText( answer.current );
			setNotice( { status: 'success', text } );
			speak( text );
			setChoices( ( before ) =>
				before ? { ...before, current: answer.current } : before
			);
			if ( value === NEW_CALENDAR ) {
				// The new calendar now belongs to the list.
				await open();
			}
			return answer.current;
		} catch ( e ) {
			fail(
				sprintf(
					/* translators: %s: error message. */
					__(
						'The calendar was not changed: %s',
						'meet-for-kivicare'
					),
					reason( e )
				)
			);
			return null;
		} finally {
			setBusy( null );
		}
	};

	return {
		choices,
		loading,
		busy,
		notice,
		dismissNotice: () => setNotice( null ),
		open,
		allow,
		save,
	};
}
