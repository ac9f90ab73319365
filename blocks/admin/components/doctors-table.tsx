/**
 * Every doctor's Google connection in one table (`GET /connections`), with the calendar that
 * receives their meetings: for administrators every doctor, with Disconnect for connected
 * accounts; for clinic admins and receptionists the doctors of their clinics. Whoever may (administrators, a doctor's clinic admin) e-mails a doctor who is
 * not connected, or must reconnect, a link to do it.
 */
import { Button, Notice, Spinner } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import { describeCode, formatDateTime, statusLabel } from '../format';
import useDoctors from '../hooks/use-doctors';
import type { DoctorConnection } from '../types';
import ConfirmDisconnect from './confirm-disconnect';

export { sortDoctors } from '../hooks/use-doctors';

/**
 * The calendar that receives the doctor's meetings: none while they are not connected, else
 * their primary calendar or the one they chose.
 *
 * @param doctor Row.
 */
export function calendarLabel( doctor: DoctorConnection ): string {
	if ( doctor.status === 'disconnected' ) {
		return '—';
	}
	if ( doctor.calendar_primary === false && doctor.calendar_name ) {
		return doctor.calendar_name;
	}
	return __( 'Primary calendar', 'meet-for-kivicare' );
}

export default function DoctorsTable() {
	const {
		doctors,
		error,
		confirming,
		setConfirming,
		busy,
		notice,
		dismissNotice,
		disconnect,
		inviting,
		invite,
	} = useDoctors();

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
				<Notice status="info" onRemove={ dismissNotice }>
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
								{ __( 'Calendar', 'meet-for-kivicare' ) }
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
									{ doctor.status === 'active' &&
										doctor.meet_access ===
											'needs_grant' && (
											<span className="mfk-doctors__reason mfk-doctors__meet-grant">
												{ __(
													'Access control off: the doctor has not allowed Meet settings yet (their connection page asks for it).',
													'meet-for-kivicare'
												) }
											</span>
										) }
								</td>
								<td>{ doctor.email || '—' }</td>
								<td className="mfk-doctors__calendar">
									{ calendarLabel( doctor ) }
								</td>
								<td>{ doctor.pending_meetings }</td>
								<td>{ doctor.failed_meetings }</td>
								<td>
									{ doctor.can_invite &&
										doctor.status !== 'active' && (
											<Button
												variant="link"
												onClick={ () =>
													invite( doctor )
												}
												isBusy={
													inviting ===
													doctor.doctor_id
												}
												aria-disabled={
													inviting !== null
												}
											>
												{ doctor.status ===
												'reconnect_needed'
													? __(
															'E-mail a reconnect link',
															'meet-for-kivicare'
														)
													: __(
															'E-mail a connection link',
															'meet-for-kivicare'
														) }
												<span className="screen-reader-text">
													{ ' ' }
													{ doctor.name }
												</span>
											</Button>
										) }
									{ doctor.status !== 'active' &&
										doctor.invite_until && (
											<span className="mfk-doctors__invite">
												{ sprintf(
													/* translators: %s: date and time. */
													__(
														'Link sent, valid until %s.',
														'meet-for-kivicare'
													),
													formatDateTime(
														doctor.invite_until
													)
												) }
											</span>
										) }
									{ doctor.can_disconnect !== false &&
										doctor.status !== 'disconnected' && (
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
