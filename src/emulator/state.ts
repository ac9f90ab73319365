/**
 * Everything the emulator knows, in memory: accounts and tokens, calendars and events, behaviour
 * settings, faults, rate-limit buckets and per-operation counters.
 */
import { AuthStore } from './oauth/auth-store';
import type { Client } from './oauth/clients';
import { CalendarStore } from './calendar/calendar-store';
import { ChannelStore } from './calendar/channels';
import type { ConferenceSettings } from './calendar/conferences';
import { EventStore } from './calendar/event-store';
import { MeetStore } from './meet/meet-store';
import { defaultBehaviour, type EmulatorBehaviour } from './behaviour';
import { Faults } from './faults/faults';
import { IdTokenIssuer } from './oauth/id-token';
import { Counters } from './pipeline/counters';
import { TokenBuckets } from './pipeline/rate-limit';

export class EmulatorState {
	readonly auth: AuthStore;
	readonly calendars = new CalendarStore();
	readonly events = new EventStore();
	readonly meet = new MeetStore( this.calendars );
	behaviour: EmulatorBehaviour = defaultBehaviour();
	/** Push-notification channels (events.watch). */
	readonly channels: ChannelStore;
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
		this.channels = new ChannelStore(
			this.auth.clock,
			() => this.behaviour.notificationRetryMs
		);
		this.events.onChange( ( cal ) => this.channels.changed( cal ) );
	}

	reset(): void {
		this.auth.reset();
		this.calendars.reset();
		this.channels.reset();
		this.meet.reset();
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
