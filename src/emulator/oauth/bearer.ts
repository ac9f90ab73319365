/**
 * The access token a request carries in `Authorization: Bearer …`.
 */
import type { FastifyRequest } from 'fastify';

export function bearerToken( request: FastifyRequest ): string | undefined {
	const h = request.headers.authorization;
	return h?.startsWith( 'Bearer ' ) ? h.slice( 7 ).trim() : undefined;
}
