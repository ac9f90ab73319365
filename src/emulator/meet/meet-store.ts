/**
 * Meet spaces, conference records, participants and their sessions. Every Meet conference the
 * Calendar area makes has a space (same meeting code as the event's hangoutLink), owned by the
 * account that owns the calendar; it is materialised the first time it is looked up. Conference
 * records exist only for calls simulated through the control API (a space where nobody joined
 * has none, as at Google).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { meet_v2 } from '@googleapis/meet/build/v2';
import { conferenceStatus } from '../calendar/conferences';
import type { CalendarStore } from '../calendar/calendar-store';

export type AccessType = 'OPEN' | 'TRUSTED' | 'RESTRICTED';
export const ACCESS_TYPES: readonly AccessType[] = [
	'OPEN',
	'TRUSTED',
	'RESTRICTED',
];

export interface StoredSpace {
	/** `spaces/{id}`: a server id, never the meeting code. */
	name: string;
	meetingCode: string;
	owner: string;
	config: {
		accessType: AccessType;
		entryPointAccess: 'ALL' | 'CREATOR_APP_ONLY';
		autoRecordingGeneration: 'ON' | 'OFF';
		autoTranscriptionGeneration: 'ON' | 'OFF';
		autoSmartNotesGeneration: 'ON' | 'OFF';
	};
}

/** What an account's organisation / edition allows and defaults to. */
export interface MeetAccountPolicy {
	/** The access type a new space gets (the organisation's default). */
	defaultAccessType: AccessType;
	/** false: the edition refuses artifact (recording, transcription, smart notes) settings. */
	artifactSettings: boolean;
	/** The automatic artifacts a new space starts with. */
	autoArtifacts: boolean;
}

export interface StoredSession {
	name: string;
	startTime: string;
	endTime?: string;
}

export interface StoredParticipant {
	name: string;
	kind: 'signedin' | 'anonymous' | 'phone';
	displayName: string;
	/** Signed-in users only: the account. */
	email?: string;
	sessions: StoredSession[];
}

export interface StoredRecord {
	name: string;
	space: string;
	startTime: string;
	endTime?: string;
	expireTime: string;
	participants: StoredParticipant[];
}

/** Meet's resource ids: URL-safe, case-sensitive. */
const newId = ( bytes = 9 ) => randomBytes( bytes ).toString( 'base64url' );

/** `users/{id}`: the numeric id Google gives the account (the People API's person id). */
export function userName( sub: string ): string {
	return `users/${ sub }`;
}

const defaultPolicy = (): MeetAccountPolicy => ( {
	defaultAccessType: 'OPEN',
	artifactSettings: true,
	autoArtifacts: false,
} );

export class MeetStore {
	private readonly spaces = new Map< string, StoredSpace >();
	private readonly byCode = new Map< string, string >();
	private readonly policies = new Map< string, MeetAccountPolicy >();
	readonly records: StoredRecord[] = [];

	constructor( private readonly calendars: CalendarStore ) {}

	reset(): void {
		this.spaces.clear();
		this.byCode.clear();
		this.policies.clear();
		this.records.length = 0;
	}

	policy( email: string ): MeetAccountPolicy {
		const key = email.toLowerCase();
		let p = this.policies.get( key );
		if ( ! p ) {
			p = defaultPolicy();
			this.policies.set( key, p );
		}
		return p;
	}

	/** The calendar owner of a live conference with this meeting code, if any. */
	private conferenceOwner( code: string ): string | undefined {
		for ( const cal of this.calendars.all() ) {
			for ( const conf of cal.requests.values() ) {
				if (
					conf.conferenceId === code &&
					conferenceStatus( conf ) === 'success'
				) {
					return cal.owner;
				}
			}
		}
		return undefined;
	}

	private materialise( code: string ): StoredSpace | undefined {
		const owner = this.conferenceOwner( code );
		if ( ! owner ) {
			return undefined;
		}
		const policy = this.policy( owner );
		const auto = policy.autoArtifacts ? 'ON' : 'OFF';
		const space: StoredSpace = {
			name: `spaces/${ newId() }`,
			meetingCode: code,
			owner,
			config: {
				accessType: policy.defaultAccessType,
				entryPointAccess: 'ALL',
				autoRecordingGeneration: auto,
				autoTranscriptionGeneration: auto,
				autoSmartNotesGeneration: auto,
			},
		};
		this.spaces.set( space.name, space );
		this.byCode.set( code, space.name );
		return space;
	}

