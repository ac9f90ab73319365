/**
 * Answers of the browser-facing OAuth endpoints: HTML pages and redirects, never cached.
 */
import type { Outcome } from '../pipeline/outcome';
import { errorPage } from './consent-page';

export const NO_STORE = {
	'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
	pragma: 'no-cache',
};

export function html( status: number, body: string ): Outcome {
	return {
		status,
		body,
		raw: true,
		headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE },
	};
}

/** Google's error page (shown instead of redirecting when the redirect cannot be trusted). */
export const errorHtml = (
	status: number,
	error: string,
	description: string
) => html( status, errorPage( status, error, description ) );

export function redirect( to: string ): Outcome {
	return {
		status: 302,
		body: '',
		raw: true,
		headers: { location: to, ...NO_STORE },
	};
}

/** `uri` with the given query parameters set (undefined ones left out). */
export function withParams(
	uri: string,
	params: Record< string, string | undefined >
): string {
	const url = new URL( uri );
	for ( const [ k, v ] of Object.entries( params ) ) {
		if ( v !== undefined ) {
			url.searchParams.set( k, v );
		}
	}
	return url.toString();
}
