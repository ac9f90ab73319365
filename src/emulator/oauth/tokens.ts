/**
 * Refresh and access tokens: opaque random strings shaped like Google's (`1//…`, `ya29.…`), each
 * bound to a grant. A token is live while its grant is and until it expires.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { Grant, Grants } from './grants';

export interface RefreshToken {
	token: string;
	grantId: number;
	issuedAt: number;
	/** null: valid until revoked. */
	expiresAt: number | null;
}

export interface AccessToken {
	token: string;
	grantId: number;
	scopes: string[];
	issuedAt: number;
	expiresAt: number;
}

/** A token as `/__emulator/tokens` shows it. */
export interface TokenView {
	type: 'refresh' | 'access';
	token: string;
	email: string;
	clientId: string;
	valid: boolean;
	expiresAt: number | null;
}

export const randomToken = ( prefix: string, bytes: number ) =>
	prefix + randomBytes( bytes ).toString( 'base64url' );

/** Above this many access tokens, expired ones are forgotten when the next is issued. */
const ACCESS_TOKENS_KEPT = 200000;

export class Tokens {
	private readonly refresh = new Map< string, RefreshToken >();
	private readonly access = new Map< string, AccessToken >();

	constructor(
		private readonly grants: Grants,
		private readonly clock: Clock
	) {}

	reset(): void {
		this.refresh.clear();
		this.access.clear();
	}

	issueRefreshToken( grant: Grant, ttlSeconds: number | null ): RefreshToken {
		const now = this.clock.now();
		const rt: RefreshToken = {
			token: randomToken( '1//0g', 64 ),
			grantId: grant.id,
			issuedAt: now,
			expiresAt: ttlSeconds === null ? null : now + ttlSeconds * 1000,
		};
		this.refresh.set( rt.token, rt );
		return rt;
	}

	issueAccessToken(
		grant: Grant,
		scopes: string[],
		ttlSeconds: number
	): AccessToken {
		const now = this.clock.now();
		const at: AccessToken = {
			token: randomToken( 'ya29.a0', 96 ),
			grantId: grant.id,
			scopes,
			issuedAt: now,
			expiresAt: now + ttlSeconds * 1000,
		};
		this.access.set( at.token, at );
		if ( this.access.size > ACCESS_TOKENS_KEPT ) {
			for ( const [ t, x ] of this.access ) {
				if ( x.expiresAt < now ) {
					this.access.delete( t );
				}
			}
		}
		return at;
	}

	/** The grant a refresh token was issued for (live or not), e.g. to name its account. */
	grantOfRefreshToken( value: string ): Grant | undefined {
		const rt = this.refresh.get( value );
		return rt ? this.grants.get( rt.grantId ) : undefined;
	}

	/** The live grant behind a refresh token; undefined when unknown, expired or revoked. */
	resolveRefreshToken( value: string ): Grant | undefined {
		const rt = this.refresh.get( value );
		return rt && this.refreshTokenValid( rt )
			? this.grants.get( rt.grantId )
			: undefined;
	}

	/** Whether a grant holds a live refresh token (Google then omits a new one unless consent was forced). */
	hasRefreshToken( grant: Grant ): boolean {
		for ( const rt of this.refresh.values() ) {
			if ( rt.grantId === grant.id && this.refreshTokenValid( rt ) ) {
				return true;
			}
		}
		return false;
	}

	/** The live access token's record and its grant; undefined when unknown, expired or revoked. */
	resolveAccessToken(
		value: string
	): { token: AccessToken; grant: Grant } | undefined {
		const at = this.access.get( value );
		if ( ! at || at.expiresAt <= this.clock.now() ) {
			return undefined;
		}
		const grant = this.grants.get( at.grantId );
		if ( ! grant || grant.revoked ) {
			return undefined;
		}
		return { token: at, grant };
	}

	/** Revokes the grant behind a refresh or access token; false when the token is unknown or already dead. */
	revoke( value: string ): boolean {
		const rt = this.refresh.get( value );
		const at = this.access.get( value );
		const grantId = rt?.grantId ?? at?.grantId;
		const g =
			grantId === undefined ? undefined : this.grants.get( grantId );
		if ( ! g || g.revoked ) {
			return false;
		}
		if ( at && ! rt && at.expiresAt <= this.clock.now() ) {
			return false;
		}
		g.revoked = true;
		return true;
	}

	/** Expires access tokens now (all, or one account's); refresh tokens keep working. */
	expireAccessTokens( email?: string ): number {
		let n = 0;
		const now = this.clock.now();
		for ( const at of this.access.values() ) {
			if ( at.expiresAt <= now ) {
				continue;
			}
			if (
				email &&
				this.grants.get( at.grantId )?.email !== email.toLowerCase()
			) {
				continue;
			}
			at.expiresAt = now;
			n++;
		}
		return n;
	}

	/** Every token with its state, for inspection (e.g. "no token appears in any log"). */
	list( email?: string ): TokenView[] {
		const out: TokenView[] = [];
		const now = this.clock.now();
		const add = (
			type: TokenView[ 'type' ],
			t: RefreshToken | AccessToken,
			valid: ( g: Grant ) => boolean
		) => {
			const g = this.grants.get( t.grantId );
			if ( g && ( ! email || g.email === email.toLowerCase() ) ) {
				out.push( {
					type,
					token: t.token,
					email: g.email,
					clientId: g.clientId,
					valid: valid( g ),
					expiresAt: t.expiresAt,
				} );
			}
		};
		for ( const rt of this.refresh.values() ) {
			add( 'refresh', rt, () => this.refreshTokenValid( rt ) );
		}
		for ( const at of this.access.values() ) {
			add( 'access', at, ( g ) => ! g.revoked && at.expiresAt > now );
		}
		return out;
	}

	private refreshTokenValid( rt: RefreshToken ): boolean {
		const g = this.grants.get( rt.grantId );
		return (
			!! g &&
			! g.revoked &&
			( rt.expiresAt === null || rt.expiresAt > this.clock.now() )
		);
	}
}
