/**
 * The doctors with a Google connection (`GET /connections`), for choosing whom the connection
 * test runs as; `null` while loading, `[]` when the list cannot be read.
 */
import { useEffect, useState } from '@wordpress/element';
import { request } from '../api';
import type { DoctorConnection } from '../types';

export default function useConnectedDoctors(
	reloadKey = 0
): DoctorConnection[] | null {
	const [ doctors, setDoctors ] = useState< DoctorConnection[] | null >(
		null
	);
	useEffect( () => {
		let live = true;
		request< { doctors: DoctorConnection[] } >( '/connections' )
			.then( ( answer ) => {
				if ( live ) {
					setDoctors(
						answer.doctors.filter(
							( d ) => d.status !== 'disconnected'
						)
					);
				}
			} )
			.catch( () => live && setDoctors( [] ) );
		return () => {
			live = false;
		};
	}, [ reloadKey ] );
	return doctors;
}
