// The block editor package ships no type declarations. These cover the parts the blocks
// use; extend them as more of the package is used.
declare module '@wordpress/block-editor' {
	import type { ComponentType, ReactNode } from 'react';

	export function useBlockProps(
		props?: Record< string, unknown >
	): Record< string, unknown >;

	export namespace useBlockProps {
		function save(
			props?: Record< string, unknown >
		): Record< string, unknown >;
	}

	export const InspectorControls: ComponentType< {
		children?: ReactNode;
		group?: 'default' | 'advanced' | 'color' | 'typography' | 'styles';
	} >;
}
