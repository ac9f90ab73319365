/**
 * Fault injection: "the next N requests matching X answer Y". Matching by operation name (with a
 * trailing `*` wildcard), HTTP method, path regular expression, account e-mail or calendar id.
 */

export type FaultAction =
	/** Answer with a Google error (Calendar JSON error, or OAuth error on the OAuth endpoints). */
	| {
			type: 'error';
			status: number;
			reason?: string;
			message?: string;
			retryAfterSeconds?: number;
	  }
	/** Never answer (the client times out). */
	| { type: 'hang' }
	/** Close the connection without an answer. */
	| { type: 'drop' }
	/** Extra latency, then the normal answer. */
	| { type: 'delay'; ms: number };

export interface FaultMatch {
	operation?: string;
	method?: string;
	path?: string;
	account?: string;
	calendarId?: string;
}

export interface FaultSpec {
	match: FaultMatch;
	action: FaultAction;
	/** How many matching requests it applies to; 0 = until removed. Default 1. */
	times: number;
	/** Chance that a matching request is affected (default 1). */
	probability: number;
	/** `before`: the operation does not happen; `after`: it happens, then the answer is replaced. */
	when: 'before' | 'after';
}

export interface Fault extends FaultSpec {
	id: string;
	remaining: number;
	hits: number;
	pathRegex?: RegExp;
}

export interface RequestFacts {
	operation: string;
	method: string;
	path: string;
	account?: string;
	calendarId?: string;
}

const isObject = ( v: unknown ): v is Record< string, unknown > =>
	!! v && typeof v === 'object' && ! Array.isArray( v );

export function parseFault(
	input: unknown
): { spec: FaultSpec } | { problems: string[] } {
	const problems: string[] = [];
	if ( ! isObject( input ) ) {
		return { problems: [ 'body must be an object' ] };
	}
	const match: FaultMatch = {};
	const m = input.match ?? {};
	if ( ! isObject( m ) ) {
		problems.push( 'match must be an object' );
	} else {
		for ( const key of [
			'operation',
			'method',
			'path',
			'account',
			'calendarId',
		] as const ) {
			const v = m[ key ];
			if ( v === undefined ) {
				continue;
			}
			if ( typeof v !== 'string' || v === '' ) {
				problems.push( `match.${ key } must be a non-empty string` );
				continue;
			}
			match[ key ] = v;
		}
		if ( match.path ) {
			try {
				new RegExp( match.path );
			} catch {
				problems.push(
					'match.path must be a valid regular expression'
				);
			}
		}
	}
	const a = input.action;
	let action: FaultAction | undefined;
	if ( ! isObject( a ) ) {
		problems.push( 'action must be an object' );
	} else if ( a.type === 'error' ) {
		if (
			typeof a.status !== 'number' ||
			! Number.isInteger( a.status ) ||
			a.status < 400 ||
			a.status > 599
		) {
			problems.push(
				'action.status must be an HTTP error status (400-599)'
			);
		} else {
			action = { type: 'error', status: a.status };
			if ( typeof a.reason === 'string' ) {
				action.reason = a.reason;
			}
			if ( typeof a.message === 'string' ) {
				action.message = a.message;
			}
			if (
				typeof a.retryAfterSeconds === 'number' &&
				a.retryAfterSeconds >= 0
			) {
				action.retryAfterSeconds = a.retryAfterSeconds;
			}
		}
	} else if ( a.type === 'hang' || a.type === 'drop' ) {
		action = { type: a.type };
	} else if ( a.type === 'delay' ) {
		if ( typeof a.ms === 'number' && a.ms >= 0 && a.ms <= 600000 ) {
			action = { type: 'delay', ms: a.ms };
		} else {
			problems.push(
				'action.ms must be a number of milliseconds (0-600000)'
			);
		}
	} else {
		problems.push( 'action.type must be error, hang, drop or delay' );
	}
	const times = input.times ?? 1;
	if (
		typeof times !== 'number' ||
		! Number.isInteger( times ) ||
		times < 0
	) {
		problems.push(
			'times must be a non-negative integer (0 = until removed)'
		);
	}
	const probability = input.probability ?? 1;
	if (
		typeof probability !== 'number' ||
		probability < 0 ||
		probability > 1
	) {
		problems.push( 'probability must be between 0 and 1' );
	}
	const when = input.when ?? 'before';
	if ( when !== 'before' && when !== 'after' ) {
		problems.push( 'when must be "before" or "after"' );
	}
	if ( problems.length > 0 || ! action ) {
		return { problems };
	}
	return {
		spec: {
			match,
			action,
			times: times as number,
			probability: probability as number,
			when: when as 'before' | 'after',
		},
	};
}

function operationMatches( pattern: string, operation: string ): boolean {
	return pattern.endsWith( '*' )
		? operation.startsWith( pattern.slice( 0, -1 ) )
		: pattern === operation;
}

export class Faults {
	private faults: Fault[] = [];
	private seq = 0;

	constructor( private readonly random: () => number = Math.random ) {}

	add( spec: FaultSpec ): Fault {
		const fault: Fault = {
			...spec,
			id: `f${ ++this.seq }`,
			remaining: spec.times,
			hits: 0,
		};
		if ( spec.match.path ) {
			fault.pathRegex = new RegExp( spec.match.path );
		}
		this.faults.push( fault );
		return fault;
	}

	list(): Omit< Fault, 'pathRegex' >[] {
		return this.faults.map( ( { pathRegex: _ignored, ...f } ) => f );
	}

	remove( id: string ): boolean {
		const before = this.faults.length;
		this.faults = this.faults.filter( ( f ) => f.id !== id );
		return this.faults.length !== before;
	}

	clear(): void {
		this.faults = [];
	}

	/** The first fault that applies to this request at this stage; consumes one of its uses. */
	take(
		facts: RequestFacts,
		when: 'before' | 'after'
	): FaultAction | undefined {
		if ( this.faults.length === 0 ) {
			return undefined;
		}
		for ( const f of this.faults ) {
			if ( f.when !== when ) {
				continue;
			}
			const m = f.match;
			if (
				m.operation &&
				! operationMatches( m.operation, facts.operation )
			) {
				continue;
			}
			if ( m.method && m.method.toUpperCase() !== facts.method ) {
				continue;
			}
			if ( f.pathRegex && ! f.pathRegex.test( facts.path ) ) {
				continue;
			}
			if (
				m.account &&
				m.account.toLowerCase() !==
					( facts.account ?? '' ).toLowerCase()
			) {
				continue;
			}
			if ( m.calendarId && m.calendarId !== facts.calendarId ) {
				continue;
			}
			if ( f.probability < 1 && this.random() >= f.probability ) {
				continue;
			}
			f.hits++;
			if ( f.times > 0 ) {
				f.remaining--;
				if ( f.remaining <= 0 ) {
					this.faults = this.faults.filter( ( x ) => x !== f );
				}
			}
			return f.action;
		}
		return undefined;
	}
}
