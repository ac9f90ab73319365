/**
 * A doctor's Google connection: status, the connected account, Connect / Reconnect (OAuth
 * through the sidecar and Google's consent page) and Disconnect. Administrators see a doctor's
 * status on their profile and may disconnect it; only the doctor can connect their own account.
 */
import { speak } from '@wordpress/a11y';
import { Button, Notice, Spinner } from '@wordpress/components';
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { request, type ApiError } from '../api';
import {
	connectErrorMessage,
	describeCode,
	formatDateTime,
	statusLabel,
} from '../format';
import type { Connection } from '../types';
import ConfirmDisconnect from './confirm-disconnect';

/** Query arguments the OAuth callback adds when it sends the doctor back. */
export const RETURN_ARGS = [
	'mfk_connected',
	'mfk_error',
	'google_meet_connected',
] as const;

export interface ReturnNotice {
	status: 'success' | 'error';
	text: string;
}

/** What the OAuth round trip reported in the page address, if anything. */
export function readReturn( search: string ): ReturnNotice | null {
	const params = new URLSearchParams( search );
	const error = params.get( 'mfk_error' );
	if ( error ) {
		return { status: 'error', text: connectErrorMessage( error ) };
	}
	if (
		params.get( 'mfk_connected' ) === '1' ||
		params.get( 'google_meet_connected' ) === '1'
	) {
		return {
			status: 'success',
			text: __(
				'Google is connected. Your video consultations get their Google Meet links from now on, including the ones that were waiting.',
				'meet-for-kivicare'
			),
		};
	}
	return null;
}

/** The page address without the OAuth return arguments (so a reload does not repeat them). */
export function withoutReturnArgs( href: string ): string {
	const url = new URL( href );
	RETURN_ARGS.forEach( ( name ) => url.searchParams.delete( name ) );
	return url.toString();
}

function connectLabel( status: Connection[ 'status' ] ): string {
	if ( status === 'disconnected' ) {
		return __( 'Connect Google', 'meet-for-kivicare' );
	}
	if ( status === 'reconnect_needed' ) {
		return __( 'Reconnect Google', 'meet-for-kivicare' );
	}
	return __( 'Connect a different Google account', 'meet-for-kivicare' );
}

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
	const [ connection, setConnection ] = useState< Connection | null >( null );
	const [ loadError, setLoadError ] = useState< ApiError | null >( null );
	const [ busy, setBusy ] = useState< 'connect' | 'disconnect' | null >(
		null
	);
	const [ confirming, setConfirming ] = useState( false );
	const [ notice, setNotice ] = useState< ReturnNotice | null >( () =>
		readReturn( window.location.search )
	);
	const statusRef = useRef< HTMLParagraphElement >( null );

	const route = doctorId
		? `/connection?doctor_id=${ doctorId }`
		: '/connection';

	const load = useCallback( async () => {
		try {
			setConnection( await request< Connection >( route ) );
			setLoadError( null );
		} catch ( e ) {
			setLoadError( e as ApiError );
		}
	}, [ route ] );

	useEffect( () => {
		load();
		// Forget the OAuth result in the address bar once shown.
		if ( readReturn( window.location.search ) ) {
			window.history.replaceState(
				window.history.state,
				'',
				withoutReturnArgs( window.location.href )
			);
		}
	}, [ load ] );

	const connect = async () => {
		if ( busy ) {
			return;
		}
		setBusy( 'connect' );
		setNotice( null );
		try {
			const answer = await request< { url: string } >(
				'/connection/connect',
				{
					method: 'POST',
					// Google sends the doctor back to this page.
					data: {
						return_to: withoutReturnArgs( window.location.href ),
					},
				}
			);
			speak(
				__( 'Opening Google’s consent page…', 'meet-for-kivicare' )
			);
			navigate( answer.url );
		} catch ( e ) {
			const error = e as ApiError;
			setNotice( {
				status: 'error',
				text: sprintf(
					/* translators: %s: error message. */
					__( 'Google could not be opened: %s', 'meet-for-kivicare' ),
					error.message
				),
			} );
			speak( error.message, 'assertive' );
			setBusy( null );
		}
	};

	const disconnect = async () => {
		setBusy( 'disconnect' );
		try {
			await request( '/connection/disconnect', {
				method: 'POST',
				data: doctorId ? { doctor_id: doctorId } : {},
			} );
			setConfirming( false );
			await load();
			const text = __( 'Google is disconnected.', 'meet-for-kivicare' );
			setNotice( { status: 'success', text } );
			speak( text );
			// The Disconnect button is gone: keep keyboard focus in the panel.
			statusRef.current?.focus();
		} catch ( e ) {
			setConfirming( false );
			setNotice( {
				status: 'error',
				text: sprintf(
					/* translators: %s: error message. */
					__(
						'Google could not be disconnected: %s',
						'meet-for-kivicare'
					),
					( e as ApiError ).message
				),
			} );
		} finally {
			setBusy( null );
		}
	};

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
	let description: string;
	if ( status === 'active' ) {
		description = connection.email
			? sprintf(
					/* translators: %s: Google account e-mail. */
					__(
						'Connected to the Google account %s.',
						'meet-for-kivicare'
					),
					connection.email
				)
			: __( 'Connected to Google.', 'meet-for-kivicare' );
	} else if ( status === 'reconnect_needed' ) {
		description = sprintf(
			/* translators: %s: reason. */
			__(
				'Google no longer accepts this connection: %s.',
				'meet-for-kivicare'
			),
			connection.reason_code
				? describeCode( connection.reason_code )
				: connection.reason_message ||
						__( 'unknown reason', 'meet-for-kivicare' )
		);
	} else {
		description = own
			? __(
					'Not connected. Connect your Google account so your video consultations get Google Meet links.',
					'meet-for-kivicare'
				)
			: __(
					'This doctor has not connected a Google account.',
					'meet-for-kivicare'
				);
	}

	return (
		<div
			className={ `mfk-connection is-${ status }` }
			data-status={ status }
		>
			{ notice && (
				<Notice
					status={ notice.status }
					onRemove={ () => setNotice( null ) }
				>
					{ notice.text }
				</Notice>
			) }
			{ status === 'reconnect_needed' && (
				<Notice status="warning" isDismissible={ false }>
					{ own
						? __(
								'Reconnect your Google account: your upcoming video consultations get their links as soon as you do.',
								'meet-for-kivicare'
							)
						: __(
								'This doctor must reconnect their Google account; their meetings wait until then.',
								'meet-for-kivicare'
							) }
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
				{ description }
			</p>
			{ status !== 'disconnected' && connection.connected_at && (
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
