/**
 * What the administrator has done in the setup guide, kept in this browser: the Cloud console
 * steps they confirmed, the client ID Google accepted, whether a test meeting passed.
 */
import { useCallback, useState } from '@wordpress/element';

const KEY = 'mfk-setup-guide';

interface Stored {
	confirmed: number[];
	clientCheckedFor: string;
	meetingDone: boolean;
}

function read(): Stored {
	try {
		const parsed = JSON.parse(
			window.localStorage.getItem( KEY ) ?? '{}'
		) as Partial< Stored >;
		return {
			confirmed: Array.isArray( parsed.confirmed )
				? parsed.confirmed.filter( ( n ) => typeof n === 'number' )
				: [],
			clientCheckedFor:
				typeof parsed.clientCheckedFor === 'string'
					? parsed.clientCheckedFor
					: '',
			meetingDone: parsed.meetingDone === true,
		};
	} catch {
		return { confirmed: [], clientCheckedFor: '', meetingDone: false };
	}
}

export default function useGuideProgress() {
	const [ stored, setStored ] = useState< Stored >( read );
	const update = useCallback( ( patch: Partial< Stored > ) => {
		setStored( ( prev ) => {
			const next = { ...prev, ...patch };
			try {
				window.localStorage.setItem( KEY, JSON.stringify( next ) );
			} catch {
				// Private browsing: the guide still works, it just forgets on reload.
			}
			return next;
		} );
	}, [] );
	return {
		confirmed: ( step: number ) => stored.confirmed.includes( step ),
		confirm: ( step: number ) =>
			update( {
				confirmed: [
					...stored.confirmed.filter( ( n ) => n !== step ),
					step,
				],
			} ),
		clientCheckedFor: stored.clientCheckedFor,
		setClientCheckedFor: ( clientId: string ) =>
			update( { clientCheckedFor: clientId } ),
		meetingDone: stored.meetingDone,
		setMeetingDone: ( meetingDone: boolean ) => update( { meetingDone } ),
	};
}
