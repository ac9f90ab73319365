/**
 * Every route is signed unless it says otherwise (`config: { unsigned: true }`): the signature
 * (headers, clock, HMAC) is checked before anything else of the request is looked at, then the
 * nonce against replays, then the JSON syntax. Unknown paths and methods are answered as such
 * without a signature.
 */
import fp from 'fastify-plugin';
import { SidecarError } from '../errors';
import { ReplayGuard } from '../signing/replay-guard';
import { verifySignature } from '../signing/signature';

declare module 'fastify' {
	interface FastifyContextConfig {
		/** Answered without a signature (health, readiness, metrics). */
		unsigned?: boolean;
	}
}

export default fp(
	async ( app ) => {
		const { config, metrics } = app.ctx;
		const replay = new ReplayGuard(
			config.replayCacheMax,
			config.clockSkewSeconds
		);
		app.addHook( 'preValidation', async ( request ) => {
			if ( request.is404 || request.routeOptions.config.unsigned ) {
				return;
			}
			const verdict = verifySignature(
				request.headers,
				request.method,
				request.raw.url ?? request.url,
				request.rawBody ?? '',
				{
					secret: config.sharedSecret,
					clockSkewSeconds: config.clockSkewSeconds,
				}
			);
			if ( ! verdict.ok ) {
				metrics.authFailures.inc( { reason: verdict.failure } );
				throw new SidecarError(
					'unauthorized',
					`Request refused: ${ verdict.reason }.`
				);
			}
			const seen = replay.check( verdict.nonce, verdict.timestamp );
			if ( seen === 'replay' ) {
				metrics.authFailures.inc( { reason: 'replay' } );
				throw new SidecarError(
					'unauthorized',
					'Request refused: nonce already used (replay).'
				);
			}
			if ( seen === 'full' ) {
				// Never accepted unchecked: the caller sends it again with a new nonce.
				throw new SidecarError(
					'rate_limited',
					'Too many signed requests at once to protect against replays; retry shortly.',
					{ retryAfterMs: 1000 }
				);
			}
			if ( request.malformedJson ) {
				throw new SidecarError(
					'invalid_request',
					'The request body is not valid JSON.'
				);
			}
		} );
	},
	{
		name: 'mfk-signed-requests',
		dependencies: [ 'mfk-context', 'mfk-json-body' ],
	}
);
