/**
 * A doctor's Google connection (`GET /connection`) and what can be done with it: connect
 * (through Google's consent page) and disconnect, with the notices they leave.
 */
import { speak } from '@wordpress/a11y';
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { disconnectGoogle, request, type ApiError } from '../api';
import {
	readReturn,
	withoutReturnArgs,
	type ReturnNotice,
} from '../oauth-return';
import type { Connection } from '../types';

export interface ConnectionState {
	connection: Connection | null;
	loadError: ApiError | null;
	busy: 'connect' | 'disconnect' | null;
	/** The Disconnect confirmation is open. */
	confirming: boolean;
	setConfirming: ( open: boolean ) => void;
	notice: ReturnNotice | null;
	dismissNotice: () => void;
	/** The status line, which takes focus when the button that had it is gone. */
	statusRef: { current: HTMLParagraphElement | null };
	connect: () => Promise< void >;
	disconnect: () => Promise< void >;
}

/**
 * @param doctorId Doctor shown to an administrator; absent for the doctor's own connection.
 * @param navigate Sends the browser to Google's consent page.
 */
export default function useConnection(
	doctorId: number | undefined,
	navigate: ( url: string ) => void
): ConnectionState {
	const [ connection, setConnection ] = useState< Connection | null >( null );
	const [ loadError, setLoadError ] = useState< ApiError | null >( null );
	const [ busy, setBusy ] = useState< ConnectionState[ 'busy' ] >( null );
	const [ confirming, setConfirming ] = useState( false );
	const [ notice, setNotice ] = useState< ReturnNotice | null >( () =>
		readReturn( window.location.search, window.location.hash )
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
			await disconnectGoogle( doctorId );
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

	return {
		connection,
		loadError,
		busy,
		confirming,
		setConfirming,
		notice,
		dismissNotice: () => setNotice( null ),
		statusRef,
		connect,
		disconnect,
	};
}
