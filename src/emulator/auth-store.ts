/**
 * Google accounts, OAuth clients, consents (grants) and tokens. Tokens are opaque random strings,
 * shaped like Google's (`ya29.…` access tokens, `1//…` refresh tokens, `4/…` codes). A grant is
 * one account's consent to one client; revoking any of its tokens revokes the whole grant, as
 * Google does.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Client {
	clientId: string;
	clientSecret: string;
	/** Registered redirect URIs; empty: any http(s) URI is accepted. */
	redirectUris: string[];
}

export interface Account {
	email: string;
	/** Google's stable numeric subject id. */
	sub: string;
}

export interface Grant {
	id: number;
	clientId: string;
	email: string;
	scopes: Set< string >;
	revoked: boolean;
	createdAt: number;
}

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

export interface AuthCode {
	code: string;
	clientId: string;
	redirectUri: string;
	email: string;
	scopes: string[];
	offline: boolean;
	forceConsent: boolean;
	expiresAt: number;
	used: boolean;
}

/** An authorization request waiting for the user on the consent page. */
export interface PendingConsent {
	id: string;
	clientId: string;
	redirectUri: string;
	scopes: string[];
	state?: string;
	offline: boolean;
	forceConsent: boolean;
	includeGrantedScopes: boolean;
	loginHint?: string;
	createdAt: number;
}

