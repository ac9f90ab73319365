/**
 * Every doctor's Google connection (`GET /connections`: all of them for administrators, their
 * clinics' for clinic staff), doctors needing attention first; an administrator's Disconnect of
 * one of them after confirmation; a connection link e-mailed to a doctor.
 */
import { speak } from '@wordpress/a11y';
import { useCallback, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { disconnectGoogle, inviteDoctor, request, type ApiError } from '../api';
import type { DoctorConnection } from '../types';

/** Doctors needing attention first, then by name. */
export function sortDoctors( doctors: DoctorConnection[] ): DoctorConnection[] {
	const rank = { reconnect_needed: 0, disconnected: 1, active: 2 } as const;
	return [ ...doctors ].sort(
		( a, b ) =>
			( rank[ a.status ] ?? 3 ) - ( rank[ b.status ] ?? 3 ) ||
			a.name.localeCompare( b.name )
	);
}

export interface DoctorsState {
	doctors: DoctorConnection[] | null;
	error: ApiError | null;
	/** The doctor whose Disconnect waits for confirmation. */
	confirming: DoctorConnection | null;
	setConfirming: ( doctor: DoctorConnection | null ) => void;
	busy: boolean;
	notice: string | null;
	dismissNotice: () => void;
	/** Disconnects the doctor being confirmed. */
	disconnect: () => Promise< void >;
	/** The doctor whose link is being sent. */
	inviting: number | null;
	/** E-mails a doctor a link to connect their Google account. */
	invite: ( doctor: DoctorConnection ) => Promise< void >;
}

export default function useDoctors(): DoctorsState {
	const [ doctors, setDoctors ] = useState< DoctorConnection[] | null >(
		null
	);
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ confirming, setConfirming ] = useState< DoctorConnection | null >(
		null
	);
	const [ busy, setBusy ] = useState( false );
	const [ notice, setNotice ] = useState< string | null >( null );
	const [ inviting, setInviting ] = useState< number | null >( null );

	const load = useCallback( async () => {
		try {
			const answer = await request< { doctors: DoctorConnection[] } >(
				'/connections'
			);
			setDoctors( sortDoctors( answer.doctors ) );
			setError( null );
		} catch ( e ) {
			setError( e as ApiError );
		}
	}, [] );

	useEffect( () => {
		load();
	}, [ load ] );

	const disconnect = async () => {
		if ( ! confirming ) {
			return;
		}
		setBusy( true );
		try {
			await disconnectGoogle( confirming.doctor_id );
			const text = sprintf(
				/* translators: %s: doctor's name. */
				__( '%s is disconnected from Google.', 'meet-for-kivicare' ),
				confirming.name
			);
			setNotice( text );
			speak( text );
			await load();
		} catch ( e ) {
			setNotice(
				sprintf(
					/* translators: %s: error message. */
					__( 'Could not disconnect: %s', 'meet-for-kivicare' ),
					( e as ApiError ).message
				)
			);
		} finally {
			setBusy( false );
			setConfirming( null );
		}
	};

	const invite = async ( doctor: DoctorConnection ) => {
		setInviting( doctor.doctor_id );
		try {
			await inviteDoctor( doctor.doctor_id );
			const text = sprintf(
				/* translators: %s: doctor's name. */
				__(
					'A link to connect Google was e-mailed to %s. It works once, for their account only, for 3 days.',
					'meet-for-kivicare'
				),
				doctor.name
			);
			setNotice( text );
			speak( text );
			await load();
		} catch ( e ) {
			setNotice(
				sprintf(
					/* translators: %s: error message. */
					__( 'The link could not be sent: %s', 'meet-for-kivicare' ),
					( e as ApiError ).message
				)
			);
		} finally {
			setInviting( null );
		}
	};

	return {
		doctors,
		error,
		confirming,
		setConfirming,
		busy,
		notice,
		dismissNotice: () => setNotice( null ),
		disconnect,
		inviting,
		invite,
	};
}
