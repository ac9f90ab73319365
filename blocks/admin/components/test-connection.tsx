/**
 * "Test connection": runs `POST /settings/test` and explains each check in plain words with the
 * next step when it failed.
 */
import { Button, CheckboxControl, Notice } from '@wordpress/components';
import { __, _n, sprintf } from '@wordpress/i18n';
import { checkLabel } from '../format';
import useConnectionTest from '../hooks/use-connection-test';
import type { TestResult } from '../types';

/** One sentence summing up a test run. */
export function summarize( result: TestResult ): string {
	const failed = result.checks.filter( ( check ) => ! check.ok ).length;
	if ( result.ok && failed === 0 ) {
		return __(
			'Everything works: Google Meet links can be created.',
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

export interface TestConnectionProps {
	/** The form has unsaved changes (the test uses the saved settings). */
	dirty: boolean;
}

export default function TestConnection( { dirty }: TestConnectionProps ) {
	const { running, probe, setProbe, result, error, run } =
		useConnectionTest( summarize );

	return (
		<div className="mfk-test">
			<p className="mfk-test__intro">
				{ __(
					'Checks that WordPress reaches the sidecar, that the sidecar accepts the shared secret and that Google accepts the OAuth client; for a connected doctor also their Google connection, calendar and Meet.',
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
			<CheckboxControl
				__nextHasNoMarginBottom
				label={ __(
					'Also create and remove a test meeting in my Google calendar',
					'meet-for-kivicare'
				) }
				help={ __(
					'Only when you are a doctor with a connected Google account.',
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
			{ result && (
				<div className="mfk-test__result">
					<Notice
						status={ result.ok ? 'success' : 'error' }
						isDismissible={ false }
					>
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
											{ __(
												'Next step:',
												'meet-for-kivicare'
											) }
										</strong>{ ' ' }
										{ check.hint }
									</span>
								) }
							</li>
						) ) }
					</ul>
				</div>
			) }
		</div>
	);
}
