/**
 * Signed calls to a sidecar from the benchmark (docs/sidecar-api.md, "Signing"), over node:http.
 * By default every call opens its own connection, as WordPress's HTTP API does.
 */
import http from 'node:http';
import { signedHeaders } from '../../src/sidecar/signing/signature';

export interface SignedAnswer {
	status: number;
	body: Record< string, any >;
	/** Wall time of the call, in ms. */
	ms: number;
}

export function sidecarCaller(
	baseUrl: string,
	secret: string,
	{
		keepAlive = false,
		headers: extra = {},
	}: {
		keepAlive?: boolean;
		/** Sent with every call (a hosted sidecar's site headers). */
		headers?: Record< string, string >;
	} = {}
) {
	const url = new URL( baseUrl );
	const agent = keepAlive
		? new http.Agent( { keepAlive: true, maxSockets: 64 } )
		: false;
	const call = ( path: string, body: unknown ): Promise< SignedAnswer > =>
		new Promise( ( resolve, reject ) => {
			const raw = JSON.stringify( body );
			const started = process.hrtime.bigint();
			const req = http.request(
				{
					host: url.hostname,
					port: url.port,
					method: 'POST',
					path,
					agent,
					headers: {
						'content-type': 'application/json; charset=utf-8',
						'content-length': Buffer.byteLength( raw ),
						...extra,
						...signedHeaders( secret, {
							method: 'POST',
							path,
							body: raw,
						} ),
					},
				},
				( res ) => {
					const chunks: Buffer[] = [];
					res.on( 'data', ( c: Buffer ) => chunks.push( c ) );
					res.on( 'end', () => {
						const ms =
							Number( process.hrtime.bigint() - started ) / 1e6;
						const text = Buffer.concat( chunks ).toString( 'utf8' );
						try {
							resolve( {
								status: res.statusCode ?? 0,
								body: text ? JSON.parse( text ) : {},
								ms,
							} );
						} catch ( error ) {
							reject( error );
						}
					} );
				}
			);
			req.on( 'error', reject );
			req.end( raw );
		} );
	return {
		call,
		close: () => {
			if ( agent ) {
				agent.destroy();
			}
		},
	};
}
