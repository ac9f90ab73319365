/**
 * OAuth clients, accounts and tokens: add a client (with its redirect URIs and its project's
 * settings), change them as an admin does in the Cloud console, create and list accounts, revoke
 * an account's grants, expire access tokens, list tokens with their state, move the token clock.
 */
import type { FastifyInstance } from 'fastify';
import type { KnownClient } from '../oauth/clients';
import { applyProjectPatch, defaultProject } from '../oauth/project';
import { isEmail, isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import { jsonBody, problem, strings } from './answers';

/** A client as the control API shows it (never its secret). */
const clientView = ( c: KnownClient ) => ( {
	clientId: c.clientId,
	redirectUris: c.redirectUris,
	project: c.project,
} );

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
		const project = defaultProject( b.clientId );
		const problems = isObject( b.project )
			? applyProjectPatch( project, b.project )
			: [];
		if ( problems.length > 0 ) {
			return problem( reply, 400, problems );
		}
		const client = state.auth.clients.add( {
			clientId: b.clientId,
			clientSecret: b.clientSecret,
			redirectUris,
			project,
		} );
		return reply.code( 201 ).send( clientView( client ) );
	} );

	app.get< { Params: { clientId: string } } >(
		'/clients/:clientId',
		async ( request, reply ) => {
			const client = state.auth.clients.get( request.params.clientId );
			return client
				? clientView( client )
				: problem( reply, 404, 'no such client' );
		}
	);

	// What an admin changes in the Cloud console: redirect URIs, the API, the consent screen.
	app.patch< { Params: { clientId: string } } >(
		'/clients/:clientId',
		async ( request, reply ) => {
			const client = state.auth.clients.get( request.params.clientId );
			if ( ! client ) {
				return problem( reply, 404, 'no such client' );
			}
			const b = jsonBody( request.body );
			const { redirectUris, ...project } = b;
			if (
				redirectUris !== undefined &&
				! (
					Array.isArray( redirectUris ) &&
					strings( redirectUris ).length === redirectUris.length
				)
			) {
				return problem( reply, 400, 'redirectUris must be strings' );
			}
			const problems = applyProjectPatch( client.project, project );
			if ( problems.length > 0 ) {
				return problem( reply, 400, problems );
			}
			if ( Array.isArray( redirectUris ) ) {
				client.redirectUris = strings( redirectUris );
			}
			return clientView( client );
		}
	);

	app.get( '/clock', async () => ( {
		now: new Date( state.auth.clock.now() ).toISOString(),
		offsetSeconds: state.auth.clock.offsetSeconds,
	} ) );

	app.post( '/clock', async ( request, reply ) => {
		const b = jsonBody( request.body );
		if ( b.reset === true ) {
			state.auth.clock.reset();
			return {
				now: new Date( state.auth.clock.now() ).toISOString(),
				offsetSeconds: 0,
			};
		}
		const seconds = b.advanceSeconds;
		if (
			typeof seconds !== 'number' ||
			! Number.isInteger( seconds ) ||
			seconds < 0 ||
			seconds > 400 * 86400
		) {
			return problem(
				reply,
				400,
				'advanceSeconds must be an integer from 0 to 34560000'
			);
		}
		state.auth.clock.advance( seconds );
		return {
			now: new Date( state.auth.clock.now() ).toISOString(),
			offsetSeconds: state.auth.clock.offsetSeconds,
		};
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
