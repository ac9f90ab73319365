/**
 * Registry of admin screens. PHP prints `<div class="mfk-admin-root" data-mfk-screen="<name>">`
 * and enqueues the admin bundle, which mounts the React component registered for that name.
 */
import {
	createElement,
	createRoot,
	type ComponentType,
} from '@wordpress/element';

export type ScreenComponent = ComponentType< { root: HTMLElement } >;

const screens: Record< string, ScreenComponent > = {};

/** Makes a screen component available to `data-mfk-screen="<name>"` roots. */
export function registerScreen(
	name: string,
	component: ScreenComponent
): void {
	screens[ name ] = component;
}

/** Mounts the registered screen of every root below `container` once; returns how many. */
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
			createRoot( root ).render( createElement( Screen, { root } ) );
			mounted += 1;
		} );
	return mounted;
}
