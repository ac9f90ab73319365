/**
 * A doctor's Google connection: status, the connected account, Connect / Reconnect (OAuth
 * through the sidecar and Google's consent page) and Disconnect. Administrators see a doctor's
 * status on their profile and may disconnect it; only the doctor can connect their own account.
 */
import { Button, Notice, Spinner } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import { formatDateTime, statusLabel } from '../../format';
import useConnection from '../../hooks/use-connection';
import ConfirmDisconnect from '../confirm-disconnect';
import BusyTimes from './busy-times';
import CalendarChoice from './calendar-choice';
import { connectLabel, describeConnection } from './describe';

export {
	RETURN_ARGS,
	readReturn,
	withoutReturnArgs,
	type ReturnNotice,
} from '../../oauth-return';

export interface ConnectionPanelProps {
	/** Doctor shown to an administrator; absent for the doctor's own panel. */
	doctorId?: number;
	canConnect: boolean;
	/** Sends the browser to Google's consent page (replaceable in tests). */
	navigate?: ( url: string ) => void;
}

export default function ConnectionPanel( {
	doctorId,
	canConnect,
	navigate = ( url ) => window.location.assign( url ),
}: ConnectionPanelProps ) {
	const {
		connection,
		loadError,
		busy,
		confirming,
		setConfirming,
		notice,
		dismissNotice,
		statusRef,
		connect,
		disconnect,
	} = useConnection( doctorId, navigate );

	if ( loadError ) {
		return (
			<Notice status="error" isDismissible={ false }>
				{ sprintf(
					/* translators: %s: error message. */
					__(
						'The connection status could not be loaded: %s',
						'meet-for-kivicare'
					),
					loadError.message
				) }
			</Notice>
		);
	}
	if ( ! connection ) {
		return <Spinner />;
	}

	const { status } = connection;
	const own = ! doctorId;

	return (
		<div
			className={ `mfk-connection is-${ status }` }
			data-status={ status }
		>
			{ notice && (
				<Notice status={ notice.status } onRemove={ dismissNotice }>
					{ notice.text }
				</Notice>
			) }
			<p
				className="mfk-connection__status"
				ref={ statusRef }
				tabIndex={ -1 }
			>
				<span className={ `mfk-badge is-${ status }` }>
					{ statusLabel( status ) }
				</span>{ ' ' }
				{ describeConnection( connection, own ) }
			</p>
			{ status === 'active' &&
				connection.meet_access === 'needs_grant' && (
					<Notice
						status="warning"
						isDismissible={ false }
						className="mfk-connection__meet-grant"
					>
						<p>
							{ own
								? __(
										'Access control is off for your video consultations: Google has not allowed this site to set who may join your Meet without asking. Links still work; allow it once so only invited people join directly.',
										'meet-for-kivicare'
									)
								: __(
										'Access control is off for this doctor’s video consultations: their Google grant does not allow setting who may join without asking. Links still work; the doctor can allow it on their Google connection page.',
										'meet-for-kivicare'
									) }
						</p>
						{ canConnect && own && (
							<Button
								__next40pxDefaultSize
								variant="primary"
								onClick={ connect }
								isBusy={ busy === 'connect' }
								aria-disabled={ busy !== null }
							>
								{ __(
									'Allow Meet access control',
									'meet-for-kivicare'
								) }
							</Button>
						) }
					</Notice>
				) }
			{ status === 'active' && connection.connected_at && (
				<p className="mfk-connection__since">
					{ sprintf(
						/* translators: %s: date and time. */
						__( 'Connected since %s.', 'meet-for-kivicare' ),
						formatDateTime( connection.connected_at )
					) }
				</p>
			) }
			<div className="mfk-connection__actions">
				{ canConnect && own && (
					<Button
						__next40pxDefaultSize
						variant={
							status === 'active' ? 'secondary' : 'primary'
						}
						onClick={ connect }
						isBusy={ busy === 'connect' }
						aria-disabled={ busy !== null }
					>
						{ connectLabel( status ) }
					</Button>
				) }
				{ status !== 'disconnected' && (
					<Button
						__next40pxDefaultSize
						variant="secondary"
						isDestructive
						onClick={ () => setConfirming( true ) }
						aria-disabled={ busy !== null }
					>
						{ __( 'Disconnect', 'meet-for-kivicare' ) }
					</Button>
				) }
			</div>
			{ status === 'active' && connection.calendar_name && (
				<CalendarChoice
					calendarName={ connection.calendar_name }
					own={ own && canConnect }
					navigate={ navigate }
				/>
			) }
			{ status === 'active' && own && canConnect && (
				<BusyTimes navigate={ navigate } />
			) }
			{ confirming && (
				<ConfirmDisconnect
					name={ connection.email || '' }
					busy={ busy === 'disconnect' }
					onConfirm={ disconnect }
					onCancel={ () => setConfirming( false ) }
				/>
			) }
		</div>
	);
}
