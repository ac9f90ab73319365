/**
 * One run of the connection test (`POST /settings/test`), as the signed-in doctor or as a
 * chosen connected doctor, optionally with a test meeting created and removed in that doctor's
 * calendar; the outcome is announced.
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
	/** The connected doctor the test runs as (0: the signed-in user when a connected doctor). */
	doctorId: number;
	setDoctorId: ( id: number ) => void;
	result: TestResult | null;
	error: ApiError | null;
	run: () => Promise< void >;
}

/** @param summarize One sentence announcing a run's result. */
export default function useConnectionTest(
	summarize: ( result: TestResult ) => string
): ConnectionTestState {
	const [ running, setRunning ] = useState( false );
	const [ probe, setProbe ] = useState( true );
	const [ doctorId, setDoctorId ] = useState( 0 );
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
				data: {
					...( probe ? { probe: true } : {} ),
					...( doctorId > 0 ? { doctor_id: doctorId } : {} ),
				},
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

	return {
		running,
		probe,
		setProbe,
		doctorId,
		setDoctorId,
		result,
		error,
		run,
	};
}
