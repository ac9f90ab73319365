/**
 * Acting for one doctor during one sidecar request: a valid access token (cached in the
 * credential, in this replica's cache, or refreshed once), calls to the Calendar API with one
 * refresh-and-retry on 401, and the new sealed credential when its content changed.
 */
import type { OAuth2Client } from 'google-auth-library';
import type { SidecarContext } from '../context';
import {
	sealCredential,
	tokenHandle,
	type Credential,
} from '../sealing/credential';
import { SidecarError } from '../errors';
import type { GoogleApi, OAuthClientInfo, TokenSet } from './api';
import {
	decodeBatch,
	encodeBatch,
	newBoundary,
	type BatchCall,
	type BatchPartAnswer,
} from './batch';
import { GoogleCallError } from './caller';
import { toSidecarError, type FailureContext } from './errors';
import type { PaceKeys } from './pacing';

/** A response header from the libraries' answer (a Headers object or a plain record). */
function headerOf( headers: unknown, name: string ): string {
	if ( headers && typeof ( headers as Headers ).get === 'function' ) {
		return ( headers as Headers ).get( name ) ?? '';
	}
	const value = ( headers as Record< string, unknown > | undefined )?.[
		name
	];
	return typeof value === 'string' ? value : '';
}

/** Refresh this long before Google's expiry, so a token never dies mid-call. */
const EXPIRY_MARGIN_MS = 60 * 1000;

export class GoogleSession {
	private changed = false;
	private refreshed = false;
	private handle: string;

	private constructor(
		private readonly ctx: SidecarContext,
		readonly api: GoogleApi,
		readonly siteId: string,
		readonly client: OAuthClientInfo,
		private readonly credential: Credential,
		private readonly stale: boolean,
		private deadlineAt: number
	) {
		this.handle = tokenHandle( credential.refreshToken );
	}

	/** When calls of this session stop being retried or waited for (`rate_limited` after it). */
	get deadline(): number {
		return this.deadlineAt;
	}

	/**
	 * A new retry budget from now, for a session that runs many operations one after the other
	 * (batch/ensure-batch.ts): each batch request gets the budget a single operation would have.
	 */
	renewDeadline(): void {
		this.deadlineAt = Math.max(
			this.deadlineAt,
			Date.now() + this.ctx.config.retryBudgetMs
		);
	}

	static async open(
		ctx: SidecarContext,
		siteId: string,
		client: OAuthClientInfo,
		blob: string
	): Promise< GoogleSession > {
		const { credential, stale } = ctx.opened.credential( siteId, blob );
		if ( credential.clientId !== client.clientId ) {
			throw new SidecarError(
				'token_revoked',
				'The credential was issued to another OAuth client: the doctor must reconnect their Google account.'
			);
		}
		const api = await ctx.google();
		return new GoogleSession(
			ctx,
			api,
			siteId,
			client,
			credential,
			stale,
			Date.now() + ctx.config.retryBudgetMs
		);
	}

	get email(): string {
		return this.credential.email;
	}

	get scopes(): readonly string[] {
		return this.credential.scopes;
	}

	get refreshToken(): string {
		return this.credential.refreshToken;
	}

	get paceKeys(): PaceKeys {
		return {
			user: `user:${ this.client.clientId }:${ this.credential.email }`,
			project: `project:${ this.client.clientId }`,
			site: this.siteId,
		};
	}

	/** A fresh sealed credential when WordPress should replace the one it sent. */
	credentialUpdate(): string | undefined {
		if ( ! this.changed && ! this.stale ) {
			return undefined;
		}
		return sealCredential( this.ctx.sealer, this.siteId, this.credential );
	}

	private adopt( t: TokenSet ): void {
		if ( this.credential.accessToken !== t.accessToken ) {
			this.credential.accessToken = t.accessToken;
			this.credential.accessTokenExpiresAt = t.expiresAt;
			this.changed = true;
		}
		if (
			t.refreshToken &&
			t.refreshToken !== this.credential.refreshToken
		) {
			this.credential.refreshToken = t.refreshToken;
			this.handle = tokenHandle( t.refreshToken );
			this.changed = true;
		}
	}

