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
import { GoogleApiError } from '../pipeline/google-errors';
import { first, type QueryOf } from '../shared/query';
import { isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import { parseRecordFilter } from './filter';
import {
	ACCESS_TYPES,
	participantResource,
	recordResource,
	sessionResource,
	spaceResource,
	type AccessType,
	type StoredRecord,
	type StoredSpace,
} from './meet-store';
import { RECORDS_READ, SPACES_READ, SPACES_WRITE } from './scopes';

const STATUS: Record< number, string > = {
	400: 'INVALID_ARGUMENT',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	412: 'FAILED_PRECONDITION',
};

/** An error as Meet v2 answers it: no `errors[]` list, the canonical status and an ErrorInfo. */
export class MeetApiError extends GoogleApiError {
	constructor( code: number, message: string, reason?: string ) {
		super( code, undefined, message );
		const body: Record< string, unknown > = {
			code,
			message,
			status: STATUS[ code ] ?? 'UNKNOWN',
		};
		if ( reason ) {
			body.details = [
				{
					'@type': 'type.googleapis.com/google.rpc.ErrorInfo',
					reason,
					domain: 'googleapis.com',
					metadata: { service: 'meet.googleapis.com' },
				},
			];
		}
		Object.assign( this.body, { error: body } );
	}
}

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

/** The fields `updateMask` may name, each applied from the request body. */
const MASK_FIELDS: Record<
	string,
	( space: StoredSpace, config: meet_v2.Schema$SpaceConfig ) => void
> = {
	'config.accessType': ( space, config ) => {
		const v = config.accessType;
		if ( ! ACCESS_TYPES.includes( v as AccessType ) ) {
			throw new MeetApiError(
				400,
				`Invalid value for config.access_type: ${ String( v ) }`
			);
		}
		space.config.accessType = v as AccessType;
	},
	'config.entryPointAccess': ( space, config ) => {
		const v = config.entryPointAccess;
		if ( v !== 'ALL' && v !== 'CREATOR_APP_ONLY' ) {
			throw new MeetApiError(
				400,
				`Invalid value for config.entry_point_access: ${ String( v ) }`
			);
		}
		space.config.entryPointAccess = v;
	},
	'config.artifactConfig.recordingConfig.autoRecordingGeneration': (
		space,
		config
	) => {
		space.config.autoRecordingGeneration = onOff(
			config.artifactConfig?.recordingConfig?.autoRecordingGeneration
		);
	},
	'config.artifactConfig.transcriptionConfig.autoTranscriptionGeneration': (
		space,
		config
	) => {
		space.config.autoTranscriptionGeneration = onOff(
			config.artifactConfig?.transcriptionConfig
				?.autoTranscriptionGeneration
		);
	},
	'config.artifactConfig.smartNotesConfig.autoSmartNotesGeneration': (
		space,
		config
	) => {
		space.config.autoSmartNotesGeneration = onOff(
			config.artifactConfig?.smartNotesConfig?.autoSmartNotesGeneration
		);
	},
};

function onOff( v: unknown ): 'ON' | 'OFF' {
	if ( v !== 'ON' && v !== 'OFF' ) {
		throw new MeetApiError(
			400,
			`Invalid value for an automatic artifact generation: ${ String( v ) }`
		);
	}
	return v;
}

function patchSpace(
	state: EmulatorState,
	space: StoredSpace,
	body: unknown,
	updateMask: string | undefined
): void {
	if ( ! updateMask ) {
		throw new MeetApiError( 400, 'update_mask is required.' );
	}
	const fields = updateMask
		.split( ',' )
		.map( ( f ) => f.trim() )
		.filter( Boolean );
	const config = (
		isObject( body ) && isObject( body.config ) ? body.config : {}
	) as meet_v2.Schema$SpaceConfig;
	for ( const f of fields ) {
		if ( ! MASK_FIELDS[ f ] ) {
			throw new MeetApiError(
				400,
				`Invalid update_mask path: "${ f }".`
			);
		}
	}
	if (
		fields.some( ( f ) => f.startsWith( 'config.artifactConfig.' ) ) &&
		! state.meet.policy( space.owner ).artifactSettings
	) {
		// Nothing is applied when one field is refused.
		throw new MeetApiError(
			403,
			"The caller's account does not have access to artifact configuration.",
			'FEATURE_NOT_AVAILABLE'
		);
	}
	const draft = structuredClone( space );
	for ( const f of fields ) {
		MASK_FIELDS[ f ]?.( draft, config );
	}
	space.config = draft.config;
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
