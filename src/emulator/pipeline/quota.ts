/**
 * Google's per-user and per-project request limits on the APIs (not on OAuth): per-user first,
 * then per-project; a refused request takes nothing from either bucket.
 */
import type { EmulatorState } from '../state';
import { GoogleApiError } from './google-errors';

export interface Caller {
	email: string;
	clientId: string;
}

const PROJECT_QUOTA_MESSAGE =
	"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'calendar-json.googleapis.com' for consumer 'project_number:000000000000'.";

export function chargeQuota(
	state: EmulatorState,
	caller: Caller,
	operation: string
): void {
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
		// Like Google, no Retry-After: clients back off on their own.
		throw new GoogleApiError(
			429,
			'rateLimitExceeded',
			PROJECT_QUOTA_MESSAGE
		);
	}
	if ( perUserPerMinute !== null ) {
		state.buckets.take( userKey, perUserPerMinute, cost );
	}
	if ( perProjectPerMinute !== null ) {
		state.buckets.take( projectKey, perProjectPerMinute, cost );
	}
}
