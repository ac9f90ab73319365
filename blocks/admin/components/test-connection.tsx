/**
 * "Test connection": runs `POST /settings/test` as the signed-in doctor or a chosen connected
 * doctor, explains each check in plain words with the next step (and the Cloud console page)
 * when it failed, and lists what was not checked. "Everything works" is said only when a real
 * test meeting was created and removed.
 */
import {
	Button,
	CheckboxControl,
	ExternalLink,
	Notice,
	SelectControl,
} from '@wordpress/components';
import { useEffect } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { checkLabel } from '../format';
import useConnectedDoctors from '../hooks/use-connected-doctors';
import useConnectionTest from '../hooks/use-connection-test';
import type { TestResult } from '../types';

/** One sentence summing up a test run. */
export function summarize( result: TestResult ): string {
	const failed = result.checks.filter( ( check ) => ! check.ok ).length;
	if ( result.ok && failed === 0 && result.complete ) {
		return result.doctor?.name
			? sprintf(
					/* translators: %s: doctor's name. */
					__(
						'Everything works: a test meeting with a Google Meet link was created and removed in the Google Calendar of %s.',
						'meet-for-kivicare'
					),
					result.doctor.name
				)
			: __(
					'Everything works: a test meeting with a Google Meet link was created and removed.',
					'meet-for-kivicare'
				);
	}
	if ( result.ok && failed === 0 ) {
		return __(
			'The checks that ran passed, but not everything was checked: see what is missing below.',
			'meet-for-kivicare'
		);
	}
	return sprintf(
		/* translators: %d: number of failed checks. */
		_n(
			'%d check failed. The next step is given below it.',
			'%d checks failed. The next step is given below each.',
			Math.max( 1, failed ),
			'meet-for-kivicare'
		),
		Math.max( 1, failed )
	);
}

function noticeStatus( result: TestResult ): 'success' | 'warning' | 'error' {
	if ( ! result.ok ) {
		return 'error';
	}
	return result.complete ? 'success' : 'warning';
}

export interface TestConnectionProps {
	/** The form has unsaved changes (the test uses the saved settings). */
	dirty: boolean;
	/** Changes when the list of connected doctors may have changed. */
	reloadKey?: number;
	/** Told of each run's result (the setup guide's last step). */
	onResult?: ( result: TestResult ) => void;
}

export default function TestConnection( {
	dirty,
	reloadKey = 0,
	onResult,
}: TestConnectionProps ) {
	const {
		running,
		probe,
		setProbe,
		doctorId,
		setDoctorId,
		result,
		error,
		run,
	} = useConnectionTest( summarize );
	const doctors = useConnectedDoctors( reloadKey );
	useEffect( () => {
		if ( result ) {
			onResult?.( result );
		}
		// Only a new result is news; the callback may change on every render.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ result ] );

	return (
		<div className="mfk-test">
			<p className="mfk-test__intro">
				{ __(
					'Checks each part in turn: the sidecar, the OAuth client at Google, then a connected doctor’s Google connection, calendar and Meet. Only a test meeting created and removed in a doctor’s Google Calendar proves that Google Meet links can be made.',
					'meet-for-kivicare'
				) }
			</p>
			{ dirty && (
				<p className="mfk-test__dirty">
					{ __(
						'You have unsaved changes. The test uses the saved settings: save first to test the new values.',
						'meet-for-kivicare'
					) }
				</p>
			) }
			<SelectControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				label={ __( 'Test as doctor', 'meet-for-kivicare' ) }
				value={ String( doctorId ) }
				onChange={ ( value ) => setDoctorId( Number( value ) ) }
				options={ [
					{
						value: '0',
						label: __(
							'Myself (only when I am a connected doctor)',
							'meet-for-kivicare'
						),
					},
					...( doctors ?? [] ).map( ( d ) => ( {
						value: String( d.doctor_id ),
						label: d.email ? `${ d.name } (${ d.email })` : d.name,
					} ) ),
				] }
				help={
					doctors && doctors.length === 0
						? __(
								'No doctor has connected Google yet, so only the sidecar and the OAuth client can be checked.',
								'meet-for-kivicare'
							)
						: __(
								'The doctor’s Google connection and calendar are checked; the test meeting is private, sent to nobody and removed at once.',
								'meet-for-kivicare'
							)
				}
			/>
			<CheckboxControl
				__nextHasNoMarginBottom
				label={ __(
					'Create and remove a test meeting in that doctor’s Google Calendar',
					'meet-for-kivicare'
				) }
				checked={ probe }
				onChange={ setProbe }
			/>
			<Button
				__next40pxDefaultSize
				variant="secondary"
				onClick={ run }
				isBusy={ running }
				aria-disabled={ running }
			>
				{ running
					? __( 'Testing…', 'meet-for-kivicare' )
					: __( 'Test connection', 'meet-for-kivicare' ) }
			</Button>
			{ error && (
				<Notice status="error" isDismissible={ false }>
					{ sprintf(
						/* translators: %s: error message. */
						__( 'The test could not run: %s', 'meet-for-kivicare' ),
						error.message
					) }
				</Notice>
			) }
			{ result && <TestOutcome result={ result } /> }
		</div>
	);
}

function TestOutcome( { result }: { result: TestResult } ) {
	const notChecked = result.not_checked ?? [];
	return (
		<div className="mfk-test__result">
			<Notice status={ noticeStatus( result ) } isDismissible={ false }>
				{ summarize( result ) }
			</Notice>
			<ul className="mfk-test__checks">
				{ result.checks.map( ( check ) => (
					<li
						key={ check.id }
						className={ check.ok ? 'is-ok' : 'is-bad' }
						data-check={ check.id }
					>
						<span className="mfk-indicator">
							<span aria-hidden="true">
								{ check.ok ? '✓' : '✕' }
							</span>{ ' ' }
							<strong>{ checkLabel( check.id ) }</strong>
							{ ': ' }
							{ check.ok
								? __( 'passed', 'meet-for-kivicare' )
								: __( 'failed', 'meet-for-kivicare' ) }
						</span>
						{ check.message && (
							<span className="mfk-test__message">
								{ check.message }
							</span>
						) }
						{ ! check.ok && check.hint && (
							<span className="mfk-test__hint">
								<strong>
									{ __( 'Next step:', 'meet-for-kivicare' ) }
								</strong>{ ' ' }
								{ check.hint }
							</span>
						) }
						{ ! check.ok && check.link && (
							<span className="mfk-test__hint">
								<ExternalLink href={ check.link.url }>
									{ check.link.label }
								</ExternalLink>
							</span>
						) }
					</li>
				) ) }
			</ul>
			{ notChecked.length > 0 && (
				<div className="mfk-test__not-checked">
					<h4>{ __( 'Not checked', 'meet-for-kivicare' ) }</h4>
					<ul>
						{ notChecked.map( ( item ) => (
							<li key={ item.id } data-not-checked={ item.id }>
								{ item.message }
							</li>
						) ) }
					</ul>
				</div>
			) }
		</div>
	);
}
