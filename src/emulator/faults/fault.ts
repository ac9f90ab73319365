/**
 * What a fault is: "the next N requests matching X answer Y", and the facts of a request it is
 * matched against.
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

export type FaultStage = 'before' | 'after';

export interface FaultSpec {
	match: FaultMatch;
	action: FaultAction;
	/** How many matching requests it applies to; 0 = until removed. Default 1. */
	times: number;
	/** Chance that a matching request is affected (default 1). */
	probability: number;
	/** `before`: the operation does not happen; `after`: it happens, then the answer is replaced. */
	when: FaultStage;
}

export interface Fault extends FaultSpec {
	id: string;
	remaining: number;
	hits: number;
	pathRegex?: RegExp;
}

/** A fault as the control API shows it. */
export type FaultView = Omit< Fault, 'pathRegex' >;

export interface RequestFacts {
	operation: string;
	method: string;
	path: string;
	account?: string;
	calendarId?: string;
}
