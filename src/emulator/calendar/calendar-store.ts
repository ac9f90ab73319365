/**
 * Calendars: each account's primary calendar (id = its e-mail, created with the account) and
 * secondary calendars (made with `calendars.insert` or the control API), owned by one account
 * (Google's `dataOwner`) and shared with others as reader or writer.
 */
import { GoogleApiError } from '../pipeline/google-errors';
import type { Conference } from './conferences';
import type { StoredEvent } from './event-store';

/** Access roles of Google's calendarList, weakest first (`minAccessRole` compares on this order). */
export const ACCESS_ROLES = [
	'freeBusyReader',
	'reader',
	'writer',
	'owner',
] as const;
export type AccessRole = ( typeof ACCESS_ROLES )[ number ];

export interface Calendar {
	id: string;
	owner: string;
	summary: string;
	timeZone: string;
	primary: boolean;
	description?: string;
	/** Other accounts that see the calendar, with their role (e-mail → role). */
	sharedWith: Map< string, AccessRole >;
	allowedConferenceSolutionTypes: string[];
	events: Map< string, StoredEvent >;
	/** requestId → conference, for "a repeated requestId is ignored". */
	requests: Map< string, Conference >;
	/** Sync tokens issued before the last invalidation answer 410 (a control route bumps it). */
	syncEpoch: number;
}

export class CalendarStore {
	private readonly byId = new Map< string, Calendar >();

	reset(): void {
		this.byId.clear();
	}

	/** The primary calendar of an account (created with it). */
	primary( email: string ): Calendar {
		return this.ensureCalendar(
			email.toLowerCase(),
			email.toLowerCase(),
			true
		);
	}

	ensureCalendar(
		id: string,
		owner: string,
		primary = false,
		summary?: string
	): Calendar {
		let c = this.byId.get( id );
		if ( ! c ) {
			c = {
				id,
				owner: owner.toLowerCase(),
				summary: summary ?? id,
				timeZone: 'UTC',
				primary,
				sharedWith: new Map(),
				allowedConferenceSolutionTypes: [ 'hangoutsMeet' ],
				events: new Map(),
				requests: new Map(),
				syncEpoch: 0,
			};
			this.byId.set( id, c );
		}
		return c;
	}

	has( id: string ): boolean {
		return this.byId.has( id );
	}

	/** A calendar by id, primary calendars also by their e-mail in any case (for the control API). */
	find( id: string ): Calendar | undefined {
		return this.byId.get( id.toLowerCase() ) ?? this.byId.get( id );
	}

	/** Every calendar (the Meet area looks up which one holds a conference). */
	all(): Calendar[] {
		return [ ...this.byId.values() ];
	}

	ownedBy( email: string ): Calendar[] {
		return [ ...this.byId.values() ].filter( ( c ) => c.owner === email );
	}

	/** A new secondary calendar owned by `email`, with an id in Google's shape. */
	create( email: string, summary: string ): Calendar {
		let id: string;
		do {
			id = `${ Math.random()
				.toString( 36 )
				.slice( 2, 14 )
				.padEnd( 12, '0' ) }@group.calendar.google.com`;
		} while ( this.byId.has( id ) );
		return this.ensureCalendar( id, email, false, summary );
	}

	removeCalendar( id: string ): boolean {
		return this.byId.delete( id );
	}

	/** The account's role on a calendar, if it sees it at all. */
	roleOf( cal: Calendar, email: string ): AccessRole | undefined {
		const who = email.toLowerCase();
		return cal.owner === who ? 'owner' : cal.sharedWith.get( who );
	}

	/** The calendars an account sees (its calendar list), primary first. */
	visibleTo( email: string ): Calendar[] {
		const who = email.toLowerCase();
		this.primary( who );
		return [ ...this.byId.values() ]
			.filter( ( c ) => this.roleOf( c, who ) !== undefined )
			.sort( ( a, b ) => Number( b.primary ) - Number( a.primary ) );
	}

	/**
	 * The calendar `calendarId` names for this account, or 404 (Google does not tell "exists but
	 * not yours"); a write on a calendar only shared for reading is 403 `requiredAccessLevel`.
	 */
	resolve(
		calendarId: string,
		email: string,
		need: 'reader' | 'writer' = 'reader'
	): Calendar {
		const id = calendarId === 'primary' ? email.toLowerCase() : calendarId;
		if ( calendarId === 'primary' || id === email.toLowerCase() ) {
			return this.primary( email );
		}
		const c = this.byId.get( id );
		const role = c ? this.roleOf( c, email ) : undefined;
		if ( ! c || ! role || role === 'freeBusyReader' ) {
			throw new GoogleApiError( 404, 'notFound', 'Not Found' );
		}
		if ( need === 'writer' && role === 'reader' ) {
			throw new GoogleApiError(
				403,
				'requiredAccessLevel',
				'You need to have writer access to this calendar.'
			);
		}
		return c;
	}
}
