/**
 * The integration's health (`GET /health`), loaded at once, then every `refreshMs` while the
 * page is visible, and again whenever `reloadKey` changes.
 */
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { request, type ApiError } from '../api';
import type { Health } from '../types';

export interface HealthState {
	health: Health | null;
	error: ApiError | null;
	loading: boolean;
	updatedAt: Date | null;
	/** Loads the figures now; true when they could be loaded. */
	load: () => Promise< boolean >;
}

export default function useHealth(
	refreshMs: number,
	reloadKey: number
): HealthState {
	const [ health, setHealth ] = useState< Health | null >( null );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ loading, setLoading ] = useState( false );
	const [ updatedAt, setUpdatedAt ] = useState< Date | null >( null );
	const mounted = useRef( true );

	const load = useCallback( async (): Promise< boolean > => {
		setLoading( true );
		try {
			const answer = await request< Health >( '/health' );
			if ( mounted.current ) {
				setHealth( answer );
				setError( null );
				setUpdatedAt( new Date() );
			}
			return true;
		} catch ( e ) {
			if ( mounted.current ) {
				setError( e as ApiError );
			}
			return false;
		} finally {
			if ( mounted.current ) {
				setLoading( false );
			}
		}
	}, [] );

	useEffect( () => {
		mounted.current = true;
		let timer: ReturnType< typeof setTimeout > | undefined;
		const tick = async () => {
			if ( document.visibilityState !== 'hidden' ) {
				await load();
			}
			if ( mounted.current ) {
				timer = setTimeout( tick, refreshMs );
			}
		};
		tick();
		return () => {
			mounted.current = false;
			clearTimeout( timer );
		};
	}, [ load, refreshMs ] );

	// The timer above does the first load; later keys mean "reload now".
	const firstKey = useRef( reloadKey );
	useEffect( () => {
		if ( reloadKey !== firstKey.current ) {
			load();
		}
	}, [ reloadKey, load ] );

	return { health, error, loading, updatedAt, load };
}
