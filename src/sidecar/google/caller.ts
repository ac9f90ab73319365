/**
 * Every call to Google goes through here: pacing per account/project, one bounded retry policy,
 * metrics. The client libraries' own retries are switched off (see google/api.ts), so this is the
 * only place that decides to try again.
 */
import { SidecarError } from '../errors';
import type { Metrics } from '../observability/metrics';
import { partError, type BatchPartAnswer } from './batch';
import { RetryBudgetExhausted, withRetry, type RetryPolicy } from './retry';
import {
	describeGoogleError,
	isRateLimit,
	retryDecision,
	type GoogleFailure,
} from './errors';
import type { Pacer, PaceKeys } from './pacing';
import type { SiteScheduler } from '../fairness/site-scheduler';

/** A call to Google that failed for good; `exhausted` when retries ran out of time. */
export class GoogleCallError extends Error {
	constructor(
		readonly failure: GoogleFailure,
		readonly exhausted: boolean
	) {
		super( failure.message );
		this.name = 'GoogleCallError';
	}
}

/** Errors thrown by the client libraries carry the request config; anything else is a bug of ours. */
function isLibraryError( error: unknown ): boolean {
	return error instanceof Error && 'config' in error;
}

export class GoogleCaller {
	constructor(
		private readonly metrics: Metrics,
		private readonly pacer: Pacer,
		private readonly policy: RetryPolicy,
		private readonly log: {
			warn: ( obj: object, msg: string ) => void;
			debug: ( obj: object, msg: string ) => void;
		},
		/** A hosted sidecar's fair share of calls between sites (none for a single site). */
		private readonly sites?: SiteScheduler
	) {}

	private countForSite( keys: PaceKeys, outcome: string ): void {
		if ( this.sites && keys.site !== undefined ) {
			this.metrics.sites.googleCall( keys.site, outcome );
		}
	}

	/**
	 * One inner call of a batch request answered: counted like a call of its own, and a
	 * rate-limit answer slows the pacer down as for a call of its own.
	 */
	countPart( keys: PaceKeys, answer: BatchPartAnswer ): void {
		const ok = answer.status >= 200 && answer.status < 300;
		const outcome = ok ? 'ok' : String( answer.status );
		this.metrics.googleCalls.inc( { method: 'batch.part', outcome } );
		this.countForSite( keys, outcome );
		if ( ok ) {
			return;
		}
		const failure = describeGoogleError( partError( answer ) );
		if ( isRateLimit( failure ) ) {
			this.penalize( keys, failure );
		}
	}

	/** 429 is how Google reports the project's quota; 403 rate limits are per user. */
	private penalize( keys: PaceKeys, failure: GoogleFailure ): void {
		const key =
			failure.status === 429
				? ( keys.project ?? keys.user )
				: ( keys.user ?? keys.project );
		if ( key ) {
			this.pacer.penalize( key, failure.retryAfterMs );
		}
	}

	async run< T >(
		method: string,
		keys: PaceKeys,
		deadline: number,
		fn: () => Promise< T >,
		/** Calls to Google `fn` makes (the parts of a batch request), for the quota. */
		cost = 1
	): Promise< T > {
		let lastError: GoogleCallError | undefined;
		let attempts = 0;
		const acquire = async () => {
			try {
				return await this.pacer.acquire( keys, deadline, cost );
			} catch ( error ) {
				// A retry that the quota cannot fit before the deadline: the answer is the last
				// failure Google gave, as when the backoff runs out of time.
				if ( lastError && error instanceof SidecarError ) {
					throw new RetryBudgetExhausted(
						lastError,
						Number( error.details.retryAfterMs ?? 0 ),
						attempts
					);
				}
				throw error;
			}
		};
		const attempt = async (): Promise< T > => {
			attempts++;
			const paced = await acquire();
			let release = paced;
			if ( this.sites && keys.site !== undefined ) {
				try {
					const slot = await this.sites.acquire(
						keys.site,
						deadline
					);
					release = () => {
						slot();
						paced();
					};
				} catch ( error ) {
					paced();
					throw error;
				}
			}
			let started = 0;
			try {
				started = performance.now();
				const result = await fn();
				this.metrics.googleCalls.inc( { method, outcome: 'ok' } );
				this.countForSite( keys, 'ok' );
				if ( keys.user ) {
					this.pacer.succeed( keys.user );
				}
				if ( keys.project ) {
					this.pacer.succeed( keys.project );
				}
				return result;
			} catch ( error ) {
				if ( ! isLibraryError( error ) ) {
					throw error;
				}
				const failure = describeGoogleError( error );
				const outcome =
					failure.status === 0
						? failure.reason
						: String( failure.status );
				this.metrics.googleCalls.inc( { method, outcome } );
				this.countForSite( keys, outcome );
				if ( isRateLimit( failure ) ) {
					this.penalize( keys, failure );
				}
				lastError = new GoogleCallError( failure, false );
				throw lastError;
			} finally {
				release();
				this.metrics.googleDuration.observe(
					{ method },
					( performance.now() - started ) / 1000
				);
			}
		};
		try {
			return await withRetry(
				attempt,
				( error ) =>
					error instanceof GoogleCallError
						? retryDecision( error.failure )
						: { retry: false },
				this.policy,
				deadline,
				{
					onRetry: ( error, n, delayMs ) => {
						const f = ( error as GoogleCallError ).failure;
						const reason =
							f.status === 0
								? f.reason
								: f.reason || String( f.status );
						this.metrics.googleRetries.inc( { method, reason } );
						// Rate limits are routine while a backlog drains: counted, logged at debug.
						const level = isRateLimit( f ) ? 'debug' : 'warn';
						this.log[ level ](
							{
								method,
								attempt: n + 1,
								delayMs,
								googleStatus: f.status,
								googleReason: reason,
							},
							'retrying call to Google'
						);
					},
				}
			);
		} catch ( error ) {
			if ( error instanceof RetryBudgetExhausted ) {
				const last = error.lastError as GoogleCallError;
				const failure = {
					...last.failure,
					retryAfterMs:
						last.failure.retryAfterMs ??
						Math.max(
							error.retryAfterMs,
							this.pacer.pauseRemaining( keys )
						),
				};
				throw new GoogleCallError( failure, true );
			}
			throw error;
		}
	}
}