export const SCOPE_ALIASES: Record< string, string > = {
	email: 'https://www.googleapis.com/auth/userinfo.email',
	profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

const token = ( prefix: string, bytes: number ) =>
	prefix + randomBytes( bytes ).toString( 'base64url' );

export function parseClients( raw: string ): Client[] {
	return raw
		.split( ',' )
		.map( ( e ) => e.trim() )
		.filter( Boolean )
		.map( ( entry ) => {
			const colon = entry.indexOf( ':' );
			if ( colon <= 0 || colon === entry.length - 1 ) {
				throw new Error(
					`EMULATOR_CLIENTS entry "${ entry.slice( 0, 40 ) }" must look like clientId:secret`
				);
			}
			return {
				clientId: entry.slice( 0, colon ),
				clientSecret: entry.slice( colon + 1 ),
				redirectUris: [],
			};
		} );
}

export class AuthStore {
	readonly clients = new Map< string, Client >();
	readonly accounts = new Map< string, Account >();
	private readonly grants = new Map< number, Grant >();
	/** Current grant per "clientId email". */
	private readonly grantByPair = new Map< string, number >();
	readonly refreshTokens = new Map< string, RefreshToken >();
	readonly accessTokens = new Map< string, AccessToken >();
	private readonly codes = new Map< string, AuthCode >();
	private readonly pending = new Map< string, PendingConsent >();
	private grantSeq = 0;

	constructor( private readonly initialClients: Client[] ) {
		this.reset();
	}

	reset(): void {
		this.clients.clear();
		for ( const c of this.initialClients ) {
			this.clients.set( c.clientId, {
				...c,
				redirectUris: [ ...c.redirectUris ],
			} );
		}
		this.accounts.clear();
		this.grants.clear();
		this.grantByPair.clear();
		this.refreshTokens.clear();
		this.accessTokens.clear();
		this.codes.clear();
		this.pending.clear();
	}

	account( email: string ): Account {
		const key = email.toLowerCase();
		let a = this.accounts.get( key );
		if ( ! a ) {
			const sub =
				'1' +
				BigInt(
					'0x' +
						createHash( 'sha256' )
							.update( key )
							.digest( 'hex' )
							.slice( 0, 16 )
				)
					.toString()
					.padStart( 20, '0' )
					.slice( 0, 20 );
			a = { email: key, sub };
			this.accounts.set( key, a );
		}
		return a;
	}

	addPending(
		p: Omit< PendingConsent, 'id' | 'createdAt' >
	): PendingConsent {
		if ( this.pending.size > 10000 ) {
			const cutoff = Date.now() - 3600 * 1000;
			for ( const [ id, x ] of this.pending ) {
				if ( x.createdAt < cutoff ) {
					this.pending.delete( id );
				}
			}
		}
		const entry: PendingConsent = {
			...p,
			id: randomBytes( 12 ).toString( 'base64url' ),
			createdAt: Date.now(),
		};
		this.pending.set( entry.id, entry );
		return entry;
	}

	takePending( id: string ): PendingConsent | undefined {
		const p = this.pending.get( id );
		this.pending.delete( id );
		return p;
	}

	/** Records the consent and returns the authorization code. */
	consent( p: PendingConsent, email: string, scopes: string[] ): AuthCode {
		const account = this.account( email );
		const pair = `${ p.clientId } ${ account.email }`;
		let grant = this.grantFor( pair );
		if ( ! grant ) {
			grant = {
				id: ++this.grantSeq,
				clientId: p.clientId,
				email: account.email,
				scopes: new Set(),
				revoked: false,
				createdAt: Date.now(),
			};
			this.grants.set( grant.id, grant );
			this.grantByPair.set( pair, grant.id );
		}
		const granted = p.includeGrantedScopes
			? new Set( [ ...grant.scopes, ...scopes ] )
			: new Set( scopes );
		for ( const s of scopes ) {
			grant.scopes.add( s );
		}
		const code: AuthCode = {
			code: token( '4/0A', 48 ),
			clientId: p.clientId,
			redirectUri: p.redirectUri,
			email: account.email,
			scopes: [ ...granted ],
			offline: p.offline,
			forceConsent: p.forceConsent,
			expiresAt: Date.now() + 10 * 60 * 1000,
			used: false,
		};
		this.codes.set( code.code, code );
		return code;
	}

	private grantFor( pair: string ): Grant | undefined {
		const id = this.grantByPair.get( pair );
		const g = id === undefined ? undefined : this.grants.get( id );
		return g && ! g.revoked ? g : undefined;
	}

	grant( id: number ): Grant | undefined {
		return this.grants.get( id );
	}

	code( value: string ): AuthCode | undefined {
		return this.codes.get( value );
	}

	/** Whether the grant of this pair already holds a live refresh token (Google then omits a new one unless consent was forced). */
	hasRefreshToken( clientId: string, email: string ): boolean {
		const g = this.grantFor( `${ clientId } ${ email }` );
		if ( ! g ) {
			return false;
		}
		for ( const rt of this.refreshTokens.values() ) {
			if ( rt.grantId === g.id && this.refreshTokenValid( rt ) ) {
				return true;
			}
		}
		return false;
	}

	currentGrant( clientId: string, email: string ): Grant | undefined {
		return this.grantFor( `${ clientId } ${ email }` );
	}

	issueRefreshToken( grant: Grant, ttlSeconds: number | null ): RefreshToken {
		const now = Date.now();
		const rt: RefreshToken = {
			token: token( '1//0g', 64 ),
			grantId: grant.id,
			issuedAt: now,
			expiresAt: ttlSeconds === null ? null : now + ttlSeconds * 1000,
		};
		this.refreshTokens.set( rt.token, rt );
		return rt;
	}

	issueAccessToken(
		grant: Grant,
		scopes: string[],
		ttlSeconds: number
	): AccessToken {
		const now = Date.now();
		const at: AccessToken = {
			token: token( 'ya29.a0', 96 ),
			grantId: grant.id,
			scopes,
			issuedAt: now,
			expiresAt: now + ttlSeconds * 1000,
		};
		this.accessTokens.set( at.token, at );
		if ( this.accessTokens.size > 200000 ) {
			for ( const [ t, x ] of this.accessTokens ) {
				if ( x.expiresAt < now ) {
					this.accessTokens.delete( t );
				}
			}
		}
		return at;
	}

	refreshTokenValid( rt: RefreshToken ): boolean {
		const g = this.grants.get( rt.grantId );
		return (
			!! g &&
			! g.revoked &&
			( rt.expiresAt === null || rt.expiresAt > Date.now() )
		);
	}

	/** The live access token's record, its grant and account; undefined when unknown, expired or revoked. */
	resolveAccessToken(
		value: string
	): { token: AccessToken; grant: Grant } | undefined {
		const at = this.accessTokens.get( value );
		if ( ! at || at.expiresAt <= Date.now() ) {
			return undefined;
		}
		const grant = this.grants.get( at.grantId );
		if ( ! grant || grant.revoked ) {
			return undefined;
		}
		return { token: at, grant };
	}

	/** Revokes the grant behind a refresh or access token; false when the token is unknown or already dead. */
	revokeToken( value: string ): boolean {
		const rt = this.refreshTokens.get( value );
		const at = this.accessTokens.get( value );
		const grantId = rt?.grantId ?? at?.grantId;
		const g =
			grantId === undefined ? undefined : this.grants.get( grantId );
		if ( ! g || g.revoked ) {
			return false;
		}
		if ( at && ! rt && at.expiresAt <= Date.now() ) {
			return false;
		}
		g.revoked = true;
		return true;
	}

	/** Revokes every grant of an account (what a password change or "remove access" does). */
	revokeAccount( email: string ): number {
		let n = 0;
		for ( const g of this.grants.values() ) {
			if ( g.email === email.toLowerCase() && ! g.revoked ) {
				g.revoked = true;
				n++;
			}
		}
		return n;
	}

	/** Expires access tokens now (all, or one account's); refresh tokens keep working. */
	expireAccessTokens( email?: string ): number {
		let n = 0;
		const now = Date.now();
		for ( const at of this.accessTokens.values() ) {
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
	listTokens( email?: string ): {
		type: 'refresh' | 'access';
		token: string;
		email: string;
		clientId: string;
		valid: boolean;
		expiresAt: number | null;
	}[] {
		const out: ReturnType< AuthStore[ 'listTokens' ] > = [];
		const now = Date.now();
		for ( const rt of this.refreshTokens.values() ) {
			const g = this.grants.get( rt.grantId );
			if ( g && ( ! email || g.email === email.toLowerCase() ) ) {
				out.push( {
					type: 'refresh',
					token: rt.token,
					email: g.email,
					clientId: g.clientId,
					valid: this.refreshTokenValid( rt ),
					expiresAt: rt.expiresAt,
				} );
			}
		}
		for ( const at of this.accessTokens.values() ) {
			const g = this.grants.get( at.grantId );
			if ( g && ( ! email || g.email === email.toLowerCase() ) ) {
				out.push( {
					type: 'access',
					token: at.token,
					email: g.email,
					clientId: g.clientId,
					valid: ! g.revoked && at.expiresAt > now,
					expiresAt: at.expiresAt,
				} );
			}
		}
		return out;
	}
}
