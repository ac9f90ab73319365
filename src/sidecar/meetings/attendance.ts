/**
 * Who came to a consultation: the conference records of the meeting's Meet space within the
 * appointment's window, their participants and participant sessions (Meet REST API v2, through
 * the official `@googleapis/meet` client), folded into one line per person: kind, display name,
 * first join, last leave, minutes present; the doctor recognised by their connected Google
 * account (`users/{sub}`). Only names, kinds and times leave the sidecar.
 */
import type { meet_v2 } from '@googleapis/meet/build/v2';
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import type { GoogleSession } from '../google/session';
import { MEET_READONLY_SCOPE } from './space-access';

const AUTH = 'https://www.googleapis.com/auth/';
const READ_GRANTS = [ MEET_READONLY_SCOPE, `${ AUTH }meetings.space.created` ];

/** Pages read at most per list (records: 100 each; participants and sessions: 250 each). */
const MAX_PAGES = 4;

export interface AttendanceLine {
	kind: 'signedin' | 'anonymous' | 'phone';
	displayName: string;
	doctor: boolean;
	firstJoin: string | null;
	lastLeave: string | null;
	minutes: number;
}

export interface Attendance {
	/** Calls found in the window. */
	calls: number;
	/** A call still running (Google writes the end later): ask again. */
	running: boolean;
	start: string | null;
	end: string | null;
	participants: AttendanceLine[];
}

export function hasReadScope( scopes: readonly string[] ): boolean {
	return READ_GRANTS.some( ( s ) => scopes.includes( s ) );
}

/** One list call of the Meet client: a page of items and the next page's token. */
type ListPage< T > = (
	auth: OAuth2Client,
	pageToken: string | undefined
) => Promise< { items?: T[]; nextPageToken?: string | null } >;

async function pages< T >(
	session: GoogleSession,
	method: string,
	list: ListPage< T >
): Promise< T[] > {
	const out: T[] = [];
	let pageToken: string | undefined;
	for ( let i = 0; i < MAX_PAGES; i++ ) {
		const page = await session.calendar( method, 'other', ( auth ) =>
			list( auth, pageToken )
		);
		out.push( ...( page.items ?? [] ) );
		pageToken = page.nextPageToken ?? undefined;
		if ( ! pageToken ) {
			break;
		}
	}
	return out;
}

const minutesOf = ( sessions: meet_v2.Schema$ParticipantSession[] ) =>
	Math.round(
		sessions.reduce( ( sum, s ) => {
			const start = Date.parse( s.startTime ?? '' );
			const end = Date.parse( s.endTime ?? '' );
			return Number.isNaN( start ) || Number.isNaN( end )
				? sum
				: sum + Math.max( 0, end - start );
		}, 0 ) / 60000
	);

function earlier( a: string | null, b: string | null | undefined ) {
	if ( ! b ) {
		return a;
	}
	return ! a || b < a ? b : a;
}

function later( a: string | null, b: string | null | undefined ) {
	if ( ! b ) {
		return a;
	}
	return ! a || b > a ? b : a;
}

function kindOf( p: meet_v2.Schema$Participant ): AttendanceLine[ 'kind' ] {
	if ( p.signedinUser ) {
		return 'signedin';
	}
	return p.phoneUser ? 'phone' : 'anonymous';
}

export async function readAttendance(
	session: GoogleSession,
	input: { meetingCode: string; from: string; to: string }
): Promise< Attendance > {
	if ( ! hasReadScope( session.scopes ) ) {
		throw new SidecarError(
			'insufficient_scope',
			'The doctor has not allowed the product to read who joined their Meet meetings: ask them to grant it.',
			{ scope: MEET_READONLY_SCOPE }
		);
	}
	const meet = await session.api.meet();
	const space = await session.calendar(
		'spaces.get',
		'other',
		async ( auth ) =>
			(
				await meet.spaces.get( {
					name: `spaces/${ input.meetingCode }`,
					auth,
				} )
			).data
	);
	const doctorSub = await session.calendar( 'userinfo', 'other', ( auth ) =>
		session.api.subject( auth )
	);
	const doctorUser = doctorSub ? `users/${ doctorSub }` : '';
	const filter = `space.name = "${ space.name }" AND start_time >= "${ input.from }" AND start_time <= "${ input.to }"`;
	const records = await pages< meet_v2.Schema$ConferenceRecord >(
		session,
		'conferenceRecords.list',
		async ( auth, pageToken ) => {
			const { data } = await meet.conferenceRecords.list( {
				filter,
				pageSize: 100,
				pageToken,
				auth,
			} );
			return {
				items: data.conferenceRecords,
				nextPageToken: data.nextPageToken,
			};
		}
	);
	const people = new Map< string, AttendanceLine >();
	let start: string | null = null;
	let end: string | null = null;
	let running = false;
	for ( const rec of records ) {
		start = earlier( start, rec.startTime );
		end = later( end, rec.endTime );
		running ||= ! rec.endTime;
		const participants = await pages< meet_v2.Schema$Participant >(
			session,
			'participants.list',
			async ( auth, pageToken ) => {
				const { data } = await meet.conferenceRecords.participants.list(
					{
						parent: rec.name ?? '',
						pageSize: 250,
						pageToken,
						auth,
					}
				);
				return {
					items: data.participants,
					nextPageToken: data.nextPageToken,
				};
			}
		);
		for ( const p of participants ) {
			const sessions = await pages< meet_v2.Schema$ParticipantSession >(
				session,
				'participantSessions.list',
				async ( auth, pageToken ) => {
					const { data } =
						await meet.conferenceRecords.participants.participantSessions.list(
							{
								parent: p.name ?? '',
								pageSize: 250,
								pageToken,
								auth,
							}
						);
					return {
						items: data.participantSessions,
						nextPageToken: data.nextPageToken,
					};
				}
			);
			const kind = kindOf( p );
			const displayName = (
				p.signedinUser?.displayName ??
				p.anonymousUser?.displayName ??
				p.phoneUser?.displayName ??
				''
			).slice( 0, 120 );
			const doctor = !! doctorUser && p.signedinUser?.user === doctorUser;
			// One line per person across calls: signed-in users by account, others by name.
			const key = p.signedinUser?.user
				? `u:${ p.signedinUser.user }`
				: `${ kind }:${ displayName }`;
			const line = people.get( key ) ?? {
				kind,
				displayName,
				doctor,
				firstJoin: null,
				lastLeave: null,
				minutes: 0,
			};
			line.firstJoin = earlier( line.firstJoin, p.earliestStartTime );
			line.lastLeave = later( line.lastLeave, p.latestEndTime );
			line.minutes += minutesOf( sessions );
			people.set( key, line );
		}
	}
	return {
		calls: records.length,
		running,
		start,
		end,
		participants: [ ...people.values() ].sort( ( a, b ) =>
			( a.firstJoin ?? '' ).localeCompare( b.firstJoin ?? '' )
		),
	};
}
