/**
 * Request validation without compiling anything at start: the validators were generated at
 * build time by ajv from the route schemas (schemas/generate-validators.ts, with the standalone
 * mode of `@fastify/ajv-compiler`, which stores them by route), and are looked up here by route.
 * A route whose schema changed since they were generated refuses to start, so a schema is never
 * checked by a stale validator. Answers are plain JSON.stringify (no response schemas).
 */
import { createHash } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import validators, { type GeneratedValidator } from '../generated/validators';

/** What fastify tells a validator compiler about the schema it asks for. */
export interface RouteSchema {
	schema: unknown;
	method?: string;
	url?: string;
	httpPart?: string;
}

/** How a validator is filed: `"<METHOD> <url> <part>"`, e.g. `POST /v1/ping body`. */
export const routeKey = ( route: RouteSchema ): string =>
	`${ route.method } ${ route.url } ${ route.httpPart }`;

export const schemaSha256 = ( schema: unknown ): string =>
	createHash( 'sha256' ).update( JSON.stringify( schema ) ).digest( 'hex' );

/** The generated validator of a route's schema part. */
export function restoreValidator( route: RouteSchema ): GeneratedValidator {
	const key = routeKey( route );
	const stored = validators[ key ];
	if ( ! stored || stored.schemaSha256 !== schemaSha256( route.schema ) ) {
		throw new Error(
			`The request validator of ${ key } is ${ stored ? 'out of date' : 'missing' }: run npm run build:sidecar.`
		);
	}
	return stored.validate;
}

export const validatorCompilers = {
	compilersFactory: {
		buildValidator: () => restoreValidator,
		buildSerializer: () => () => ( data: unknown ) =>
			JSON.stringify( data ),
	},
} as unknown as FastifyServerOptions[ 'schemaController' ];
