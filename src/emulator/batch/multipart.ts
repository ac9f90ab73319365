/**
 * The `multipart/mixed` format of Google's batch endpoint: each part is `Content-Type:
 * application/http` holding one HTTP request (on the way in) or one HTTP response (on the way
 * out), with an optional `Content-ID` that the answer echoes as `response-<id>`.
 */
import { STATUS_CODES } from 'node:http';

export interface InnerRequest {
	contentId?: string;
	method: string;
	/** Path and query, the origin dropped (`/calendar/v3/calendars/primary/events`). */
	url: string;
	headers: Record< string, string >;
	body: string;
}

export interface InnerResponse {
	contentId?: string;
	status: number;
	headers: Record< string, string >;
	body: string;
}

/** The boundary of a `multipart/mixed` content type, or undefined. */
export function boundaryOf(
	contentType: string | undefined
): string | undefined {
	const m =
		/^\s*multipart\/mixed\s*;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(
			contentType ?? ''
		);
	return m ? ( m[ 1 ] ?? m[ 2 ] ) : undefined;
}

/** Splits a block at its first empty line: the header lines, then the rest. */
function splitHead( text: string ): { head: string[]; rest: string } {
	const m = /\r?\n\r?\n/.exec( text );
	if ( ! m ) {
		return { head: text.split( /\r?\n/ ).filter( Boolean ), rest: '' };
	}
	return {
		head: text.slice( 0, m.index ).split( /\r?\n/ ),
		rest: text.slice( m.index + m[ 0 ].length ),
	};
}

function headerMap( lines: string[] ): Record< string, string > {
	const out: Record< string, string > = {};
	for ( const line of lines ) {
		const colon = line.indexOf( ':' );
		if ( colon > 0 ) {
			out[ line.slice( 0, colon ).trim().toLowerCase() ] = line
				.slice( colon + 1 )
				.trim();
		}
	}
	return out;
}

/** The inner requests of a batch body; throws a message when a part is not one. */
export function parseBatch( body: string, boundary: string ): InnerRequest[] {
	const delimiter = `--${ boundary }`;
	const end = body.indexOf( `${ delimiter }--` );
	const parts = ( end >= 0 ? body.slice( 0, end ) : body )
		.split( delimiter )
		.slice( 1 );
	return parts.map( ( raw, index ) => {
		const part = splitHead( raw.replace( /^\r?\n/, '' ) );
		const partHeaders = headerMap( part.head );
		if (
			! /^application\/http\b/i.test(
				partHeaders[ 'content-type' ] ?? ''
			)
		) {
			throw new Error(
				`part ${ index + 1 } is not Content-Type: application/http`
			);
		}
		const inner = splitHead( part.rest.replace( /^\s+/, '' ) );
		const [ requestLine = '', ...headerLines ] = inner.head;
		const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(
			requestLine.trim()
		);
		if ( ! m ) {
			throw new Error( `part ${ index + 1 } has no request line` );
		}
		const id = partHeaders[ 'content-id' ]?.replace( /^<|>$/g, '' );
		return {
			...( id ? { contentId: id } : {} ),
			method: m[ 1 ] as string,
			url: ( m[ 2 ] as string ).replace( /^https?:\/\/[^/]+/i, '' ),
			headers: headerMap( headerLines ),
			body: inner.rest.replace( /\r?\n$/, '' ),
		};
	} );
}

/** The batch answer: one `application/http` part per response, in the order of the requests. */
export function formatBatch(
	responses: InnerResponse[],
	boundary: string
): string {
	const parts = responses.map( ( r ) => {
		const lines = [
			`--${ boundary }`,
			'Content-Type: application/http',
			...( r.contentId
				? [ `Content-ID: <response-${ r.contentId }>` ]
				: [] ),
			'',
			`HTTP/1.1 ${ r.status } ${ STATUS_CODES[ r.status ] ?? '' }`.trimEnd(),
			...Object.entries( r.headers ).map(
				( [ k, v ] ) => `${ k }: ${ v }`
			),
			'',
			r.body,
		];
		return lines.join( '\r\n' );
	} );
	return `${ parts.join( '\r\n' ) }\r\n--${ boundary }--\r\n`;
}
