/**
 * Authorization requests on their way through the consent page, and the authorization codes they
 * end in (single use, 10 minutes, bound to the client and redirect URI of the request).
 */
import { randomBytes } from 'node:crypto';
import { randomToken } from './tokens';

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

const CODE_LIFETIME_MS = 10 * 60 * 1000;
/** Above this many abandoned consent pages, those older than an hour are forgotten. */
const PENDING_KEPT = 10000;

export class AuthorizationRequests {
	private readonly pending = new Map< string, PendingConsent >();
	private readonly codes = new Map< string, AuthCode >();

	reset(): void {
		this.pending.clear();
		this.codes.clear();
	}

	addPending(
		p: Omit< PendingConsent, 'id' | 'createdAt' >
	): PendingConsent {
		if ( this.pending.size > PENDING_KEPT ) {
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

	/** The pending request, forgotten as it is taken (a consent form is answered once). */
	takePending( id: string ): PendingConsent | undefined {
		const p = this.pending.get( id );
		this.pending.delete( id );
		return p;
	}

	issueCode( p: PendingConsent, email: string, scopes: string[] ): AuthCode {
		const code: AuthCode = {
			code: randomToken( '4/0A', 48 ),
			clientId: p.clientId,
			redirectUri: p.redirectUri,
			email,
			scopes,
			offline: p.offline,
			forceConsent: p.forceConsent,
			expiresAt: Date.now() + CODE_LIFETIME_MS,
			used: false,
		};
		this.codes.set( code.code, code );
		return code;
	}

	code( value: string ): AuthCode | undefined {
		return this.codes.get( value );
	}
}
