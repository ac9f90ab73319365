/**
 * How the token endpoint knows the client: HTTP Basic, or `client_id`/`client_secret` in the
 * body. Unknown client and wrong secret are both 401 `invalid_client`, worded as Google does.
 */
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../pipeline/google-errors';
import { first, type Params } from '../shared/query';
import type { Clients, KnownClient } from './clients';

export function authenticateClient(
	clients: Clients,
	request: FastifyRequest,
	body: Params
): KnownClient {
	let id = first( body, 'client_id' );
	let secret = first( body, 'client_secret' );
	const header = request.headers.authorization;
	if ( header?.startsWith( 'Basic ' ) ) {
		const decoded = Buffer.from( header.slice( 6 ), 'base64' ).toString(
			'utf8'
		);
		const colon = decoded.indexOf( ':' );
		id = decodeURIComponent( decoded.slice( 0, colon ) );
		secret = decodeURIComponent( decoded.slice( colon + 1 ) );
	}
	const client = id ? clients.get( id ) : undefined;
	if ( ! client ) {
		throw new OAuthError(
			401,
			'invalid_client',
			'The OAuth client was not found.'
		);
	}
	if ( client.clientSecret !== secret ) {
		throw new OAuthError( 401, 'invalid_client', 'Unauthorized' );
	}
	return client;
}