	/** A space by its name (`spaces/{id}`) or its meeting-code alias (`spaces/{meetingCode}`). */
	find( name: string ): StoredSpace | undefined {
		const direct = this.spaces.get( name );
		if ( direct ) {
			return direct;
		}
		const code = name.startsWith( 'spaces/' ) ? name.slice( 7 ) : '';
		if ( ! /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/.test( code ) ) {
			return undefined;
		}
		const known = this.byCode.get( code );
		return known ? this.spaces.get( known ) : this.materialise( code );
	}

	record( name: string ): StoredRecord | undefined {
		return this.records.find( ( r ) => r.name === name );
	}

	/** A call that took place in a space (control API). */
	addRecord(
		space: StoredSpace,
		call: {
			startTime: string;
			endTime?: string;
			participants: Omit< StoredParticipant, 'name' >[];
		}
	): StoredRecord {
		const name = `conferenceRecords/${ newId() }`;
		const end = call.endTime ?? call.startTime;
		const rec: StoredRecord = {
			name,
			space: space.name,
			startTime: call.startTime,
			...( call.endTime ? { endTime: call.endTime } : {} ),
			// Google keeps records 30 days after the call ends.
			expireTime: new Date(
				Date.parse( end ) + 30 * 86400 * 1000
			).toISOString(),
			participants: call.participants.map( ( p ) => {
				const id = newId( 6 );
				return {
					...p,
					name: `${ name }/participants/${ id }`,
					sessions: p.sessions.map( ( s, i ) => ( {
						...s,
						name: `${ name }/participants/${ id }/participantSessions/${ createHash(
							'sha256'
						)
							.update( `${ id }:${ i }` )
							.digest( 'hex' )
							.slice( 0, 12 ) }`,
					} ) ),
				};
			} ),
		};
		this.records.push( rec );
		return rec;
	}

	spaceByName( name: string ): StoredSpace | undefined {
		return this.spaces.get( name );
	}
}

/** A space as spaces.get / spaces.patch answer; `config` for its owner only. */
export function spaceResource(
	space: StoredSpace,
	forOwner: boolean,
	active?: StoredRecord
): meet_v2.Schema$Space {
	const out: meet_v2.Schema$Space = {
		name: space.name,
		meetingUri: `https://meet.google.com/${ space.meetingCode }`,
		meetingCode: space.meetingCode,
	};
	if ( forOwner ) {
		const c = space.config;
		out.config = {
			accessType: c.accessType,
			entryPointAccess: c.entryPointAccess,
			artifactConfig: {
				recordingConfig: {
					autoRecordingGeneration: c.autoRecordingGeneration,
				},
				transcriptionConfig: {
					autoTranscriptionGeneration: c.autoTranscriptionGeneration,
				},
				smartNotesConfig: {
					autoSmartNotesGeneration: c.autoSmartNotesGeneration,
				},
			},
		};
	}
	if ( active ) {
		out.activeConference = { conferenceRecord: active.name };
	}
	return out;
}

export function recordResource(
	rec: StoredRecord
): meet_v2.Schema$ConferenceRecord {
	return {
		name: rec.name,
		startTime: rec.startTime,
		...( rec.endTime ? { endTime: rec.endTime } : {} ),
		expireTime: rec.expireTime,
		space: rec.space,
	};
}

const earliest = ( p: StoredParticipant ) =>
	p.sessions.map( ( s ) => s.startTime ).sort()[ 0 ];

export function participantResource(
	p: StoredParticipant,
	sub: ( email: string ) => string
): meet_v2.Schema$Participant {
	const out: meet_v2.Schema$Participant = { name: p.name };
	if ( p.kind === 'signedin' ) {
		out.signedinUser = {
			user: userName( sub( p.email ?? '' ) ),
			displayName: p.displayName,
		};
	} else if ( p.kind === 'anonymous' ) {
		out.anonymousUser = { displayName: p.displayName };
	} else {
		out.phoneUser = { displayName: p.displayName };
	}
	const start = earliest( p );
	if ( start ) {
		out.earliestStartTime = start;
	}
	// latestEndTime is unset while any session is still in the call.
	if ( p.sessions.length > 0 && p.sessions.every( ( s ) => s.endTime ) ) {
		out.latestEndTime = p.sessions
			.map( ( s ) => s.endTime as string )
			.sort()
			.at( -1 );
	}
	return out;
}

export function sessionResource(
	s: StoredSession
): meet_v2.Schema$ParticipantSession {
	return {
		name: s.name,
		startTime: s.startTime,
		...( s.endTime ? { endTime: s.endTime } : {} ),
	};
}
