/**
 * Everything the emulator knows, in memory: accounts and tokens, calendars and events, behaviour
 * settings, faults, rate-limit buckets and per-operation counters.
 */
import { AuthStore, type Client } from './auth-store';
import { CalendarStore, type ConferenceSettings } from './calendar-store';
import { defaultBehaviour, type EmulatorBehaviour } from './config';
import { Faults } from './faults';
import { IdTokenIssuer } from './id-token';
import { TokenBuckets } from './rate-limit';

export class Counters {
	readonly calls = new Map< string, number >();
	readonly statuses = new Map< string, Map< number, number > >();

	count( operation: string ): void {
		this.calls.set( operation, ( this.calls.get( operation ) ?? 0 ) + 1 );
	}

	answered( operation: string, status: number ): void {
		let m = this.statuses.get( operation );
		if ( ! m ) {
			m = new Map();
			this.statuses.set( operation, m );
		}
		m.set( status, ( m.get( status ) ?? 0 ) + 1 );
	}

	clear(): void {
		this.calls.clear();
		this.statuses.clear();
	}

	toJSON(): {
		counters: Record< string, number >;
		statuses: Record< string, Record< string, number > >;
	} {
		const statuses: Record< string, Record< string, number > > = {};
		for ( const [ op, m ] of this.statuses ) {
			statuses[ op ] = Object.fromEntries(
				[ ...m ].map( ( [ s, n ] ) => [ String( s ), n ] )
			);
		}
		return { counters: Object.fromEntries( this.calls ), statuses };
	}
}

export class EmulatorState {
	readonly auth: AuthStore;
	readonly calendars = new CalendarStore();
	behaviour: EmulatorBehaviour = defaultBehaviour();
	readonly faults: Faults;
	readonly buckets = new TokenBuckets();
	readonly counters = new Counters();
	readonly idTokens = new IdTokenIssuer();
	/** Requests held open by "hang" faults, released on reset or close. */
	readonly hanging = new Set< { destroy: () => void } >();

	constructor(
		clients: Client[],
		readonly random: () => number = Math.random
	) {
		this.auth = new AuthStore( clients );
		this.faults = new Faults( random );
	}

	reset(): void {
		this.auth.reset();
		this.calendars.reset();
		this.behaviour = defaultBehaviour();
		this.faults.clear();
		this.buckets.clear();
		this.counters.clear();
		for ( const h of this.hanging ) {
			h.destroy();
		}
		this.hanging.clear();
	}

	conferenceSettings( calendarId: string ): ConferenceSettings {
		return {
			delayMs: this.behaviour.conferenceDelayMs,
			outcome:
				this.behaviour.calendarConferenceOutcomes[ calendarId ] ??
				this.behaviour.conferenceOutcome,
		};
	}

	latency(): number {
		const { latencyMs, latencyJitterMs } = this.behaviour;
		return (
			latencyMs +
			( latencyJitterMs > 0
				? Math.floor( this.random() * ( latencyJitterMs + 1 ) )
				: 0 )
		);
	}
}
