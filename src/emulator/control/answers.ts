/**
 * The control API's small vocabulary: JSON bodies read leniently, problems answered as
 * `{ error }` (several joined with "; ").
 */
import type { FastifyReply } from 'fastify';
import { isObject, type Json } from '../shared/values';

export const problem = (
	reply: FastifyReply,
	status: number,
	error: string | string[]
) =>
	reply
		.code( status )
		.send( { error: Array.isArray( error ) ? error.join( '; ' ) : error } );

/** The JSON object posted, or an empty one. */
export const jsonBody = ( body: unknown ): Json =>
	isObject( body ) ? body : {};

export const strings = ( v: unknown[] ): string[] =>
	v.filter( ( s ): s is string => typeof s === 'string' );
