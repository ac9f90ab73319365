/**
 * The OAuth scopes each Meet REST API v2 operation accepts (any one of the set is enough), as
 * Google's reference lists them.
 */
import { AUTH_SCOPE_PREFIX } from '../oauth/scopes';

const scopes = ( ...names: string[] ): ReadonlySet< string > =>
	new Set( names.map( ( n ) => AUTH_SCOPE_PREFIX + n ) );

/** spaces.get */
export const SPACES_READ = scopes(
	'meetings.space.created',
	'meetings.space.readonly',
	'meetings.space.settings'
);

/** spaces.patch: spaces the app created, or any space the user owns. */
export const SPACES_WRITE = scopes(
	'meetings.space.created',
	'meetings.space.settings'
);

/** conferenceRecords, participants, participantSessions. */
export const RECORDS_READ = scopes(
	'meetings.space.created',
	'meetings.space.readonly'
);
