/**
 * A doctor's calendars: which of them can receive consultations (writable, Google Meet allowed)
 * and the "Video consultations" calendar the product makes for them. Both need scopes beyond
 * `calendar.events`, asked only when the doctor opens the calendar choice (incremental consent);
 * without them the answer says so and the doctor keeps their primary calendar.
 */
import type { OAuth2Client } from 'google-auth-library';
import { SidecarError } from '../errors';
import type { calendar_v3 } from '../google/api';
import type { GoogleSession } from '../google/session';

const AUTH = 'https://www.googleapis.com/auth/';

/** The narrowest scope Google documents for calendarList.list. */
export const CALENDAR_LIST_SCOPE = `${ AUTH }calendar.calendarlist.readonly`;
/** The narrowest scope Google documents for calendars.insert: calendars the app made, nothing else. */
export const APP_CREATED_SCOPE = `${ AUTH }calendar.app.created`;
/** Asked together when the doctor opens the calendar choice. */
export const CALENDAR_CHOICE_SCOPES = [
	CALENDAR_LIST_SCOPE,
	APP_CREATED_SCOPE,
];

/** Any of these lets the sidecar list calendars, or create one (broader grants included). */
const LIST_GRANTS = [
	CALENDAR_LIST_SCOPE,
	`${ AUTH }calendar.calendarlist`,
	`${ AUTH }calendar.readonly`,
	`${ AUTH }calendar`,
];
const CREATE_GRANTS = [
	APP_CREATED_SCOPE,
	`${ AUTH }calendar.calendars`,
	`${ AUTH }calendar`,
];

/** How the product's calendar says it is the product's (Google calendars have no private properties). */
export const CONSULTATION_DESCRIPTION =
	'Video consultations booked through Meet for KiviCare.';

/** calendarList pages read at most (250 calendars each). */
const MAX_PAGES = 8;

export interface CalendarAccess {
	list: boolean;
	create: boolean;
}

export interface CalendarChoice {
	id: string;
	summary: string;
	primary: boolean;
	accessRole: 'owner' | 'writer';
	/** The product's "Video consultations" calendar. */
	consultations: boolean;
}

export function calendarAccess( scopes: readonly string[] ): CalendarAccess {
	return {
		list: LIST_GRANTS.some( ( s ) => scopes.includes( s ) ),
		create: CREATE_GRANTS.some( ( s ) => scopes.includes( s ) ),
	};
}

const allowsMeet = ( c: calendar_v3.Schema$CalendarListEntry ): boolean =>
	( c.conferenceProperties?.allowedConferenceSolutionTypes ?? [] ).includes(
		'hangoutsMeet'
	);

function choice(
	c: calendar_v3.Schema$CalendarListEntry,
	email: string
): CalendarChoice {
	return {
		id: c.id as string,
		summary: c.summaryOverride || c.summary || ( c.id as string ),
		primary: c.primary === true,
		accessRole: c.accessRole === 'owner' ? 'owner' : 'writer',
		consultations:
			c.description === CONSULTATION_DESCRIPTION &&
			( c.dataOwner ?? '' ).toLowerCase() === email.toLowerCase(),
	};
}

async function writableCalendars(
	session: GoogleSession
): Promise< CalendarChoice[] > {
	const found: CalendarChoice[] = [];
	let pageToken: string | undefined;
	for ( let page = 0; page < MAX_PAGES; page++ ) {
		const data = await session.calendar(
			'calendarList.list',
			'other',
			async ( auth: OAuth2Client ) =>
				(
					await session.api.calendar.calendarList.list( {
						minAccessRole: 'writer',
						maxResults: 250,
						...( pageToken ? { pageToken } : {} ),
						auth,
					} )
				).data
		);
		for ( const c of data.items ?? [] ) {
			if (
				c.id &&
				! c.deleted &&
				( c.accessRole === 'owner' || c.accessRole === 'writer' ) &&
				allowsMeet( c )
			) {
				found.push( choice( c, session.email ) );
			}
		}
		pageToken = data.nextPageToken ?? undefined;
		if ( ! pageToken ) {
			break;
		}
	}
	return found;
}

/** The calendars that can receive consultations, and what the grant allows. */
export async function listCalendars(
	session: GoogleSession
): Promise< { access: CalendarAccess; calendars: CalendarChoice[] } > {
	const access = calendarAccess( session.scopes );
	return {
		access,
		calendars: access.list ? await writableCalendars( session ) : [],
	};
}

/**
 * The doctor's "Video consultations" calendar: the one made before when the calendar list shows
 * it (a second click, or WordPress lost the answer), else a new one the doctor owns.
 */
export async function consultationCalendar(
	session: GoogleSession,
	options: { summary: string; timeZone?: string }
): Promise< { calendar: CalendarChoice; created: boolean } > {
	const access = calendarAccess( session.scopes );
	if ( ! access.create ) {
		throw new SidecarError(
			'insufficient_scope',
			'The Google grant does not allow creating a calendar (calendar.app.created): the doctor must allow calendar choice first.'
		);
	}
	if ( access.list ) {
		const made = ( await writableCalendars( session ) ).find(
			( c ) => c.consultations
		);
		if ( made ) {
			return { calendar: made, created: false };
		}
	}
	const created = await session.calendar(
		'calendars.insert',
		'other',
		async ( auth: OAuth2Client ) =>
			(
				await session.api.calendar.calendars.insert( {
					requestBody: {
						summary: options.summary,
						description: CONSULTATION_DESCRIPTION,
						...( options.timeZone
							? { timeZone: options.timeZone }
							: {} ),
					},
					auth,
				} )
			).data
	);
	if ( ! created.id ) {
		throw new SidecarError(
			'google_error',
			'Google created the calendar without telling its id.'
		);
	}
	return {
		calendar: {
			id: created.id,
			summary: created.summary ?? options.summary,
			primary: false,
			accessRole: 'owner',
			consultations: true,
		},
		created: true,
	};
}