	/** A usable access token; `force` replaces one Google just refused. */
	async accessToken( force = false ): Promise< string > {
		const now = Date.now();
		const refused = force ? this.credential.accessToken : undefined;
		const usable = (
			t: { accessToken?: string; expiresAt?: number } | undefined
		): boolean =>
			!! t?.accessToken &&
			t.accessToken !== refused &&
			( t.expiresAt ?? 0 ) - EXPIRY_MARGIN_MS > now;
		if (
			usable( {
				accessToken: this.credential.accessToken,
				expiresAt: this.credential.accessTokenExpiresAt,
			} )
		) {
			return this.credential.accessToken as string;
		}
		const cached = this.ctx.tokens.get( this.handle );
		if ( cached && usable( cached ) ) {
			this.adopt( cached );
			return cached.accessToken;
		}
		if ( refused ) {
			this.ctx.tokens.forget( this.handle );
		}
		const refreshToken = this.credential.refreshToken;
		try {
			const t = await this.ctx.tokens.refreshOnce( this.handle, () =>
				this.ctx.caller.run( 'oauth.refresh', {}, this.deadline, () =>
					this.api.refresh( this.client, refreshToken )
				)
			);
			this.ctx.metrics.tokenRefreshes.inc( { outcome: 'ok' } );
			this.refreshed = true;
			this.adopt( t );
			return t.accessToken;
		} catch ( error ) {
			if ( error instanceof GoogleCallError ) {
				const mapped = toSidecarError(
					error.failure,
					'refresh',
					error.exhausted
				);
				this.ctx.metrics.tokenRefreshes.inc( { outcome: mapped.code } );
				throw mapped;
			}
			throw error;
		}
	}

	/**
	 * One Calendar API call for this doctor. A 401 gets one token refresh and one more try; a 401
	 * after that means the grant is gone (`token_revoked`).
	 */
	async calendar< T >(
		method: string,
		context: FailureContext,
		fn: ( auth: OAuth2Client ) => Promise< T >
	): Promise< T > {
		let force = false;
		for (;;) {
			const token = await this.accessToken( force );
			const auth = this.api.authFor( token );
			try {
				return await this.ctx.caller.run(
					method,
					this.paceKeys,
					this.deadline,
					() => fn( auth )
				);
			} catch ( error ) {
				if ( ! ( error instanceof GoogleCallError ) ) {
					throw error;
				}
				if (
					error.failure.status === 401 &&
					! this.refreshed &&
					! force
				) {
					force = true;
					continue;
				}
				throw toSidecarError( error.failure, context, error.exhausted );
			}
		}
	}

	/**
	 * Several Calendar calls for this doctor in one batch request (google/batch.ts): one token
	 * of the quota per call, the request retried as a whole only when it failed as a whole. The
	 * answers are per call, failed ones included, for the caller to retry on their own; rate-limit
	 * answers among them slow the pacer down like any other.
	 */
	async calendarBatch( calls: BatchCall[] ): Promise< BatchPartAnswer[] > {
		let force = false;
		for (;;) {
			const token = await this.accessToken( force );
			const auth = this.api.authFor( token );
			const boundary = newBoundary();
			let answers: BatchPartAnswer[];
			try {
				answers = await this.ctx.caller.run(
					'batch',
					this.paceKeys,
					this.deadline,
					async () => {
						const res = await auth.request< string >( {
							url: this.api.batchUrl,
							method: 'POST',
							headers: {
								'content-type': `multipart/mixed; boundary=${ boundary }`,
							},
							data: encodeBatch( calls, boundary ),
							responseType: 'text',
						} );
						return decodeBatch(
							String( res.data ),
							headerOf( res.headers, 'content-type' ),
							calls.length
						);
					},
					calls.length
				);
			} catch ( error ) {
				if ( error instanceof GoogleCallError ) {
					throw toSidecarError(
						error.failure,
						'event',
						error.exhausted
					);
				}
				throw error;
			}
			// An access token that expired on the way: refreshed once, as for a single call.
			if (
				answers.every( ( a ) => a.status === 401 ) &&
				! this.refreshed &&
				! force
			) {
				force = true;
				continue;
			}
			for ( const a of answers ) {
				this.ctx.caller.countPart( this.paceKeys, a );
			}
			return answers;
		}
	}

	/** Drops the access token this replica holds for the doctor (after revocation). */
	forgetTokens(): void {
		this.ctx.tokens.forget( this.handle );
	}
}
