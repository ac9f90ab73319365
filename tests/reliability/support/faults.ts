/**
 * Faults injected into the Google emulator (its control API, /__emulator/faults), with a
 * ledger of how many requests each one actually hit, for the scenario figures. A fault with
 * `times: N` disappears from the emulator's list once used up; its hits are then N.
 */
import { harness } from '../../harness/testkit';

export interface FaultSpec {
	match: {
		operation?: string;
		method?: string;
		path?: string;
		account?: string;
		calendarId?: string;
	};
	action:
		| {
				type: 'error';
				status: number;
				reason?: string;
				message?: string;
				retryAfterSeconds?: number;
		  }
		| { type: 'hang' }
		| { type: 'drop' }
		| { type: 'delay'; ms: number };
	/** Matching requests it applies to; 0 = until removed. */
	times?: number;
	probability?: number;
	/** `after`: Google does the work, then the answer is replaced (or lost). */
	when?: 'before' | 'after';
}

interface ListedFault {
	id: string;
	hits: number;
	times: number;
}

async function control< T >(
	method: string,
	route: string,
	body?: unknown
): Promise< T > {
	const res = await fetch(
		`${ harness().emulatorUrl }/__emulator/${ route }`,
		{
			method,
			headers:
				body === undefined
					? undefined
					: { 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify( body ),
		}
	);
	const text = await res.text();
	if ( res.status >= 400 ) {
		throw new Error(
			`emulator ${ method } ${ route }: HTTP ${ res.status } ${ text }`
		);
	}
	return ( text ? JSON.parse( text ) : null ) as T;
}

/** Emulator behaviour (latency, conference delay and outcomes, rate limits). */
export function emulatorConfig(
	config: Record< string, unknown >
): Promise< unknown > {
	return control( 'PATCH', 'config', config );
}

/** The emulator's behaviour back to normal: no latency, conferences succeed at once. */
export function emulatorDefaults(): Promise< unknown > {
	return emulatorConfig( {
		latencyMs: 0,
		latencyJitterMs: 0,
		conferenceDelayMs: 0,
		conferenceOutcome: 'success',
		calendarConferenceOutcomes: {},
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
		accessTokenTtlSeconds: 3599,
	} );
}

/** Calls the emulator counted per operation, e.g. `events.insert`. */
export async function counters(): Promise< Record< string, number > > {
	return (
		await control< { counters: Record< string, number > } >(
			'GET',
			'counters'
		)
	).counters;
}

export class FaultLedger {
	private readonly tracked = new Map<
		string,
		{ times: number; hits: number }
	>();
	/** Faults that are not emulator faults (crashes, restarts, revocations…). */
	private other = 0;

	/**
	 * Adds a fault. `counted: false` for a fault used only as a tool (a delay that holds a
	 * request at Google while the test kills something): it is not a fault of its own.
	 */
	async add( spec: FaultSpec, { counted = true } = {} ): Promise< string > {
		const fault = await control< ListedFault >( 'POST', 'faults', {
			times: 1,
			...spec,
		} );
		if ( counted ) {
			this.tracked.set( fault.id, { times: fault.times, hits: 0 } );
		}
		return fault.id;
	}

	/** Counts a fault caused outside the emulator (process killed, database restarted…). */
	note( count = 1 ): void {
		this.other += count;
	}

	/** Reads the hits of the tracked faults that are still listed. */
	async refresh(): Promise< void > {
		const { faults } = await control< { faults: ListedFault[] } >(
			'GET',
			'faults'
		);
		const listed = new Map( faults.map( ( f ) => [ f.id, f ] ) );
		for ( const [ id, entry ] of this.tracked ) {
			const now = listed.get( id );
			if ( now ) {
				entry.hits = now.hits;
			} else if ( entry.times > 0 ) {
				// Gone without our removing it: it was used up.
				entry.hits = entry.times;
			}
		}
	}

	/** Requests hit by emulator faults plus the faults noted by hand. */
	async injected(): Promise< number > {
		await this.refresh();
		let sum = this.other;
		for ( const entry of this.tracked.values() ) {
			sum += Math.max( 0, entry.hits );
		}
		return sum;
	}

	/** Removes every fault from the emulator (the hits counted so far are kept). */
	async clear(): Promise< void > {
		await this.refresh();
		await control( 'DELETE', 'faults' );
		for ( const entry of this.tracked.values() ) {
			entry.times = 0; // Removed by us: no longer "used up" when missing.
		}
	}
}
