/**
 * Validates a fault posted to the control API; every problem is reported at once.
 */
import { isObject } from '../shared/values';
import type { FaultAction, FaultMatch, FaultSpec, FaultStage } from './fault';

const MATCH_KEYS = [
	'operation',
	'method',
	'path',
	'account',
	'calendarId',
] as const;

function parseMatch( m: unknown, problems: string[] ): FaultMatch {
	const match: FaultMatch = {};
	if ( ! isObject( m ) ) {
		problems.push( 'match must be an object' );
		return match;
	}
	for ( const key of MATCH_KEYS ) {
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
			problems.push( 'match.path must be a valid regular expression' );
		}
	}
	return match;
}

function parseAction(
	a: unknown,
	problems: string[]
): FaultAction | undefined {
	if ( ! isObject( a ) ) {
		problems.push( 'action must be an object' );
		return undefined;
	}
	if ( a.type === 'error' ) {
		if (
			typeof a.status !== 'number' ||
			! Number.isInteger( a.status ) ||
			a.status < 400 ||
			a.status > 599
		) {
			problems.push(
				'action.status must be an HTTP error status (400-599)'
			);
			return undefined;
		}
		const action: FaultAction = { type: 'error', status: a.status };
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
		return action;
	}
	if ( a.type === 'hang' || a.type === 'drop' ) {
		return { type: a.type };
	}
	if ( a.type === 'delay' ) {
		if ( typeof a.ms === 'number' && a.ms >= 0 && a.ms <= 600000 ) {
			return { type: 'delay', ms: a.ms };
		}
		problems.push(
			'action.ms must be a number of milliseconds (0-600000)'
		);
		return undefined;
	}
	problems.push( 'action.type must be error, hang, drop or delay' );
	return undefined;
}

function parseTimes( times: unknown, problems: string[] ): number {
	if (
		typeof times !== 'number' ||
		! Number.isInteger( times ) ||
		times < 0
	) {
		problems.push(
			'times must be a non-negative integer (0 = until removed)'
		);
		return 0;
	}
	return times;
}

function parseProbability( probability: unknown, problems: string[] ): number {
	if (
		typeof probability !== 'number' ||
		probability < 0 ||
		probability > 1
	) {
		problems.push( 'probability must be between 0 and 1' );
		return 0;
	}
	return probability;
}

function parseWhen( when: unknown, problems: string[] ): FaultStage {
	if ( when !== 'before' && when !== 'after' ) {
		problems.push( 'when must be "before" or "after"' );
		return 'before';
	}
	return when;
}

export function parseFault(
	input: unknown
): { spec: FaultSpec } | { problems: string[] } {
	if ( ! isObject( input ) ) {
		return { problems: [ 'body must be an object' ] };
	}
	const problems: string[] = [];
	const spec = {
		match: parseMatch( input.match ?? {}, problems ),
		action: parseAction( input.action, problems ),
		times: parseTimes( input.times ?? 1, problems ),
		probability: parseProbability( input.probability ?? 1, problems ),
		when: parseWhen( input.when ?? 'before', problems ),
	};
	if ( problems.length > 0 || ! spec.action ) {
		return { problems };
	}
	return { spec: { ...spec, action: spec.action } };
}
