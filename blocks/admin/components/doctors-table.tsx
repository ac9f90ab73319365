/**
 * Every doctor's Google connection in one table (`GET /connections`), for administrators, with
 * Disconnect for connected accounts.
 */
import { speak } from '@wordpress/a11y';
import { Button, Notice, Spinner } from '@wordpress/components';
import { useCallback, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { request, type ApiError } from '../api';
import { describeCode, statusLabel } from '../format';
import type { DoctorConnection } from '../types';
import ConfirmDisconnect from './confirm-disconnect';

/** Doctors needing attention first, then by name. */
export function sortDoctors( doctors: DoctorConnection[] ): DoctorConnection[] {
	const rank = { reconnect_needed: 0, disconnected: 1, active: 2 } as const;
	return [ ...doctors ].sort(
		( a, b ) =>
			( rank[ a.status ] ?? 3 ) - ( rank[ b.status ] ?? 3 ) ||
			a.name.localeCompare( b.name )
	);
}

export default function DoctorsTable() {
	const [ doctors, setDoctors ] = useState< DoctorConnection[] | null >(
		null
	);
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ confirming, setConfirming ] = useState< DoctorConnection | null >(
		null
	);
	const [ busy, setBusy ] = useState( false );
	const [ notice, setNotice ] = useState< string | null >( null );

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
			await request( '/connection/disconnect', {
				method: 'POST',
				data: { doctor_id: confirming.doctor_id },
			} );
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

	if ( error ) {
		return (
			<Notice status="error" isDismissible={ false }>
				{ sprintf(
					/* translators: %s: error message. */
					__(
						'The doctors could not be loaded: %s',
						'meet-for-kivicare'
					),
					error.message
				) }
			</Notice>
		);
	}
	if ( ! doctors ) {
		return <Spinner />;
	}
	if ( doctors.length === 0 ) {
		return (
			<p>{ __( 'There are no doctors yet.', 'meet-for-kivicare' ) }</p>
		);
	}

	return (
		<>
			{ notice && (
				<Notice status="info" onRemove={ () => setNotice( null ) }>
					{ notice }
				</Notice>
			) }
			{ /* A scrollable region on narrow screens, reachable by keyboard. */ }
			<div
				className="mfk-table-scroll"
				role="region"
				aria-labelledby="mfk-doctors-caption"

				tabIndex={ 0 }
			>
				<table className="wp-list-table widefat striped mfk-doctors">
					<caption id="mfk-doctors-caption">
						{ __(
							'Google connection of each doctor',
							'meet-for-kivicare'
						) }
					</caption>
					<thead>
						<tr>
							<th scope="col">
								{ __( 'Doctor', 'meet-for-kivicare' ) }
							</th>
							<th scope="col">
								{ __( 'Status', 'meet-for-kivicare' ) }
							</th>
							<th scope="col">
								{ __( 'Google account', 'meet-for-kivicare' ) }
							</th>
							<th scope="col">
								{ __( 'Links waiting', 'meet-for-kivicare' ) }
							</th>
							<th scope="col">
								{ __( 'Links failed', 'meet-for-kivicare' ) }
							</th>
							<th scope="col">
								<span className="screen-reader-text">
									{ __( 'Actions', 'meet-for-kivicare' ) }
								</span>
							</th>
						</tr>
					</thead>
					<tbody>
						{ doctors.map( ( doctor ) => (
							<tr
								key={ doctor.doctor_id }
								data-doctor-id={ doctor.doctor_id }
							>
								<th scope="row">{ doctor.name }</th>
								<td>
									<span
										className={ `mfk-badge is-${ doctor.status }` }
									>
										{ statusLabel( doctor.status ) }
									</span>
									{ doctor.status === 'reconnect_needed' &&
										doctor.reason_code && (
											<span className="mfk-doctors__reason">
												{ describeCode(
													doctor.reason_code
												) }
											</span>
										) }
								</td>
								<td>{ doctor.email || '—' }</td>
								<td>{ doctor.pending_meetings }</td>
								<td>{ doctor.failed_meetings }</td>
								<td>
									{ doctor.status !== 'disconnected' && (
										<Button
											variant="link"
											isDestructive
											onClick={ () =>
												setConfirming( doctor )
											}
										>
											{ __(
												'Disconnect',
												'meet-for-kivicare'
											) }
											<span className="screen-reader-text">
												{ ' ' }
												{ doctor.name }
											</span>
										</Button>
									) }
								</td>
							</tr>
						) ) }
					</tbody>
				</table>
			</div>
			{ confirming && (
				<ConfirmDisconnect
					name={ confirming.email || confirming.name }
					busy={ busy }
					onConfirm={ disconnect }
					onCancel={ () => setConfirming( null ) }
				/>
			) }
		</>
	);
}
