/**
 * Every route is signed unless it says otherwise (`config: { unsigned: true }`): the signature
 * (headers, clock, HMAC with the shared secret or the enrolled site's own) is checked before
 * anything else of the request is looked at, then the revoke list, the nonce against replays,
 * the site's request limit, then the JSON syntax, and finally that a hosted site's request speaks
 * only of itself. Unknown paths and methods are answered as such without a signature.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SidecarError } from '../errors';
import { verifySignature } from '../signing/signature';

declare module 'fastify' {
	interface FastifyContextConfig {
		/** Answered without a signature (health, readiness, metrics). */
		unsigned?: boolean;
	}
	interface FastifyRequest {
		/** The enrolled site that signed the request (hosted sidecar), else null. */
		siteId?: string | null;
	}
}

const MINUTE_MS = 60000;

function unavailable( error: unknown ): never {
	// By name: the Redis store is compiled apart from the rest of the bundle (a class of its own).
	if ( ( error as Error | undefined )?.name === 'SharedStateUnavailable' ) {
		throw new SidecarError(
			'shared_state_unavailable',
			'The sidecar cannot reach the state its replicas share (replay protection); retry shortly.',
			{ retryAfterMs: 2000 }
		);
	}
	throw error;
}

/** Site ids a request body names: its own, and those of batch operations. */
function namedSites( body: unknown ): string[] {
	if ( ! body || typeof body !== 'object' ) {
		return [];
	}
	const { siteId, operations } = body as {
		siteId?: unknown;
		operations?: unknown;
	};
	const sites = siteId === undefined ? [] : [ String( siteId ) ];
	if ( Array.isArray( operations ) ) {
		for ( const op of operations ) {
			if ( op && typeof op === 'object' && 'siteId' in op ) {
				sites.push( String( ( op as { siteId: unknown } ).siteId ) );
			}
		}
	}
	return sites;
}

export default fp(
	async ( app ) => {
		const { config, metrics, siteKeys } = app.ctx;
		const refuse = ( reason: string, message: string, details = {} ) => {
			metrics.authFailures.inc( { reason } );
			return new SidecarError(
				'unauthorized',
				`Request refused: ${ message }.`,
				{
					reason,
					...details,
				}
			);
		};

		const authenticate = async ( request: FastifyRequest ) => {
			const signer = siteKeys.signer( request.headers );
			if ( ! signer.ok ) {
				throw refuse( signer.failure, signer.reason );
			}
			const verdict = verifySignature(
				request.headers,
				request.method,
				request.raw.url ?? request.url,
				request.rawBody ?? '',
				{
					secret: signer.secret,
					clockSkewSeconds: config.clockSkewSeconds,
				}
			);
			if ( ! verdict.ok ) {
				throw refuse(
					verdict.failure,
					verdict.reason,
					verdict.failure === 'clock_skew'
						? { serverTime: Math.floor( Date.now() / 1000 ) }
						: {}
				);
			}
			const { siteId, kid } = signer;
			if (
				siteId !== null &&
				app.ctx.revocations.isRevoked( siteId, kid as string )
			) {
				metrics.authFailures.inc( { reason: 'revoked' } );
				throw new SidecarError(
					'site_revoked',
					'This site is not served by this sidecar any more (its enrolment was revoked); ask the operator.'
				);
			}
			const seen = await app.ctx.state
				.claimNonce( siteId ?? '', verdict.nonce, verdict.timestamp )
				.catch( unavailable );
			if ( seen === 'replay' ) {
				throw refuse( 'replay', 'nonce already used (replay)' );
			}
			if ( seen === 'full' ) {
				// Never accepted unchecked: the caller sends it again with a new nonce.
				throw new SidecarError(
					'rate_limited',
					'Too many signed requests at once to protect against replays; retry shortly.',
					{ retryAfterMs: 1000 }
				);
			}
			return siteId;
		};

		app.addHook( 'preValidation', async ( request ) => {
			if ( request.is404 || request.routeOptions.config.unsigned ) {
				return;
			}
			const siteId = await authenticate( request );
			request.siteId = siteId;
			if ( siteId === null ) {
				if ( request.malformedJson ) {
					throw new SidecarError(
						'invalid_request',
						'The request body is not valid JSON.'
					);
				}
				return;
			}
			request.log = request.log.child( { site: siteId } );
			const window = await app.ctx.state
				.consume(
					`site:${ siteId }`,
					1,
					config.hosted?.siteRequestsPerMinute ?? Infinity,
					MINUTE_MS
				)
				.catch( unavailable );
			if ( ! window.allowed ) {
				throw new SidecarError(
					'rate_limited',
					'This site has made more requests than its limit allows this minute; retry later.',
					{ retryAfterMs: window.retryAfterMs }
				);
			}
			if ( request.malformedJson ) {
				throw new SidecarError(
					'invalid_request',
					'The request body is not valid JSON.'
				);
			}
			if (
				namedSites( request.body ).some( ( named ) => named !== siteId )
			) {
				throw new SidecarError(
					'site_mismatch',
					'The request names another site than the one that signed it.'
				);
			}
		} );

		// Per-site figures, for the operator and for the site itself.
		app.addHook( 'onResponse', async ( request ) => {
			if ( request.siteId ) {
				metrics.sites.request(
					request.siteId,
					request.errorCode ?? 'ok'
				);
			}
		} );
	},
	{
		name: 'mfk-signed-requests',
		dependencies: [ 'mfk-context', 'mfk-json-body' ],
	}
);
