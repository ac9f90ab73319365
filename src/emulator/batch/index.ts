/**
 * Google's batch endpoint for the Calendar API, `POST /batch/calendar/v3` with a
 * `multipart/mixed` body of up to 1,000 calls. Each inner call goes through the emulator as if
 * sent on its own (bearer token, scopes, quota and rate limits, latency, faults, counters), with
 * the outer request's `Authorization` unless the part has its own; the answer holds one
 * `application/http` part per call, with its own status, in the order of the request.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { GoogleApiError } from '../pipeline/google-errors';
import { send } from '../pipeline/outcome';
import {
	boundaryOf,
	formatBatch,
	parseBatch,
	type InnerRequest,
} from './multipart';

/** Google's documented limit of calls in one batch request. */
export const MAX_BATCH_CALLS = 1000;

const INNER_PREFIX = '/calendar/v3/';

export const batchRoutes: FastifyPluginAsync = async ( app ) => {
	app.addContentTypeParser(
		'multipart/mixed',
		{ parseAs: 'string', bodyLimit: 16 * 1024 * 1024 },
		( _request, body: string, done ) => done( null, body )
	);

	app.post( '/calendar/v3', async ( request, reply ) => {
		const refuse = ( message: string ) =>
			send( reply, {
				status: 400,
				body: new GoogleApiError( 400, 'invalid', message ).body,
			} );
		const boundary = boundaryOf( request.headers[ 'content-type' ] );
		if ( ! boundary || typeof request.body !== 'string' ) {
			return refuse(
				'Batch requests need a multipart/mixed body with a boundary.'
			);
		}
		let calls: InnerRequest[];
		try {
			calls = parseBatch( request.body, boundary );
		} catch ( e ) {
			return refuse(
				`Invalid batch request: ${ ( e as Error ).message }.`
			);
		}
		if ( calls.length === 0 ) {
			return refuse( 'The batch request holds no calls.' );
		}
		if ( calls.length > MAX_BATCH_CALLS ) {
			return refuse(
				`A batch request may hold at most ${ MAX_BATCH_CALLS } calls.`
			);
		}
		const authorization = request.headers.authorization;
		const responses = await Promise.all(
			calls.map( async ( call ) => {
				if ( ! call.url.startsWith( INNER_PREFIX ) ) {
					const e = new GoogleApiError(
						404,
						'notFound',
						'Not Found'
					);
					return {
						contentId: call.contentId,
						status: 404,
						headers: {
							'content-type': 'application/json; charset=UTF-8',
						},
						body: JSON.stringify( e.body ),
					};
				}
				// Compression is for the whole batch answer, not its parts.
				const { 'accept-encoding': _ignored, ...headers } =
					call.headers;
				const res = await app.inject( {
					method: call.method as 'GET',
					url: call.url,
					headers: {
						...( authorization ? { authorization } : {} ),
						...headers,
					},
					...( call.body !== '' ? { payload: call.body } : {} ),
				} );
				const kept: Record< string, string > = {};
				for ( const name of [
					'content-type',
					'etag',
					'retry-after',
					'www-authenticate',
				] ) {
					const value = res.headers[ name ];
					if ( typeof value === 'string' ) {
						kept[ name ] = value;
					}
				}
				return {
					contentId: call.contentId,
					status: res.statusCode,
					headers: kept,
					body: res.body,
				};
			} )
		);
		const out = `batch_${ randomBytes( 12 ).toString( 'base64url' ) }`;
		return reply
			.code( 200 )
			.header( 'content-type', `multipart/mixed; boundary=${ out }` )
			.send( formatBatch( responses, out ) );
	} );
};
