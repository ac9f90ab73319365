/**
 * OAuth clients, accounts and tokens: add a client (with its redirect URIs), create and list
 * accounts, revoke an account's grants, expire access tokens, list tokens with their state.
 */
import type { FastifyInstance } from 'fastify';
import { isEmail } from '../shared/values';
import type { EmulatorState } from '../state';
import { jsonBody, problem, strings } from './answers';

export function accountRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.post( '/clients', async ( request, reply ) => {
		const b = jsonBody( request.body );
		if (
			typeof b.clientId !== 'string' ||
			b.clientId === '' ||
			typeof b.clientSecret !== 'string' ||
			b.clientSecret === ''
		) {
			return problem(
				reply,
				400,
				'clientId and clientSecret are required strings'
			);
		}
		const redirectUris = Array.isArray( b.redirectUris )
			? strings( b.redirectUris )
			: [];
		state.auth.clients.add( {
			clientId: b.clientId,
			clientSecret: b.clientSecret,
			redirectUris,
		} );
		return reply.code( 201 ).send( { clientId: b.clientId, redirectUris } );
	} );

	app.get( '/accounts', async () => ( {
		accounts: state.auth.accounts.list().map( ( a ) => ( {
			...a,
			calendars: state.calendars.ownedBy( a.email ).map( ( c ) => c.id ),
		} ) ),
	} ) );

	app.post( '/accounts', async ( request, reply ) => {
		const email = jsonBody( request.body ).email;
		if ( ! isEmail( email ) ) {
			return problem( reply, 400, 'email is required' );
		}
		const account = state.auth.accounts.get( email );
		state.calendars.primary( account.email );
		return reply.code( 201 ).send( account );
	} );

	app.post< { Params: { email: string } } >(
		'/accounts/:email/revoke',
		async ( request ) => ( {
			revokedGrants: state.auth.grants.revokeAccount(
				request.params.email
			),
		} )
	);

	app.post( '/tokens/expire', async ( request ) => {
		const email = jsonBody( request.body ).email;
		return {
			expired: state.auth.tokens.expireAccessTokens(
				typeof email === 'string' ? email : undefined
			),
		};
	} );

	app.get< { Querystring: { email?: string } } >(
		'/tokens',
		async ( request ) => ( {
			tokens: state.auth.tokens.list( request.query.email ),
		} )
	);
}
