/**
 * The settings page's open tab, kept in the address (`#google`), so a link, a reload or the
 * browser's Back lands on the same tab. Anchors of the former one-page layout (`#mfk-doctors`)
 * still open their tab.
 */
import { useCallback, useEffect, useState } from '@wordpress/element';

export const TAB_NAMES = [
	'status',
	'google',
	'meetings',
	'emails',
	'doctors',
	'advanced',
] as const;
export type TabName = ( typeof TAB_NAMES )[ number ];

/** The tab a hash names, if any (`#google`, `#mfk-google`, `#mfk-doctors`). */
export function tabOfHash( hash: string ): TabName | null {
	const name = hash.replace( /^#/, '' ).replace( /^mfk-/, '' );
	return ( TAB_NAMES as readonly string[] ).includes( name )
		? ( name as TabName )
		: null;
}

/**
 * The open tab, a function that opens one, and how many times a tab was opened (what a tab
 * shows from the server is read again when it is opened).
 */
export default function useTab(
	fallback: TabName
): [ TabName, ( tab: TabName ) => void, number ] {
	const [ tab, setTab ] = useState< TabName >(
		() => tabOfHash( window.location.hash ) ?? fallback
	);
	const [ opened, setOpened ] = useState( 0 );
	useEffect( () => {
		const follow = () => {
			const named = tabOfHash( window.location.hash );
			if ( named ) {
				setTab( named );
				setOpened( ( n ) => n + 1 );
			}
		};
		window.addEventListener( 'hashchange', follow );
		return () => window.removeEventListener( 'hashchange', follow );
	}, [] );
	const select = useCallback( ( next: TabName ) => {
		setTab( next );
		setOpened( ( n ) => n + 1 );
		// replaceState: no scroll jump and no history entry per click.
		window.history.replaceState( null, '', `#${ next }` );
	}, [] );
	return [ tab, select, opened ];
}
