/**
 * Changes made in the doctor's Google Calendar, read back (docs/sidecar-api.md, "Calendar sync"):
 * a push channel on the calendar (events.watch, channels.stop) and an incremental sync
 * (events.list with syncToken) that answers only this site's consultation events, compactly.
 * The sidecar keeps nothing: WordPress stores the channel, its secret token and the sync token.
 */
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import type { calendar_v3 } from '../google/api';
import type { GoogleSession } from '../google/session';
import { conferenceStatus, type ConferenceStatus } from '../meetings/event';
import type { EventTime } from '../meetings/time';

/** Pages of 250 events read in one request; more are handed back as `nextPageToken`. */
export const MAX_PAGES_PER_REQUEST = 4;
const PAGE_SIZE = 250;

/** What the sync reads of each event (Google's partial response). */
export const SYNC_FIELDS =
	'nextPageToken,nextSyncToken,items(id,status,etag,sequence,start,end,hangoutLink,' +
	'conferenceData(createRequest(requestId,status),entryPoints(entryPointType,uri)),' +
	'extendedProperties(private))';

export interface WatchInput {
	calendarId: string;
	channelId: string;
	token: string;
	address: string;
	ttlSeconds?: number;
}

export interface WatchAnswer {
	channelId: string;
	resourceId: string;
	/** Unix milliseconds; null when Google did not say. */
	expiration: number | null;
}

export interface SyncInput {
	siteId: string;
	calendarId: string;
	syncToken?: string;
	pageToken?: string;
}

/** One of this site's consultation events as it is in Google now. */
export interface SyncedEvent {
	eventId: string;
	/** The appointment the event says it belongs to; null for a deleted event Google sent bare. */
	appointmentId: number | null;
	status: 'confirmed' | 'tentative' | 'cancelled';
	start: EventTime | null;
	end: EventTime | null;
	sequence: number;
	etag: string | null;
	conferenceStatus: ConferenceStatus;
	meetUrl: string | null;
	/** The conference's requestId (ours names the revision; another one was made in Google). */
	conferenceRequestId: string | null;
}

export interface SyncAnswer {
	events: SyncedEvent[];
	/** More changes to read: send it back with the same `syncToken` (or none, on a full sync). */
	nextPageToken: string | null;
	/** Store it for the next sync (on the last page only). */
	nextSyncToken: string | null;
	/** True when this was a full sync (no token, or Google refused the old one: 410). */
	fullSync: boolean;
}

const eventTime = (
	t: calendar_v3.Schema$EventDateTime | undefined
): EventTime | null =>
	t?.dateTime
		? { dateTime: t.dateTime, timeZone: t.timeZone ?? 'UTC' }
		: null;

function meetUrlOf( event: calendar_v3.Schema$Event ): string | null {
	if ( event.hangoutLink ) {
		return event.hangoutLink;
	}
	return (
		event.conferenceData?.entryPoints?.find(
			( e ) => e.entryPointType === 'video'
		)?.uri ?? null
	);
}

/**
 * This site's events among those Google sent. An incremental sync lists the whole calendar's
 * changes (Google refuses filters with a token); a deleted event may come with its id only, so a
 * bare cancelled event with one of the product's ids is passed on for WordPress to match.
 */
export function compact(
	siteId: string,
	items: calendar_v3.Schema$Event[]
): SyncedEvent[] {
	const out: SyncedEvent[] = [];
	for ( const event of items ) {
		if ( ! event.id ) {
			continue;
		}
		const priv = event.extendedProperties?.private ?? null;
		const ours = priv?.mfkSiteId === siteId;
		const bareDeleted =
			event.status === 'cancelled' &&
			! priv &&
			/^mfk[0-9a-v]{40}$/.test( event.id );
		if ( ! ours && ! bareDeleted ) {
			continue;
		}
		const appointment = Number( priv?.mfkAppointmentId ?? NaN );
		const conference = conferenceStatus( event );
		out.push( {
			eventId: event.id,
			appointmentId:
				Number.isSafeInteger( appointment ) && appointment > 0
					? appointment
					: null,
			status:
				event.status === 'cancelled' || event.status === 'tentative'
					? event.status
					: 'confirmed',
			start: eventTime( event.start ),
			end: eventTime( event.end ),
			sequence: event.sequence ?? 0,
			etag: event.etag ?? null,
			conferenceStatus: conference,
			meetUrl: conference === 'success' ? meetUrlOf( event ) : null,
			conferenceRequestId:
				event.conferenceData?.createRequest?.requestId ?? null,
		} );
	}
	return out;
}

