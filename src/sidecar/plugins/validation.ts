/**
 * Request validation for fastify: the sidecar's own JSON Schema validator (validator.ts); answers
 * are plain JSON.stringify (no response schemas).
 */
import type { FastifyServerOptions } from 'fastify';
import { compileSchema, type Schema } from '../validator';

export const validatorCompilers = {
	compilersFactory: {
		buildValidator:
			() =>
			( { schema }: { schema: unknown } ) =>
				compileSchema( schema as Schema ),
		buildSerializer: () => () => ( data: unknown ) =>
			JSON.stringify( data ),
	},
} as unknown as FastifyServerOptions[ 'schemaController' ];
