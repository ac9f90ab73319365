/**
 * Everything OAuth the emulator remembers: clients, accounts, grants, tokens and authorization
 * requests, reset together.
 */
import { Clock } from '../clock';
import { Accounts } from './accounts';
import {
	AuthorizationRequests,
	type AuthCode,
	type PendingConsent,
} from './authorization-requests';
import { Clients, type Client } from './clients';
import { Grants } from './grants';
import { Tokens } from './tokens';

export class AuthStore {
	readonly clients: Clients;
	readonly accounts = new Accounts();
	readonly grants = new Grants();
	/** Token lifetimes run on this clock (moved forward through the control API). */
	readonly clock = new Clock();
	readonly tokens = new Tokens( this.grants, this.clock );
	readonly requests = new AuthorizationRequests();

	constructor( initialClients: Client[] ) {
		this.clients = new Clients( initialClients );
	}

	reset(): void {
		this.clients.reset();
		this.clock.reset();
		this.accounts.reset();
		this.grants.reset();
		this.tokens.reset();
		this.requests.reset();
	}

	/**
	 * Records the user's consent (added to the grant's scopes) and returns the authorization code.
	 * With `include_granted_scopes`, the code carries the scopes granted earlier too.
	 */
	consent( p: PendingConsent, email: string, scopes: string[] ): AuthCode {
		const account = this.accounts.get( email );
		const grant = this.grants.obtain( p.clientId, account.email );
		const granted = p.includeGrantedScopes
			? new Set( [ ...grant.scopes, ...scopes ] )
			: new Set( scopes );
		for ( const s of scopes ) {
			grant.scopes.add( s );
		}
		return this.requests.issueCode( p, account.email, [ ...granted ] );
	}
}
