/**
 * Helpers for component tests (jsdom): mounting with React's act(), a REST API stand-in behind
 * the fetch-handler hook of api-fetch (so the components' real request code runs), and
 * user-like input events.
 */
import apiFetch from '@wordpress/api-fetch';
import { createRoot, type Root } from 'react-dom/client';
import { act, type ReactElement } from 'react';

// Tell React that this environment wraps updates in act().
(
	globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
 ).IS_REACT_ACT_ENVIRONMENT = true;

export interface Call {
	method: string;
	path: string;
	query: URLSearchParams;
	data: unknown;
}

export type Reply =
	| { status?: number; body: unknown }
	| ( ( call: Call ) => { status?: number; body: unknown } );

/**
 * Routes `METHOD /route` (without the namespace and query) to replies; records every call.
 * A reply with a status of 400 or more rejects the way api-fetch does with a WordPress error.
 */
export function fakeRest( routes: Record< string, Reply > ): Call[] {
	const calls: Call[] = [];
	apiFetch.setFetchHandler( async ( options ) => {
		const full = String( options.path ?? options.url ?? '' );
		const [ pathPart, queryPart = '' ] = full.split( '?' );
		const path = pathPart!.replace( /^\/meet-for-kivicare\/v1/, '' );
		const method = String( options.method ?? 'GET' ).toUpperCase();
		const call: Call = {
			method,
			path,
			query: new URLSearchParams( queryPart ),
			data: options.data,
		};
		calls.push( call );
		const reply = routes[ `${ method } ${ path }` ];
		if ( ! reply ) {
			throw {
				code: 'rest_no_route',
				message: `No route ${ method } ${ path }`,
				data: { status: 404 },
			};
		}
		const answer = typeof reply === 'function' ? reply( call ) : reply;
		if ( ( answer.status ?? 200 ) >= 400 ) {
			throw answer.body;
		}
		return answer.body;
	} );
	return calls;
}

export interface Mounted {
	container: HTMLElement;
	root: Root;
	unmount: () => void;
}

/** Renders into a fresh element attached to the document. */
export async function mount( element: ReactElement ): Promise< Mounted > {
	const container = document.createElement( 'div' );
	document.body.appendChild( container );
	const root = createRoot( container );
	await act( async () => {
		root.render( element );
	} );
	return {
		container,
		root,
		unmount: () => {
			act( () => root.unmount() );
			container.remove();
		},
	};
}

/** Lets pending promises (fake REST answers) and the renders they cause settle. */
export async function settle( rounds = 5 ): Promise< void > {
	for ( let i = 0; i < rounds; i++ ) {
		await act( async () => {
			await new Promise( ( resolve ) => setTimeout( resolve, 0 ) );
		} );
	}
}

/** Clicks like a user (the event bubbles through React's root listener). */
export async function click(
	element: Element | null | undefined
): Promise< void > {
	if ( ! element ) {
		throw new Error( 'Nothing to click' );
	}
	await act( async () => {
		( element as HTMLElement ).click();
	} );
	await settle();
}

/** Types a new value into a controlled input or textarea. */
export async function type(
	element: Element | null | undefined,
	value: string
): Promise< void > {
	if ( ! element ) {
		throw new Error( 'Nothing to type into' );
	}
	const field = element as HTMLInputElement | HTMLTextAreaElement;
	const proto = Object.getPrototypeOf( field ) as object;
	const setter = Object.getOwnPropertyDescriptor( proto, 'value' )?.set;
	await act( async () => {
		setter?.call( field, value );
		field.dispatchEvent( new Event( 'input', { bubbles: true } ) );
	} );
}

/** The first button (or link) whose text is `text`. */
export function byText(
	container: ParentNode,
	text: string,
	selector = 'button, a'
): HTMLElement | undefined {
	return Array.from(
		container.querySelectorAll< HTMLElement >( selector )
	).find( ( el ) => el.textContent?.trim() === text );
}

/** The form control labelled `label`. */
export function byLabel(
	container: ParentNode,
	label: string
): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | undefined {
	const found = Array.from( container.querySelectorAll( 'label' ) ).find(
		( el ) => el.textContent?.trim() === label
	);
	const id = found?.getAttribute( 'for' );
	return id
		? ( document.getElementById( id ) as
				HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement )
		: undefined;
}