async function listPage(
	session: GoogleSession,
	params: calendar_v3.Params$Resource$Events$List
): Promise< calendar_v3.Schema$Events > {
	return session.calendar(
		'events.list',
		'calendar',
		async ( auth: OAuth2Client ) =>
			( await session.api.calendar.events.list( { ...params, auth } ) )
				.data
	);
}

/**
 * An incremental sync from `syncToken` (a full one limited to this site's events without it, or
 * when Google answers 410: the token is no longer valid). At most MAX_PAGES_PER_REQUEST pages.
 */
export async function syncEvents(
	session: GoogleSession,
	input: SyncInput
): Promise< SyncAnswer > {
	let fullSync = ! input.syncToken;
	let pageToken = input.pageToken;
	const base = (): calendar_v3.Params$Resource$Events$List =>
		fullSync
			? {
					calendarId: input.calendarId,
					privateExtendedProperty: [ `mfkSiteId=${ input.siteId }` ],
					showDeleted: true,
					maxResults: PAGE_SIZE,
					fields: SYNC_FIELDS,
				}
			: {
					calendarId: input.calendarId,
					syncToken: input.syncToken,
					maxResults: PAGE_SIZE,
					fields: SYNC_FIELDS,
				};
	const events: SyncedEvent[] = [];
	for ( let page = 0; page < MAX_PAGES_PER_REQUEST; page++ ) {
		let data: calendar_v3.Schema$Events;
		try {
			data = await listPage( session, {
				...base(),
				...( pageToken ? { pageToken } : {} ),
			} );
		} catch ( error ) {
			if (
				error instanceof SidecarError &&
				error.google?.status === 410 &&
				! fullSync
			) {
				// The token is no longer valid: start again with a full sync of this site's events.
				fullSync = true;
				pageToken = undefined;
				events.length = 0;
				page = -1;
				continue;
			}
			throw error;
		}
		events.push( ...compact( input.siteId, data.items ?? [] ) );
		pageToken = data.nextPageToken ?? undefined;
		if ( ! pageToken ) {
			if ( ! data.nextSyncToken ) {
				throw new SidecarError(
					'google_error',
					'Google ended the list without a sync token.'
				);
			}
			return {
				events,
				nextPageToken: null,
				nextSyncToken: data.nextSyncToken,
				fullSync,
			};
		}
	}
	return {
		events,
		nextPageToken: pageToken ?? null,
		nextSyncToken: null,
		fullSync,
	};
}

/** Opens a push channel on the calendar's events (Google POSTs a body-less notice on change). */
export async function watchCalendar(
	session: GoogleSession,
	input: WatchInput
): Promise< WatchAnswer > {
	const channel = await session.calendar(
		'events.watch',
		'calendar',
		async ( auth: OAuth2Client ) =>
			(
				await session.api.calendar.events.watch( {
					calendarId: input.calendarId,
					requestBody: {
						id: input.channelId,
						type: 'web_hook',
						address: input.address,
						token: input.token,
						...( input.ttlSeconds
							? { params: { ttl: String( input.ttlSeconds ) } }
							: {} ),
					},
					auth,
				} )
			).data
	);
	if ( ! channel.resourceId ) {
		throw new SidecarError(
			'google_error',
			'Google opened the channel without telling its resource id.'
		);
	}
	const expiration = Number( channel.expiration ?? NaN );
	return {
		channelId: channel.id ?? input.channelId,
		resourceId: channel.resourceId,
		expiration: Number.isFinite( expiration ) ? expiration : null,
	};
}

/** Stops a channel; one Google no longer knows (expired, already stopped) counts as stopped. */
export async function stopChannel(
	session: GoogleSession,
	input: { channelId: string; resourceId: string }
): Promise< { stopped: boolean } > {
	try {
		await session.calendar(
			'channels.stop',
			'other',
			async ( auth: OAuth2Client ) =>
				(
					await session.api.calendar.channels.stop( {
						requestBody: {
							id: input.channelId,
							resourceId: input.resourceId,
						},
						auth,
					} )
				).data
		);
		return { stopped: true };
	} catch ( error ) {
		if ( error instanceof SidecarError && error.code === 'not_found' ) {
			return { stopped: false };
		}
		throw error;
	}
}
