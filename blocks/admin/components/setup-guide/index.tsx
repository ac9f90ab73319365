/**
 * The Google setup guide: six steps from an empty Google Cloud project to a real test meeting.
 * The steps done in the Cloud console alone (1–3) are confirmed by the administrator, and
 * Google itself confirms them in steps 4–6, which this site checks: the OAuth client accepted,
 * a doctor connected, a test meeting created and removed. A step opens once the one before is
 * done; every step stays readable.
 */
import { Button, Notice } from '@wordpress/components';
import { useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import { request, type ApiError } from '../../api';
import useConnectedDoctors from '../../hooks/use-connected-doctors';
import type { SettingsForm } from '../../hooks/use-settings';
import type { TestCheck, TestResult } from '../../types';
import TestConnection from '../test-connection';
import GoogleErrors from './google-errors';
import {
	ClientStep,
	ConsentStep,
	CredentialsStep,
	DoctorStep,
	ProjectStep,
} from './steps';
import useGuideProgress from './use-guide-progress';

export interface SetupGuideProps {
	form: SettingsForm;
	dirty: boolean;
	saving: boolean;
	/** Changes after each successful save. */
	savedCount: number;
	/** Changes each time a tab is opened: the connected doctors are read again. */
	tabsOpened?: number;
}

function Step( {
	index,
	title,
	state,
	status,
	children,
}: {
	index: number;
	title: string;
	state: 'done' | 'current' | 'todo';
	status: string;
	children: ReactNode;
} ) {
	return (
		<li
			className={ `mfk-guide__step is-${ state }` }
			data-step={ index }
			aria-current={ state === 'current' ? 'step' : undefined }
		>
			<h3 className="mfk-guide__title">
				<span aria-hidden="true">
					{ state === 'done' ? '✓' : String( index ) }
				</span>{ ' ' }
				{ title }
			</h3>
			<p className="mfk-guide__status">{ status }</p>
			<div className="mfk-guide__body">{ children }</div>
		</li>
	);
}

export default function SetupGuide( {
	form,
	dirty,
	saving,
	savedCount,
	tabsOpened = 0,
}: SetupGuideProps ) {
	const { settings } = form;
	const [ doctorsKey, setDoctorsKey ] = useState( 0 );
	// Both only grow, so their sum changes whenever either does.
	const doctorsReload = doctorsKey + tabsOpened;
	const doctors = useConnectedDoctors( doctorsReload );
	const progress = useGuideProgress();
	const [ checking, setChecking ] = useState( false );
	const [ clientCheck, setClientCheck ] = useState< TestCheck | null >(
		null
	);
	const [ checkError, setCheckError ] = useState< ApiError | null >( null );
	const checkAfterSave = useRef( false );

	const clientSaved =
		settings.google_client_id !== '' && settings.google_client_secret_set;
	const active = ( doctors ?? [] ).filter( ( d ) => d.status === 'active' );
	const done = [
		progress.confirmed( 1 ) || progress.meetingDone,
		progress.confirmed( 2 ) || progress.meetingDone,
		progress.confirmed( 3 ) || progress.meetingDone,
		clientSaved && progress.clientCheckedFor === settings.google_client_id,
		active.length > 0,
		progress.meetingDone,
	];
	const current = done.findIndex( ( d ) => ! d );
	const stateOf = ( i: number ): 'done' | 'current' | 'todo' => {
		if ( done[ i ] ) {
			return 'done';
		}
		return i === current ? 'current' : 'todo';
	};
	const statusOf = ( i: number, checkedBy: string ) => {
		if ( done[ i ] ) {
			return __( 'Done.', 'meet-for-kivicare' );
		}
		if ( i !== current ) {
			return sprintf(
				/* translators: %d: step number. */
				__( 'Finish step %d first.', 'meet-for-kivicare' ),
				current + 1
			);
		}
		return checkedBy;
	};

	const checkClient = async () => {
		setChecking( true );
		setCheckError( null );
		try {
			const answer = await request< TestResult >( '/settings/test', {
				method: 'POST',
				data: {},
			} );
			const failed = answer.checks.find( ( c ) => ! c.ok );
			const client = answer.checks.find( ( c ) => c.id === 'client' );
			setClientCheck( failed ?? client ?? null );
			if ( ! failed && client ) {
				progress.setClientCheckedFor( settings.google_client_id );
			}
		} catch ( e ) {
			setCheckError( e as ApiError );
		} finally {
			setChecking( false );
		}
	};

	// "Save and check": the check runs on the values just saved.
	useEffect( () => {
		if ( checkAfterSave.current && savedCount > 0 ) {
			checkAfterSave.current = false;
			checkClient();
		}
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ savedCount ] );

	const confirm = ( step: number ) => (
		<Button
			__next40pxDefaultSize
			variant="primary"
			disabled={ current !== step - 1 }
			accessibleWhenDisabled
			onClick={ () => progress.confirm( step ) }
		>
			{ __( 'Done, next step', 'meet-for-kivicare' ) }
		</Button>
	);

	return (
		<div className="mfk-guide">
			{ progress.meetingDone && (
				<Notice status="success" isDismissible={ false }>
					{ __(
						'Google is set up: a test meeting was created and removed. The steps stay here for reference.',
						'meet-for-kivicare'
					) }
				</Notice>
			) }
			<ol className="mfk-guide__steps">
				<Step
					index={ 1 }
					title={ __(
						'Create a Google Cloud project and enable the Google Calendar API',
						'meet-for-kivicare'
					) }
					state={ stateOf( 0 ) }
					status={ statusOf(
						0,
						__(
							'Done in the Google Cloud console; Google confirms it in step 6.',
							'meet-for-kivicare'
						)
					) }
				>
					<ProjectStep />
					{ ! done[ 0 ] && confirm( 1 ) }
				</Step>
				<Step
					index={ 2 }
					title={ __(
						'Set up the OAuth consent screen (Google Auth Platform)',
						'meet-for-kivicare'
					) }
					state={ stateOf( 1 ) }
					status={ statusOf(
						1,
						__(
							'Done in the Google Cloud console; Google confirms it when the first doctor connects (step 5).',
							'meet-for-kivicare'
						)
					) }
				>
					<ConsentStep />
					<GoogleErrors
						ids={ [
							'access_denied',
							'org_internal',
							'testing_app_expired',
						] }
						redirectUri={ settings.redirect_uri }
					/>
					{ ! done[ 1 ] && confirm( 2 ) }
				</Step>
				<Step
					index={ 3 }
					title={ __(
						'Create the OAuth client with this site’s redirect URI',
						'meet-for-kivicare'
					) }
					state={ stateOf( 2 ) }
					status={ statusOf(
						2,
						__(
							'Done in the Google Cloud console; Google confirms the client in step 4 and the redirect URI in step 5.',
							'meet-for-kivicare'
						)
					) }
				>
					<ClientStep redirectUri={ settings.redirect_uri } />
					{ ! done[ 2 ] && confirm( 3 ) }
				</Step>
				<Step
					index={ 4 }
					title={ __(
						'Paste the client ID and secret',
						'meet-for-kivicare'
					) }
					state={ stateOf( 3 ) }
					status={ statusOf(
						3,
						__(
							'Saved, then checked with Google.',
							'meet-for-kivicare'
						)
					) }
				>
					<CredentialsStep form={ form } />
					<div className="mfk-guide__actions">
						<Button
							__next40pxDefaultSize
							variant={ dirty ? 'primary' : 'secondary' }
							type={ dirty ? 'submit' : 'button' }
							isBusy={ saving || checking }
							aria-disabled={ saving || checking }
							onClick={ () => {
								if ( dirty ) {
									checkAfterSave.current = true;
								} else {
									checkClient();
								}
							} }
						>
							{ dirty
								? __( 'Save and check', 'meet-for-kivicare' )
								: __(
										'Check with Google',
										'meet-for-kivicare'
									) }
						</Button>
					</div>
					{ checkError && (
						<Notice status="error" isDismissible={ false }>
							{ checkError.message }
						</Notice>
					) }
					{ clientCheck && (
						<Notice
							status={ clientCheck.ok ? 'success' : 'error' }
							isDismissible={ false }
							className="mfk-guide__result"
						>
							<p>{ clientCheck.message }</p>
							{ ! clientCheck.ok && clientCheck.hint && (
								<p>{ clientCheck.hint }</p>
							) }
						</Notice>
					) }
				</Step>
				<Step
					index={ 5 }
					title={ __(
						'Connect a first doctor',
						'meet-for-kivicare'
					) }
					state={ stateOf( 4 ) }
					status={ statusOf(
						4,
						__(
							'Checked here: at least one doctor is connected.',
							'meet-for-kivicare'
						)
					) }
				>
					<DoctorStep
						connected={ active.map( ( d ) =>
							d.email ? `${ d.name } (${ d.email })` : d.name
						) }
					/>
					<Button
						__next40pxDefaultSize
						variant="secondary"
						onClick={ () => setDoctorsKey( ( k ) => k + 1 ) }
					>
						{ __( 'Check again', 'meet-for-kivicare' ) }
					</Button>
					<GoogleErrors
						ids={ [
							'redirect_uri_mismatch',
							'access_denied',
							'org_internal',
						] }
						redirectUri={ settings.redirect_uri }
					/>
				</Step>
				<Step
					index={ 6 }
					title={ __(
						'Create and remove a test meeting',
						'meet-for-kivicare'
					) }
					state={ stateOf( 5 ) }
					status={ statusOf(
						5,
						__(
							'Checked here: a real meeting with a Google Meet link is created in a connected doctor’s calendar and removed at once.',
							'meet-for-kivicare'
						)
					) }
				>
					<TestConnection
						dirty={ dirty }
						reloadKey={ doctorsReload }
						onResult={ ( r ) =>
							progress.setMeetingDone( !! r.complete )
						}
					/>
					<GoogleErrors
						ids={ [ 'api_disabled' ] }
						redirectUri={ settings.redirect_uri }
					/>
				</Step>
			</ol>
		</div>
	);
}
