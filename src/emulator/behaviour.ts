/**
 * Run-time behaviour of the emulator (latency, conference outcomes, rate limits, token
 * lifetimes), read by every area and changed through `/__emulator/config`.
 */

export type ConferenceOutcome = 'success' | 'failure';

export interface EmulatorBehaviour {
	/** Added to every Google request (not to the control API). */
	latencyMs: number;
	/** Uniform random extra latency in [0, latencyJitterMs]. */
	latencyJitterMs: number;
	/** How long a new Meet conference stays `pending` (0: settled in the insert answer). */
	conferenceDelayMs: number;
	/** Outcome of new conferences, unless the calendar has its own. */
	conferenceOutcome: ConferenceOutcome;
	/** Per calendar id (e-mail for primary calendars). */
	calendarConferenceOutcomes: Record< string, ConferenceOutcome >;
	rateLimits: {
		/** Calendar API requests per minute per Google account; null: unlimited. */
		perUserPerMinute: number | null;
		/** Calendar API requests per minute per OAuth client (project); null: unlimited. */
		perProjectPerMinute: number | null;
	};
	/** Quota units per operation (default 1 each); Google charges some writes more. */
	operationCosts: Record< string, number >;
	accessTokenTtlSeconds: number;
	/** null: refresh tokens live until revoked; 604800 mimics an OAuth app in "Testing" status. */
	refreshTokenTtlSeconds: number | null;
	/** First wait before a push notification the receiver refused is sent again (doubling). */
	notificationRetryMs: number;
}

export function defaultBehaviour(): EmulatorBehaviour {
	return {
		latencyMs: 0,
		latencyJitterMs: 0,
		conferenceDelayMs: 0,
		conferenceOutcome: 'success',
		calendarConferenceOutcomes: {},
		rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
		operationCosts: {},
		accessTokenTtlSeconds: 3599,
		refreshTokenTtlSeconds: null,
		notificationRetryMs: 1000,
	};
}

const isNonNegInt = ( v: unknown, max: number ): v is number =>
	typeof v === 'number' && Number.isInteger( v ) && v >= 0 && v <= max;
const isOutcome = ( v: unknown ): v is ConferenceOutcome =>
	v === 'success' || v === 'failure';

/** Applies a partial update; returns the problems found (nothing is applied when there are any). */
export function applyBehaviour(
	current: EmulatorBehaviour,
	patch: Record< string, unknown >
): string[] {
	const next: EmulatorBehaviour = structuredClone( current );
	const problems: string[] = [];
	for ( const [ key, value ] of Object.entries( patch ) ) {
		switch ( key ) {
			case 'latencyMs':
			case 'latencyJitterMs':
			case 'conferenceDelayMs':
			case 'notificationRetryMs':
				if ( isNonNegInt( value, 600000 ) ) {
					next[ key ] = value;
				} else {
					problems.push(
						`${ key } must be an integer from 0 to 600000`
					);
				}
				break;
			case 'accessTokenTtlSeconds':
				if ( isNonNegInt( value, 86400 ) && value > 0 ) {
					next.accessTokenTtlSeconds = value;
				} else {
					problems.push(
						'accessTokenTtlSeconds must be an integer from 1 to 86400'
					);
				}
				break;
			case 'refreshTokenTtlSeconds':
				if (
					value === null ||
					( isNonNegInt( value, 365 * 86400 ) && value > 0 )
				) {
					next.refreshTokenTtlSeconds = value;
				} else {
					problems.push(
						'refreshTokenTtlSeconds must be null or a positive integer'
					);
				}
				break;
			case 'conferenceOutcome':
				if ( isOutcome( value ) ) {
					next.conferenceOutcome = value;
				} else {
					problems.push(
						'conferenceOutcome must be "success" or "failure"'
					);
				}
				break;
			case 'calendarConferenceOutcomes':
				// Replaces the whole map ({} clears it); a null entry leaves that calendar to
				// conferenceOutcome, so a test can undo its own override in the same shape.
				if (
					value &&
					typeof value === 'object' &&
					! Array.isArray( value )
				) {
					next.calendarConferenceOutcomes = {};
					for ( const [ cal, outcome ] of Object.entries( value ) ) {
						if ( outcome === null ) {
							continue;
						}
						if ( isOutcome( outcome ) ) {
							next.calendarConferenceOutcomes[ cal ] = outcome;
						} else {
							problems.push(
								`calendarConferenceOutcomes.${ cal } must be "success", "failure" or null`
							);
						}
					}
				} else {
					problems.push(
						'calendarConferenceOutcomes must be an object'
					);
				}
				break;
			case 'rateLimits':
				if (
					value &&
					typeof value === 'object' &&
					! Array.isArray( value )
				) {
					for ( const [ name, limit ] of Object.entries( value ) ) {
						if (
							name !== 'perUserPerMinute' &&
							name !== 'perProjectPerMinute'
						) {
							problems.push( `rateLimits.${ name } is unknown` );
						} else if (
							limit === null ||
							( isNonNegInt( limit, 10_000_000 ) && limit > 0 )
						) {
							next.rateLimits[ name ] = limit;
						} else {
							problems.push(
								`rateLimits.${ name } must be null or a positive integer`
							);
						}
					}
				} else {
					problems.push( 'rateLimits must be an object' );
				}
				break;
			case 'operationCosts':
				// Replaces the whole map ({} restores 1 unit per request).
				if (
					value &&
					typeof value === 'object' &&
					! Array.isArray( value )
				) {
					next.operationCosts = {};
					for ( const [ op, cost ] of Object.entries( value ) ) {
						if ( isNonNegInt( cost, 1000 ) ) {
							next.operationCosts[ op ] = cost;
						} else {
							problems.push(
								`operationCosts.${ op } must be an integer from 0 to 1000`
							);
						}
					}
				} else {
					problems.push( 'operationCosts must be an object' );
				}
				break;
			default:
				problems.push( `${ key } is not a setting` );
		}
	}
	if ( problems.length === 0 ) {
		Object.assign( current, next );
	}
	return problems;
}
