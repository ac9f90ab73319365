/**
 * Meet REST API v2 (registered under `/v2`): spaces.get (by name or meeting-code alias, `config`
 * for the owner only), spaces.patch (owner only, `updateMask` required), conferenceRecords.list
 * and .get, participants.list and participantSessions.list with paging. Bearer tokens, scopes and
 * quota are checked as for Calendar; errors have the shape of Google's newer APIs
 * (`{ error: { code, message, status, details } }`).
 */
import type { meet_v2 } from '@googleapis/meet/build/v2';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AreaPlugin } from '../area-plugin';
import { apiRoute, type Caller } from '../pipeline/api-route';
import { first, type QueryOf } from '../shared/query';
import type { EmulatorState } from '../state';
import { parseRecordFilter } from './filter';
import {
	participantResource,
	recordResource,
	sessionResource,
	spaceResource,
	type StoredRecord,
	type StoredSpace,
} from './meet-store';
import { RECORDS_READ, SPACES_READ, SPACES_WRITE } from './scopes';
import { MeetApiError, patchSpace } from './space-patch';

const scopeError = () =>
	new MeetApiError(
		403,
		'Request had insufficient authentication scopes.',
		'ACCESS_TOKEN_SCOPE_INSUFFICIENT'
	);

const notFound = () =>
	new MeetApiError( 404, 'Requested entity was not found.' );

type Q< P > = QueryOf< Omit< P, 'requestBody' | 'name' | 'parent' > >;

