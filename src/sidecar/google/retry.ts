/**
 * One bounded retry policy for every call to Google: exponential backoff with full jitter
 * (delay drawn uniformly from [0, min(cap, base · 2^attempt)]), never sleeping past the deadline.
 * What is retryable is decided by the caller's classifier (see google/errors.ts).
 */

export interface RetryPolicy {
	baseMs: number;
	maxDelayMs: number;
}

export type RetryDecision =
	| { retry: false }
	/** `minDelayMs`: a floor for the next wait, e.g. from Retry-After. */
	| { retry: true; minDelayMs?: number };

export interface RetryEnv {
	now: () => number;
	random: () => number;
	sleep: ( ms: number ) => Promise< void >;
}

export const realRetryEnv: RetryEnv = {
	now: () => Date.now(),
	random: Math.random,
	sleep: ( ms ) => new Promise( ( resolve ) => setTimeout( resolve, ms ) ),
};

/** The jittered delay before retry number `attempt` (0 = first retry). */
export function backoffDelay(
	policy: RetryPolicy,
	attempt: number,
	random: () => number,
	minDelayMs = 0
): number {
	const ceiling = Math.min(
		policy.maxDelayMs,
		policy.baseMs * 2 ** Math.min( attempt, 30 )
	);
	return Math.max( minDelayMs, Math.floor( random() * ceiling ) );
}

export interface RetryHooks {
	onRetry?: ( error: unknown, attempt: number, delayMs: number ) => void;
}

/** Thrown when the deadline stops further attempts; carries the last error and a hint for callers. */
export class RetryBudgetExhausted extends Error {
	constructor(
		readonly lastError: unknown,
		readonly retryAfterMs: number,
		readonly attempts: number
	) {
		super( 'retry budget exhausted' );
		this.name = 'RetryBudgetExhausted';
	}
}

/**
 * Runs `fn` until it succeeds, the classifier says the error is final (rethrown as is), or the next
 * wait would end after `deadline` (RetryBudgetExhausted with the last error).
 */
export async function withRetry< T >(
	fn: ( attempt: number ) => Promise< T >,
	classify: ( error: unknown ) => RetryDecision,
	policy: RetryPolicy,
	deadline: number,
	hooks: RetryHooks = {},
	env: RetryEnv = realRetryEnv
): Promise< T > {
	for ( let attempt = 0; ; attempt++ ) {
		try {
			return await fn( attempt );
		} catch ( error ) {
			const decision = classify( error );
			if ( ! decision.retry ) {
				throw error;
			}
			const delay = backoffDelay(
				policy,
				attempt,
				env.random,
				decision.minDelayMs
			);
			if ( env.now() + delay >= deadline ) {
				throw new RetryBudgetExhausted(
					error,
					Math.max( delay, policy.baseMs ),
					attempt + 1
				);
			}
			hooks.onRetry?.( error, attempt, delay );
			await env.sleep( delay );
		}
	}
}
