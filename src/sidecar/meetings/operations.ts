/**
 * The operations behind the meeting routes, shared by the single routes and `/v1/batch`. Input has
 * passed the JSON schema; here it gets its semantic checks and defaults.
 */
import type { SidecarContext } from '../context';
import { SidecarError } from '../errors';
import { GoogleSession } from '../google/session';
import {
	attendeeList,
	type EnsureInput,
	type KnownEvent,
	type MeetingRef,
	type SendUpdates,
} from './event';
import { Meetings } from './meetings';
import { openClient, type ClientInput } from '../oauth/flow';
import type { MeetingOp } from '../schemas/meetings';
import { validateRange, type EventTime } from './time';

export const DEFAULT_SUMMARY = 'Video consultation';
export const DEFAULT_WAIT_MS = 3000;

export interface MeetingBody {
	siteId: string;
	client: ClientInput;
	credential: string;
	appointmentId: number;
	calendarId?: string | null;
	revision?: number | null;
	summary?: string | null;
	description?: string | null;
	start?: EventTime;
	end?: EventTime;
	attendees?: { email: string; displayName?: string | null }[] | null;
	sendUpdates?: SendUpdates | null;
	waitMs?: number | null;
	known?: {
		eventId: string;
		etag?: string | null;
		revision?: number | null;
		start?: EventTime | null;
		end?: EventTime | null;
	} | null;
}

/** What WordPress knows of the event, without the nulls PHP may send. */
function knownOf( body: MeetingBody ): { known?: KnownEvent } {
	const k = body.known;
	if ( ! k ) {
		return {};
	}
	const known: KnownEvent = { eventId: k.eventId };
	if ( k.etag ) {
		known.etag = k.etag;
	}
	if ( typeof k.revision === 'number' ) {
		known.revision = k.revision;
	}
	if ( k.start && k.end ) {
		known.start = k.start;
		known.end = k.end;
	}
	return { known };
}

function range( body: MeetingBody ): { start: EventTime; end: EventTime } {
	const checked = validateRange(
		body.start as EventTime,
		body.end as EventTime
	);
	if ( 'errors' in checked ) {
		throw new SidecarError(
			'invalid_request',
			checked.errors
				.map( ( e ) => `${ e.path } ${ e.message }` )
				.join( '; ' ),
			{ errors: checked.errors }
		);
	}
	return { start: checked.range.start, end: checked.range.end };
}

/** Opens the doctor's session, runs `fn`, and hands back a refreshed credential with the answer or the error. */
export async function withSession< T extends object >(
	ctx: SidecarContext,
	body: { siteId: string; client: ClientInput; credential: string },
	fn: ( s: GoogleSession ) => Promise< T >
): Promise< T & { credential?: string } > {
	const session = await GoogleSession.open(
		ctx,
		body.siteId,
		openClient( ctx, body.siteId, body.client ),
		body.credential
	);
	try {
		const result = await fn( session );
		const credential = session.credentialUpdate();
		return credential ? { ...result, credential } : result;
	} catch ( error ) {
		if (
			error instanceof SidecarError &&
			error.code !== 'token_revoked' &&
			error.code !== 'credential_invalid' &&
			error.code !== 'seal_key_unknown'
		) {
			const credential = session.credentialUpdate();
			if ( credential ) {
				error.details.credential = credential;
			}
		}
		throw error;
	}
}

/**
 * The input of `ensure` for `body`, exactly as the single route builds it (batch/ensure-batch.ts
 * runs the same operation). Throws `invalid_request` on a bad time range unless `times` is given.
 */
export function ensureInputOf(
	body: MeetingBody,
	times: { start: EventTime; end: EventTime } = range( body )
): EnsureInput {
	return {
		siteId: body.siteId,
		appointmentId: body.appointmentId,
		calendarId: body.calendarId ?? 'primary',
		...knownOf( body ),
		...times,
		revision: body.revision ?? 0,
		summary: body.summary ?? DEFAULT_SUMMARY,
		description: body.description ?? '',
		...( body.attendees
			? { attendees: attendeeList( body.attendees ) }
			: {} ),
		sendUpdates: body.sendUpdates ?? 'none',
		waitMs: body.waitMs ?? DEFAULT_WAIT_MS,
	};
}

export async function runMeetingOp(
	ctx: SidecarContext,
	op: MeetingOp,
	body: MeetingBody
): Promise< object > {
	// Check what can be checked before spending a call to Google.
	const times =
		op === 'ensure' || op === 'reschedule' ? range( body ) : undefined;
	const ref: MeetingRef = {
		siteId: body.siteId,
		appointmentId: body.appointmentId,
		calendarId: body.calendarId ?? 'primary',
	};
	const sendUpdates = body.sendUpdates ?? 'none';
	return withSession( ctx, body, async ( session ) => {
		const meetings = new Meetings( session );
		switch ( op ) {
			case 'ensure':
				return meetings.ensure(
					ensureInputOf(
						body,
						times as { start: EventTime; end: EventTime }
					)
				);
			case 'reschedule':
				return meetings.reschedule( {
					...ref,
					...knownOf( body ),
					...( times as { start: EventTime; end: EventTime } ),
					...( body.summary ? { summary: body.summary } : {} ),
					sendUpdates,
					waitMs: body.waitMs ?? 0,
				} );
			case 'cancel':
				return meetings.cancel(
					ref,
					sendUpdates,
					knownOf( body ).known
				);
			case 'get':
				return meetings.status( ref );
		}
	} );
}
