/**
 * The OAuth scopes each Calendar operation accepts (any one of the set is enough).
 */
import { AUTH_SCOPE_PREFIX } from '../oauth/scopes';

const scopes = ( ...names: string[] ): ReadonlySet< string > =>
	new Set( names.map( ( n ) => AUTH_SCOPE_PREFIX + n ) );

export const EVENTS_WRITE = scopes(
	'calendar',
	'calendar.events',
	'calendar.events.owned',
	'calendar.app.created'
);

export const EVENTS_READ = scopes(
	'calendar',
	'calendar.events',
	'calendar.events.owned',
	'calendar.app.created',
	'calendar.readonly',
	'calendar.events.readonly',
	'calendar.events.owned.readonly'
);

export const CALENDARS_READ = scopes(
	'calendar',
	'calendar.readonly',
	'calendar.calendars',
	'calendar.calendars.readonly',
	'calendar.app.created'
);

export const CALENDAR_LIST_READ = scopes(
	'calendar',
	'calendar.readonly',
	'calendar.calendarlist',
	'calendar.calendarlist.readonly',
	'calendar.app.created'
);

export const CALENDARS_WRITE = scopes(
	'calendar',
	'calendar.calendars',
	'calendar.app.created'
);

/** freebusy.query: `calendar.events` alone is not enough (Google does not list it). */
export const FREEBUSY = scopes(
	'calendar',
	'calendar.readonly',
	'calendar.freebusy',
	'calendar.events.freebusy'
);
