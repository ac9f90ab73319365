/**
 * The control API under /__emulator/ (docs/google-emulator.md): reset, behaviour, faults, tokens,
 * calendars, inspection and counters. JSON in, JSON out; never reachable through the Google paths.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { applyBehaviour } from './behaviour';
import { calendarResource, eventResource } from './calendar/resources';
import { parseFault } from './faults/parse-fault';
import type { EmulatorState } from './state';

type Json = Record< string, unknown >;

const bad = ( reply: FastifyReply, status: number, error: string | string[] ) =>
	reply
		.code( status )
		.send( { error: Array.isArray( error ) ? error.join( '; ' ) : error } );

const obj = ( v: unknown ): Json =>
	v && typeof v === 'object' && ! Array.isArray( v ) ? ( v as Json ) : {};

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function registerControlRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	const P = '/__emulator';

	app.get( `${ P }/health`, async () => ( { ok: true } ) );

	app.post( `${ P }/reset`, async () => {
		state.reset();
		return { reset: true };
	} );

	app.get( `${ P }/config`, async () => state.behaviour );
	const setConfig = async (
		request: { body: unknown },
		reply: FastifyReply
	) => {
		const problems = applyBehaviour( state.behaviour, obj( request.body ) );
		return problems.length > 0
			? bad( reply, 400, problems )
			: state.behaviour;
	};
	app.patch( `${ P }/config`, setConfig );
	app.post( `${ P }/config`, setConfig );
	app.put( `${ P }/config`, setConfig );

	app.get( `${ P }/faults`, async () => ( { faults: state.faults.list() } ) );
	app.post( `${ P }/faults`, async ( request, reply ) => {
		const parsed = parseFault( request.body );
		if ( 'problems' in parsed ) {
			return bad( reply, 400, parsed.problems );
		}
		return reply.code( 201 ).send( state.faults.add( parsed.spec ) );
	} );
	app.delete( `${ P }/faults`, async () => {
		state.faults.clear();
		return { cleared: true };
	} );
	app.delete( `${ P }/faults/:id`, async ( request, reply ) =>
		state.faults.remove( ( request.params as { id: string } ).id )
			? { removed: true }
			: bad( reply, 404, 'no such fault' )
	);

	app.post( `${ P }/clients`, async ( request, reply ) => {
		const b = obj( request.body );
		if (
			typeof b.clientId !== 'string' ||
			b.clientId === '' ||
			typeof b.clientSecret !== 'string' ||
			b.clientSecret === ''
		) {
			return bad(
				reply,
				400,
				'clientId and clientSecret are required strings'
			);
		}
		const redirectUris = Array.isArray( b.redirectUris )
			? b.redirectUris.filter(
					( u ): u is string => typeof u === 'string'
				)
			: [];
		state.auth.clients.add( {
			clientId: b.clientId,
			clientSecret: b.clientSecret,
			redirectUris,
		} );
		return reply.code( 201 ).send( { clientId: b.clientId, redirectUris } );
	} );

	app.get( `${ P }/accounts`, async () => ( {
		accounts: state.auth.accounts.list().map( ( a ) => ( {
			...a,
			calendars: state.calendars.ownedBy( a.email ).map( ( c ) => c.id ),
		} ) ),
	} ) );
	app.post( `${ P }/accounts`, async ( request, reply ) => {
		const email = obj( request.body ).email;
		if ( typeof email !== 'string' || ! EMAIL.test( email ) ) {
			return bad( reply, 400, 'email is required' );
		}
		const account = state.auth.accounts.get( email );
		state.calendars.primary( account.email );
		return reply.code( 201 ).send( account );
	} );
	app.post( `${ P }/accounts/:email/revoke`, async ( request ) => ( {
		revokedGrants: state.auth.grants.revokeAccount(
			( request.params as { email: string } ).email
		),
	} ) );

	app.post( `${ P }/tokens/expire`, async ( request ) => {
		const email = obj( request.body ).email;
		return {
			expired: state.auth.tokens.expireAccessTokens(
				typeof email === 'string' ? email : undefined
			),
		};
	} );
	app.get( `${ P }/tokens`, async ( request ) => {
		const email = ( request.query as { email?: string } ).email;
		return { tokens: state.auth.tokens.list( email ) };
	} );

	app.post( `${ P }/calendars`, async ( request, reply ) => {
		const b = obj( request.body );
		if (
			typeof b.id !== 'string' ||
			b.id === '' ||
			typeof b.owner !== 'string' ||
			! EMAIL.test( b.owner )
		) {
			return bad( reply, 400, 'id and owner (e-mail) are required' );
		}
		if ( state.calendars.has( b.id ) ) {
			return bad( reply, 409, 'calendar exists' );
		}
		state.auth.accounts.get( b.owner );
		const cal = state.calendars.ensureCalendar(
			b.id,
			b.owner,
			false,
			typeof b.summary === 'string' ? b.summary : undefined
		);
		if ( Array.isArray( b.allowedConferenceSolutionTypes ) ) {
			cal.allowedConferenceSolutionTypes =
				b.allowedConferenceSolutionTypes.filter(
					( t ): t is string => typeof t === 'string'
				);
		}
		return reply.code( 201 ).send( calendarResource( cal ) );
	} );

	const calendar = ( id: string ) => state.calendars.find( id );

	app.put(
		`${ P }/calendars/:calendarId/conference-types`,
		async ( request, reply ) => {
			const { calendarId } = request.params as { calendarId: string };
			const types = obj( request.body ).allowedConferenceSolutionTypes;
			if (
				! Array.isArray( types ) ||
				! types.every( ( t ) => typeof t === 'string' )
			) {
				return bad(
					reply,
					400,
					'allowedConferenceSolutionTypes must be an array of strings'
				);
			}
			// A primary calendar may be configured before its owner ever signs in.
			const cal =
				calendar( calendarId ) ??
				( EMAIL.test( calendarId )
					? state.calendars.primary(
							state.auth.accounts.get( calendarId ).email
						)
					: undefined );
			if ( ! cal ) {
				return bad( reply, 404, 'unknown calendar' );
			}
			cal.allowedConferenceSolutionTypes = types as string[];
			return calendarResource( cal );
		}
	);

	app.get(
		`${ P }/calendars/:calendarId/events`,
		async ( request, reply ) => {
			const cal = calendar(
				( request.params as { calendarId: string } ).calendarId
			);
			if ( ! cal ) {
				return bad( reply, 404, 'unknown calendar' );
			}
			const includeCancelled =
				( request.query as { includeCancelled?: string } )
					.includeCancelled !== 'false';
			const now = Date.now();
			const items = [];
			for ( const ev of cal.events.values() ) {
				if ( includeCancelled || ev.status !== 'cancelled' ) {
					items.push( eventResource( cal, ev, now ) );
				}
			}
			return { calendarId: cal.id, count: items.length, items };
		}
	);

	app.get(
		`${ P }/calendars/:calendarId/events/:eventId`,
		async ( request, reply ) => {
			const { calendarId, eventId } = request.params as {
				calendarId: string;
				eventId: string;
			};
			const cal = calendar( calendarId );
			const ev = cal?.events.get( eventId );
			return cal && ev
				? eventResource( cal, ev )
				: bad( reply, 404, 'unknown event' );
		}
	);

	// "The doctor deleted it in Google Calendar": cancelled (id kept), or purged without a trace.
	app.delete(
		`${ P }/calendars/:calendarId/events/:eventId`,
		async ( request, reply ) => {
			const { calendarId, eventId } = request.params as {
				calendarId: string;
				eventId: string;
			};
			const cal = calendar( calendarId );
			const ev = cal?.events.get( eventId );
			if ( ! cal || ! ev ) {
				return bad( reply, 404, 'unknown event' );
			}
			if ( ( request.query as { purge?: string } ).purge === 'true' ) {
				state.events.purge( cal, eventId );
				return { deleted: true, purged: true };
			}
			if ( ev.status !== 'cancelled' ) {
				state.events.delete( cal, eventId );
			}
			return { deleted: true, purged: false };
		}
	);

	app.get( `${ P }/counters`, async () => state.counters.toJSON() );
	app.delete( `${ P }/counters`, async () => {
		state.counters.clear();
		return { cleared: true };
	} );
}
