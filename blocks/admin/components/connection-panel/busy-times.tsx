/**
 * "Google busy times" on the doctor's connection panel: whether the doctor's Google busy times
 * block their KiviCare slots, their own switch, the blocks of the next days, and — when Google
 * did not give the permission to read busy times — the button that asks for it (incremental
 * consent). Read from the site only when the doctor opens the section.
 */
import { Button, Notice, Spinner, ToggleControl } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { request, type ApiError } from '../../api';
import { withoutReturnArgs } from '../../oauth-return';
import type { BusyTimes as BusyTimesAnswer } from '../../types';

export const BUSY_ANCHOR = 'mfk-busy-times';

export interface BusyTimesProps {
	navigate: ( url: string ) => void;
}

function stateText( state: BusyTimesAnswer[ 'state' ] ): string {
	switch ( state ) {
		case 'on':
			return __(
				'Times when you are busy in Google Calendar are not offered to patients.',
				'meet-for-kivicare'
			);
		case 'off':
			return __(
				'Your Google busy times do not block your slots.',
				'meet-for-kivicare'
			);
		case 'needs_grant':
			return __(
				'Google has not allowed this site to see when you are busy. Without it, patients may be offered times when you are busy in Google Calendar.',
				'meet-for-kivicare'
			);
		default:
			return __(
				'Connect your Google account first.',
				'meet-for-kivicare'
			);
	}
}

export default function BusyTimes( { navigate }: BusyTimesProps ) {
	const [ answer, setAnswer ] = useState< BusyTimesAnswer | null >( null );
	const [ loading, setLoading ] = useState( false );
	const [ error, setError ] = useState( '' );

	const load = async () => {
		setLoading( true );
		setError( '' );
		try {
			setAnswer(
				await request< BusyTimesAnswer >( '/connection/busy-times' )
			);
		} catch ( e ) {
			setError( ( e as ApiError ).message );
		} finally {
			setLoading( false );
		}
	};

	const toggle = async ( enabled: boolean ) => {
		setLoading( true );
		setError( '' );
		try {
			await request( '/connection/busy-times', {
				method: 'POST',
				data: { enabled },
			} );
			setAnswer(
				await request< BusyTimesAnswer >( '/connection/busy-times' )
			);
		} catch ( e ) {
			setError( ( e as ApiError ).message );
		} finally {
			setLoading( false );
		}
	};

	const allow = async () => {
		setError( '' );
		try {
			const { url } = await request< { url: string } >(
				'/connection/busy-times/access',
				{
					method: 'POST',
					data: {
						return_to: `${ withoutReturnArgs(
							window.location.href
						).replace( /#.*$/, '' ) }#${ BUSY_ANCHOR }`,
					},
				}
			);
			navigate( url );
		} catch ( e ) {
			setError( ( e as ApiError ).message );
		}
	};

	// Back from Google's consent page (…#mfk-busy-times): show the state at once.
	useEffect( () => {
		if ( window.location.hash === `#${ BUSY_ANCHOR }` ) {
			load();
		}
	}, [] );

	const blocks = answer?.blocks ?? [];
	return (
		<div className="mfk-busy-times" id={ BUSY_ANCHOR }>
			<h3>{ __( 'Google busy times', 'meet-for-kivicare' ) }</h3>
			{ error && (
				<Notice status="error" isDismissible={ false }>
					{ error }
				</Notice>
			) }
			{ ! answer && (
				<Button
					__next40pxDefaultSize
					variant="secondary"
					onClick={ load }
					isBusy={ loading }
					aria-disabled={ loading }
				>
					{ __( 'Show busy times', 'meet-for-kivicare' ) }
				</Button>
			) }
			{ answer && (
				<>
					<p className="mfk-busy-times__state">
						{ stateText( answer.state ) }
					</p>
					{ answer.state === 'needs_grant' && (
						<Button
							__next40pxDefaultSize
							variant="primary"
							onClick={ allow }
						>
							{ __( 'Allow in Google', 'meet-for-kivicare' ) }
						</Button>
					) }
					{ ( answer.state === 'on' || answer.state === 'off' ) && (
						<ToggleControl
							__nextHasNoMarginBottom
							label={ __(
								'Block my slots when I am busy in Google Calendar',
								'meet-for-kivicare'
							) }
							checked={ answer.switched_on }
							disabled={ loading }
							onChange={ toggle }
						/>
					) }
					{ loading && <Spinner /> }
					{ answer.state === 'on' && (
						<>
							<h4>{ __( 'Next days', 'meet-for-kivicare' ) }</h4>
							{ blocks.length === 0 ? (
								<p>
									{ __(
										'No busy times in the next days.',
										'meet-for-kivicare'
									) }
								</p>
							) : (
								<ul className="mfk-busy-times__blocks">
									{ blocks.map( ( b ) => (
										<li key={ `${ b.start }-${ b.end }` }>
											{ `${ b.start.slice(
												0,
												16
											) } – ${ b.end.slice(
												11,
												16
											) }: ${ b.name }` }
										</li>
									) ) }
								</ul>
							) }
						</>
					) }
				</>
			) }
		</div>
	);
}
