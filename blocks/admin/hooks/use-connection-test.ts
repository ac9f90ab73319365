/**
 * One run of the connection test (`POST /settings/test`), optionally with a test meeting
 * created and removed in the signed-in doctor's calendar; the outcome is announced.
 */
import { speak } from '@wordpress/a11y';
import { useState } from '@wordpress/element';
import { request, type ApiError } from '../api';
import type { TestResult } from '../types';

export interface ConnectionTestState {
	running: boolean;
	/** Also create and remove a test meeting. */
	probe: boolean;
	setProbe: ( probe: boolean ) => void;
	result: TestResult | null;
	error: ApiError | null;
	run: () => Promise< void >;
}

/** @param summarize One sentence announcing a run's result. */
export default function useConnectionTest(
	summarize: ( result: TestResult ) => string
): ConnectionTestState {
	const [ running, setRunning ] = useState( false );
	const [ probe, setProbe ] = useState( false );
	const [ result, setResult ] = useState< TestResult | null >( null );
	const [ error, setError ] = useState< ApiError | null >( null );

	const run = async () => {
		if ( running ) {
			return;
		}
		setRunning( true );
		setError( null );
		try {
			const answer = await request< TestResult >( '/settings/test', {
				method: 'POST',
				data: probe ? { probe: true } : {},
			} );
			setResult( answer );
			speak( summarize( answer ) );
		} catch ( e ) {
			setResult( null );
			setError( e as ApiError );
			speak( ( e as ApiError ).message, 'assertive' );
		} finally {
			setRunning( false );
		}
	};

	return { running, probe, setProbe, result, error, run };
}
