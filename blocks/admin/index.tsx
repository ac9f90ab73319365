/**
 * Admin bundle (build/admin/index.js, script handle `meet-for-kivicare-admin`). Screens print a
 * root element `<div class="mfk-admin-root" data-mfk-screen="<name>">` and enqueue this script;
 * it mounts the React component registered for that screen.
 */
import domReady from '@wordpress/dom-ready';
import { createRoot, type ComponentType } from '@wordpress/element';

const screens: Record< string, ComponentType< { root: HTMLElement } > > = {};

/** Makes a screen component available to `data-mfk-screen="<name>"` roots. */
export function registerScreen(
	name: string,
	component: ComponentType< { root: HTMLElement } >
): void {
	screens[ name ] = component;
}

/** Mounts the registered screen of every root below `container`; returns how many. */
export function mountScreens( container: ParentNode = document ): number {
	let mounted = 0;
	container
		.querySelectorAll< HTMLElement >( '.mfk-admin-root[data-mfk-screen]' )
		.forEach( ( root ) => {
			const Screen = screens[ root.dataset.mfkScreen ?? '' ];
			if ( ! Screen || root.dataset.mfkMounted ) {
				return;
			}
			root.dataset.mfkMounted = '1';
			createRoot( root ).render( <Screen root={ root } /> );
			mounted += 1;
		} );
	return mounted;
}

domReady( () => mountScreens() );