/** The path after `/v2/` (`spaces/abc`, `conferenceRecords/x/participants`). */
const pathOf = ( request: FastifyRequest ): string =>
	decodeURIComponent(
		( request.url.split( '?' )[ 0 ] ?? '' ).replace( /^\/v2\//, '' )
	);

function page< T >(
	items: T[],
	query: { pageSize?: string | string[]; pageToken?: string | string[] },
	def: number,
	max: number
): { items: T[]; next?: string } {
	const rawSize = first( query, 'pageSize' );
	const size =
		rawSize === undefined
			? def
			: Math.min(
					Math.max( Number.parseInt( rawSize, 10 ) || def, 1 ),
					max
				);
	const token = first( query, 'pageToken' );
	let start = 0;
	if ( token ) {
		start = Number.parseInt(
			Buffer.from( token, 'base64url' ).toString(),
			10
		);
		if ( ! Number.isInteger( start ) || start < 0 ) {
			throw new MeetApiError( 400, 'Invalid page token.' );
		}
	}
	const slice = items.slice( start, start + size );
	return start + size < items.length
		? {
				items: slice,
				next: Buffer.from( String( start + size ) ).toString(
					'base64url'
				),
			}
		: { items: slice };
}

/** Who may read a record: the space's owner and the signed-in users who took part. */
function mayRead(
	state: EmulatorState,
	rec: StoredRecord,
	caller: Caller
): boolean {
	const space = state.meet.spaceByName( rec.space );
	return (
		space?.owner === caller.email ||
		rec.participants.some( ( p ) => p.email === caller.email )
	);
}

function visibleRecord(
	state: EmulatorState,
	name: string,
	caller: Caller
): StoredRecord {
	const rec = state.meet.record( name );
	if ( ! rec || ! mayRead( state, rec, caller ) ) {
		throw notFound();
	}
	return rec;
}

function spaceRoutes( app: FastifyInstance, state: EmulatorState ): void {
	const spaceOf = ( request: FastifyRequest ): StoredSpace => {
		const space = state.meet.find( pathOf( request ) );
		if ( ! space ) {
			throw notFound();
		}
		return space;
	};
	const active = ( space: StoredSpace ) =>
		state.meet.records.find(
			( r ) => r.space === space.name && ! r.endTime
		);

	apiRoute( app, state, {
		method: 'GET',
		url: '/spaces/:space',
		operation: 'spaces.get',
		scopes: SPACES_READ,
		insufficientScopes: scopeError,
		handler: ( caller, request ) => {
			const space = spaceOf( request );
			return {
				status: 200,
				body: spaceResource(
					space,
					space.owner === caller.email,
					active( space )
				),
			};
		},
	} );

	apiRoute( app, state, {
		method: 'PATCH',
		url: '/spaces/:space',
		operation: 'spaces.patch',
		scopes: SPACES_WRITE,
		insufficientScopes: scopeError,
		handler: ( caller, request ) => {
			const space = spaceOf( request );
			if ( space.owner !== caller.email ) {
				throw new MeetApiError(
					403,
					'Permission denied on resource Space (or it might not exist)'
				);
			}
			const q =
				request.query as Q< meet_v2.Params$Resource$Spaces$Patch >;
			patchSpace( state, space, request.body, first( q, 'updateMask' ) );
			return {
				status: 200,
				body: spaceResource( space, true, active( space ) ),
			};
		},
	} );
}

function recordRoutes( app: FastifyInstance, state: EmulatorState ): void {
	apiRoute( app, state, {
		method: 'GET',
		url: '/conferenceRecords',
		operation: 'conferenceRecords.list',
		scopes: RECORDS_READ,
		insufficientScopes: scopeError,
		handler: ( caller, request ) => {
			const q =
				request.query as Q< meet_v2.Params$Resource$Conferencerecords$List >;
			const filter = first( q, 'filter' );
			const test = filter ? parseRecordFilter( filter ) : () => true;
			if ( ! test ) {
				throw new MeetApiError( 400, `Invalid filter: ${ filter }` );
			}
			const found = state.meet.records
				.filter(
					( r ) =>
						mayRead( state, r, caller ) &&
						test( r, state.meet.spaceByName( r.space ) )
				)
				// Google lists records by start time, newest first.
				.sort( ( a, b ) => b.startTime.localeCompare( a.startTime ) );
			const p = page( found, q, 25, 100 );
			const body: meet_v2.Schema$ListConferenceRecordsResponse = {
				conferenceRecords: p.items.map( recordResource ),
				...( p.next ? { nextPageToken: p.next } : {} ),
			};
			return { status: 200, body };
		},
	} );

	apiRoute( app, state, {
		method: 'GET',
		url: '/conferenceRecords/:record',
		operation: 'conferenceRecords.get',
		scopes: RECORDS_READ,
		insufficientScopes: scopeError,
		handler: ( caller, request ) => ( {
			status: 200,
			body: recordResource(
				visibleRecord( state, pathOf( request ), caller )
			),
		} ),
	} );

	apiRoute( app, state, {
		method: 'GET',
		url: '/conferenceRecords/:record/participants',
		operation: 'participants.list',
		scopes: RECORDS_READ,
		insufficientScopes: scopeError,
		handler: ( caller, request ) => {
			const parent = pathOf( request ).replace( /\/participants$/, '' );
			const rec = visibleRecord( state, parent, caller );
			const q =
				request.query as Q< meet_v2.Params$Resource$Conferencerecords$Participants$List >;
			const filter = first( q, 'filter' );
			let list = rec.participants;
			if ( filter ) {
				if (
					! /^latest_end_time\s+IS\s+NULL$/i.test( filter.trim() )
				) {
					throw new MeetApiError(
						400,
						`Invalid filter: ${ filter }`
					);
				}
				list = list.filter( ( p ) =>
					p.sessions.some( ( s ) => ! s.endTime )
				);
			}
			const p = page( list, q, 100, 250 );
			const body: meet_v2.Schema$ListParticipantsResponse = {
				participants: p.items.map( ( x ) =>
					participantResource(
						x,
						( email ) => state.auth.accounts.get( email ).sub
					)
				),
				totalSize: list.length,
				...( p.next ? { nextPageToken: p.next } : {} ),
			};
			return { status: 200, body };
		},
	} );

	apiRoute( app, state, {
		method: 'GET',
		url: '/conferenceRecords/:record/participants/:participant/participantSessions',
		operation: 'participantSessions.list',
		scopes: RECORDS_READ,
		insufficientScopes: scopeError,
		handler: ( caller, request ) => {
			const parent = pathOf( request ).replace(
				/\/participantSessions$/,
				''
			);
			const recName = parent.replace( /\/participants\/[^/]+$/, '' );
			const rec = visibleRecord( state, recName, caller );
			const participant = rec.participants.find(
				( x ) => x.name === parent
			);
			if ( ! participant ) {
				throw notFound();
			}
			const q =
				request.query as Q< meet_v2.Params$Resource$Conferencerecords$Participants$Participantsessions$List >;
			const p = page( participant.sessions, q, 100, 250 );
			const body: meet_v2.Schema$ListParticipantSessionsResponse = {
				participantSessions: p.items.map( sessionResource ),
				...( p.next ? { nextPageToken: p.next } : {} ),
			};
			return { status: 200, body };
		},
	} );
}

export const meetRoutes: AreaPlugin = async ( app, { state } ) => {
	spaceRoutes( app, state );
	recordRoutes( app, state );
};
