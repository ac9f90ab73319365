/**
 * Calendar API v3 endpoints used by the product (and a little more): events
 * insert/get/patch/update/delete/list, calendars.get, calendarList.get. Bearer tokens, scopes and
 * per-user / per-project rate limits are checked as Google does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Calendar, StoredEvent } from './calendar-store';
import {
	GoogleApiError,
	insufficientScopes,
	invalidCredentials,
	missingCredentials,
} from './pipeline/google-errors';
import type { Outcome } from './pipeline/outcome';
import { run } from './pipeline/run';
import type { EmulatorState } from './state';

const AUTH = 'https://www.googleapis.com/auth/';
const scopes = ( ...names: string[] ) =>
	new Set( names.map( ( n ) => AUTH + n ) );
const EVENTS_WRITE = scopes(
	'calendar',
	'calendar.events',
	'calendar.events.owned',
	'calendar.app.created'
);
const EVENTS_READ = scopes(
	'calendar',
	'calendar.events',
	'calendar.events.owned',
	'calendar.app.created',
	'calendar.readonly',
	'calendar.events.readonly',
	'calendar.events.owned.readonly'
);
const CALENDARS_READ = scopes(
	'calendar',
	'calendar.readonly',
	'calendar.calendars',
	'calendar.calendars.readonly',
	'calendar.app.created'
);
const CALENDAR_LIST_READ = scopes(
	'calendar',
	'calendar.readonly',
	'calendar.calendarlist',
	'calendar.calendarlist.readonly',
	'calendar.app.created'
);
const SEND_UPDATES = new Set( [ 'all', 'externalOnly', 'none' ] );

type Query = Record< string, string | string[] | undefined >;

interface Caller {
	email: string;
	clientId: string;
}

const first = ( q: Query, k: string ): string | undefined => {
	const v = q[ k ];
	return Array.isArray( v ) ? v[ 0 ] : v;
};
const asList = ( v: string | string[] | undefined ): string[] => {
	if ( v === undefined ) {
		return [];
	}
	return Array.isArray( v ) ? v : [ v ];
};
const all = ( q: Query, k: string ): string[] => asList( q[ k ] );

export function registerCalendarRoutes(
	app: FastifyInstance,
	state: EmulatorState
): void {
	/** The account behind the bearer token, if the token is live (used for fault matching too). */
	const peek = ( request: FastifyRequest ) => {
		const h = request.headers.authorization;
		if ( ! h?.startsWith( 'Bearer ' ) ) {
			return undefined;
		}
		return state.auth.tokens.resolveAccessToken( h.slice( 7 ).trim() );
	};

	const authorize = (
		request: FastifyRequest,
		operation: string,
		needed: Set< string >
	): Caller => {
		if ( ! request.headers.authorization ) {
			throw missingCredentials();
		}
		const resolved = peek( request );
		if ( ! resolved ) {
			throw invalidCredentials();
		}
		if ( ! resolved.token.scopes.some( ( s ) => needed.has( s ) ) ) {
			throw insufficientScopes();
		}
		const caller = {
			email: resolved.grant.email,
			clientId: resolved.grant.clientId,
		};
		limit( caller, operation );
		return caller;
	};

	/** Per-user then per-project token buckets; a refused request takes nothing. */
	const limit = ( caller: Caller, operation: string ) => {
		const { perUserPerMinute, perProjectPerMinute } =
			state.behaviour.rateLimits;
		const cost = state.behaviour.operationCosts[ operation ] ?? 1;
		const userKey = `user:${ caller.clientId }:${ caller.email }`;
		const projectKey = `project:${ caller.clientId }`;
		if (
			perUserPerMinute !== null &&
			! state.buckets.has( userKey, perUserPerMinute, cost )
		) {
			throw new GoogleApiError(
				403,
				'userRateLimitExceeded',
				'Rate Limit Exceeded'
			);
		}
		if (
			perProjectPerMinute !== null &&
			! state.buckets.has( projectKey, perProjectPerMinute, cost )
		) {
			const message =
				"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'calendar-json.googleapis.com' for consumer 'project_number:000000000000'.";
			// Like Google, no Retry-After: clients back off on their own.
			throw new GoogleApiError( 429, 'rateLimitExceeded', message );
		}
		if ( perUserPerMinute !== null ) {
			state.buckets.take( userKey, perUserPerMinute, cost );
		}
		if ( perProjectPerMinute !== null ) {
			state.buckets.take( projectKey, perProjectPerMinute, cost );
		}
	};

	const params = ( request: FastifyRequest ) =>
		request.params as { calendarId: string; eventId?: string };

	const route = (
		method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
		path: string,
		operation: string,
		needed: Set< string >,
		handler: ( caller: Caller, request: FastifyRequest ) => Outcome
	) => {
		app.route( {
			method,
			url: path,
			handler: ( request: FastifyRequest, reply: FastifyReply ) =>
				run(
					state,
					request,
					reply,
					'api',
					operation,
					() => {
						const resolved = peek( request );
						const p = params( request );
						return {
							...( resolved
								? { account: resolved.grant.email }
								: {} ),
							...( p.calendarId
								? {
										calendarId:
											p.calendarId === 'primary' &&
											resolved
												? resolved.grant.email
												: p.calendarId,
									}
								: {} ),
						};
					},
					() =>
						handler(
							authorize( request, operation, needed ),
							request
						)
				),
		} );
	};

	const body = ( request: FastifyRequest ): Record< string, unknown > => {
		const b = request.body;
		if ( ! b || typeof b !== 'object' || Array.isArray( b ) ) {
			throw new GoogleApiError( 400, 'parseError', 'Parse Error' );
		}
		return b as Record< string, unknown >;
	};

	const conferenceVersion = ( q: Query ): boolean => {
		const v = first( q, 'conferenceDataVersion' );
		if ( v === undefined || v === '0' ) {
			return false;
		}
		if ( v === '1' ) {
			return true;
		}
		throw new GoogleApiError(
			400,
			'invalid',
			`Invalid value '${ v }'. Values must match the following regular expression: '[01]'`,
			{ location: 'conferenceDataVersion' }
		);
	};

	const checkSendUpdates = ( q: Query ) => {
		const v = first( q, 'sendUpdates' );
		if ( v !== undefined && ! SEND_UPDATES.has( v ) ) {
			throw new GoogleApiError(
				400,
				'invalid',
				`Invalid value for: sendUpdates`,
				{ location: 'sendUpdates' }
			);
		}
	};

	const calendarOf = ( caller: Caller, request: FastifyRequest ): Calendar =>
		state.calendars.resolve( params( request ).calendarId, caller.email );
	const resource = ( cal: Calendar, ev: StoredEvent ): Outcome => ( {
		status: 200,
		body: state.calendars.toResource( cal, ev ),
	} );
	const EVENTS = '/calendar/v3/calendars/:calendarId/events';
	const EVENT = `${ EVENTS }/:eventId`;

	route(
		'POST',
		EVENTS,
		'events.insert',
		EVENTS_WRITE,
		( caller, request ) => {
			const q = request.query as Query;
			checkSendUpdates( q );
			const cal = calendarOf( caller, request );
			return resource(
				cal,
				state.calendars.insert(
					cal,
					body( request ),
					conferenceVersion( q ),
					state.conferenceSettings( cal.id )
				)
			);
		}
	);

	route( 'GET', EVENT, 'events.get', EVENTS_READ, ( caller, request ) => {
		const cal = calendarOf( caller, request );
		return resource(
			cal,
			state.calendars.get( cal, params( request ).eventId as string )
		);
	} );

	const modify =
		( mode: 'patch' | 'update' ) =>
		( caller: Caller, request: FastifyRequest ) => {
			const q = request.query as Query;
			checkSendUpdates( q );
			const cal = calendarOf( caller, request );
			return resource(
				cal,
				state.calendars.modify(
					cal,
					params( request ).eventId as string,
					body( request ),
					mode,
					conferenceVersion( q ),
					state.conferenceSettings( cal.id )
				)
			);
		};
	route( 'PATCH', EVENT, 'events.patch', EVENTS_WRITE, modify( 'patch' ) );
	route( 'PUT', EVENT, 'events.update', EVENTS_WRITE, modify( 'update' ) );

	route(
		'DELETE',
		EVENT,
		'events.delete',
		EVENTS_WRITE,
		( caller, request ) => {
			checkSendUpdates( request.query as Query );
			const cal = calendarOf( caller, request );
			state.calendars.delete( cal, params( request ).eventId as string );
			return { status: 204 };
		}
	);

	route( 'GET', EVENTS, 'events.list', EVENTS_READ, ( caller, request ) => {
		const q = request.query as Query;
		const cal = calendarOf( caller, request );
		const timeMin = first( q, 'timeMin' );
		const timeMax = first( q, 'timeMax' );
		const minMs = timeMin === undefined ? -Infinity : Date.parse( timeMin );
		const maxMs = timeMax === undefined ? Infinity : Date.parse( timeMax );
		if ( Number.isNaN( minMs ) || Number.isNaN( maxMs ) ) {
			throw new GoogleApiError( 400, 'badRequest', 'Bad Request' );
		}
		if ( minMs > maxMs ) {
			throw new GoogleApiError(
				400,
				'timeRangeEmpty',
				'The specified time range is empty.',
				{ location: 'timeMax' }
			);
		}
		const maxResults = Math.min(
			2500,
			Math.max( 1, Number( first( q, 'maxResults' ) ?? 250 ) || 250 )
		);
		const showDeleted = first( q, 'showDeleted' ) === 'true';
		const orderBy = first( q, 'orderBy' );
		if (
			orderBy === 'startTime' &&
			first( q, 'singleEvents' ) !== 'true'
		) {
			throw new GoogleApiError(
				400,
				'invalid',
				'The requested ordering is not available for the particular query.',
				{ location: 'orderBy' }
			);
		}
		const props = all( q, 'privateExtendedProperty' ).map( ( p ) => {
			const eq = p.indexOf( '=' );
			return [ p.slice( 0, eq ), p.slice( eq + 1 ) ] as const;
		} );
		const text = first( q, 'q' )?.toLowerCase();
		const updatedMin = first( q, 'updatedMin' );
		const updatedMinMs = updatedMin ? Date.parse( updatedMin ) : -Infinity;
		const items = [ ...cal.events.values() ].filter( ( ev ) => {
			if ( ev.status === 'cancelled' && ! showDeleted ) {
				return false;
			}
			if (
				ev.endMs <= minMs ||
				ev.startMs >= maxMs ||
				ev.updatedMs < updatedMinMs
			) {
				return false;
			}
			if ( props.length > 0 ) {
				const priv =
					(
						ev.fields.extendedProperties as
							{ private?: Record< string, string > } | undefined
					 )?.private ?? {};
				if ( ! props.every( ( [ k, v ] ) => priv[ k ] === v ) ) {
					return false;
				}
			}
			if ( text ) {
				const hay =
					`${ String( ev.fields.summary ?? '' ) } ${ String( ev.fields.description ?? '' ) }`.toLowerCase();
				if ( ! hay.includes( text ) ) {
					return false;
				}
			}
			return true;
		} );
		if ( orderBy === 'startTime' ) {
			items.sort( ( a, b ) => a.startMs - b.startMs );
		} else if ( orderBy === 'updated' ) {
			items.sort( ( a, b ) => a.updatedMs - b.updatedMs );
		}
		const offset =
			Number(
				Buffer.from(
					first( q, 'pageToken' ) ?? '',
					'base64url'
				).toString()
			) || 0;
		const page = items.slice( offset, offset + maxResults );
		const result: Record< string, unknown > = {
			kind: 'calendar#events',
			etag: `"${ Date.now() }"`,
			summary: cal.summary,
			updated: new Date().toISOString(),
			timeZone: cal.timeZone,
			accessRole: 'owner',
			defaultReminders: [ { method: 'popup', minutes: 10 } ],
			items: page.map( ( ev ) => state.calendars.toResource( cal, ev ) ),
		};
		if ( offset + maxResults < items.length ) {
			result.nextPageToken = Buffer.from(
				String( offset + maxResults )
			).toString( 'base64url' );
		}
		return { status: 200, body: result };
	} );

	route(
		'GET',
		'/calendar/v3/calendars/:calendarId',
		'calendars.get',
		CALENDARS_READ,
		( caller, request ) => ( {
			status: 200,
			body: state.calendars.calendarResource(
				calendarOf( caller, request )
			),
		} )
	);

	route(
		'GET',
		'/calendar/v3/users/me/calendarList/:calendarId',
		'calendarList.get',
		CALENDAR_LIST_READ,
		( caller, request ) => ( {
			status: 200,
			body: state.calendars.calendarListEntry(
				calendarOf( caller, request )
			),
		} )
	);
}
