/**
 * The pacer's settings and per-key state (google/pacing.ts): the quota it paces to, and what it
 * remembers of each Google user and project.
 */
import { SidecarError } from '../errors';

export interface KeyState {
	pausedUntil: number;
	/** AIMD: share of the configured rate at `factorAt` (grows back from there). */
	factor: number;
	factorAt: number;
	/** Consecutive rate-limit answers; sets the next pause length. */
	strikes: number;
	inFlight: number;
	waiters: Array< () => void >;
	lastUsed: number;
}

/** The quota the sidecar paces to (null: no pacing for that level). */
export interface QuotaOptions {
	/** Google's "Queries per minute per user". */
	userPerMinute: number | null;
	/** Google's "Queries per minute" (per project). */
	projectPerMinute: number | null;
	/** Share of the quota used, 1–100 (headroom for other users of the project and for jitter). */
	percent: number;
	/** This replica's part when the budget is not shared (1 / MFK_REPLICAS). */
	localShare: number;
	/** Seconds' worth of calls the pacer lets go at once (Google's buckets hold about one). */
	burstSeconds: number;
	/** AIMD: factor applied on a rate-limit answer, floor, and growth per second. */
	decrease: number;
	minFactor: number;
	increasePerSecond: number;
	/** Rate-limit answers within this time of a decrease belong to the same burst. */
	decreaseCooldownMs: number;
}

export const DEFAULT_QUOTA: QuotaOptions = {
	userPerMinute: 600,
	projectPerMinute: 10000,
	percent: 98,
	localShare: 1,
	burstSeconds: 0.5,
	decrease: 0.5,
	minFactor: 1 / 16,
	increasePerSecond: 0.1,
	decreaseCooldownMs: 1000,
};

export interface PacerOptions {
	/** Calls in flight per user key. */
	concurrency: number;
	quota?: Partial< QuotaOptions >;
	now?: () => number;
	sleep?: ( ms: number ) => Promise< void >;
	/** Told when the shared budget does not answer (the local share is used meanwhile). */
	onSharedFailure?: ( error: unknown ) => void;
}

export interface PaceKeys {
	user?: string;
	project?: string;
	/** The site the call is made for (a hosted sidecar shares calls fairly between sites). */
	site?: string;
}

export const MAX_KEYS = 50000;

export function rateLimited( retryAfterMs: number ): SidecarError {
	return new SidecarError(
		'rate_limited',
		'Google rate limit reached for this account; retry later.',
		{ retryAfterMs: Math.max( 1, Math.ceil( retryAfterMs ) ) }
	);
}
