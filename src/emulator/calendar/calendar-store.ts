/**
 * Calendars: each account's primary calendar (id = its e-mail, created with the account) and
 * secondary calendars made through the control API, visible only to their owner.
 */
import { GoogleApiError } from '../pipeline/google-errors';
import type { Conference } from './conferences';
import type { StoredEvent } from './event-store';

export interface Calendar {
	id: string;
	owner: string;
	summary: string;
	timeZone: string;
	primary: boolean;
	allowedConferenceSolutionTypes: string[];
	events: Map< string, StoredEvent >;
	/** requestId → conference, for "a repeated requestId is ignored". */
	requests: Map< string, Conference >;
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
				allowedConferenceSolutionTypes: [ 'hangoutsMeet' ],
				events: new Map(),
				requests: new Map(),
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

	ownedBy( email: string ): Calendar[] {
		return [ ...this.byId.values() ].filter( ( c ) => c.owner === email );
	}

	/** The calendar `calendarId` names for this account, or 404 (Google does not tell "exists but not yours"). */
	resolve( calendarId: string, email: string ): Calendar {
		const id = calendarId === 'primary' ? email.toLowerCase() : calendarId;
		if ( calendarId === 'primary' || id === email.toLowerCase() ) {
			return this.primary( email );
		}
		const c = this.byId.get( id );
		if ( ! c || c.owner !== email.toLowerCase() ) {
			throw new GoogleApiError( 404, 'notFound', 'Not Found' );
		}
		return c;
	}
}
