/**
 * Meet behind Google's back: what an account's organisation and edition allow (its default
 * access type, whether artifact settings are refused, whether new spaces record automatically),
 * a space as it is stored (config included, whoever asks), and calls that took place in a space
 * with who joined and left when (signed-in, anonymous and phone participants).
 */
import type { FastifyInstance } from 'fastify';
import {
	ACCESS_TYPES,
	type AccessType,
	type StoredParticipant,
	type StoredSession,
} from '../meet/meet-store';
import { isEmail, isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import { jsonBody, problem } from './answers';

const isTime = ( v: unknown ): v is string =>
	typeof v === 'string' && ! Number.isNaN( Date.parse( v ) );

const iso = ( v: string ) => new Date( Date.parse( v ) ).toISOString();

function sessionsOf( v: unknown ): StoredSession[] | string {
	if ( ! Array.isArray( v ) || v.length === 0 ) {
		return 'each participant needs sessions: [ { startTime, endTime? } ]';
	}
	const out: StoredSession[] = [];
	for ( const s of v ) {
		if ( ! isObject( s ) || ! isTime( s.startTime ) ) {
			return 'a session needs an RFC 3339 startTime';
		}
		if ( s.endTime !== undefined && ! isTime( s.endTime ) ) {
			return 'a session endTime must be RFC 3339';
		}
		out.push( {
			name: '',
			startTime: iso( s.startTime ),
			...( s.endTime ? { endTime: iso( s.endTime as string ) } : {} ),
		} );
	}
	return out;
}

function participantsOf(
	v: unknown
): Omit< StoredParticipant, 'name' >[] | string {
	if ( ! Array.isArray( v ) ) {
		return 'participants must be a list';
	}
	const out: Omit< StoredParticipant, 'name' >[] = [];
	for ( const p of v ) {
		if ( ! isObject( p ) ) {
			return 'a participant must be an object';
		}
		const kind = p.kind;
		if ( kind !== 'signedin' && kind !== 'anonymous' && kind !== 'phone' ) {
			return 'participant kind must be signedin, anonymous or phone';
		}
		if ( kind === 'signedin' && ! isEmail( p.email ) ) {
			return 'a signed-in participant needs the e-mail of its account';
		}
		const sessions = sessionsOf( p.sessions );
		if ( typeof sessions === 'string' ) {
			return sessions;
		}
		out.push( {
			kind,
			displayName:
				typeof p.displayName === 'string' ? p.displayName : 'Guest',
			...( kind === 'signedin'
				? { email: ( p.email as string ).toLowerCase() }
				: {} ),
			sessions,
		} );
	}
	return out;
}

export function meetControlRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.post< { Params: { email: string } } >(
		'/meet/accounts/:email',
		async ( request, reply ) => {
			if ( ! isEmail( request.params.email ) ) {
				return problem( reply, 400, 'an e-mail is required' );
			}
			const b = jsonBody( request.body );
			const policy = state.meet.policy( request.params.email );
			const problems: string[] = [];
			if ( b.defaultAccessType !== undefined ) {
				if (
					ACCESS_TYPES.includes( b.defaultAccessType as AccessType )
				) {
					policy.defaultAccessType =
						b.defaultAccessType as AccessType;
				} else {
					problems.push(
						'defaultAccessType must be OPEN, TRUSTED or RESTRICTED'
					);
				}
			}
			for ( const key of [
				'artifactSettings',
				'autoArtifacts',
			] as const ) {
				if ( b[ key ] !== undefined ) {
					if ( typeof b[ key ] === 'boolean' ) {
						policy[ key ] = b[ key ] as boolean;
					} else {
						problems.push( `${ key } must be true or false` );
					}
				}
			}
			if ( problems.length > 0 ) {
				return problem( reply, 400, problems );
			}
			return policy;
		}
	);

	app.get< { Params: { code: string } } >(
		'/meet/spaces/:code',
		async ( request, reply ) => {
			const space = state.meet.find( `spaces/${ request.params.code }` );
			return (
				space ??
				problem( reply, 404, 'no conference with this meeting code' )
			);
		}
	);

	app.post( '/meet/calls', async ( request, reply ) => {
		const b = jsonBody( request.body );
		const space =
			typeof b.meetingCode === 'string'
				? state.meet.find( `spaces/${ b.meetingCode }` )
				: undefined;
		if ( ! space ) {
			return problem( reply, 404, 'no conference with this meetingCode' );
		}
		const participants = participantsOf( b.participants );
		if ( typeof participants === 'string' ) {
			return problem( reply, 400, participants );
		}
		const starts = participants.flatMap( ( p ) =>
			p.sessions.map( ( s ) => s.startTime )
		);
		if ( starts.length === 0 ) {
			return problem(
				reply,
				400,
				'a call needs at least one participant'
			);
		}
		const ends = participants.flatMap( ( p ) =>
			p.sessions.map( ( s ) => s.endTime )
		);
		const running = ends.some( ( e ) => e === undefined );
		const rec = state.meet.addRecord( space, {
			startTime: starts.sort()[ 0 ] as string,
			...( running
				? {}
				: { endTime: ( ends as string[] ).sort().at( -1 ) as string } ),
			participants,
		} );
		return reply.code( 201 ).send( {
			name: rec.name,
			space: rec.space,
			startTime: rec.startTime,
			...( rec.endTime ? { endTime: rec.endTime } : {} ),
			participants: rec.participants.map( ( p ) => p.name ),
		} );
	} );
}
