/**
 * Request bodies are JSON only. The raw bytes are kept for the signature; a parse error is
 * reported only after the signature was checked (plugins/signed-requests.ts), so unauthenticated
 * callers learn nothing.
 */
import fp from 'fastify-plugin';

declare module 'fastify' {
	interface FastifyRequest {
		rawBody?: Buffer;
		malformedJson?: boolean;
	}
}

/**
 * Text that could spell such a key: literally, or through a \u escape (JSON has no other way).
 * Only then is the body parsed with the reviver, which is several times slower than without.
 */
const MAYBE_PROTOTYPE_KEY = /__proto__|constructor|\\u/;

/** Keys that could reach an object's prototype are refused outright. */
function refusePrototypeKeys( key: string, value: unknown ): unknown {
	if ( key === '__proto__' || key === 'constructor' ) {
		throw new Error( 'forbidden key' );
	}
	return value;
}

export default fp(
	async ( app ) => {
		app.removeAllContentTypeParsers();
		app.addContentTypeParser(
			'application/json',
			{ parseAs: 'buffer' },
			( request, body: Buffer, done ) => {
				request.rawBody = body;
				if ( body.length === 0 ) {
					done( null, undefined );
					return;
				}
				try {
					const text = body.toString( 'utf8' );
					done(
						null,
						MAYBE_PROTOTYPE_KEY.test( text )
							? JSON.parse( text, refusePrototypeKeys )
							: JSON.parse( text )
					);
				} catch {
					request.malformedJson = true;
					done( null, undefined );
				}
			}
		);
	},
	{ name: 'mfk-json-body' }
);
